"""Every private singer-sdk name the tap relies on, in one place, each with why.

tests/test_sdk_compat.py checks each of them against the installed singer-sdk, so an SDK
upgrade that removes or changes one fails that test by name instead of breaking a run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError

PRIVATE_NAMES: dict[str, str] = {
    "Tap._validate_config": (
        "the only hook between reading the config and the SDK's JSON-schema check: the tap "
        "validates first, so every error names its setting and never echoes the API key, and "
        "a setting given as text (--config ENV, Meltano) becomes its type before the SDK's "
        "check rejects it"
    ),
    "Tap._config": (
        "the config dict as read (Tap.config is a read-only view): --config ENV and Meltano pass "
        "settings as text, typed in place (settings.values_from_text) before the SDK's "
        "JSON-schema check, which would reject the text"
    ),
}


class ValidateConfigFirst(Tap):
    """A Tap whose own config check (``check_config``) runs before the SDK's."""

    def check_config(self, config: dict[str, Any]) -> list[str]:  # pragma: no cover
        raise NotImplementedError

    def sdk_settings_in(self, config: dict[str, Any]) -> list[str]:  # pragma: no cover
        """The settings of ``config`` that singer-sdk declares (stream maps, flattening)."""
        raise NotImplementedError

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        problems = self.check_config(self._config)
        if not problems:
            try:
                return super()._validate_config(raise_errors=True)
            except ConfigValidationError as exc:
                # "5 is not valid ... in config['stream_maps']['s']": named first, as the
                # tap's own problems are ("stream_maps['s']: 5 is not valid ...").
                problems = [_named_first(str(error)) for error in exc.errors]
            except (AttributeError, TypeError, KeyError, ValueError) as exc:
                # The SDK's validator (which also fills in defaults) fails outright on some
                # shapes of its own settings' values (stream_maps {"s": {"__else__": 3}}:
                # AttributeError); the tap's settings passed its own check before.
                named = ", ".join(self.sdk_settings_in(self._config)) or "config"
                problems = [f"{named}: singer-sdk cannot check it ({type(exc).__name__}: {exc})"]
        if raise_errors:
            raise ConfigValidationError("Config validation failed", errors=problems)
        return problems


def _named_first(error: str) -> str:
    found = re.fullmatch(r"(.*) in config\['(\w+)'\](.*)", error, re.DOTALL)
    return f"{found.group(2)}{found.group(3)}: {found.group(1)}" if found else error


def private_name_exists(dotted: str) -> bool:
    """Whether ``Class.attribute`` of PRIVATE_NAMES still exists in the installed SDK."""
    owner_name, attribute = dotted.split(".", 1)
    owner: Callable[..., Any] = {"Tap": Tap}[owner_name]
    annotated = any(attribute in getattr(cls, "__annotations__", {}) for cls in owner.__mro__)
    return callable(getattr(owner, attribute, None)) or annotated
