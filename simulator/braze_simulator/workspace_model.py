"""A workspace's apps, segments, custom events and products (pure: derived from the seed).

The first entities of each kind are fixed and cover every awkward case between them (names with
spaces, `&`, `/`, `%`, quotes and non-ASCII; untracked and archived segments; a blocklisted
event), so the smallest workspace tests it all; beyond them, plain seeded ones fill up to the
requested count (e.g. 600 events to page through /events/list and /events).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from braze_simulator.hashing import chance, digest, stable_uuid


@dataclass(frozen=True)
class SimApp:
    app_id: str
    name: str
    weight: float
    """Its share of the workspace's activity (the apps' weights need not sum to one)."""


@dataclass(frozen=True)
class SimSegment:
    segment_id: str
    name: str
    analytics_tracking_enabled: bool
    archived: bool
    tags: tuple[str, ...]
    teams: tuple[str, ...]
    description: str | None
    text_description: str
    created_at: datetime
    updated_at: datetime
    share: float
    """Its typical share of the app's users (sizes and breakdowns scale by it)."""


@dataclass(frozen=True)
class SimEvent:
    name: str
    description: str | None
    included_in_analytics_report: bool
    status: str
    tag_names: tuple[str, ...]
    rate: float
    """Typical count per hour over all apps; low rates leave hours (and days) without rows."""


@dataclass(frozen=True)
class SimProduct:
    name: str
    price: float
    rate: float
    """Typical purchases per hour over all apps."""


_APP_NAMES = ("iOS", "Android", "Web")

# (name, tracked, archived, tags, teams, description, text_description, share)
_SegmentRow = tuple[str, bool, bool, tuple[str, ...], tuple[str, ...], str | None, str, float]
_FIXED_SEGMENTS: tuple[_SegmentRow, ...] = (
    (
        "Engaged Users",
        True,
        False,
        ("core",),
        ("Growth",),
        "Opened the app in the last week",
        "Last used app less than 7 days ago",
        0.45,
    ),
    (
        "Lapsed & At-Risk / 30d",
        True,
        False,
        ("retention", "risk"),
        (),
        None,
        "Last used app more than 30 days ago AND Total sessions at least 3",
        0.2,
    ),
    (
        'Newsletter "VIP" \u2013 Übersee',
        False,
        False,
        (),
        ("CRM", "Marketing"),
        "Hand-picked VIPs",
        "Email subscription status is opted in AND Custom attribute vip is true",
        0.05,
    ),
    (
        "Spring promo 100% (archived)",
        True,
        True,
        ("promo",),
        (),
        "Last year's promotion",
        "Received campaign Spring promo",
        0.1,
    ),
)

# (name, description, in analytics report, status, tags, rate per hour)
_FIXED_EVENTS: tuple[tuple[str, str | None, bool, str, tuple[str, ...], float], ...] = (
    ("Added to Cart", "A product went into the cart", True, "Active", ("commerce",), 40.0),
    ("Search & Filter", "Search with filters", False, "Active", ("search", "ux"), 25.0),
    ("checkout/complete", None, True, "Active", (), 6.0),
    ("50% off viewed", "Saw the half-price banner", False, "Active", ("promo",), 3.0),
    ('Rated "5 stars"', 'Gave "5 stars"', False, "Active", ("feedback",), 0.4),
    ("Réservation confirmée", "Booking confirmed (FR)", True, "Active", ("booking",), 1.5),
    ("legacy_tap", "An event no longer recorded", False, "Blocklisted", (), 0.05),
)

# (name, price, rate per hour)
_FIXED_PRODUCTS: tuple[tuple[str, float, float], ...] = (
    ("Premium Plan", 9.99, 4.0),
    ("Gift Card €50", 50.0, 0.3),
    ("T-Shirt (M/L)", 19.5, 1.2),
    ("Bundle & Save", 34.0, 0.8),
    ('100% Cotton "Classic"', 24.9, 0.5),
)


def _at(day: date, hours: float) -> datetime:
    return datetime.combine(day, time(0), timezone.utc) + timedelta(hours=hours)


@lru_cache(maxsize=64)
def workspace_apps(n: int, seed: int) -> tuple[SimApp, ...]:
    return tuple(
        SimApp(
            app_id=stable_uuid(seed, "app", i),
            name=_APP_NAMES[i] if i < len(_APP_NAMES) else f"App {i + 1}",
            weight=(1.0, 0.7, 0.35)[i] if i < 3 else 0.1 + (digest(seed, "app-w", i) % 30) / 100,
        )
        for i in range(n)
    )


@lru_cache(maxsize=64)
def workspace_segments(n: int, seed: int, epoch: date) -> tuple[SimSegment, ...]:
    """Oldest first, as /segments/list orders them (archived ones included here)."""
    out = []
    for i in range(n):
        minutes = digest(seed, "seg-c", i) % 480
        created = _at(epoch - timedelta(days=400 - 3 * i), 9 + minutes / 60)
        updated = created + timedelta(hours=1 + digest(seed, "seg-u", i) % 2000)
        if i < len(_FIXED_SEGMENTS):
            name, tracked, archived, tags, teams, desc, text, share = _FIXED_SEGMENTS[i]
        else:
            name, archived = f"Segment {i + 1:04d}", chance(0.1, seed, "seg-archived", i)
            tracked = chance(0.7, seed, "seg-tracked", i)
            tags, teams, desc = (), (), f"Generated segment {i + 1}"
            text = f"Custom attribute bucket equals {i + 1}"
            share = 0.02 + (digest(seed, "seg-share", i) % 50) / 100
        out.append(
            SimSegment(
                segment_id=stable_uuid(seed, "segment", i),
                name=name,
                analytics_tracking_enabled=tracked,
                archived=archived,
                tags=tags,
                teams=teams,
                description=desc,
                text_description=text,
                created_at=created,
                updated_at=min(updated, _at(epoch, 0)),
                share=share,
            )
        )
    return tuple(out)


@lru_cache(maxsize=64)
def workspace_events(n: int, seed: int) -> tuple[SimEvent, ...]:
    """In creation order (the listings sort them by name)."""
    out = [SimEvent(name, d, rep, st, tags, rate) for name, d, rep, st, tags, rate in _FIXED_EVENTS]
    out = out[:n]
    for i in range(len(out), n):
        rate = 0.1 + (digest(seed, "event-rate", i) % 200) / 10
        name = f"event_{i + 1:04d}"
        out.append(SimEvent(name, f"Generated event {i + 1}", False, "Active", (), rate))
    return tuple(out)


@lru_cache(maxsize=64)
def workspace_products(n: int, seed: int) -> tuple[SimProduct, ...]:
    out = [SimProduct(name, price, rate) for name, price, rate in _FIXED_PRODUCTS][:n]
    for i in range(len(out), n):
        price = round(1 + (digest(seed, "product-price", i) % 9900) / 100, 2)
        rate = 0.05 + (digest(seed, "product-rate", i) % 30) / 10
        out.append(SimProduct(f"sku-{i + 1:05d}", price, rate))
    return tuple(out)
