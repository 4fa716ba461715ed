"""Pure flattening of one day of Braze JSON into a day row and message rows.

Every value Braze returns ends up in exactly one place: a typed column when the schema names
it and the value has the column's JSON type, else the row's ``extra_metrics`` object. Values are
passed through untouched (no rounding, no int/float conversion). The placing rules are shared
with the Canvas flattener (:mod:`tap_braze_sends.braze.flatten.series_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.flatten.series_rows import (
    Row,
    channel_entries,
    message_row,
    metric_columns,
    split_values,
)
from tap_braze_sends.braze.flatten.unknown import add_extra
from tap_braze_sends.braze.schemas.metrics import DAY_TOTAL_METRICS, MESSAGE_METRICS
from tap_braze_sends.braze.timestamps import parse_day

__all__ = ["Row", "flatten_day"]

_DAY_COLUMNS = metric_columns(DAY_TOTAL_METRICS)
_MESSAGE_COLUMNS = metric_columns(MESSAGE_METRICS)


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
    split_values(day, _DAY_COLUMNS, day_row, skip=("time", "messages"))

    message_rows: list[Row] = []
    messages = day.get("messages", {})
    if not isinstance(messages, Mapping):
        add_extra(day_row, "messages", messages)
        return day_row, message_rows

    for channel, entries in messages.items():
        if entries is None:
            continue  # real Braze bodies carry "ios_push": null for a channel with no sends
        if not isinstance(entries, list | Mapping):
            add_extra(day_row, f"messages.{channel}", entries)
            continue
        used: dict[str, int] = {}
        strays: list = []
        keys: Row = {**partition, "time": time, "channel": channel}
        for entry in channel_entries(entries):
            if not isinstance(entry, Mapping):
                # Only the non-object items go to extras: the objects beside them get rows.
                strays.append(entry)
                continue
            message_rows.append(message_row(entry, keys, _MESSAGE_COLUMNS, used))
        if strays:
            add_extra(day_row, f"messages.{channel}", strays)
    return day_row, message_rows
