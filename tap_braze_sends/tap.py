"""tap-braze-sends: settings, validation, and which streams exist."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import click
from singer_sdk import Stream
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.exceptions import MappingError
from singer_sdk.helpers.capabilities import PluginCapabilities, TapCapabilities

from tap_braze_sends.braze.description import Descriptions
from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.braze.partition_sources import ConfigPairs
from tap_braze_sends.config_schema import CONFIG_SCHEMA, SPEC_BY_NAME
from tap_braze_sends.errors import StateError
from tap_braze_sends.exits import one_line_errors, stream_maps_error
from tap_braze_sends.redaction import install_redaction, redact
from tap_braze_sends.runtime.bookmarks import prune_expired, split_unknown, validate_state
from tap_braze_sends.runtime.orchestrator import sync_streams
from tap_braze_sends.sdk_compat import ValidateConfigFirst
from tap_braze_sends.settings import (
    ConfigError,
    Settings,
    environment_config,
    parse_settings,
    values_from_text,
    with_variable,
)
from tap_braze_sends.streams import streams_of


class TapBrazeSends(ValidateConfigFirst):
    """Singer tap for Braze's analytics: sends, campaigns, Canvases, segments, KPIs, sessions, custom events and purchases, with their names."""  # noqa: E501 (--about shows it whole)

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

    descriptions: ClassVar[Descriptions] = BRAZE
    """Every endpoint the tap reads; its streams are generated from them. The seam for a new
    endpoint outside the package: a subclass with more descriptions (docs/architecture.md)."""

    def __init__(
        self,
        *,
        config: dict[str, Any] | None = None,
        parse_env_config: bool = False,
        **kwargs: Any,
    ) -> None:
        self._settings: Settings | None = None
        self._variables: dict[str, str] = {}
        """Setting -> the environment variable its value came from (--config ENV)."""
        self._variable_problems: list[str] = []
        if parse_env_config and (config is None or isinstance(config, dict)):
            # The tap reads the variables itself, as text, and its parsers type them: the
            # SDK's reading (parse_environment_config) ended a value it could not convert in
            # a traceback (LOOKBACK_DAYS=1e3, SENDS=c1,s1), split a broken JSON list at its
            # commas (APP_IDS='["a"' was the app id '["a"'), and took a .env file from any
            # folder above the SDK's own install path.
            found, self._variable_problems = environment_config(
                self.full_config_schema(), self.variable_prefix(), os.environ, Path.cwd()
            )
            config = {**(config or {}), **{name: text for name, (_, text) in found.items()}}
            self._variables = {name: variable for name, (variable, _) in found.items()}
            parse_env_config = False
        super().__init__(config=config, parse_env_config=parse_env_config, **kwargs)

    # --- Settings --------------------------------------------------------------------------

    @classmethod
    def variable_prefix(cls) -> str:
        """TAP_BRAZE_SENDS_: each setting's variable is this and its name in capitals (the
        SDK's convention, which its --about shows)."""
        return f"{cls.name.upper().replace('-', '_')}_"

    @classmethod
    def full_config_schema(cls) -> dict[str, Any]:
        """The config schema with the settings the SDK adds (stream maps, flattening)."""
        schema = copy.deepcopy(cls.config_jsonschema)
        cls.append_builtin_config(schema)
        return schema

    def check_config(self, config: dict[str, Any]) -> list[str]:
        """The tap's own checks, before the SDK's: each names its setting (and the variable
        it came from), never the key."""
        key = config.get("api_key")
        if isinstance(key, str):
            # Before anything can log: a second line of defence behind key-free messages.
            install_redaction(key)
        if self._variables:
            self.logger.info("Settings from %s", ", ".join(self._variables.values()))
        problems = self._variable_problems + values_from_text(config, self.full_config_schema())
        try:
            self._settings = parse_settings(config, dt.datetime.now(dt.timezone.utc).date())
        except ConfigError as exc:
            problems = exc.problems + problems
        if isinstance(key, str):
            problems = [redact(problem, key) for problem in problems]
        return [with_variable(problem, self._variables) for problem in problems]

    def sdk_settings_in(self, config: dict[str, Any]) -> list[str]:
        return [name for name in config if name not in SPEC_BY_NAME]

    def setup_mapper(self) -> None:
        """A stream map the SDK cannot build ('{"campaigns": {"x": "nonsense(("}}', a key
        property removed) is a config error naming stream_maps, not a traceback."""
        try:
            super().setup_mapper()
        except MappingError as exc:
            raise stream_maps_error(exc) from None
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            # The SDK's own failure on a map of a shape it does not check ({"__else__": 3});
            # without a map, it is a bug of the tap's schemas.
            if not self.config.get("stream_maps"):
                raise
            raise stream_maps_error(exc) from None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = parse_settings(self.config, dt.datetime.now(dt.timezone.utc).date())
        return self._settings

    # --- Streams and state ----------------------------------------------------------------

    def discover_streams(self) -> list[Stream]:
        return list(streams_of(self, self.descriptions))

    def load_state(self, state: dict[str, Any]) -> None:
        known = set(self.descriptions.stream_names())
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
        for series in self.descriptions.series:
            source = series.partitions
            if not isinstance(source, ConfigPairs) or source.expired is None:
                continue
            expired = source.expired
            dropped = prune_expired(
                state,
                source.fields,
                {
                    tuple(getattr(item, f) for f in source.fields)
                    for item in getattr(settings, source.setting)
                },
                lambda first, expired=expired: expired(first, today, settings.lookback_days),
            )
            if dropped:
                self.logger.info(
                    "Dropped %d expired %s no longer configured from the state (%s)",
                    dropped,
                    source.noun[0] if dropped == 1 else source.noun[1],
                    source.expired_note,
                )

    # --- The run ----------------------------------------------------------------------------

    def sync_all(self) -> None:
        """Sync every selected stream: one plan, one fetch pool, one writer (orchestrator.py)."""
        sync_streams(self.streams.values(), self.settings, self.state, self.descriptions)

    def run_sync_dry_run(
        self, dry_run_record_limit: int | None = 1, streams: Iterable[Stream] | None = None
    ) -> bool:
        """--test and the SDK's built-in tests: the same engine as sync_all, every stream
        selected, each with its full schema and at most ``dry_run_record_limit`` records."""
        streams = list(self.streams.values() if streams is None else streams)
        # The stream maps were built at start-up from the catalog's selection: an unselected
        # stream (a catalogue stream in a bare run) would send a SCHEMA without properties
        # beside records that have them.
        for stream in streams:
            stream.selected = True
            self.mapper.register_raw_stream_schema(stream.name, stream.schema, stream.primary_keys)
        sync_streams(
            streams, self.settings, self.state, self.descriptions, record_limit=dry_run_record_limit
        )
        return True

    @classmethod
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """A --config file that is missing, unreadable or not JSON is a usage error naming the
        file (exit 2, like a missing --catalog file), not a traceback."""
        try:
            return super().cb_config(ctx, param, value)
        except (OSError, ValueError) as exc:  # a JSON error names a position, never the text
            files = ", ".join(v for v in value if v not in str(exc))
            raise click.BadParameter(
                f"{files + ': ' if files else ''}{exc} (expected a JSON file of settings, or ENV)",
                ctx=ctx,
                param=param,
            ) from None

    @classmethod
    def invoke(  # type: ignore[override]
        cls,
        *,
        state: Any = None,
        **kwargs: Any,
    ) -> None:
        """Run the tap; errors a person must fix end the run with one clear line."""
        with one_line_errors(cls.logger):
            if state is not None:
                state = io.StringIO(_read_state_file(state))
            super().invoke(state=state, **kwargs)

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """--test: the SDK builds the tap and runs it inside this option's callback, outside
        its command's handling of config errors, so a bad setting was a traceback there."""
        with one_line_errors(cls.logger):
            super().cb_test(ctx, param, value)


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
