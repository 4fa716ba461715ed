"""Validation of the tap's config into typed settings, before any request is made.

Pure but for reading the file that ``sends_file`` names (and, for ``--config ENV``, the
working folder's .env). Every problem is reported at once,
each naming the setting and the bad value, so that a scheduled job fails with a message a
person can act on. The API key's value is never echoed. Each setting's parser and default
come from its declaration (:mod:`tap_braze_sends.config_schema`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from tap_braze_sends.config_schema import (
    SPEC_BY_NAME,
    SPECS,
    default_of,
    start_date_default,
)
from tap_braze_sends.keys import SendKey
from tap_braze_sends.redaction import redact
from tap_braze_sends.sends_file import SendsFileError, read_sends_file
from tap_braze_sends.setting_spec import value_from_text
from tap_braze_sends.setting_values import shown

__all__ = [
    "DATA_SOURCES",
    "ConfigError",
    "SendKey",
    "Settings",
    "environment_config",
    "parse_settings",
    "partitions_given",
    "values_from_text",
    "with_variable",
]

DATA_SOURCES: tuple[str, ...] = tuple(spec.name for spec in SPECS if spec.gives)
"""The settings that say what to extract. Whether a run has anything to extract depends on
the streams it selects (the workspace series need no ids): the run checks it
(runtime/partitions.py, ``nothing_to_extract``)."""


class ConfigError(ValueError):
    """The config cannot be used; ``problems`` lists each setting that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Invalid tap-braze-sends config:\n{lines}")


@dataclass(frozen=True)
class Settings:
    """The config, validated and typed: one field per declared setting, its declared default."""

    api_key: str
    api_url: str
    start_date: dt.date
    end_date: dt.date
    sends: tuple[SendKey, ...] = default_of("sends")
    """Those of the setting and those of the file that sends_file names, without repeats."""
    sends_file: str | None = default_of("sends_file")
    """The file named by the setting (already read: its sends are in ``sends``)."""
    campaign_ids: tuple[str, ...] = default_of("campaign_ids")
    all_campaigns: bool = default_of("all_campaigns")
    include_archived: bool = default_of("include_archived")
    canvas_ids: tuple[str, ...] = default_of("canvas_ids")
    all_canvases: bool = default_of("all_canvases")
    include_deleted_steps: bool = default_of("include_deleted_steps")
    app_ids: tuple[str, ...] = default_of("app_ids")
    segment_ids: tuple[str, ...] = default_of("segment_ids")
    all_segments: bool = default_of("all_segments")
    breakdown_segment_ids: tuple[str, ...] = default_of("breakdown_segment_ids")
    event_names: tuple[str, ...] = default_of("event_names")
    all_events: bool = default_of("all_events")
    products: tuple[str, ...] = default_of("products")
    all_products: bool = default_of("all_products")
    shard: tuple[int, int] | None = default_of("shard")
    """``(k, n)``: this job takes shard k of n (1-based); None: every partition."""
    lookback_days: int = default_of("lookback_days")
    window_days: int = default_of("window_days")
    max_parallel_requests: int = default_of("max_parallel_requests")
    request_timeout: float = default_of("request_timeout")
    max_retries: int = default_of("max_retries")
    retry_initial_wait: float = default_of("retry_initial_wait")
    max_rate_limit_wait: float = default_of("max_rate_limit_wait")


def partitions_given(settings: Settings) -> frozenset[str]:
    """The partitions the config asks data of: the ``gives`` of each setting it sets (a list
    with an item, a flag on, a sends_file named even if empty today)."""
    return frozenset(spec.gives for spec in SPECS if spec.gives and getattr(settings, spec.name))


