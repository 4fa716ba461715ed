"""Pure flattening of /canvas/data_series: one day -> the rows of the four analytics streams.

The rules are those of the campaign and send series
(:mod:`tap_braze_sends.braze.flatten.series_rows`): every value Braze returns ends up in exactly
one place, a typed column when the schema names it and the value has the column's JSON type, else
the row's ``extra_metrics``; values pass through untouched. A ``null`` (or absent)
``variant_stats``, ``step_stats``, variant, step, step ``messages`` or channel carries nothing: it
gives no row and nothing in extras.

Where a value that fits no row goes (names in the ``extra_metrics`` of the row named):

====================================  ======================  =================================
Braze sent                            row                     ``extra_metrics`` name
====================================  ======================  =================================
an unknown ``total_stats`` metric m   ``total``               ``m``
a day-level key k beside the stats    ``total``               ``day.k``
``total_stats`` that is no object     ``total``               ``total_stats``
``variant_stats`` that is no object   ``total``               ``variant_stats``
a variant v that is no object         ``total``               ``variant_stats.v``
``step_stats`` that is no object      ``total``               ``step_stats``
a step s that is no object            ``total``               ``step_stats.s``
an unknown metric m of a variant      that variant's row      ``m`` (a name no string: ``name``)
an unknown metric m of a step         that step's row         ``m`` (likewise)
step ``messages`` that is no object   that step's row         ``messages``
a channel c that is no list/object    that step's row         ``messages.c``
non-objects in channel c's list       that step's row         ``messages.c`` (the list of them)
an unknown metric m of a message      that message's row      ``m``
====================================  ======================  =================================

The list and details bodies are flattened by :mod:`tap_braze_sends.braze.flatten.canvas_catalog`,
re-exported here so that one module holds the Canvas flatteners' public names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.flatten.series_rows import (
    Row,
    channel_entries,
    entry_row,
    metric_columns,
    split_values,
)
from tap_braze_sends.braze.flatten.unknown import add_extra
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_STEP_METRICS,
    CANVAS_TOTAL_METRICS,
    CANVAS_VARIANT_METRICS,
)
from tap_braze_sends.braze.schemas.metrics import MESSAGE_METRICS
from tap_braze_sends.braze.timestamps import parse_day

__all__ = [
    "CanvasDayRows",
    "Row",
    "flatten_canvas_day",
    "parse_canvas_series",
]

_TOTAL_COLUMNS = metric_columns(CANVAS_TOTAL_METRICS)
_VARIANT_COLUMNS = metric_columns(CANVAS_VARIANT_METRICS)
_STEP_COLUMNS = metric_columns(CANVAS_STEP_METRICS)
_MESSAGE_COLUMNS = metric_columns(MESSAGE_METRICS)
_DAY_STRUCTURE = frozenset({"time", "total_stats", "variant_stats", "step_stats"})


@dataclass(frozen=True)
class CanvasDayRows:
    """The rows one day of a Canvas series gives each analytics stream."""

    total: Row
    """``canvas_analytics``: one per day, always."""
    variants: list[Row]
    """``canvas_variant_analytics``: one per variant in ``variant_stats``."""
    steps: list[Row]
    """``canvas_step_analytics``: one per step in ``step_stats``."""
    step_messages: list[Row]
    """``canvas_step_message_analytics``: one per entry under a step's ``messages``."""


def parse_canvas_series(body: Mapping[str, Any]) -> tuple[str | None, list[Mapping[str, Any]]]:
    """The Canvas name and the day objects of a body ``{"data": {"name", "stats": [...]}}``.

    A ``null`` ``stats`` is read as no days, a name that is not a string as no name (the
    ``canvases`` stream keeps names). Any other shape raises ``MalformedBody``.
    """
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping) or "stats" not in data:
        msg = "Canvas series body has no 'data' object with 'stats'"
        raise MalformedBody(msg)
    stats = data["stats"]
    if stats is None:
        stats = []
    if not isinstance(stats, list) or not all(isinstance(day, Mapping) for day in stats):
        msg = f"Canvas series 'data.stats' is not a list of day objects: {stats!r:.200}"
        raise MalformedBody(msg)
    name = data.get("name")
    return (name if isinstance(name, str) else None), stats


