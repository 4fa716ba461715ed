"""The dbt marts' contract (names, keys, columns: issue 25) and reading them back from a
warehouse, for the mart tests (tests/warehouse/test_marts.py)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

KEYS: dict[str, tuple[str, ...]] = {
    "braze__campaign_daily": ("campaign_id", "date"),
    "braze__campaign_channel_daily": ("campaign_id", "date", "channel"),
    "braze__campaign_variation_daily": ("campaign_id", "date", "channel", "variation_api_id"),
    "braze__send_daily": ("campaign_id", "send_id", "date"),
    "braze__canvas_variant_daily": ("canvas_id", "variant_id", "date"),
    "braze__canvas_step_daily": ("canvas_id", "step_id", "date"),
    "braze__app_daily": ("app_id", "date"),
    "braze__custom_event_daily": ("event_name", "app_id", "date"),
    "braze__purchase_daily": ("product", "app_id", "date"),
    "braze__segment_daily": ("segment_id", "date"),
}
_CHANNEL = ("sent", "delivered", "opens", "clicks", "bounces", "unsubscribes")
COLUMNS: dict[str, tuple[str, ...]] = {
    "braze__campaign_daily": (
        "campaign_name",
        "unique_recipients",
        "conversions",
        "revenue",
        "sent",
    ),
    "braze__campaign_channel_daily": ("campaign_name", *_CHANNEL),
    "braze__campaign_variation_daily": ("campaign_name", "variation_name", *_CHANNEL),
    "braze__send_daily": ("campaign_name", *_CHANNEL),
    "braze__canvas_variant_daily": (
        "canvas_name",
        "variant_name",
        "entries",
        "conversions",
        "revenue",
        "conversion_rate",
    ),
    "braze__canvas_step_daily": (
        "canvas_name",
        "step_name",
        "step_position",
        "unique_recipients",
        "conversions",
        "revenue",
        "sent",
        "deleted",
    ),
    "braze__app_daily": ("dau", "mau", "stickiness", "new_users", "uninstalls", "sessions"),
    "braze__custom_event_daily": ("count",),
    "braze__purchase_daily": ("quantity", "revenue"),
    "braze__segment_daily": ("segment_name", "size", "size_change"),
}
MARTS = tuple(KEYS)

Mart = dict[tuple, dict[str, Any]]


def plain(value: Any) -> Any:
    """A warehouse value as the oracle writes it: dates as ISO text, numbers as int/float."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def by_key(mart: str, names: list[str], rows: list[tuple]) -> Mart:
    """Rows by the mart's key (asserting one row per key), the other columns by name."""
    keys = KEYS[mart]
    out: Mart = {}
    for raw in rows:
        row = dict(zip(names, (plain(v) for v in raw), strict=True))
        key = tuple(row.pop(k) for k in keys)
        assert key not in out, f"{mart}: key {key} twice"
        out[key] = row
    return out


def equal(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is got
    if isinstance(expected, float) or isinstance(got, float):
        return math.isclose(float(expected), float(got), rel_tol=1e-9, abs_tol=1e-6)
    return expected == got


def mismatches(mart: str, expected: Mart, got: Mart) -> list[str]:
    """What differs between a mart's rows and the oracle's (empty: they agree)."""
    columns = {tuple(row) for row in got.values()}
    if columns and columns != {COLUMNS[mart]}:
        return [f"{mart}: columns {sorted(columns)} are not the contract's {COLUMNS[mart]}"]
    if expected.keys() != got.keys():
        missing = sorted(expected.keys() - got.keys())[:3]
        extra = sorted(got.keys() - expected.keys())[:3]
        return [f"{mart}: keys differ: missing {missing}, extra {extra}"]
    return [
        f"{mart} {key} {column}: expected {want[column]!r}, got {got[key][column]!r}"
        for key, want in sorted(expected.items())
        for column in COLUMNS[mart]
        if not equal(want[column], got[key][column])
    ]
