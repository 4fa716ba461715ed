"""Schemas of the twelve workspace streams: segments, KPIs, sessions, custom events, purchases.

The catalogue streams (/segments/list, /segments/details, /events, /purchases/product_list)
are dimension rows (typed fields, then ``extra_fields``); the series are one metric column per
request that feeds them (then ``extra_metrics``). A key column is never null: a row over all
apps, all users or all products carries ``*`` (``ALL``) in ``app_id``, ``segment_id`` or
``product``. ``time`` is a date in the daily series and the UTC start of the hour (RFC 3339) in
the hourly ones.
"""

from __future__ import annotations

from types import MappingProxyType

from tap_braze_sends.braze.partition_sources import ALL
from tap_braze_sends.braze.schemas.build import metric_schema, required
from tap_braze_sends.braze.schemas.column_kinds import (
    FLAG,
    TEXT,
    TEXTS,
    TIMESTAMP,
    dimension_schema,
)

SEGMENT_LIST_FIELDS = MappingProxyType(
    {"name": TEXT, "analytics_tracking_enabled": FLAG, "tags": TEXTS}
)
"""Typed columns of one /segments/list entry (besides ``id``, the key ``segment_id``)."""

SEGMENT_DETAILS_FIELDS = MappingProxyType(
    {
        "name": TEXT,
        "description": TEXT,
        "text_description": TEXT,
        "tags": TEXTS,
        "teams": TEXTS,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    }
)
"""Typed columns of a /segments/details body."""

CUSTOM_EVENT_FIELDS = MappingProxyType(
    {"description": TEXT, "status": TEXT, "included_in_analytics_report": FLAG, "tags": TEXTS}
)
"""Typed columns of one /events entry (besides ``name``, the key ``event_name``); ``tags`` is
Braze's ``tag_names``."""

EVENT_TAGS_FIELD = "tag_names"
"""The field of an /events entry that the ``tags`` column holds."""

SERIES_METRICS = MappingProxyType(
    {
        "/segments/data_series": ("size", "size"),
        "/kpi/dau/data_series": ("dau", "dau"),
        "/kpi/mau/data_series": ("mau", "mau"),
        "/kpi/new_users/data_series": ("new_users", "new_users"),
        "/kpi/uninstalls/data_series": ("uninstalls", "uninstalls"),
        "/sessions/data_series": ("sessions", "sessions"),
        "/events/data_series": ("count", "count"),
        "/purchases/quantity_series": ("purchase_quantity", "quantity"),
        "/purchases/revenue_series": ("revenue", "revenue"),
    }
)
"""Each workspace series: (the metric in Braze's rows, the column it feeds). ``revenue`` is a
number (USD), every other metric a count."""

_KEY = required("string")
_ALL_KEY = required("string", description=f"The id, or {ALL} for the series over all of them.")
_DAY = required("string", format="date")
_HOUR = required("string", format="date-time", description="The hour's start, in UTC (RFC 3339).")


def _series(keys: dict[str, dict], metrics: tuple[str, ...], *, hourly: bool = False) -> dict:
    return metric_schema({**keys, "time": _HOUR if hourly else _DAY}, metrics)


_SESSION_KEYS = {"app_id": _ALL_KEY, "segment_id": _ALL_KEY}
_EVENT_KEYS = {"event_name": _KEY, "app_id": _ALL_KEY, "segment_id": _ALL_KEY}
_PURCHASE_KEYS = {"product": _ALL_KEY, "app_id": _ALL_KEY}
_KPIS = ("dau", "mau", "new_users", "uninstalls")
_PURCHASES = ("quantity", "revenue")

SEGMENTS_SCHEMA = dimension_schema({"segment_id": _KEY}, SEGMENT_LIST_FIELDS)
SEGMENT_DETAILS_SCHEMA = dimension_schema({"segment_id": _KEY}, SEGMENT_DETAILS_FIELDS)
CUSTOM_EVENTS_SCHEMA = dimension_schema({"event_name": _KEY}, CUSTOM_EVENT_FIELDS)
PRODUCTS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"product": _KEY},
}
SEGMENT_ANALYTICS_SCHEMA = _series({"segment_id": _KEY}, ("size",))
APP_KPIS_SCHEMA = _series({"app_id": _ALL_KEY}, _KPIS)
SESSION_ANALYTICS_SCHEMA = _series(_SESSION_KEYS, ("sessions",))
SESSION_HOURLY_ANALYTICS_SCHEMA = _series(_SESSION_KEYS, ("sessions",), hourly=True)
CUSTOM_EVENT_ANALYTICS_SCHEMA = _series(_EVENT_KEYS, ("count",))
CUSTOM_EVENT_HOURLY_ANALYTICS_SCHEMA = _series(_EVENT_KEYS, ("count",), hourly=True)
PURCHASE_ANALYTICS_SCHEMA = _series(_PURCHASE_KEYS, _PURCHASES)
PURCHASE_HOURLY_ANALYTICS_SCHEMA = _series(_PURCHASE_KEYS, _PURCHASES, hourly=True)
