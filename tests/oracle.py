"""An independent oracle: the records a correct run emits, from the mapping the README documents.

Deliberately simple and written from the README's rules (sections Streams, State and lookback,
Windows), not from the tap's code; it imports nothing from ``tap_braze_sends``. test_golden.py
checks it against the hand-written golden files, so the CLI tests that use it compare the tap
with something a person has verified, not with the tap itself.

The rules, for one day object of one partition:
- The first copy of a day counts; a later copy of the same day is dropped.
- Day row: the partition's ids, ``time`` as YYYY-MM-DD (the date part of Braze's ``time``), the
  documented day totals in their columns, every other day-level value in ``extra_metrics``
  (an object, or null when there is none).
- Message rows: one per object in each channel's list; a channel that is null or an empty list
  gives no row and nothing in ``extra_metrics``. ``variation`` is the ``variation_api_id``, else
  the ``variation_name``, else ``(unnamed)``; the n-th repeat of one in a channel and day is
  suffixed ``#n``. Both ids stay columns (null when absent). A documented metric goes to its
  column when its value has the column's JSON type (null fits); anything else goes to
  ``extra_metrics``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

Row = dict[str, Any]

CONVERSIONS = (
    "conversions",
    "conversions_by_send_time",
    "conversions1",
    "conversions1_by_send_time",
    "conversions2",
    "conversions2_by_send_time",
    "conversions3",
    "conversions3_by_send_time",
)
DAY_COLUMNS = frozenset({"unique_recipients", "revenue", *CONVERSIONS})
# Every per-variation metric Braze documents for either endpoint (see shared/braze-api.md).
MESSAGE_COLUMNS = frozenset(
    {
        *CONVERSIONS,
        "sent",
        "delivered",
        "undelivered",
        "delivery_failed",
        "direct_opens",
        "total_opens",
        "bounces",
        "body_clicks",
        "revenue",
        "unique_recipients",
        "errors",
        "opens",
        "unique_opens",
        "clicks",
        "unique_clicks",
        "unsubscribes",
        "reported_spam",
        "machine_open",
        "machine_amp_open",
        "sent_to_carrier",
        "rejected",
        "opt_out",
        "help",
        "failed",
        "read",
        "total_clicks",
        "total_dismissals",
        "total_impressions",
        "unique_dismissals",
        "unique_impressions",
        "impressions",
        "first_button_clicks",
        "second_button_clicks",
        "enrolled",
    }
)
MONEY = "revenue"
IDS = ("variation_api_id", "variation_name")
UNNAMED = "(unnamed)"
SEND_STREAMS = ("send_analytics", "send_message_analytics")
CAMPAIGN_STREAMS = ("campaign_analytics", "campaign_message_analytics")


class UnmodelledShape(ValueError):
    """A Braze shape the README does not describe: the oracle refuses to guess."""


def has_column_type(name: str, value: Any) -> bool:
    """Revenue is a JSON number, every other metric a JSON integer; null fits either."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if name == MONEY:
        return isinstance(value, (int, float))
    return isinstance(value, int)


def split_metrics(values: dict[str, Any], columns: frozenset[str]) -> tuple[Row, Row | None]:
    typed: Row = {}
    extra: Row = {}
    for name, value in values.items():
        if name in columns and has_column_type(name, value):
            typed[name] = value
        else:
            extra[name] = value
    return typed, (extra or None)


def day_row(day: dict[str, Any], partition: dict[str, str]) -> Row:
    values = {k: v for k, v in day.items() if k not in ("time", "messages")}
    typed, extra = split_metrics(values, DAY_COLUMNS)
    return {**partition, "time": str(day["time"])[:10], **typed, "extra_metrics": extra}


def message_rows(day: dict[str, Any], partition: dict[str, str]) -> list[Row]:
    messages = day.get("messages", {})
    if not isinstance(messages, dict):
        raise UnmodelledShape(f"messages is not an object: {messages!r}")
    rows: list[Row] = []
    for channel, entries in messages.items():
        if entries is None:
            continue
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise UnmodelledShape(f"channel {channel!r} is not a list of objects: {entries!r}")
        seen: Counter[str] = Counter()
        for entry in entries:
            ids = {key: entry.get(key) for key in IDS}
            if not all(v is None or isinstance(v, str) for v in ids.values()):
                raise UnmodelledShape(f"variation id that is not a string: {ids!r}")
            base = ids["variation_api_id"] or ids["variation_name"] or UNNAMED
            seen[base] += 1
            variation = base if seen[base] == 1 else f"{base}#{seen[base]}"
            values = {k: v for k, v in entry.items() if k not in IDS}
            typed, extra = split_metrics(values, MESSAGE_COLUMNS)
            rows.append(
                {
                    **partition,
                    "time": str(day["time"])[:10],
                    "channel": channel,
                    "variation": variation,
                    **ids,
                    **typed,
                    "extra_metrics": extra,
                }
            )
    return rows


def series_records(
    days: Iterable[dict[str, Any]], partition: dict[str, str]
) -> tuple[list[Row], list[Row]]:
    """Day rows and message rows of one partition's days (already limited to the range)."""
    day_rows: list[Row] = []
    rows: list[Row] = []
    seen_days: set[str] = set()
    for day in days:
        date = str(day["time"])[:10]
        if date in seen_days:
            continue  # a repeated day: the first copy counts
        seen_days.add(date)
        day_rows.append(day_row(day, partition))
        rows.extend(message_rows(day, partition))
    return day_rows, rows


def expected_records(workspace: Any, config: dict[str, Any]) -> dict[str, list[Row]]:
    """The records a correct run of ``config`` emits against a simulator of ``workspace``.

    Reads the simulator's series (``send_series`` / ``campaign_series``) over the config's
    ``[start_date, end_date]`` and applies the documented mapping above.
    """
    first = dt.date.fromisoformat(config["start_date"])
    last = dt.date.fromisoformat(config["end_date"])
    out: dict[str, list[Row]] = defaultdict(list)

    def add(streams: tuple[str, str], days: list[dict[str, Any]], partition: dict) -> None:
        # A stream appears once any partition has a day, even with no message rows.
        if days:
            day_rows, rows = series_records(days, partition)
            out[streams[0]].extend(day_rows)
            out[streams[1]].extend(rows)

    for send in config.get("sends", []):
        partition = {"campaign_id": send["campaign_id"], "send_id": send["send_id"]}
        days = workspace.send_series(send["campaign_id"], send["send_id"], first, last)
        add(SEND_STREAMS, days, partition)
    for campaign_id in config.get("campaign_ids", []):
        days = workspace.campaign_series(campaign_id, first, last)
        add(CAMPAIGN_STREAMS, days, {"campaign_id": campaign_id})
    return dict(out)
