"""Every private singer-sdk name the tap relies on, in one place, each with why.

tests/test_sdk_compat.py checks each of them against the installed singer-sdk, so an SDK
upgrade that removes or changes one fails that test by name instead of breaking a run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from singer_sdk import Tap

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

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        problems = self.check_config(self._config)
        if problems:
            if raise_errors:
                from singer_sdk.exceptions import ConfigValidationError

                raise ConfigValidationError("Config validation failed", errors=problems)
            return problems
        return super()._validate_config(raise_errors=raise_errors)


def private_name_exists(dotted: str) -> bool:
    """Whether ``Class.attribute`` of PRIVATE_NAMES still exists in the installed SDK."""
    owner_name, attribute = dotted.split(".", 1)
    owner: Callable[..., Any] = {"Tap": Tap}[owner_name]
    annotated = any(attribute in getattr(cls, "__annotations__", {}) for cls in owner.__mro__)
    return callable(getattr(owner, attribute, None)) or annotated
