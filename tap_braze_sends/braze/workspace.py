"""The workspace series, each described once: segment sizes, the four KPIs, sessions, custom
events and purchases, daily and (sessions, events, purchases) hourly.

Partitions combine as issue 15 says: KPIs per app (and ``*``, all apps), sessions per app x
breakdown segment, custom events per event x app x segment, purchases per product x app; ``*``
is always read and is no query parameter. The KPIs and the two purchase columns are one
request per column, so a column deselected in the catalog costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from tap_braze_sends.braze.description import CatalogFamily, DayRows, Request, Series, Table
from tap_braze_sends.braze.flatten.malformed import series_days
from tap_braze_sends.braze.flatten.workspace_series import metric_row
from tap_braze_sends.braze.partition_sources import ConfigIds, Product
from tap_braze_sends.braze.schemas import workspace as schemas
from tap_braze_sends.braze.schemas.metrics import metric_type
from tap_braze_sends.braze.units import UNITS
from tap_braze_sends.braze.workspace_catalogues import SMALL_POOL

WORKSPACE_SETTINGS = (
    "app_ids",
    "segment_ids",
    "all_segments",
    "breakdown_segment_ids",
    "event_names",
    "all_events",
    "products",
    "all_products",
)
OTHER_SOURCES = (
    "sends",
    "sends_file",
    "campaign_ids",
    "all_campaigns",
    "canvas_ids",
    "all_canvases",
)


def workspace_asked(settings: Any) -> bool:
    """A bare run reads the workspace series when the config asks for workspace data, or for
    nothing else: a config made for sends, campaigns or Canvases (and a key with only their
    permissions) runs as before."""
    return any(getattr(settings, name) for name in WORKSPACE_SETTINGS) or not any(
        getattr(settings, name) for name in OTHER_SOURCES
    )


DENSE_NOTE = " Dense: a row for every unit read (0 where Braze has no activity)."
HOURLY_NOTE = (
    " Hourly: 24 times the requests of the daily stream (100 hours a request); off unless selected."
)


def _flatten(metrics: Mapping[str, str], unit: str) -> Callable[..., DayRows]:
    def flatten(element: Mapping[str, Any], partition: Mapping[str, str]) -> DayRows:
        return {"series": [metric_row(element, partition, metrics=metrics, unit=UNITS[unit])]}

    return flatten


ACTIVITY_PATHS = frozenset(
    {
        "/sessions/data_series",
        "/events/data_series",
        "/purchases/quantity_series",
        "/purchases/revenue_series",
    }
)
"""The series that count what happened in each unit (sessions, event occurrences, purchases,
revenue): Braze leaves a unit without activity out of their answers ("a day with no activity
may be missing from data"), and its true value is zero, so the run writes it as zero. Not
the KPIs (MAU is a rolling 30 days; a missing day is no zero) nor segment sizes (an
estimate): a unit missing from them is unknown and gets no row."""


def _request(path: str, unit: str | None = None) -> Request:
    metric, column = schemas.SERIES_METRICS[path]
    permission = path.strip("/").replace("/", ".")
    params = {"unit": unit} if unit else {}
    # Zero in the metric's own type: revenue is a float in Braze's answers, counts are ints.
    zero = 0.0 if metric_type(column) == "number" else 0
    absent = {metric: zero} if path in ACTIVITY_PATHS else None
    return Request(path, permission, frozenset({column}), params, absent)


def _series(
    requests: tuple[Request, ...],
    partitions: Any,
    table: Table,
    *,
    unit: str = "day",
    pool: str = "default",
) -> Series:
    metrics = dict(schemas.SERIES_METRICS[r.path] for r in requests)
    if any(r.absent is not None for r in requests):
        table = replace(table, description=table.description + DENSE_NOTE)
    return Series(
        requests=requests,
        pool=pool,
        partitions=partitions,
        days_of=series_days,
        flatten=_flatten(metrics, unit),
        tables=(table,),
        unit=unit,
        asked=workspace_asked,
    )


def workspace_series(
    segments: CatalogFamily | None = None,
    events: CatalogFamily | None = None,
    products: CatalogFamily | None = None,
) -> tuple[Series, ...]:
    """The nine workspace series, their ids also discovered from the given catalogues."""
    apps = ConfigIds("app_id", "app_ids", with_all=True)
    breakdown = ConfigIds("segment_id", "breakdown_segment_ids", with_all=True)
    segment_ids = ConfigIds("segment_id", "segment_ids", catalogue=segments)
    event_names = ConfigIds("event_name", "event_names", catalogue=events, param="event")
    product_names = ConfigIds("product", "products", catalogue=products, with_all=True)
    sessions = Product((apps, breakdown))
    event_parts = Product((event_names, apps, breakdown))
    purchase_parts = Product((product_names, apps))
    kpis = tuple(
        _request(f"/kpi/{k}/data_series") for k in ("dau", "mau", "new_users", "uninstalls")
    )

    def purchases(unit: str) -> tuple[Request, ...]:
        return (
            _request("/purchases/quantity_series", unit),
            _request("/purchases/revenue_series", unit),
        )

    def table(stream: str, keys: tuple[str, ...], schema: dict, text: str) -> Table:
        hourly = "hourly" in stream
        return Table(
            "series",
            stream,
            (*keys, "time"),
            schema,
            text + (HOURLY_NOTE if hourly else ""),
            selected_by_default=not hourly,
        )

    session_keys = ("app_id", "segment_id")
    event_keys = ("event_name", "app_id", "segment_id")
    purchase_keys = ("product", "app_id")
    return (
        _series(
            (_request("/segments/data_series"),),
            segment_ids,
            table(
                "segment_analytics",
                ("segment_id",),
                schemas.SEGMENT_ANALYTICS_SCHEMA,
                "Per analytics-tracked segment and day: its estimated size.",
            ),
        ),
        _series(
            kpis,
            apps,
            table(
                "app_kpis",
                ("app_id",),
                schemas.APP_KPIS_SCHEMA,
                "Per app (and * for all apps) and day: DAU, MAU (rolling 30 days), new users, "
                "uninstalls; each column one request.",
            ),
        ),
        _series(
            (_request("/sessions/data_series", "day"),),
            sessions,
            table(
                "session_analytics",
                session_keys,
                schemas.SESSION_ANALYTICS_SCHEMA,
                "Per app x breakdown segment (each with *) and day: sessions.",
            ),
        ),
        _series(
            (_request("/events/data_series", "day"),),
            event_parts,
            table(
                "custom_event_analytics",
                event_keys,
                schemas.CUSTOM_EVENT_ANALYTICS_SCHEMA,
                "Per custom event x app x breakdown segment and day: the event's count.",
            ),
        ),
        _series(
            purchases("day"),
            purchase_parts,
            table(
                "purchase_analytics",
                purchase_keys,
                schemas.PURCHASE_ANALYTICS_SCHEMA,
                "Per product (and * for all) x app and day: quantity and revenue; each column "
                "one request.",
            ),
            pool=SMALL_POOL,
        ),
        _series(
            (_request("/sessions/data_series", "hour"),),
            sessions,
            table(
                "session_hourly_analytics",
                session_keys,
                schemas.SESSION_HOURLY_ANALYTICS_SCHEMA,
                "As session_analytics, per hour (UTC).",
            ),
            unit="hour",
        ),
        _series(
            (_request("/events/data_series", "hour"),),
            event_parts,
            table(
                "custom_event_hourly_analytics",
                event_keys,
                schemas.CUSTOM_EVENT_HOURLY_ANALYTICS_SCHEMA,
                "As custom_event_analytics, per hour (UTC).",
            ),
            unit="hour",
        ),
        _series(
            purchases("hour"),
            purchase_parts,
            table(
                "purchase_hourly_analytics",
                purchase_keys,
                schemas.PURCHASE_HOURLY_ANALYTICS_SCHEMA,
                "As purchase_analytics, per hour (UTC).",
            ),
            unit="hour",
            pool=SMALL_POOL,
        ),
    )
