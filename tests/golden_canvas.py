"""The Canvas golden case, and a tiny Braze that serves it exactly as checked in.

tests/golden/canvas/ holds
  canvas_case.json                   range, Canvas ids, and which step ids are deleted steps
  braze/list.json                    the /canvas/list body (one page)
  braze/details/<canvas_id>.json     the /canvas/details body
  braze/series/<canvas_id>.json      ``{"name", "stats"}``: every day object Braze holds for the
                                     Canvas, with all three breakdowns
  expected/<stream>.jsonl            the records of the eight Canvas streams (hand-written)

The server answers /canvas/list, /canvas/details and /canvas/data_series like Braze: bearer key
(401 otherwise), rate-limit headers of the default pool, ``ending_at`` required, ``length``
1..14 or ``starting_at`` no more than 14 days back (400 with Braze's message otherwise). A
series answer holds the held day objects inside the requested range under one of the two
readings of the ``ending_at`` day (golden_braze.requested_days); ``variant_stats`` only with
``include_variant_breakdown``, ``step_stats`` only with ``include_step_breakdown``, and the
stats of deleted steps (step ids /canvas/details does not list) only with
``include_deleted_step_data`` as well. Any other path is a 404.

Nothing here imports the tap: the expected records are data, not computed.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import serve_on_loopback
from golden_braze import (
    GOLDEN_KEY,
    READINGS,
    BadRequest,
    checked_answer,
    handler_for,
    rate_limit_headers,
    requested_days,
)
from golden_case import GOLDEN_DIR, day_of

CASE_DIR = GOLDEN_DIR / "canvas"
CATALOG_STREAMS = ("canvases", "canvas_details", "canvas_variants", "canvas_steps")
ANALYTICS_STREAMS = (
    "canvas_analytics",
    "canvas_variant_analytics",
    "canvas_step_analytics",
    "canvas_step_message_analytics",
)
CANVAS_STREAMS = (*CATALOG_STREAMS, *ANALYTICS_STREAMS)
LIST_PATH = "/canvas/list"
DETAILS_PATH = "/canvas/details"
SERIES_PATH = "/canvas/data_series"
MAX_SERIES_DAYS = 14
FLAGS = ("include_variant_breakdown", "include_step_breakdown", "include_deleted_step_data")
# Braze's default rate-limit pool (shared by every Canvas endpoint): requests per hour.
DEFAULT_POOL_LIMIT = 250_000
LENGTH_MESSAGE = f"length must be an integer between 1 and {MAX_SERIES_DAYS}"
SPAN_MESSAGE = f"The time between starting_at and ending_at must be {MAX_SERIES_DAYS} days or less"
UNKNOWN_CANVAS = "canvas_id must be a string of the canvas api identifier"


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@dataclass(frozen=True)
class CanvasCase:
    start_date: dt.date
    end_date: dt.date
    canvas_ids: list[str]
    deleted_steps: dict[str, list[str]]
    list_body: dict[str, Any]
    details: dict[str, dict[str, Any]]
    series: dict[str, dict[str, Any]]
    expected: dict[str, list[dict[str, Any]]]

    def config(self, api_url: str, api_key: str = GOLDEN_KEY, **overrides: Any) -> dict[str, Any]:
        """The config of a user who reads the case's Canvases over its range (nothing else)."""
        config: dict[str, Any] = {
            "api_key": api_key,
            "api_url": api_url,
            "canvas_ids": self.canvas_ids,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "retry_initial_wait": 0.05,
            "request_timeout": 5,
        }
        config.update(overrides)
        return config

    def expected_between(self, first: dt.date, last: dt.date) -> dict[str, list[dict[str, Any]]]:
        """The golden analytics records of the days in ``[first, last]``."""
        return {
            stream: [
                r
                for r in self.expected[stream]
                if first <= dt.date.fromisoformat(r["time"]) <= last
            ]
            for stream in ANALYTICS_STREAMS
        }

    def live_step_ids(self, canvas_id: str) -> set[str]:
        """The step ids /canvas/details lists for the Canvas (a deleted step is not listed)."""
        return {step["id"] for step in self.details[canvas_id].get("steps") or []}


