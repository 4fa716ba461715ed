"""Every Braze endpoint the tap reads, each described once (braze/description.py).

A series is read once per window of a partition; its pure flattener turns each day of the
response into the rows of every table that reads it (keyed by the table's ``role``), so the
streams of one series share every request. :data:`BRAZE` lists them in stream order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.catalog import CAMPAIGNS, CANVASES
from tap_braze_sends.braze.description import DayRows, Descriptions, Request, Series, Table
from tap_braze_sends.braze.discovery import send_expired
from tap_braze_sends.braze.flatten.campaign_series import flatten_day
from tap_braze_sends.braze.flatten.canvas_series import flatten_canvas_day, parse_canvas_series
from tap_braze_sends.braze.flatten.malformed import MalformedBody, series_days
from tap_braze_sends.braze.partition_sources import ConfigIds, ConfigPairs
from tap_braze_sends.braze.schemas.campaign_series import (
    CAMPAIGN_DAY_SCHEMA,
    CAMPAIGN_MESSAGE_SCHEMA,
    SEND_DAY_SCHEMA,
    SEND_MESSAGE_SCHEMA,
)
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_ANALYTICS_SCHEMA,
    CANVAS_KEYS,
    CANVAS_STEP_ANALYTICS_SCHEMA,
    CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA,
    CANVAS_VARIANT_ANALYTICS_SCHEMA,
)
from tap_braze_sends.braze.workspace import workspace_series
from tap_braze_sends.braze.workspace_catalogues import WORKSPACE_CATALOGUES

_MESSAGE_KEYS = ("time", "channel", "variation")


def flatten_series_day(day: Mapping[str, Any], partition: Mapping[str, str]) -> DayRows:
    day_row, message_rows = flatten_day(day, partition)
    return {"day": [day_row], "message": message_rows}


SENDS_SERIES = Series(
    requests=(Request("/sends/data_series", "sends.data_series"),),
    pool="default",
    partitions=ConfigPairs(
        fields=("campaign_id", "send_id"),
        setting="sends",
        noun=("send", "sends"),
        also_from=("sends_file",),
        expired=send_expired,
        expired_note="first data more than 14 + lookback_days + 2 days ago",
    ),
    days_of=series_days,
    flatten=flatten_series_day,
    tables=(
        Table(
            "day",
            "send_analytics",
            ("campaign_id", "send_id", "time"),
            SEND_DAY_SCHEMA,
            "Per API-campaign send and day: the day totals of /sends/data_series.",
        ),
        Table(
            "message",
            "send_message_analytics",
            ("campaign_id", "send_id", *_MESSAGE_KEYS),
            SEND_MESSAGE_SCHEMA,
            "Per send, day, channel and variation: that variation's metrics.",
        ),
    ),
    no_data_hint=(
        "Braze keeps send analytics only 14 days after the send; check the send id and the "
        "dates (start_date, end_date)."
    ),
)

CAMPAIGNS_SERIES = Series(
    requests=(Request("/campaigns/data_series", "campaigns.data_series"),),
    pool="campaign_analytics",
    partitions=ConfigIds("campaign_id", "campaign_ids", catalogue=CAMPAIGNS),
    days_of=series_days,
    flatten=flatten_series_day,
    tables=(
        Table(
            "day",
            "campaign_analytics",
            ("campaign_id", "time"),
            CAMPAIGN_DAY_SCHEMA,
            "Per campaign and day: the day totals of /campaigns/data_series.",
        ),
        Table(
            "message",
            "campaign_message_analytics",
            ("campaign_id", *_MESSAGE_KEYS),
            CAMPAIGN_MESSAGE_SCHEMA,
            "Per campaign, day, channel and variation: that variation's metrics.",
        ),
    ),
)


def canvas_days(body: object) -> list[Mapping[str, Any]]:
    """The day objects of a /canvas/data_series body: ``{"data": {"name", "stats": [...]}}``."""
    if not isinstance(body, dict):
        msg = "body is not an object"
        raise MalformedBody(msg)
    return list(parse_canvas_series(body)[1])


def flatten_canvas(day: Mapping[str, Any], partition: Mapping[str, str]) -> DayRows:
    rows = flatten_canvas_day(day, partition["canvas_id"])
    return {
        "total": [rows.total],
        "variant": rows.variants,
        "step": rows.steps,
        "step_message": rows.step_messages,
    }


def canvas_breakdown_params(settings: Any, roles: frozenset[str]) -> dict[str, str]:
    """Braze computes a breakdown only when asked: ask only for what a selected stream uses."""
    params: dict[str, str] = {}
    if "variant" in roles:
        params["include_variant_breakdown"] = "true"
    if roles & {"step", "step_message"}:
        params["include_step_breakdown"] = "true"
        if settings.include_deleted_steps:
            params["include_deleted_step_data"] = "true"
    return params


CANVAS_MAX_WINDOW_DAYS = 14
"""/canvas/data_series takes ``length`` 1..14."""

CANVAS_SERIES = Series(
    requests=(Request("/canvas/data_series", "canvas.data_series"),),
    pool="default",
    partitions=ConfigIds("canvas_id", "canvas_ids", catalogue=CANVASES),
    days_of=canvas_days,
    flatten=flatten_canvas,
    tables=(
        Table(
            "total",
            "canvas_analytics",
            CANVAS_KEYS["canvas_analytics"],
            CANVAS_ANALYTICS_SCHEMA,
            "Per Canvas and day: entries, revenue, conversions (``total_stats``).",
        ),
        Table(
            "variant",
            "canvas_variant_analytics",
            CANVAS_KEYS["canvas_variant_analytics"],
            CANVAS_VARIANT_ANALYTICS_SCHEMA,
            "Per Canvas, day and variant: the variant's name and stats (``variant_stats``).",
        ),
        Table(
            "step",
            "canvas_step_analytics",
            CANVAS_KEYS["canvas_step_analytics"],
            CANVAS_STEP_ANALYTICS_SCHEMA,
            "Per Canvas, day and step: the step's name and stats (``step_stats``).",
        ),
        Table(
            "step_message",
            "canvas_step_message_analytics",
            CANVAS_KEYS["canvas_step_message_analytics"],
            CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA,
            "Per Canvas, day, step, channel and message entry: typed metrics (``messages``).",
        ),
    ),
    max_window_days=CANVAS_MAX_WINDOW_DAYS,
    extra_params=canvas_breakdown_params,
)

BRAZE = Descriptions(
    catalogues=(CAMPAIGNS, CANVASES, *WORKSPACE_CATALOGUES),
    series=(
        SENDS_SERIES,
        CAMPAIGNS_SERIES,
        CANVAS_SERIES,
        *workspace_series(*WORKSPACE_CATALOGUES),
    ),
)
"""Every endpoint the tap reads, in the order its streams are listed and synced."""
