"""The workspace series: segment sizes, KPIs, sessions, custom events and purchases (and,
from workspace_lists, the listings), as one route table.

Series take `length` (1..100 units before `ending_at`), `ending_at`, and where Braze has them
`unit` (day or hour), `app_id`, `segment_id`, `event`, `product`. The two purchase series draw on
the small pool of 1,000 requests an hour (with the event and product listings); the rest on the
default pool. Units without activity are left out of the event and purchase series.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from braze_simulator.hashing import days_between
from braze_simulator.query import (
    BadRequest,
    day_range,
    end_day,
    end_hour,
    hour_range,
    parse_length,
    parse_unit,
)
from braze_simulator.routing import (
    DEFAULT_POOL,
    EVENTS_POOL,
    Answer,
    Route,
    RouteRequest,
    json_body,
)
from braze_simulator.workspace_bodies import series_time
from braze_simulator.workspace_lists import LIST_ROUTES, segment_param
from braze_simulator.workspace_model import SimEvent, SimProduct, SimSegment
from braze_simulator.workspace_series import (
    KPIS,
    event_day,
    event_hour,
    find_app,
    find_event,
    find_product,
    kpi_day,
    now_hour,
    purchases_day,
    purchases_hour,
    segment_size,
    sessions_day,
    sessions_hour,
)

Unit = date | datetime
Value = Callable[[Any], Any]


# --- shared query parts -------------------------------------------------------------------------


def _units(request: RouteRequest, *, hourly_allowed: bool) -> tuple[bool, list[Any]]:
    """(hourly, the units asked for that have happened by the workspace's clock)."""
    ws, params = request.workspace, request.params
    length = parse_length(params.get("length"))
    if hourly_allowed and parse_unit(params) == "hour":
        now = now_hour(ws)
        first, last = hour_range(end_hour(params, now), length, request.day_semantics)
        hours = [first + timedelta(hours=i) for i in range(length)]
        return True, [h for h in hours if h <= min(last, now)]
    first_day, last_day = day_range(end_day(params, ws.today), length, request.day_semantics)
    return False, days_between(first_day, min(last_day, ws.today))


def _app_id(request: RouteRequest) -> str | None:
    app_id = request.params.get("app_id") or None
    if app_id is not None and find_app(request.workspace, app_id) is None:
        raise BadRequest("app_id must be a string of the app api identifier")
    return app_id


def _tracked(segment: SimSegment | None) -> SimSegment | None:
    if segment is not None and not segment.analytics_tracking_enabled:
        raise BadRequest(
            f"Segment {segment.segment_id} does not have analytics tracking enabled: "
            "no data series is available for it"
        )
    return segment


def _series(metric: str, units: list[Any], value: Value, *, omit_zero: bool) -> bytes:
    rows = []
    for u in units:
        v = value(u)
        if v is None or (omit_zero and not v):
            continue  # Braze leaves out units without activity
        rows.append({"time": series_time(u), metric: v})
    return json_body({"message": "success", "data": rows})


# --- segments -----------------------------------------------------------------------------------


def _prepare_segment_series(request: RouteRequest) -> Answer:
    segment = _tracked(segment_param(request, required=True))
    assert segment is not None
    _, units = _units(request, hourly_allowed=False)
    ws = request.workspace
    return lambda: _series("size", units, lambda d: segment_size(ws, segment, d), omit_zero=False)


# --- KPIs and sessions --------------------------------------------------------------------------


def _kpi_route(kpi: str) -> Callable[[RouteRequest], Answer]:
    def prepare(request: RouteRequest) -> Answer:
        app_id = _app_id(request)
        _, units = _units(request, hourly_allowed=False)
        ws = request.workspace
        return lambda: _series(kpi, units, lambda d: kpi_day(ws, kpi, d, app_id), omit_zero=False)

    return prepare


def _prepare_sessions(request: RouteRequest) -> Answer:
    app_id = _app_id(request)
    segment = _tracked(segment_param(request, required=False))
    hourly, units = _units(request, hourly_allowed=True)
    ws = request.workspace
    if hourly:
        return lambda: _series(
            "sessions", units, lambda h: sessions_hour(ws, h, app_id, segment), omit_zero=False
        )
    return lambda: _series(
        "sessions", units, lambda d: sessions_day(ws, d, app_id, segment), omit_zero=False
    )


# --- custom events ------------------------------------------------------------------------------


def _vanish(vanished: set[str], deleted: set[str], name: str) -> None:
    """A vanished item is deleted the moment its series is first asked for: listed until
    then, gone from every listing after (deleted between a run's listing and its series)."""
    if name in vanished:
        deleted.add(name)


def _event(request: RouteRequest) -> SimEvent:
    name = request.params.get("event")
    if not name:
        raise BadRequest("event is required: the name of a custom event")
    event = find_event(request.workspace, name)
    if event is None:
        _vanish(request.workspace.vanished_events, request.workspace.deleted_events, name)
        raise BadRequest(f"event {name!r} is not a custom event of this workspace")
    return event


def _prepare_event_series(request: RouteRequest) -> Answer:
    event = _event(request)
    app_id = _app_id(request)
    segment = _tracked(segment_param(request, required=False))
    hourly, units = _units(request, hourly_allowed=True)
    ws = request.workspace
    per_unit = event_hour if hourly else event_day
    return lambda: _series(
        "count", units, lambda u: per_unit(ws, event, u, app_id, segment), omit_zero=True
    )


# --- purchases ----------------------------------------------------------------------------------


def _product(request: RouteRequest) -> SimProduct | None:
    name = request.params.get("product")
    if not name:
        return None
    product = find_product(request.workspace, name)
    if product is None:
        _vanish(request.workspace.vanished_products, request.workspace.deleted_products, name)
        raise BadRequest(f"product {name!r} is not a product of this workspace")
    return product


def _purchase_route(metric: str, position: int) -> Callable[[RouteRequest], Answer]:
    """`position` picks quantity (0) or revenue (1) of a (quantity, revenue) pair."""

    def prepare(request: RouteRequest) -> Answer:
        app_id = _app_id(request)
        product = _product(request)
        hourly, units = _units(request, hourly_allowed=True)
        ws = request.workspace
        per_unit = purchases_hour if hourly else purchases_day

        def value(u: Any) -> int | float | None:
            pair = per_unit(ws, u, app_id, product)
            return None if not pair[0] else pair[position]  # no purchase: no row

        return lambda: _series(metric, units, value, omit_zero=False)

    return prepare


# --- the table ----------------------------------------------------------------------------------

WORKSPACE_ROUTES: dict[str, Route] = {
    **LIST_ROUTES,
    "/segments/data_series": Route("segments.data_series", DEFAULT_POOL, _prepare_segment_series),
    **{
        f"/kpi/{kpi}/data_series": Route(f"kpi.{kpi}.data_series", DEFAULT_POOL, _kpi_route(kpi))
        for kpi in KPIS
    },
    "/sessions/data_series": Route("sessions.data_series", DEFAULT_POOL, _prepare_sessions),
    "/events/data_series": Route("events.data_series", DEFAULT_POOL, _prepare_event_series),
    "/purchases/quantity_series": Route(
        "purchases.quantity_series", EVENTS_POOL, _purchase_route("purchase_quantity", 0)
    ),
    "/purchases/revenue_series": Route(
        "purchases.revenue_series", EVENTS_POOL, _purchase_route("revenue", 1)
    ),
}
