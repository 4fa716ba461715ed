"""The workspace listings and the segment details: /segments/list, /segments/details,
/events/list, /events and /purchases/product_list.

Segments page by `page`, 100 a page, oldest first (archived ones left out); event names by
`page`, 250 a page; products by `page`, 100 a page; /events by the cursor in the `Link` header,
50 a page, alphabetical. The event and product listings draw on the small pool.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote

from braze_simulator.query import BadRequest
from braze_simulator.routing import (
    DEFAULT_POOL,
    EVENTS_POOL,
    Answer,
    Route,
    RouteRequest,
    json_body,
)
from braze_simulator.workspace_bodies import event_entry, segment_details, segment_entry
from braze_simulator.workspace_model import SimSegment
from braze_simulator.workspace_series import (
    find_segment,
    listed_events,
    listed_products,
    segments,
)

SEGMENTS_PAGE = 100
EVENT_NAMES_PAGE = 250
EVENTS_PAGE = 50
PRODUCTS_PAGE = 100
_PAGE = re.compile(r"[0-9]{1,9}")
_CURSOR = re.compile(r"skip:([0-9]{1,9})")
_BAD_SEGMENT = "segment_id must be a string of the segment api identifier"


def _page(params: dict[str, str]) -> int:
    raw = params.get("page") or "0"
    if not _PAGE.fullmatch(raw):
        raise BadRequest(f"page must be a non-negative integer, got {raw!r}")
    return int(raw)


def segment_param(request: RouteRequest, *, required: bool) -> SimSegment | None:
    raw = request.params.get("segment_id") or None
    if raw is None:
        if required:
            raise BadRequest(_BAD_SEGMENT)
        return None
    segment = find_segment(request.workspace, raw)
    if segment is None:
        raise BadRequest(_BAD_SEGMENT)
    return segment


def _prepare_segments_list(request: RouteRequest) -> Answer:
    page = _page(request.params)
    direction = request.params.get("sort_direction") or "asc"
    if direction not in ("asc", "desc"):
        raise BadRequest(f"sort_direction must be asc or desc, got {direction!r}")
    ws = request.workspace

    def answer() -> bytes:
        listed = [s for s in segments(ws) if not s.archived]
        if direction == "desc":
            listed.reverse()
        chosen = listed[page * SEGMENTS_PAGE : (page + 1) * SEGMENTS_PAGE]
        return json_body({"message": "success", "segments": [segment_entry(s) for s in chosen]})

    return answer


def _prepare_segment_details(request: RouteRequest) -> Answer:
    segment = segment_param(request, required=True)
    assert segment is not None
    return lambda: json_body(segment_details(segment))


def _prepare_event_names(request: RouteRequest) -> Answer:
    page = _page(request.params)
    ws = request.workspace

    def answer() -> bytes:
        start = page * EVENT_NAMES_PAGE
        names = [e.name for e in listed_events(ws)][start : start + EVENT_NAMES_PAGE]
        return json_body({"message": "success", "events": names})

    return answer


def _skip(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    match = _CURSOR.fullmatch(decoded)
    if match is None:
        raise BadRequest(f"cursor is invalid: {cursor!r}")
    return int(match[1])


def _cursor(skip: int) -> str:
    return base64.urlsafe_b64encode(f"skip:{skip}".encode()).decode().rstrip("=")


def _prepare_events(request: RouteRequest) -> Answer:
    skip = _skip(request.params.get("cursor"))
    ws, base_url = request.workspace, request.base_url

    def answer() -> tuple[bytes, list[tuple[str, str]]]:
        every = listed_events(ws)
        chosen = every[skip : skip + EVENTS_PAGE]
        body = json_body({"message": "success", "events": [event_entry(e) for e in chosen]})
        if skip + EVENTS_PAGE >= len(every):
            return body, []
        url = f"{base_url}/events?cursor={quote(_cursor(skip + EVENTS_PAGE), safe='')}"
        return body, [("Link", f'<{url}>; rel="next"')]

    return answer


def _prepare_products(request: RouteRequest) -> Answer:
    page = _page(request.params)
    ws = request.workspace

    def answer() -> bytes:
        names = [p.name for p in listed_products(ws)][
            page * PRODUCTS_PAGE : (page + 1) * PRODUCTS_PAGE
        ]
        return json_body({"message": "success", "products": names})

    return answer


_LIST_BAD_SHAPES: dict[str, tuple[Any, ...]] = {
    key: (
        {"message": "success"},
        {key: None, "message": "success"},
        {key: {"0": "x"}, "message": "success"},
    )
    for key in ("segments", "events", "products")
}
_DETAILS_BAD_SHAPES = ({"message": "success"}, {"name": None, "message": "success"})

LIST_ROUTES: dict[str, Route] = {
    "/segments/list": Route(
        "segments.list", DEFAULT_POOL, _prepare_segments_list, _LIST_BAD_SHAPES["segments"]
    ),
    "/segments/details": Route(
        "segments.details", DEFAULT_POOL, _prepare_segment_details, _DETAILS_BAD_SHAPES
    ),
    "/events/list": Route(
        "events.list", EVENTS_POOL, _prepare_event_names, _LIST_BAD_SHAPES["events"]
    ),
    "/events": Route("events.get", EVENTS_POOL, _prepare_events, _LIST_BAD_SHAPES["events"]),
    "/purchases/product_list": Route(
        "purchases.product_list", EVENTS_POOL, _prepare_products, _LIST_BAD_SHAPES["products"]
    ),
}
