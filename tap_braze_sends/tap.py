"""tap-braze-sends: settings, validation, and which streams exist."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys
import threading
from typing import Any, ClassVar

from singer_sdk import Stream, Tap
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities

from tap_braze_sends.config_schema import CONFIG_SCHEMA
from tap_braze_sends.errors import BrazeError, StateError
from tap_braze_sends.output import BufferedMsgSpecWriter, EncodedStateWriter
from tap_braze_sends.pacing import RateBudget
from tap_braze_sends.progress import Progress
from tap_braze_sends.settings import (
    DEFAULT_RETRY_INITIAL_WAIT,
    ConfigError,
    Settings,
    parse_settings,
)
from tap_braze_sends.state import validate_state
from tap_braze_sends.streams import STREAM_TYPES


class TapBrazeSends(Tap):
    """Singer tap for Braze's daily send and campaign analytics."""

    name = "tap-braze-sends"
    message_writer_class = BufferedMsgSpecWriter
    # No BATCH: message rows are written beside the day rows, as RECORD messages.
    capabilities: ClassVar[list] = [
        TapCapabilities.CATALOG,
        TapCapabilities.STATE,
        TapCapabilities.DISCOVER,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]

    config_jsonschema = CONFIG_SCHEMA

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._settings: Settings | None = None
        self._budgets: dict[str, RateBudget] = {}
        self._budgets_lock = threading.Lock()
        self.progress = Progress()
        super().__init__(*args, **kwargs)
        # Deduplicates STATE without a deep copy of the state per message (output.py).
        self._state_writer = EncodedStateWriter(self.message_writer)

    # --- Settings --------------------------------------------------------------------------

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        # Our checks first: they name each setting and never echo the key's value.
        try:
            self._settings = parse_settings(self.config, dt.datetime.now(dt.timezone.utc).date())
        except ConfigError as exc:
            if raise_errors:
                raise ConfigValidationError(
                    "Config validation failed", errors=exc.problems
                ) from None
            return exc.problems
        _numbers_from_text(self._config, self.config_jsonschema)
        return super()._validate_config(raise_errors=raise_errors)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = parse_settings(self.config, dt.datetime.now(dt.timezone.utc).date())
        return self._settings

    @property
    def retry_initial_wait(self) -> float:
        return float(self.config.get("retry_initial_wait") or DEFAULT_RETRY_INITIAL_WAIT)

    def partitions_for(self, fields: tuple[str, ...]) -> list[dict]:
        """Partition contexts for a stream keyed by ``fields``, in config order."""
        if fields == ("campaign_id", "send_id"):
            return [
                {"campaign_id": s.campaign_id, "send_id": s.send_id} for s in self.settings.sends
            ]
        return [{"campaign_id": c} for c in self.settings.campaign_ids]

    def rate_budget(self, pool: str) -> RateBudget:
        """The budget shared by every stream and worker that calls ``pool``."""
        with self._budgets_lock:
            if pool not in self._budgets:
                self._budgets[pool] = RateBudget(pool)
            return self._budgets[pool]

    # --- Streams and state ----------------------------------------------------------------

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    def load_state(self, state: dict[str, Any]) -> None:
        validate_state(state, known_streams={t.name for t in STREAM_TYPES})
        super().load_state(state)

    @classmethod
    def invoke(  # type: ignore[override]
        cls,
        *,
        state: Any = None,
        **kwargs: Any,
    ) -> None:
        """Run the tap; errors a person must fix end the run with one clear line."""
        try:
            if state is not None:
                state = io.StringIO(_read_state_file(state))
            super().invoke(state=state, **kwargs)
        except BrazeError as exc:
            # Messages are built key-free where they are raised (errors.redact).
            cls.logger.error("%s", exc)
            sys.stdout.flush()
            sys.exit(1)


def _numbers_from_text(config: dict[str, Any], schema: dict[str, Any]) -> None:
    """--config ENV passes "number" settings as text ("1.5"); make them numbers in place, so
    the SDK's JSON-schema check accepts them. Text that is no number is left for it to report."""
    for name, prop in schema.get("properties", {}).items():
        value = config.get(name)
        if isinstance(value, str) and "number" in prop.get("type", ()):
            with contextlib.suppress(ValueError):
                config[name] = float(value)


def _read_state_file(handle: io.TextIOBase) -> str:
    text = handle.read()
    name = getattr(handle, "name", "the state file")
    try:
        parsed = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        msg = (
            f"State file {name} is not valid JSON ({exc.msg} at line {exc.lineno} column "
            f"{exc.colno}). Fix it, or run without --state to start from start_date."
        )
        raise StateError(msg) from None
    if not isinstance(parsed, dict):
        msg = f"State file {name} must hold a JSON object, got {type(parsed).__name__}."
        raise StateError(msg)
    return text if text.strip() else "{}"  # an empty file (a first run's placeholder) is no state


if __name__ == "__main__":
    TapBrazeSends.cli()