def flatten_canvas_day(day: Mapping[str, Any], canvas_id: str) -> CanvasDayRows:
    """Split one element of ``data.stats`` into the rows of the four analytics streams.

    Keys: total ``(canvas_id, time)``, variant ``+ variant_id``, step ``+ step_id``, step
    message ``+ step_id, channel, message_index``: the entry's position (from 0) in the list
    Braze gives for that step and channel. Braze documents no identifier for these entries
    (some bodies carry ``variation_api_id`` and/or ``variation_name``, kept in columns of their
    own), so the position is the one key every entry has, and each column means one thing.
    Raises ``MalformedBody`` for a day without a readable ``time``.
    """
    if not isinstance(day, Mapping):
        msg = f"Canvas day is not an object: {day!r:.200}"
        raise MalformedBody(msg)
    keys: Row = {"canvas_id": canvas_id, "time": parse_day(day.get("time")).isoformat()}
    total = _total_row(day, keys)
    variants = _variant_rows(day.get("variant_stats"), keys, total)
    steps, step_messages = _step_rows(day.get("step_stats"), keys, total)
    return CanvasDayRows(total, variants, steps, step_messages)


def _total_row(day: Mapping[str, Any], keys: Row) -> Row:
    row: Row = dict(keys)
    stats = day.get("total_stats")
    split_values(stats if isinstance(stats, Mapping) else {}, _TOTAL_COLUMNS, row)
    if stats is not None and not isinstance(stats, Mapping):
        add_extra(row, "total_stats", stats)
    for name, value in day.items():
        if name not in _DAY_STRUCTURE:
            # Prefixed: a day-level key must not collide with a total_stats metric's name.
            add_extra(row, f"day.{name}", value)
    return row


def _named_row(keys: Row, name_column: str, entry: Mapping[str, Any]) -> tuple[Row, tuple]:
    """A variant or step row with its name column, and the keys the name took from ``entry``."""
    name = entry.get("name")
    if name is None or isinstance(name, str):
        return {**keys, name_column: name}, ("name",)
    return {**keys, name_column: None}, ()  # a name that is no string goes to extras


def _objects_by_id(stats: object, what: str, total: Row) -> list[tuple[str, Mapping[str, Any]]]:
    """The (id, object) pairs of ``variant_stats`` or ``step_stats``; the rest to extras."""
    if stats is None:
        return []
    if not isinstance(stats, Mapping):
        add_extra(total, what, stats)
        return []
    pairs = []
    for object_id, entry in stats.items():
        if isinstance(entry, Mapping):
            pairs.append((str(object_id), entry))
        elif entry is not None:
            add_extra(total, f"{what}.{object_id}", entry)
    return pairs


def _variant_rows(stats: object, keys: Row, total: Row) -> list[Row]:
    rows = []
    for variant_id, entry in _objects_by_id(stats, "variant_stats", total):
        row, skip = _named_row({**keys, "variant_id": variant_id}, "variant_name", entry)
        split_values(entry, _VARIANT_COLUMNS, row, skip=skip)
        rows.append(row)
    return rows


def _step_rows(stats: object, keys: Row, total: Row) -> tuple[list[Row], list[Row]]:
    rows: list[Row] = []
    message_rows: list[Row] = []
    for step_id, entry in _objects_by_id(stats, "step_stats", total):
        row, skip = _named_row({**keys, "step_id": step_id}, "step_name", entry)
        split_values(entry, _STEP_COLUMNS, row, skip=(*skip, "messages"))
        rows.append(row)
        step_keys = {**keys, "step_id": step_id}
        message_rows.extend(_message_rows(entry.get("messages"), step_keys, row))
    return rows, message_rows


def _message_rows(messages: object, step_keys: Row, step_row: Row) -> list[Row]:
    if messages is None:
        return []
    if not isinstance(messages, Mapping):
        add_extra(step_row, "messages", messages)
        return []
    rows: list[Row] = []
    for channel, entries in messages.items():
        if entries is None:
            continue
        if not isinstance(entries, list | Mapping):
            add_extra(step_row, f"messages.{channel}", entries)
            continue
        listed = channel_entries(entries)
        objects = [entry for entry in listed if isinstance(entry, Mapping)]
        for index, entry in enumerate(objects):
            keys = {**step_keys, "channel": channel, "message_index": index}
            rows.append(entry_row(entry, keys, _MESSAGE_COLUMNS))
        strays = [entry for entry in listed if not isinstance(entry, Mapping)]
        if strays:
            add_extra(step_row, f"messages.{channel}", strays)
    return rows