def parse_settings(config: Mapping[str, Any], today: dt.date) -> Settings:
    """Validate a config mapping; raise :class:`ConfigError` listing every problem.

    Reads the file named by ``sends_file`` (the one side effect): its sends join ``sends``,
    a send in both being one partition.
    """
    values: dict[str, Any] = {}
    found: dict[str, list[str]] = {}
    for spec in SPECS:
        found[spec.name] = []
        values[spec.name] = spec.read(config.get(spec.name), found[spec.name])
    if values["sends_file"] is not None:
        values["sends"] = _with_file_sends(
            values["sends"], values["sends_file"], found["sends_file"]
        )
    values["end_date"] = end_date = values["end_date"] or today
    values["start_date"] = start_date = values["start_date"] or start_date_default(end_date, today)
    if start_date > end_date:
        found["start_date"].append(
            f"start_date: {start_date.isoformat()} is after end_date {end_date.isoformat()}"
        )
    elif start_date > today:
        # Nothing to read yet; moving bookmarks to today would skip those days for good.
        found["start_date"].append(
            f"start_date: {start_date.isoformat()} is in the future (today is "
            f"{today.isoformat()} UTC): Braze has no analytics for it yet; use a past date"
        )
    problems: list[str] = []
    for spec in SPECS:  # in the declared order
        problems += found[spec.name]
    if problems:
        raise ConfigError(_without_secret(problems, config.get("api_key")))
    return Settings(**values)


def _with_file_sends(
    sends: tuple[SendKey, ...], path: str, problems: list[str]
) -> tuple[SendKey, ...]:
    try:
        from_file = read_sends_file(path)
    except SendsFileError as exc:
        problems.extend(exc.problems)
        return sends
    merged = dict.fromkeys(sends)
    merged.update(dict.fromkeys(from_file))
    return tuple(merged)


def _without_secret(problems: list[str], api_key: object) -> list[str]:
    # A key pasted into another setting (an api_url query, a send id) must not be echoed.
    if not isinstance(api_key, str):
        return problems
    return [redact(problem, api_key) for problem in problems]


def environment_config(
    schema: dict[str, Any], prefix: str, environ: Mapping[str, str], folder: Path
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """--config ENV: each setting of ``schema`` whose variable (``prefix`` and its name in
    capitals) is set, as ``name -> (variable, text)``, and any problem reading the files.

    A variable of the process environment wins over the same one in ``folder``'s .env file;
    no other .env is read (a .env in a folder above the working folder, or above the tap's
    install, belongs to something else), and none is loaded into the environment."""
    problems: list[str] = []
    from_file: dict[str, str | None] = {}
    dotenv = folder / ".env"
    if dotenv.is_file():
        try:
            from_file = dotenv_values(dotenv)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{dotenv}: cannot be read ({exc}); fix it or remove it")
    found: dict[str, tuple[str, str]] = {}
    for name in schema.get("properties", {}):
        variable = prefix + name.upper().replace("-", "_")
        text = environ.get(variable, from_file.get(variable))
        if text is not None:
            found[name] = (variable, text)
    return found, problems


def values_from_text(config: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Every setting given as text (an environment variable, Meltano) of a type that is not
    text becomes its type in place, so that the SDK's JSON-schema check and its stream maps
    get typed values; a blank one is no value (its default). Text that is no such value
    stays for the tap's parser to report; for a setting the SDK declares, it is a problem
    here."""
    problems: list[str] = []
    for name, prop in schema.get("properties", {}).items():
        text = config.get(name)
        if not isinstance(text, str):
            continue
        try:
            value = value_from_text(text, prop)
        except ValueError as exc:
            if name not in SPEC_BY_NAME:
                problems.append(f"{name}: {shown(text)} {exc}")
            continue
        if value is None:
            del config[name]
        else:
            config[name] = value
    return problems


def with_variable(problem: str, variables: Mapping[str, str]) -> str:
    """A problem with the variable its setting (the name it starts with) came from."""
    named = re.match(r"\w+", problem)
    variable = variables.get(named.group()) if named else None
    return f"{problem} (from {variable})" if variable else problem
