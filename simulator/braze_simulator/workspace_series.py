"""The numbers of the workspace series: KPIs, segment sizes, sessions, custom events, purchases.

Every number is a seeded hash of what it describes (kind, entity, app, hour or day, revision),
so it never depends on which request asked first. Two identities hold by construction, so tests
can check the tap against them:
- the series over all apps is the sum of the apps' series (and all products, of the products');
- a day of sessions, events or purchases is the sum of its hours (up to the workspace's clock).
A restatement (Workspace.restate) gives recent days, and so their hours, new numbers.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from braze_simulator.data import Workspace
from braze_simulator.workspace_model import (
    SimApp,
    SimEvent,
    SimProduct,
    SimSegment,
    workspace_apps,
    workspace_events,
    workspace_products,
    workspace_segments,
)

KPIS = ("dau", "mau", "new_users", "uninstalls")
# Typical value per day of an app of weight 1.
_KPI_SCALE = {"dau": 5000.0, "mau": 32000.0, "new_users": 300.0, "uninstalls": 12.0}
_SESSIONS_PER_HOUR = 900.0
# Activity by UTC hour of day (a daily rhythm, so hourly rows differ visibly).
_DIURNAL = (
    0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.0, 1.0, 1.05,
    1.1, 1.05, 1.0, 1.0, 1.05, 1.15, 1.3, 1.45, 1.5, 1.3, 0.9, 0.55,
)  # fmt: skip


# --- the workspace's entities -------------------------------------------------------------------


def apps(ws: Workspace) -> tuple[SimApp, ...]:
    return workspace_apps(ws.n_apps, ws.seed)


def segments(ws: Workspace) -> tuple[SimSegment, ...]:
    """Every segment, archived ones too, oldest first."""
    return workspace_segments(ws.n_segments, ws.seed, ws.series_epoch or ws.today)


def listed_events(ws: Workspace) -> tuple[SimEvent, ...]:
    """The custom events the listings show, by name (deleted ones are gone)."""
    live = [e for e in workspace_events(ws.n_events, ws.seed) if e.name not in ws.deleted_events]
    return tuple(sorted(live, key=lambda e: e.name))


def events(ws: Workspace) -> tuple[SimEvent, ...]:
    """The custom events that have a series now (vanished ones are listed until asked)."""
    return tuple(e for e in listed_events(ws) if e.name not in ws.vanished_events)


def listed_products(ws: Workspace) -> tuple[SimProduct, ...]:
    """The products the listing shows, by name (deleted ones are gone)."""
    every = workspace_products(ws.n_products, ws.seed)
    live = [p for p in every if p.name not in ws.deleted_products]
    return tuple(sorted(live, key=lambda p: p.name))


def products(ws: Workspace) -> tuple[SimProduct, ...]:
    """The products that have a series now (vanished ones are listed until asked)."""
    return tuple(p for p in listed_products(ws) if p.name not in ws.vanished_products)


def find_app(ws: Workspace, app_id: str) -> SimApp | None:
    return next((a for a in apps(ws) if a.app_id == app_id), None)


def find_segment(ws: Workspace, segment_id: str) -> SimSegment | None:
    return next((s for s in segments(ws) if s.segment_id == segment_id), None)


def find_event(ws: Workspace, name: str) -> SimEvent | None:
    return next((e for e in events(ws) if e.name == name), None)


def find_product(ws: Workspace, name: str) -> SimProduct | None:
    return next((p for p in products(ws) if p.name == name), None)


def now_hour(ws: Workspace) -> datetime:
    """The start of the workspace's current hour (UTC): later hours have no data yet."""
    return datetime.combine(ws.today, time(ws.clock_hour), timezone.utc)


# --- draws ---------------------------------------------------------------------------------------


def _count(mean: float, noise: float, rounding: float) -> int:
    """A count around `mean`: seeded noise, then rounding by a second draw, so small means give
    mostly zeros with the right average."""
    return int(mean * (0.6 + 0.8 * noise) + rounding)


def _fractions(n: int, *key: object) -> list[float]:
    """`n` seeded draws in [0, 1) from one hash (one call for a whole day of hours)."""
    text = "|".join(str(p) for p in key).encode()
    raw = hashlib.shake_128(text).digest(4 * n)
    return [word / 2**32 for word in struct.unpack(f">{n}I", raw)]


def _one_count(mean: float, *key: object) -> int:
    noise, rounding = _fractions(2, *key)
    return _count(mean, noise, rounding)


@lru_cache(maxsize=1 << 15)
def _day_counts(mean: float, *key: object) -> tuple[int, ...]:
    """A day's 24 hourly counts around `mean` x the daily rhythm."""
    draws = _fractions(48, "hours", *key)
    return tuple(_count(mean * _DIURNAL[h], draws[2 * h], draws[2 * h + 1]) for h in range(24))


@lru_cache(maxsize=1 << 15)
def _day_parts(*key: object) -> tuple[float, ...]:
    return tuple(_fractions(24, "part", *key))


def _per_app(ws: Workspace, app_id: str | None) -> tuple[SimApp, ...]:
    if app_id is None:
        return apps(ws)
    app = find_app(ws, app_id)
    if app is None:
        raise KeyError(f"unknown app {app_id}")
    return (app,)


def elapsed_hours(ws: Workspace, day: date) -> int:
    """How many hours of `day` have happened by the workspace's clock."""
    if day < ws.today:
        return 24
    return ws.clock_hour + 1 if day == ws.today else 0


