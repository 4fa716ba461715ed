"""tap-braze-sends: settings, validation, and which streams exist."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from singer_sdk import Stream
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities

from tap_braze_sends.braze.discovery import send_expired
from tap_braze_sends.braze.endpoints import Partition
from tap_braze_sends.config_schema import CONFIG_SCHEMA
from tap_braze_sends.errors import BrazeError, StateError
from tap_braze_sends.runtime.bookmarks import prune_expired_sends, split_unknown, validate_state
from tap_braze_sends.runtime.orchestrator import (
    catalog_dry_run_rows,
    dry_run_rows,
    listed_partitions,
    sync_streams,
)
from tap_braze_sends.runtime.redaction import install_redaction
from tap_braze_sends.runtime.signals import Stopped
from tap_braze_sends.sdk_compat import ValidateConfigFirst
from tap_braze_sends.settings import ConfigError, Settings, parse_settings
from tap_braze_sends.streams import STREAM_TYPES, BrazeStream, CatalogStream

Row = dict[str, Any]


class TapBrazeSends(ValidateConfigFirst):
    """Singer tap for Braze's daily send, campaign and Canvas analytics, and their names."""

    name = "tap-braze-sends"
    message_writer_class = MsgSpecWriter
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
        super().__init__(*args, **kwargs)

    # --- Settings --------------------------------------------------------------------------

    def check_config(self, config: dict[str, Any]) -> list[str]:
        """The tap's own checks, before the SDK's: each names its setting, never the key."""
        key = config.get("api_key")
        if isinstance(key, str):
            # Before anything can log: a second line of defence behind key-free messages.
            install_redaction(key)
        try:
            self._settings = parse_settings(config, dt.datetime.now(dt.timezone.utc).date())
        except ConfigError as exc:
            return exc.problems
        _numbers_from_text(config, self.config_jsonschema)
        return []

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = parse_settings(self.config, dt.datetime.now(dt.timezone.utc).date())
        return self._settings

    # --- Streams and state ----------------------------------------------------------------

    def discover_streams(self) -> list[Stream]:
        return [
            stream_type(tap=self, partitions=self._partitions_of, rows=self._rows_of)
            if issubclass(stream_type, BrazeStream)
            else stream_type(tap=self, rows=self._catalog_rows_of)
            for stream_type in STREAM_TYPES
        ]

    def load_state(self, state: dict[str, Any]) -> None:
        known = {t.name for t in STREAM_TYPES}
        validate_state(state, known_streams=known)
        ours, others, rest = split_unknown(state, known)
        if self._settings is not None:  # None: --discover or --about without a valid config
            self._prune(ours, self._settings)
        super().load_state(ours)
        # Kept as they are (the SDK would choke on a non-object), and in every STATE.
        self.state.setdefault("bookmarks", {}).update(others)
        self.state.update(rest)

    def _prune(self, state: dict[str, Any], settings: Settings) -> None:
        today = dt.datetime.now(dt.timezone.utc).date()
        dropped = prune_expired_sends(
            state,
            {(s.campaign_id, s.send_id) for s in settings.sends},
            lambda first: send_expired(first, today, settings.lookback_days),
        )
        if dropped:
            self.logger.info(
                "Dropped %d expired sends no longer configured from the state (first data "
                "more than 14 + lookback_days + 2 days ago)",
                dropped,
            )

    # --- The run ----------------------------------------------------------------------------

    def sync_all(self) -> None:
        """Sync every selected stream: one plan, one fetch pool, one writer (engine.py)."""
        sync_streams(self.streams.values(), self.settings, self.state)

    def run_sync_dry_run(
        self, dry_run_record_limit: int | None = 1, streams: Iterable[Stream] | None = None
    ) -> bool:
        """--test and the SDK's built-in tests: every stream, each with its full schema."""
        streams = list(self.streams.values() if streams is None else streams)
        # The SDK selects every stream for its dry run, but the stream maps were built at
        # start-up from the catalog's selection: an unselected stream (a catalogue stream in
        # a bare run) would send a SCHEMA without properties beside records that have them.
        for stream in streams:
            stream.selected = True
            self.mapper.register_raw_stream_schema(stream.name, stream.schema, stream.primary_keys)
        return super().run_sync_dry_run(dry_run_record_limit=dry_run_record_limit, streams=streams)

    # The SDK's own per-stream sync (its dry run: --test, its built-in tests) asks each
    # stream for its partitions and records; these answer it one request at a time.

    def _partitions_of(self, stream: BrazeStream) -> list[Partition]:
        return listed_partitions(stream, self.settings)

    def _rows_of(self, stream: BrazeStream, partition: Mapping[str, Any]) -> Iterator[Row]:
        return dry_run_rows(stream, partition, self.settings)

    def _catalog_rows_of(self, stream: CatalogStream) -> Iterator[Row]:
        return catalog_dry_run_rows(stream, self.settings)

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
        except Stopped as exc:
            cls.logger.error(
                "Stopped by %s: the last STATE covers every partition finished before it; "
                "rerun to resume.",
                exc.signal_name,
            )
            sys.stdout.flush()
            sys.exit(128 + exc.signum)


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
