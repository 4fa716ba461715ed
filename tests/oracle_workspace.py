"""An independent oracle for the workspace streams: Braze bodies in, the records a correct run
emits out, from the mapping issue 15's contract and the README's conventions give. Imports
nothing from ``tap_braze_sends``; test_golden_workspace.py checks it against the hand-written
golden files before any CLI test trusts it.

The rules:
- A stream's partitions: the `*` series (over all apps, all users, all products) and every
  configured id or name, combined as the contract says (sessions: app x segment; custom events:
  event x app x segment; purchases: product x app). A partition's key columns carry `*` for
  "all", and the query leaves that parameter out.
- A record per `time` that any body feeding the stream holds inside the range (first copy of a
  time counts). `time`: the date for daily streams, the hour's start in UTC
  (``YYYY-MM-DDTHH:00:00+00:00``) for hourly ones.
- Dense streams (sessions, custom events, purchases: what happened in each unit): Braze leaves
  out a unit without activity, so every unit of the range (up to the unit Braze's clock is in,
  its answers' `Date`) has a record, and a unit missing from one source's body holds that
  source's zero (`0`; revenue `0.0`) with no extra metrics of its own. The other streams
  (KPIs, segment sizes) have records only for the units their bodies hold.
- Each body's metric lands in its column (``purchase_quantity`` in ``quantity``) when its value
  has the column's JSON type (null fits); a metric a row lacks is no column of the record;
  every other key of the row lands in ``extra_metrics`` (null when none).
- Catalogue records: the listed fields under their column names (`id` -> `segment_id`, `name`
  of an event -> `event_name`, `tag_names` -> `tags`), every other field in ``extra_fields``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import product as cartesian
from typing import Any

Row = dict[str, Any]
ALL = "*"
# key column -> the query parameter that carries it
PARAM_OF = {
    "app_id": "app_id",
    "segment_id": "segment_id",
    "event_name": "event",
    "product": "product",
}
_INTEGER = ("integer",)
_NUMBER = ("number",)


@dataclass(frozen=True)
class Source:
    path: str
    metric: str  # the key in Braze's rows
    column: str  # the record's column
    types: tuple[str, ...] = _INTEGER

    @property
    def zero(self) -> int | float:
        return 0.0 if self.types == _NUMBER else 0


@dataclass(frozen=True)
class SeriesStream:
    keys: tuple[str, ...]
    sources: tuple[Source, ...]
    hourly: bool = False
    dense: bool = False


_KPIS = tuple(
    Source(f"/kpi/{k}/data_series", k, k) for k in ("dau", "mau", "new_users", "uninstalls")
)
_SESSIONS = (Source("/sessions/data_series", "sessions", "sessions"),)
_EVENTS = (Source("/events/data_series", "count", "count"),)
_PURCHASES = (
    Source("/purchases/quantity_series", "purchase_quantity", "quantity"),
    Source("/purchases/revenue_series", "revenue", "revenue", _NUMBER),
)
_EVENT_KEYS = ("event_name", "app_id", "segment_id")
SERIES_STREAMS: dict[str, SeriesStream] = {
    "segment_analytics": SeriesStream(
        ("segment_id",), (Source("/segments/data_series", "size", "size"),)
    ),
    "app_kpis": SeriesStream(("app_id",), _KPIS),
    "session_analytics": SeriesStream(("app_id", "segment_id"), _SESSIONS, dense=True),
    "custom_event_analytics": SeriesStream(_EVENT_KEYS, _EVENTS, dense=True),
    "purchase_analytics": SeriesStream(("product", "app_id"), _PURCHASES, dense=True),
    "session_hourly_analytics": SeriesStream(
        ("app_id", "segment_id"), _SESSIONS, hourly=True, dense=True
    ),
    "custom_event_hourly_analytics": SeriesStream(_EVENT_KEYS, _EVENTS, hourly=True, dense=True),
    "purchase_hourly_analytics": SeriesStream(
        ("product", "app_id"), _PURCHASES, hourly=True, dense=True
    ),
}
CATALOGUE_STREAMS = ("segments", "segment_details", "custom_events", "products")
WORKSPACE_STREAMS = (*CATALOGUE_STREAMS, *SERIES_STREAMS)


# --- partitions -------------------------------------------------------------------------------


def key_values(config: dict[str, Any]) -> dict[str, list[str]]:
    """The values each key column takes, from the config's ids and names (lists given)."""
    return {
        "app_id": [ALL, *config.get("app_ids", [])],
        "segment_id": [ALL, *config.get("breakdown_segment_ids", [])],
        "event_name": list(config.get("event_names", [])),
        "product": [ALL, *config.get("products", [])],
    }


