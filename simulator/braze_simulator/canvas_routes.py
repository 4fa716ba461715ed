"""GET /canvas/list, /canvas/details and /canvas/data_series: validation and bodies.

All three draw on Braze's default rate-limit pool (shared with /sends/data_series). The server
applies path, auth, permission, rate limit, faults and latency as for every endpoint; the
routes here validate the query (a 400 in Braze's style, `{"message": "..."}`) and then answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from braze_simulator.canvas_data import find_canvas, workspace_canvases
from braze_simulator.canvas_model import SimCanvas, message_fields, time_on
from braze_simulator.canvas_stats import Breakdown, canvas_fragments
from braze_simulator.data import Workspace
from braze_simulator.isotime import InvalidTime, parse_iso_datetime, parse_utc_day
from braze_simulator.keys import (
    KEY_WITHOUT_CANVAS_DATA_SERIES,
    KEY_WITHOUT_CANVAS_DETAILS,
    KEY_WITHOUT_CANVAS_LIST,
)
from braze_simulator.query import BadRequest
from braze_simulator.routing import DEFAULT_POOL, Answer, Route, RouteRequest

__all__ = [
    "CANVAS_ROUTES",
    "KEY_WITHOUT_CANVAS_DATA_SERIES",
    "KEY_WITHOUT_CANVAS_DETAILS",
    "KEY_WITHOUT_CANVAS_LIST",
    "BadRequest",
    "answer_canvas",
]

LIST_PATH = "/canvas/list"
DETAILS_PATH = "/canvas/details"
SERIES_PATH = "/canvas/data_series"
PAGE_SIZE = 100
MAX_SERIES_DAYS = 14
_UNKNOWN_CANVAS = "canvas_id must be a string of the canvas api identifier"


def answer_canvas(
    path: str, params: dict[str, str], workspace: Workspace, day_semantics: str
) -> tuple[int, bytes]:
    """(status, body) for a Canvas request that passed auth, permission, rate limit, faults."""
    try:
        answer = _PREPARE[path](RouteRequest(workspace, params, day_semantics))
    except BadRequest as exc:
        return 400, _json({"message": str(exc)})
    return 200, answer()


def _time_errors_are_400(prepare: Callable[[RouteRequest], Answer]) -> Callable[..., Answer]:
    def checked(request: RouteRequest) -> Answer:
        try:
            return prepare(request)
        except InvalidTime as exc:
            raise BadRequest(str(exc)) from exc

    return checked


@_time_errors_are_400
def _prepare_list(request: RouteRequest) -> Answer:
    ws, params = request.workspace, request.params
    query = list_query(params)
    return lambda: _json({"canvases": list_page(ws, *query), "message": "success"})


@_time_errors_are_400
def _prepare_details(request: RouteRequest) -> Answer:
    ws = request.workspace
    canvas = _canvas(ws, request.params)
    return lambda: _json({**canvas_details(canvas, ws.today), "message": "success"})


@_time_errors_are_400
def _prepare_series(request: RouteRequest) -> Answer:
    ws, params = request.workspace, request.params
    canvas = _canvas(ws, params)
    first, last = series_days(params, ws.today, request.day_semantics)
    chosen = breakdown(params)
    return lambda: series_body(canvas.name, canvas_fragments(ws, canvas, first, last, chosen))


# --- /canvas/list -----------------------------------------------------------------------------


def list_query(params: dict[str, str]) -> tuple[int, bool, bool, datetime | None]:
    """(page, include_archived, descending, edited_after) of a valid /canvas/list query."""
    page = params.get("page", "0") or "0"
    if not page.isascii() or not page.isdigit():
        raise BadRequest("page must be a non-negative integer")
    include_archived = flag(params, "include_archived")
    direction = params.get("sort_direction", "asc") or "asc"
    if direction not in ("asc", "desc"):
        raise BadRequest("sort_direction must be either 'asc' or 'desc'")
    edited_after: datetime | None = None
    raw_after = params.get("last_edit.time[gt]")
    if raw_after:
        edited_after = parse_iso_datetime(raw_after, "last_edit.time[gt]")
    return int(page), include_archived, direction == "desc", edited_after


def list_page(
    workspace: Workspace,
    page: int,
    include_archived: bool,
    descending: bool,
    edited_after: datetime | None,
) -> list[dict[str, Any]]:
    chosen = [
        c
        for c in workspace_canvases(workspace)  # oldest first
        if (include_archived or not c.archived)
        and (edited_after is None or c.last_edited > edited_after)
    ]
    if descending:
        chosen.reverse()
    start = page * PAGE_SIZE
    return [list_entry(c) for c in chosen[start : start + PAGE_SIZE]]


def list_entry(canvas: SimCanvas) -> dict[str, Any]:
    return {
        "id": canvas.canvas_id,
        "last_edited": _iso(canvas.last_edited),
        "name": canvas.name,
        "tags": list(canvas.tags),
    }


# --- /canvas/details --------------------------------------------------------------------------


def canvas_details(canvas: SimCanvas, today: date) -> dict[str, Any]:
    """The /canvas/details body without "message"; a live Canvas's last entry is `today`."""
    last_entry = canvas.last_entry or (today if canvas.first_entry is not None else None)
    return {
        "created_at": _iso(canvas.created_at),
        "updated_at": _iso(canvas.last_edited),
        "name": canvas.name,
        "description": canvas.description,
        "archived": canvas.archived,
        "draft": canvas.draft,
        "enabled": canvas.enabled,
        "has_post_launch_draft": canvas.has_post_launch_draft,
        "schedule_type": canvas.schedule_type,
        "first_entry": _entry_iso(canvas.first_entry, canvas, "first"),
        "last_entry": _entry_iso(last_entry, canvas, "last"),
        "channels": canvas.channels,
        "variants": [
            {"name": v.name, "id": v.variant_id, "first_step_ids": list(v.first_step_ids)}
            for v in canvas.variants
        ],
        "tags": list(canvas.tags),
        "teams": list(canvas.teams),
        "steps": [
            {
                "name": s.name,
                "type": s.step_type,
                "id": s.step_id,
                "next_step_ids": canvas.next_step_ids(s),
                "next_paths": [{"name": n, "next_step_id": i} for n, i in s.next_paths],
                "channels": s.channels,
                "messages": {m.message_id: message_fields(m) for m in s.messages},
            }
            for s in canvas.live_steps
        ],
    }