def load_canvas_case() -> CanvasCase:
    spec = _read_json(CASE_DIR / "canvas_case.json")
    braze = CASE_DIR / "braze"
    ids = spec["canvas_ids"]
    return CanvasCase(
        start_date=dt.date.fromisoformat(spec["start_date"]),
        end_date=dt.date.fromisoformat(spec["end_date"]),
        canvas_ids=ids,
        deleted_steps=spec["deleted_steps"],
        list_body=_read_json(braze / "list.json"),
        details={cid: _read_json(braze / "details" / f"{cid}.json") for cid in ids},
        series={cid: _read_json(braze / "series" / f"{cid}.json") for cid in ids},
        expected={s: _read_jsonl(CASE_DIR / "expected" / f"{s}.jsonl") for s in CANVAS_STREAMS},
    )


def _flag(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise BadRequest(f"{name} must be a boolean")
    return value == "true"


def _utc_day(raw: str, name: str) -> dt.date:
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"{name} must be an ISO 8601 datetime, got {raw!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).date()


def series_range(params: dict[str, str], reading: str) -> tuple[dt.date, dt.date]:
    """First and last day a /canvas/data_series query covers under ``reading``."""
    ending_at = params.get("ending_at")
    if not ending_at:
        raise BadRequest("ending_at is required")
    end_day = _utc_day(ending_at, "ending_at")
    raw_length, raw_start = params.get("length"), params.get("starting_at")
    if raw_length:
        if not raw_length.isdigit() or not 1 <= int(raw_length) <= MAX_SERIES_DAYS:
            raise BadRequest(LENGTH_MESSAGE)
        return requested_days(int(raw_length), ending_at, reading)
    if not raw_start:
        raise BadRequest("Either length or starting_at is required")
    first = _utc_day(raw_start, "starting_at")
    last = end_day if reading == "inclusive" else end_day - dt.timedelta(days=1)
    if first > end_day:
        raise BadRequest("starting_at must be before ending_at")
    if (last - first).days + 1 > MAX_SERIES_DAYS:
        raise BadRequest(SPAN_MESSAGE)
    return first, last


def shaped_day(day: dict[str, Any], flags: set[str], live_steps: set[str]) -> dict[str, Any]:
    """A held day as a request with ``flags`` sees it."""
    out = {k: v for k, v in day.items() if k not in ("variant_stats", "step_stats")}
    if "include_variant_breakdown" in flags and "variant_stats" in day:
        out["variant_stats"] = day["variant_stats"]
    if "include_step_breakdown" in flags and "step_stats" in day:
        steps = day["step_stats"]
        if "include_deleted_step_data" not in flags:
            steps = {sid: s for sid, s in steps.items() if sid in live_steps}
        out["step_stats"] = steps
    return out


@dataclass
class GoldenCanvasBraze:
    """What the server holds and saw; ``requests`` lists (path, params) in arrival order."""

    case: CanvasCase
    reading: str = "inclusive"
    api_key: str = GOLDEN_KEY
    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _used: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def series_requests(self) -> list[dict[str, str]]:
        return [params for path, params in self.requests if path == SERIES_PATH]

    def answer(self, path: str, query: str, authorization: str | None) -> tuple[int, dict, dict]:
        """(status, body, headers) for one GET."""
        if path not in (LIST_PATH, DETAILS_PATH, SERIES_PATH):
            return 404, {"message": "Not Found"}, {}
        headers = self._count()
        return checked_answer(self, path, query, authorization, headers)

    def _body(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        if path == LIST_PATH:
            page = params.get("page", "0")
            if not page.isdigit():
                raise BadRequest("page must be a non-negative integer")
            return self.case.list_body if page == "0" else {"canvases": [], "message": "success"}
        canvas_id = params.get("canvas_id", "")
        if canvas_id not in self.case.details:
            raise BadRequest(UNKNOWN_CANVAS)
        if path == DETAILS_PATH:
            return self.case.details[canvas_id]
        first, last = series_range(params, self.reading)
        flags = {name for name in FLAGS if _flag(params, name)}
        held = self.case.series[canvas_id]
        live = self.case.live_step_ids(canvas_id)
        days = [shaped_day(d, flags, live) for d in held["stats"] if first <= day_of(d) <= last]
        return {"data": {"name": held["name"], "stats": days}, "message": "success"}

    def _count(self) -> dict[str, str]:
        with self._lock:
            self._used += 1
            used = self._used
        return rate_limit_headers(DEFAULT_POOL_LIMIT, used, 3600)


@contextmanager
def serve_golden_canvas(
    case: CanvasCase, reading: str = "inclusive"
) -> Iterator[GoldenCanvasBraze]:
    """Serve ``case`` on 127.0.0.1 for the duration of the block."""
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {READINGS}")
    braze = GoldenCanvasBraze(case, reading)
    with serve_on_loopback(handler_for(braze)) as url:
        braze.url = url
        yield braze
