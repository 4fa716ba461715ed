"""The metric catalogue from Braze's docs: which metrics get a typed column, and their types.

A metric named here gets a typed column; anything else Braze returns lands in the
``extra_metrics`` object column (see :mod:`tap_braze_sends.rows`), so a metric or channel that
Braze adds later is kept, not dropped, and can be promoted to a column in a later release.
"""

from __future__ import annotations

from types import MappingProxyType

INTEGER = "integer"
NUMBER = "number"

_CONVERSIONS = (
    "conversions",
    "conversions_by_send_time",
    "conversions1",
    "conversions1_by_send_time",
    "conversions2",
    "conversions2_by_send_time",
    "conversions3",
    "conversions3_by_send_time",
)
_PUSH = ("sent", "direct_opens", "total_opens", "bounces", "body_clicks")

CHANNEL_METRICS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        # GET /sends/data_series documents one metric list for every channel.
        "send": (
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
            *_CONVERSIONS,
        ),
        "ios_push": _PUSH,
        "android_push": _PUSH,
        "kindle_push": _PUSH,
        "web_push": _PUSH,
        "webhook": ("sent", "errors"),
        "email": (
            "sent",
            "opens",
            "unique_opens",
            "clicks",
            "unique_clicks",
            "unsubscribes",
            "bounces",
            "delivered",
            "reported_spam",
            "machine_open",
            "machine_amp_open",
        ),
        "sms": (
            "sent",
            "sent_to_carrier",
            "delivered",
            "rejected",
            "delivery_failed",
            "clicks",
            "opt_out",
            "help",
        ),
        "whats_app": ("sent", "delivered", "failed", "read"),
        "content_cards": (
            "sent",
            "total_clicks",
            "total_dismissals",
            "total_impressions",
            "unique_clicks",
            "unique_dismissals",
            "unique_impressions",
        ),
        "in_app_message": (
            "impressions",
            "clicks",
            "first_button_clicks",
            "second_button_clicks",
            "revenue",
            "unique_recipients",
            *_CONVERSIONS,
            "enrolled",
        ),
    }
)
"""Documented metrics per channel (``trigger_in_app_message`` shares ``in_app_message``'s)."""

MONEY_METRICS = frozenset({"revenue"})
"""Metrics Braze documents as floats (USD); every other metric is a count."""

DAY_TOTAL_METRICS: tuple[str, ...] = ("unique_recipients", "revenue", *_CONVERSIONS)
"""The day totals both endpoints document beside ``messages``."""


def _union_in_order(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name, None)
    return tuple(seen)


MESSAGE_METRICS: tuple[str, ...] = _union_in_order(list(CHANNEL_METRICS.values()))
"""Every documented per-variation metric: one typed column each on the message streams."""

VARIATION_PLACEHOLDER = "(unnamed)"
"""``variation`` of an entry that carries neither ``variation_api_id`` nor ``variation_name``."""


def metric_type(name: str) -> str:
    """JSON-schema type of a documented metric."""
    return NUMBER if name in MONEY_METRICS else INTEGER
