"""The metric tables the simulator draws from: Braze's documented metrics per channel."""

from __future__ import annotations

Metric = tuple[str, float, float]  # (name, low, high) as a share of the day's volume

_PUSH: tuple[Metric, ...] = (
    ("sent", 1.0, 1.0),
    ("direct_opens", 0.02, 0.08),
    ("total_opens", 0.05, 0.15),
    ("bounces", 0.0, 0.02),
    ("body_clicks", 0.01, 0.05),
)
PUSH_CHANNELS = frozenset({"ios_push", "android_push", "kindle_push", "web_push"})
# Per-channel campaign metrics, as documented (email also gets machine_open, as real responses do).
CHANNEL_METRICS: dict[str, tuple[Metric, ...]] = {
    "ios_push": _PUSH,
    "android_push": _PUSH,
    "kindle_push": _PUSH,
    "web_push": _PUSH,
    "webhook": (("sent", 1.0, 1.0), ("errors", 0.0, 0.01)),
    "email": (
        ("sent", 1.0, 1.0),
        ("opens", 0.2, 0.4),
        ("unique_opens", 0.15, 0.3),
        ("clicks", 0.02, 0.06),
        ("unique_clicks", 0.01, 0.05),
        ("unsubscribes", 0.0, 0.005),
        ("bounces", 0.0, 0.02),
        ("delivered", 0.95, 0.99),
        ("reported_spam", 0.0, 0.001),
        ("machine_open", 0.05, 0.2),
    ),
    "sms": (
        ("sent", 1.0, 1.0),
        ("sent_to_carrier", 0.97, 1.0),
        ("delivered", 0.9, 0.97),
        ("rejected", 0.0, 0.02),
        ("delivery_failed", 0.0, 0.02),
        ("clicks", 0.01, 0.05),
        ("opt_out", 0.0, 0.005),
        ("help", 0.0, 0.002),
    ),
    "whats_app": (
        ("sent", 1.0, 1.0),
        ("delivered", 0.9, 0.98),
        ("failed", 0.0, 0.03),
        ("read", 0.4, 0.8),
    ),
    "content_cards": (
        ("sent", 1.0, 1.0),
        ("total_clicks", 0.02, 0.08),
        ("total_dismissals", 0.05, 0.2),
        ("total_impressions", 0.5, 1.5),
        ("unique_clicks", 0.01, 0.05),
        ("unique_dismissals", 0.04, 0.15),
        ("unique_impressions", 0.4, 0.9),
    ),
    # A channel no Braze doc names, with metrics of its own: the tap must pass it through.
    "line": (("sent", 1.0, 1.0), ("delivered", 0.9, 0.99), ("friends_added", 0.0, 0.01)),
}
IN_APP_CHANNELS = frozenset({"in_app_message", "trigger_in_app_message"})
IN_APP_METRICS: tuple[Metric, ...] = (
    ("impressions", 1.0, 1.0),
    ("clicks", 0.02, 0.1),
    ("first_button_clicks", 0.01, 0.05),
    ("second_button_clicks", 0.0, 0.03),
)
# Any channel the simulator knows nothing about still gets plausible counts.
GENERIC_METRICS: tuple[Metric, ...] = (("sent", 1.0, 1.0), ("delivered", 0.9, 0.99))
CHANNEL_POOL = (
    "ios_push",
    "android_push",
    "email",
    "webhook",
    "sms",
    "whats_app",
    "content_cards",
    "web_push",
    "kindle_push",
    "in_app_message",
    "trigger_in_app_message",
)
CONTROL_GROUP = "Control Group"


def metric_table(channel: str) -> tuple[Metric, ...]:
    if channel in IN_APP_CHANNELS:
        return IN_APP_METRICS
    return CHANNEL_METRICS.get(channel, GENERIC_METRICS)
