"""A tiny Braze that serves a golden case's day objects, exactly as checked in.

It answers GET /sends/data_series and GET /campaigns/data_series like Braze: bearer key (401
otherwise), ``length`` 1..100 and an optional ISO-8601 ``ending_at`` (400 otherwise), rate-limit
headers on every answer, and ``{"data": [...], "message": "success"}`` with the held day objects
inside the requested range, in the order they are held (repeats included). Which days a range
holds follows one of the two readings Braze leaves open: ``inclusive`` ``[E-L+1, E]`` or
``exclusive`` ``[E-L, E-1]``.

Deliberately independent of both the tap and the project's simulator.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from conftest import QuietHandler, serve_on_loopback
from golden_case import GoldenCase, day_of

GOLDEN_KEY = "golden-secret-key"
READINGS = ("inclusive", "exclusive")
SENDS_PATH = "/sends/data_series"
CAMPAIGNS_PATH = "/campaigns/data_series"
# Braze's documented budgets: (requests, seconds) of the default pool and of campaign analytics.
RATE_LIMITS = {SENDS_PATH: (250_000, 3600), CAMPAIGNS_PATH: (50_000, 60)}


class BadRequest(ValueError):
    """A query Braze answers with 400; the message is the body's."""


def requested_days(length: int, ending_at: str, reading: str) -> tuple[dt.date, dt.date]:
    """First and last day a query covers under ``reading``."""
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {READINGS}")
    end = dt.datetime.fromisoformat(ending_at.replace("Z", "+00:00"))
    if end.tzinfo is None:
        end = end.replace(tzinfo=dt.timezone.utc)
    end_day = end.astimezone(dt.timezone.utc).date()
    if reading == "inclusive":
        return end_day - dt.timedelta(days=length - 1), end_day
    return end_day - dt.timedelta(days=length), end_day - dt.timedelta(days=1)


def _length(params: dict[str, str]) -> int:
    raw = params.get("length", "")
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise BadRequest("length must be an integer between 1 and 100")
    return int(raw)


def _ending_at(params: dict[str, str]) -> str:
    raw = params.get("ending_at")
    if raw is None:
        return dt.datetime.now(dt.timezone.utc).isoformat()
    try:
        dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"ending_at must be an ISO 8601 datetime, got {raw!r}") from exc
    return raw


@dataclass
class GoldenBraze:
    """What the server holds and saw; ``requests`` lists (path, params) in arrival order."""

    case: GoldenCase
    reading: str = "inclusive"
    api_key: str = GOLDEN_KEY
    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _counts: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def held_days(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        campaign_id = params.get("campaign_id", "")
        if path == SENDS_PATH:
            days = self.case.send_days.get((campaign_id, params.get("send_id", "")))
            if days is None:
                raise BadRequest("send_id must be a string of the send api identifier")
            return days
        days = self.case.campaign_days.get(campaign_id)
        if days is None:
            raise BadRequest("campaign_id must be a string of the campaign api identifier")
        return days

    def answer(self, path: str, query: str, authorization: str | None) -> tuple[int, dict, dict]:
        """(status, body, headers) for one GET."""
        if path == "/campaigns/list":
            # The golden cases hold series only: an empty catalogue (names are tested by the
            # simulator's catalogue tests).
            return 200, {"campaigns": [], "message": "success"}, {}
        if path not in RATE_LIMITS:
            return 404, {"message": "Not Found"}, {}
        headers = self._count(path)
        if authorization != f"Bearer {self.api_key}":
            return 401, {"message": "Invalid API key"}, headers
        params = dict(parse_qsl(query, keep_blank_values=True))
        with self._lock:
            self.requests.append((path, params))
        try:
            first, last = requested_days(_length(params), _ending_at(params), self.reading)
            days = [d for d in self.held_days(path, params) if first <= day_of(d) <= last]
        except BadRequest as exc:
            return 400, {"message": str(exc)}, headers
        return 200, {"data": days, "message": "success"}, headers

    def _count(self, path: str) -> dict[str, str]:
        limit, period = RATE_LIMITS[path]
        with self._lock:
            self._counts[path] += 1
            used = self._counts[path]
        return rate_limit_headers(limit, used, period)


def checked_answer(
    braze: Any,
    path: str,
    query: str,
    authorization: str | None,
    headers: dict[str, str],
) -> tuple[int, dict, dict]:
    """A golden server's answer once the path is known: 401 for another key, else the request
    is logged in ``braze.requests`` and ``braze._body(path, params)`` answers it (a
    BadRequest is a 400)."""
    if authorization != f"Bearer {braze.api_key}":
        return 401, {"message": "Invalid API key"}, headers
    params = dict(parse_qsl(query, keep_blank_values=True))
    with braze._lock:
        braze.requests.append((path, params))
    try:
        return 200, braze._body(path, params), headers
    except BadRequest as exc:
        return 400, {"message": str(exc)}, headers


def rate_limit_headers(limit: int, used: int, period: int) -> dict[str, str]:
    """Braze's three rate-limit headers for a fixed window of ``period`` seconds."""
    reset = (int(time.time()) // period + 1) * period
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(limit - used, 0)),
        "X-RateLimit-Reset": str(reset),
    }


def handler_for(braze: Any) -> type[QuietHandler]:
    """A request handler that asks ``braze.answer(path, query, authorization)`` for
    (status, body, headers) and writes it as JSON."""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            status, body, headers = braze.answer(
                url.path, url.query, self.headers.get("Authorization")
            )
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

    return Handler


@contextmanager
def serve_golden(case: GoldenCase, reading: str = "inclusive") -> Iterator[GoldenBraze]:
    """Serve ``case`` on 127.0.0.1 for the duration of the block."""
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {READINGS}")
    braze = GoldenBraze(case, reading)
    with serve_on_loopback(handler_for(braze)) as url:
        braze.url = url
        yield braze
