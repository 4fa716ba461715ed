"""The stream names of issues 2, 9, 10 and 15, written out by hand: the contract tests check."""

from __future__ import annotations

CAMPAIGN_STREAM_NAMES = frozenset(
    {
        "send_analytics",
        "send_message_analytics",
        "campaign_analytics",
        "campaign_message_analytics",
        "campaigns",
        "campaign_details",
        "campaign_variations",
        "canvases",
        "canvas_details",
        "canvas_variants",
        "canvas_steps",
        "canvas_analytics",
        "canvas_variant_analytics",
        "canvas_step_analytics",
        "canvas_step_message_analytics",
    }
)

# Issue 15's twelve workspace streams: name -> (primary key, columns besides the key), as the
# issue's table gives them.
WORKSPACE_STREAMS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "segments": (("segment_id",), frozenset({"name", "analytics_tracking_enabled", "tags"})),
    "segment_details": (
        ("segment_id",),
        frozenset(
            {"name", "description", "text_description", "tags", "teams", "created_at", "updated_at"}
        ),
    ),
    "segment_analytics": (("segment_id", "time"), frozenset({"size"})),
    "app_kpis": (("app_id", "time"), frozenset({"dau", "mau", "new_users", "uninstalls"})),
    "session_analytics": (("app_id", "segment_id", "time"), frozenset({"sessions"})),
    "custom_events": (
        ("event_name",),
        frozenset({"description", "status", "included_in_analytics_report", "tags"}),
    ),
    "custom_event_analytics": (
        ("event_name", "app_id", "segment_id", "time"),
        frozenset({"count"}),
    ),
    "products": (("product",), frozenset()),
    "purchase_analytics": (("product", "app_id", "time"), frozenset({"quantity", "revenue"})),
    "session_hourly_analytics": (("app_id", "segment_id", "time"), frozenset({"sessions"})),
    "custom_event_hourly_analytics": (
        ("event_name", "app_id", "segment_id", "time"),
        frozenset({"count"}),
    ),
    "purchase_hourly_analytics": (
        ("product", "app_id", "time"),
        frozenset({"quantity", "revenue"}),
    ),
}
WORKSPACE_STREAM_NAMES = frozenset(WORKSPACE_STREAMS)
STREAM_NAMES = CAMPAIGN_STREAM_NAMES | WORKSPACE_STREAM_NAMES
# The settings of issue 15 (names are the contract).
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