def partitions(stream: str, config: dict[str, Any]) -> list[dict[str, str]]:
    if stream == "segment_analytics":
        return [{"segment_id": s} for s in config.get("segment_ids", [])]
    keys = SERIES_STREAMS[stream].keys
    values = key_values(config)
    return [dict(zip(keys, combo, strict=True)) for combo in cartesian(*(values[k] for k in keys))]


def query_params(partition: dict[str, str]) -> dict[str, str]:
    """The query parameters of a partition (`*` leaves its parameter out)."""
    return {PARAM_OF[k]: v for k, v in partition.items() if v != ALL}


# --- series ------------------------------------------------------------------------------------


def unit_of(raw: Any, hourly: bool) -> str:
    """A row's `time` as the record writes it."""
    text = str(raw)
    if not hourly:
        return text[:10]
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    moment = moment.astimezone(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    return moment.isoformat()


def _fits(value: Any, types: tuple[str, ...]) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    if "integer" in types:
        return isinstance(value, int)
    return isinstance(value, (int, float))


def units_between(first: str, last: str, hourly: bool) -> list[str]:
    """Every unit from ``first`` to ``last`` (both included), as the record writes ``time``."""
    if not hourly:
        day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
        return [(day + dt.timedelta(days=i)).isoformat() for i in range((end - day).days + 1)]
    hour, end = dt.datetime.fromisoformat(first), dt.datetime.fromisoformat(last)
    count = int((end - hour) / dt.timedelta(hours=1)) + 1
    return [(hour + dt.timedelta(hours=i)).isoformat() for i in range(max(0, count))]


def series_records(
    stream: str,
    partition: dict[str, str],
    bodies: dict[str, list[Row]],
    first: str,
    last: str,
    now: str | None = None,
) -> list[Row]:
    """The records of one partition; ``bodies`` maps each source's path to the rows Braze holds,
    ``first``/``last`` bound ``time`` as the record writes it (both included); ``now``: the
    unit Braze's clock is in (a dense stream has a record for every unit through it)."""
    spec = SERIES_STREAMS[stream]
    merged: dict[str, Row] = {}
    extras: dict[str, Row] = {}
    through = last if now is None else min(last, now)
    for source in spec.sources:
        seen: set[str] = set()
        for row in bodies.get(source.path, []):
            time = unit_of(row["time"], spec.hourly)
            if time in seen or not first <= time <= last:
                continue
            seen.add(time)
            record = merged.setdefault(time, {**partition, "time": time})
            extra = extras.setdefault(time, {})
            for name, value in row.items():
                if name == "time":
                    continue
                if name == source.metric and _fits(value, source.types):
                    record[source.column] = value
                else:
                    extra[name] = value
        if not spec.dense:
            continue
        for time in units_between(first, through, spec.hourly):
            if time not in seen:  # left out by Braze: no activity in that unit
                merged.setdefault(time, {**partition, "time": time})[source.column] = source.zero
                extras.setdefault(time, {})
    return [{**merged[t], "extra_metrics": extras[t] or None} for t in sorted(merged)]


# --- catalogues --------------------------------------------------------------------------------


def _catalogue_record(entry: Row, renames: dict[str, str], keep: tuple[str, ...]) -> Row:
    record = {column: entry.get(field) for field, column in renames.items()}
    record.update({name: entry.get(name) for name in keep})
    known = {*renames, *keep, "message"}
    extra = {k: v for k, v in entry.items() if k not in known}
    record["extra_fields"] = extra or None
    return record


def segments_records(list_body: Row) -> list[Row]:
    keep = ("name", "analytics_tracking_enabled", "tags")
    return [_catalogue_record(s, {"id": "segment_id"}, keep) for s in list_body["segments"]]


def segment_details_record(segment_id: str, body: Row) -> Row:
    keep = ("name", "description", "text_description", "tags", "teams", "created_at", "updated_at")
    return {"segment_id": segment_id, **_catalogue_record(body, {}, keep)}


def custom_events_records(events_body: Row) -> list[Row]:
    renames = {"name": "event_name", "tag_names": "tags"}
    keep = ("description", "status", "included_in_analytics_report")
    return [_catalogue_record(e, renames, keep) for e in events_body["events"]]


def products_records(product_list_body: Row) -> list[Row]:
    return [{"product": name} for name in product_list_body["products"]]
