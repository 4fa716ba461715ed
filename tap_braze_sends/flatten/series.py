"""Pure flattening of one day of Braze JSON into a day row and message rows.

Every value Braze returns ends up in exactly one place: a typed column when the schema names
it and the value has the column's JSON type, else the row's ``extra_metrics`` object. Values are
passed through untouched (no rounding, no int/float conversion).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tap_braze_sends.schemas.metrics import (
    DAY_TOTAL_METRICS,
    MESSAGE_METRICS,
    MONEY_METRICS,
    VARIATION_PLACEHOLDER,
)

Row = dict[str, Any]

_DAY_COLUMNS = frozenset(DAY_TOTAL_METRICS)
_MESSAGE_COLUMNS = frozenset(MESSAGE_METRICS)
_IDENTITY_KEYS = ("variation_api_id", "variation_name")


class MalformedDayError(ValueError):
    """A day object that cannot be placed on a date (no or unparseable ``time``)."""


def parse_day(value: object) -> dt.date:
    """The date of a Braze ``time`` value: ``YYYY-MM-DD`` or a full ISO datetime."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            # The date part is the day Braze reports, whatever offset a datetime carries.
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    msg = f"day has no ISO-8601 'time': {value!r}"
    raise MalformedDayError(msg)


def _fits(column: str, value: object) -> bool:
    """Whether a value has the JSON type of its typed column (else it goes to extras)."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if column in MONEY_METRICS:
        return isinstance(value, int | float)
    return isinstance(value, int)


def _split(source: Mapping[str, Any], columns: frozenset[str], row: Row, skip: tuple) -> None:
    extras: dict[str, Any] = {}
    for name, value in source.items():
        if name in skip:
            continue
        if name in columns and _fits(name, value):
            row[name] = value
        else:
            extras[name] = value
    row["extra_metrics"] = extras or None


def _variation_id(entry: Mapping[str, Any]) -> str:
    for key in _IDENTITY_KEYS:
        value = entry.get(key)
        if value is not None and value != "":
            return str(value)
    return VARIATION_PLACEHOLDER


def _unique(variation: str, used: set[str]) -> str:
    # Suffix until unused, so that even a Braze name like "A#2" beside two "A"s stays unique.
    candidate, count = variation, 1
    while candidate in used:
        count += 1
        candidate = f"{variation}#{count}"
    used.add(candidate)
    return candidate


def _channel_entries(value: object) -> list:
    # Braze documents a list per channel; a lone object is read as a list of one.
    if isinstance(value, list):
        return value
    return [value]


def flatten_day(
    day: Mapping[str, Any],
    partition: Mapping[str, str],
) -> tuple[Row, list[Row]]:
    """Split one element of ``data`` into its day row and its per-variation message rows.

    ``partition`` holds the key columns (``campaign_id`` and, for sends, ``send_id``). The
    message rows are keyed ``(partition, time, channel, variation)``; a variation id repeated
    within one channel and day gets a ``#2``, ``#3`` suffix so that keys stay unique.
    """
    time = parse_day(day.get("time")).isoformat()
    day_row: Row = {**partition, "time": time}
    _split(day, _DAY_COLUMNS, day_row, skip=("time", "messages"))

    message_rows: list[Row] = []
    messages = day.get("messages", {})
    if not isinstance(messages, Mapping):
        _add_extra(day_row, "messages", messages)
        return day_row, message_rows

    for channel, entries in messages.items():
        if not isinstance(entries, list | Mapping):
            _add_extra(day_row, f"messages.{channel}", entries)
            continue
        used: set[str] = set()
        strays: list = []
        for entry in _channel_entries(entries):
            if not isinstance(entry, Mapping):
                # Only the non-object items go to extras: the objects beside them get rows.
                strays.append(entry)
                continue
            variation = _unique(_variation_id(entry), used)
            ids = {k: entry.get(k) for k in _IDENTITY_KEYS if isinstance(entry.get(k), str)}
            row: Row = {
                **partition,
                "time": time,
                "channel": channel,
                "variation": variation,
                "variation_api_id": ids.get("variation_api_id"),
                "variation_name": ids.get("variation_name"),
            }
            # A null id is its column's value; an id that is not a string goes to extras.
            skip = tuple(k for k in _IDENTITY_KEYS if k in ids or entry.get(k) is None)
            _split(entry, _MESSAGE_COLUMNS, row, skip=skip)
            message_rows.append(row)
        if strays:
            _add_extra(day_row, f"messages.{channel}", strays)
    return day_row, message_rows


def _add_extra(row: Row, name: str, value: object) -> None:
    extras = row["extra_metrics"] or {}
    extras[name] = value
    row["extra_metrics"] = extras
