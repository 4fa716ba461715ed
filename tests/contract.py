"""The stream names of issues 2, 9 and 10, written out by hand: the contract tests check."""

from __future__ import annotations

STREAM_NAMES = frozenset(
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