# --- /canvas/data_series ----------------------------------------------------------------------


def flag(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "").lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise BadRequest(f"{name} must be a boolean")


def breakdown(params: dict[str, str]) -> Breakdown:
    return Breakdown(
        variants=flag(params, "include_variant_breakdown"),
        steps=flag(params, "include_step_breakdown"),
        deleted_steps=flag(params, "include_deleted_step_data"),
    )


def series_days(params: dict[str, str], today: date, day_semantics: str) -> tuple[date, date]:
    """[first, last] days of a series request. Whether `ending_at`'s own day counts is
    undocumented: `day_semantics` picks ("inclusive" or "exclusive"), for `length` and
    `starting_at` alike. With both, both bound the series."""
    raw_end = params.get("ending_at")
    if not raw_end:
        raise BadRequest("ending_at is required")
    end = parse_utc_day(raw_end, "ending_at")
    last = end if day_semantics == "inclusive" else end - timedelta(days=1)
    raw_length, raw_start = params.get("length"), params.get("starting_at")
    if not raw_length and not raw_start:
        raise BadRequest("Either length or starting_at is required")
    first = date.min
    if raw_length:
        if not raw_length.isascii() or not raw_length.isdigit():
            raise BadRequest(f"length must be an integer between 1 and {MAX_SERIES_DAYS}")
        length = int(raw_length)
        if not 1 <= length <= MAX_SERIES_DAYS:
            raise BadRequest(f"length must be an integer between 1 and {MAX_SERIES_DAYS}")
        first = last - timedelta(days=length - 1)
    if raw_start:
        start = parse_utc_day(raw_start, "starting_at")
        if start > end:
            raise BadRequest("starting_at must be before ending_at")
        if (last - start).days + 1 > MAX_SERIES_DAYS:
            raise BadRequest(
                f"The time between starting_at and ending_at must be {MAX_SERIES_DAYS} days or less"
            )
        first = max(first, start)
    return first, last


def series_body(name: str, fragments: list[str]) -> bytes:
    # Splice cached day JSON, as the other series do.
    head = '{"data":{"name":' + json.dumps(name) + ',"stats":['
    return (head + ",".join(fragments) + ']},"message":"success"}').encode()


# --- helpers ----------------------------------------------------------------------------------


def _canvas(workspace: Workspace, params: dict[str, str]) -> SimCanvas:
    canvas = find_canvas(workspace, params.get("canvas_id", ""))
    if canvas is None:
        raise BadRequest(_UNKNOWN_CANVAS)
    return canvas


def _json(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _entry_iso(day: date | None, canvas: SimCanvas, which: str) -> str | None:
    # Braze gives entry dates as date-times: a stable time of day on that date.
    return None if day is None else _iso(time_on(day, 0, canvas.canvas_id, which))


_PREPARE = {LIST_PATH: _prepare_list, DETAILS_PATH: _prepare_details, SERIES_PATH: _prepare_series}
# Bodies that parse as JSON but are not what the endpoint promises ("bad_shape" fault).
_LIST_BAD_SHAPES = (
    {"message": "success"},
    {"canvases": None, "message": "success"},
    {"canvases": {"id": "unexpected"}, "message": "success"},
)
_DETAILS_BAD_SHAPES = (
    {"message": "success"},
    {"steps": None, "variants": [], "message": "success"},
    {"name": None, "steps": {}, "message": "success"},
)
_SERIES_BAD_SHAPES = (
    {"message": "success"},
    {"data": {"name": "x"}, "message": "success"},  # no stats (a null stats is no days)
    {"data": [], "message": "success"},
    {"data": {"stats": "[]"}, "message": "success"},
)
CANVAS_ROUTES: dict[str, Route] = {
    LIST_PATH: Route("canvas.list", DEFAULT_POOL, _prepare_list, _LIST_BAD_SHAPES),
    DETAILS_PATH: Route("canvas.details", DEFAULT_POOL, _prepare_details, _DETAILS_BAD_SHAPES),
    SERIES_PATH: Route("canvas.data_series", DEFAULT_POOL, _prepare_series, _SERIES_BAD_SHAPES),
}