def hours_of(day: date, ws: Workspace) -> list[datetime]:
    """The hours of `day` that have happened by the workspace's clock."""
    start = datetime.combine(day, time(0), timezone.utc)
    return [start + timedelta(hours=i) for i in range(elapsed_hours(ws, day))]


# --- daily KPIs and segment sizes ---------------------------------------------------------------


def kpi_day(ws: Workspace, kpi: str, day: date, app_id: str | None) -> int:
    rev = ws.revision_for(day)
    key = (ws.seed, "kpi", kpi, day.isoformat(), rev)
    return sum(
        _one_count(_KPI_SCALE[kpi] * app.weight, *key, app.app_id) for app in _per_app(ws, app_id)
    )


def segment_size(ws: Workspace, segment: SimSegment, day: date) -> int | None:
    """The segment's estimated size that day (None before it existed)."""
    if day < segment.created_at.date():
        return None
    rev = ws.revision_for(day)
    users = 40000.0 * sum(a.weight for a in apps(ws))
    key = (ws.seed, "segment-size", segment.segment_id, day.isoformat(), rev)
    return _one_count(users * segment.share, *key)


# --- hourly series and their days ----------------------------------------------------------------


def _app_hours(
    ws: Workspace, mean: float, kind: str, entity: str, app: SimApp, day: date
) -> tuple[int, ...]:
    rev = ws.revision_for(day)
    return _day_counts(mean * app.weight, ws.seed, kind, entity, app.app_id, day.isoformat(), rev)


def _sum_hours(
    ws: Workspace,
    mean: float,
    kind: str,
    entity: str,
    day: date,
    hours: range,
    app_id: str | None,
    segment: SimSegment | None,
) -> int:
    """Counts over `hours` of `day`, over one app or all, of all users or a segment's."""
    total = 0
    for app in _per_app(ws, app_id):
        counts = _app_hours(ws, mean, kind, entity, app, day)
        if segment is None:
            total += sum(counts[h] for h in hours)
            continue
        parts = _day_parts(ws.seed, segment.segment_id, kind, entity, app.app_id, day.isoformat())
        # The segment's members make up a varying share of the app's activity.
        shares = [min(segment.share * (0.75 + 0.5 * parts[h]), 1.0) for h in hours]
        total += sum(int(counts[h] * share) for h, share in zip(hours, shares, strict=True))
    return total


def _one_hour(hour: datetime) -> range:
    return range(hour.hour, hour.hour + 1)


def sessions_hour(
    ws: Workspace, hour: datetime, app_id: str | None, segment: SimSegment | None
) -> int:
    return _sum_hours(
        ws, _SESSIONS_PER_HOUR, "sessions", "*", hour.date(), _one_hour(hour), app_id, segment
    )


def sessions_day(ws: Workspace, day: date, app_id: str | None, segment: SimSegment | None) -> int:
    hours = range(elapsed_hours(ws, day))
    return _sum_hours(ws, _SESSIONS_PER_HOUR, "sessions", "*", day, hours, app_id, segment)


def event_hour(
    ws: Workspace, event: SimEvent, hour: datetime, app_id: str | None, segment: SimSegment | None
) -> int:
    day, hours = hour.date(), _one_hour(hour)
    return _sum_hours(ws, event.rate, "event", event.name, day, hours, app_id, segment)


def event_day(
    ws: Workspace, event: SimEvent, day: date, app_id: str | None, segment: SimSegment | None
) -> int:
    hours = range(elapsed_hours(ws, day))
    return _sum_hours(ws, event.rate, "event", event.name, day, hours, app_id, segment)


@lru_cache(maxsize=1 << 15)
def _revenue_factors(*key: object) -> tuple[float, ...]:
    # Discounts and currencies make revenue only roughly quantity x price.
    return tuple(0.8 + 0.3 * f for f in _fractions(24, "revenue", *key))


def _purchase_hours(
    ws: Workspace, day: date, hours: range, app_id: str | None, product: SimProduct | None
) -> list[tuple[int, float]]:
    """(purchase_quantity, revenue) per hour of `hours`, over one app or all, one product or all."""
    chosen = products(ws) if product is None else (product,)
    rev = ws.revision_for(day)
    quantity = dict.fromkeys(hours, 0)
    revenue = dict.fromkeys(hours, 0.0)
    for app in _per_app(ws, app_id):
        for p in chosen:
            counts = _app_hours(ws, p.rate, "purchases", p.name, app, day)
            factors = _revenue_factors(ws.seed, p.name, app.app_id, day.isoformat(), rev)
            for h in hours:
                quantity[h] += counts[h]
                revenue[h] += round(counts[h] * p.price * factors[h], 2)
    return [(quantity[h], round(revenue[h], 2)) for h in hours]


def purchases_hour(
    ws: Workspace, hour: datetime, app_id: str | None, product: SimProduct | None
) -> tuple[int, float]:
    """(purchase_quantity, revenue) of one product (all products: None) in one hour."""
    return _purchase_hours(ws, hour.date(), _one_hour(hour), app_id, product)[0]


def purchases_day(
    ws: Workspace, day: date, app_id: str | None, product: SimProduct | None
) -> tuple[int, float]:
    """The day's (purchase_quantity, revenue): the sums of its hours' rows."""
    parts = _purchase_hours(ws, day, range(elapsed_hours(ws, day)), app_id, product)
    return sum(q for q, _ in parts), round(sum(r for _, r in parts), 2)
