"""What the tap knows about each Braze series endpoint: path, pool, permission, partitions, shape.

An endpoint is read once per window of a partition; its pure flattener turns each day of the
response into the rows of every stream that reads it (keyed by the stream's ``role``), so the
streams of one endpoint share every request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tap_braze_sends.braze.flatten.campaign_series import Row, flatten_day
from tap_braze_sends.braze.flatten.canvas_series import flatten_canvas_day, parse_canvas_series
from tap_braze_sends.braze.flatten.malformed import MalformedBody, series_days
from tap_braze_sends.runtime.windows import MAX_WINDOW_DAYS

Partition = dict[str, str]
DayRows = dict[str, list[Row]]
"""One day of a response: the rows of each role (``day``, ``message``, ...)."""


def flatten_series_day(day: Mapping[str, Any], partition: Mapping[str, str]) -> DayRows:
    day_row, message_rows = flatten_day(day, partition)
    return {"day": [day_row], "message": message_rows}


@dataclass(frozen=True)
class SeriesEndpoint:
    """One ``data_series`` endpoint, partitioned by ids, read in windows of days."""

    path: str
    pool: str
    """Braze's rate-limit pool: requests to one pool share one budget."""
    permission: str
    partition_fields: tuple[str, ...]
    days_of: Callable[[object], list[Mapping[str, Any]]]
    flatten: Callable[[Mapping[str, Any], Mapping[str, str]], DayRows]
    max_window_days: int = MAX_WINDOW_DAYS
    no_data_hint: str | None = None
    """Why a partition may legitimately return no data; shown in its warning."""
    extra_params: Callable[[bool, frozenset[str]], dict[str, str]] = lambda _deleted, _roles: {}
    """Query parameters beyond ids and window, from (include_deleted_steps, selected roles)."""


SENDS_SERIES = SeriesEndpoint(
    path="/sends/data_series",
    pool="default",
    permission="sends.data_series",
    partition_fields=("campaign_id", "send_id"),
    days_of=series_days,
    flatten=flatten_series_day,
    no_data_hint=(
        "Braze keeps send analytics only 14 days after the send; check the send id and the "
        "dates (start_date, end_date)."
    ),
)

CAMPAIGNS_SERIES = SeriesEndpoint(
    path="/campaigns/data_series",
    pool="campaign_analytics",
    permission="campaigns.data_series",
    partition_fields=("campaign_id",),
    days_of=series_days,
    flatten=flatten_series_day,
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


def canvas_breakdown_params(include_deleted_steps: bool, roles: frozenset[str]) -> dict[str, str]:
    """Braze computes a breakdown only when asked: ask only for what a selected stream uses."""
    params: dict[str, str] = {}
    if "variant" in roles:
        params["include_variant_breakdown"] = "true"
    if roles & {"step", "step_message"}:
        params["include_step_breakdown"] = "true"
        if include_deleted_steps:
            params["include_deleted_step_data"] = "true"
    return params


CANVAS_MAX_WINDOW_DAYS = 14
"""/canvas/data_series takes ``length`` 1..14."""

CANVAS_SERIES = SeriesEndpoint(
    path="/canvas/data_series",
    pool="default",
    permission="canvas.data_series",
    partition_fields=("canvas_id",),
    days_of=canvas_days,
    flatten=flatten_canvas,
    max_window_days=CANVAS_MAX_WINDOW_DAYS,
    extra_params=canvas_breakdown_params,
)
