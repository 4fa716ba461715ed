"""What an endpoint is to the server: a Route (permission, rate-limit pool, how to answer).

The server applies the shared machinery (path, auth, permission, rate limit, faults, latency)
and asks the route only two things: is the query valid (raise BadRequest for a 400), and what
is the body. Validation comes first and must be cheap; the answer runs after the latency.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from braze_simulator.data import Workspace
from braze_simulator.hashing import digest
from braze_simulator.query import BadRequest

__all__ = ["BadRequest", "Reply", "Route", "RouteRequest", "json_body"]

# The rate-limit pools Braze documents: most endpoints share the default one.
DEFAULT_POOL = "default"
CAMPAIGN_SERIES_POOL = "campaigns.data_series"
# /events/list, /events, /purchases/product_list and (by Braze's rendered pages) the two
# purchase series: 1,000 requests an hour between them.
EVENTS_POOL = "events"


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False  # drop the connection without answering


@dataclass(frozen=True)
class RouteRequest:
    """What a route may read: the workspace, the query, and the server's day reading."""

    workspace: Workspace
    params: dict[str, str]
    day_semantics: str
    base_url: str = ""
    """The server's own URL, for answers that point at a next page (the `Link` header)."""


Answer = Callable[[], "bytes | tuple[bytes, list[tuple[str, str]]]"]
"""Builds the 200 body (and any headers of its own); called after validation and latency."""


# Bodies that parse as JSON but are not what the endpoint promises ("bad_shape" fault).
SERIES_BAD_SHAPES: tuple[Any, ...] = (
    {"message": "success"},
    {"data": {"time": "unexpected"}, "message": "success"},
    {"data": None, "message": "success"},
    {"data": "[]", "message": "success"},
)


@dataclass(frozen=True)
class Route:
    permission: str
    pool: str
    prepare: Callable[[RouteRequest], Answer]
    """Validate the query (raise BadRequest for Braze's 400) and return how to answer it."""
    bad_shapes: tuple[Any, ...] = SERIES_BAD_SHAPES


def json_body(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def bad_shape_body(route: Route, request_key: str, attempt: int) -> bytes:
    shapes = route.bad_shapes
    return json_body(shapes[digest("shape", request_key, attempt) % len(shapes)])
