"""The Canvas series streams: one request of /canvas/data_series feeds all four."""

from __future__ import annotations

from tap_braze_sends.braze.endpoints import CANVAS_SERIES
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_ANALYTICS_SCHEMA,
    CANVAS_KEYS,
    CANVAS_STEP_ANALYTICS_SCHEMA,
    CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA,
    CANVAS_VARIANT_ANALYTICS_SCHEMA,
)
from tap_braze_sends.streams.base import BrazeStream


class CanvasAnalyticsStream(BrazeStream):
    """Per Canvas and day: entries, revenue, conversions (``total_stats``)."""

    name = "canvas_analytics"
    endpoint = CANVAS_SERIES
    role = "total"
    primary_keys = CANVAS_KEYS["canvas_analytics"]
    schema = CANVAS_ANALYTICS_SCHEMA


class CanvasVariantAnalyticsStream(BrazeStream):
    """Per Canvas, day and variant: the variant's name and stats (``variant_stats``)."""

    name = "canvas_variant_analytics"
    endpoint = CANVAS_SERIES
    role = "variant"
    primary_keys = CANVAS_KEYS["canvas_variant_analytics"]
    schema = CANVAS_VARIANT_ANALYTICS_SCHEMA


class CanvasStepAnalyticsStream(BrazeStream):
    """Per Canvas, day and step: the step's name and stats (``step_stats``)."""

    name = "canvas_step_analytics"
    endpoint = CANVAS_SERIES
    role = "step"
    primary_keys = CANVAS_KEYS["canvas_step_analytics"]
    schema = CANVAS_STEP_ANALYTICS_SCHEMA


class CanvasStepMessageAnalyticsStream(BrazeStream):
    """Per Canvas, day, step, channel and message entry: typed metrics (``messages``)."""

    name = "canvas_step_message_analytics"
    endpoint = CANVAS_SERIES
    role = "step_message"
    primary_keys = CANVAS_KEYS["canvas_step_message_analytics"]
    schema = CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA
