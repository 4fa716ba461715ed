"""The workspace golden case, and a tiny Braze that serves it exactly as checked in.

tests/golden/workspace/ holds
  workspace_case.json              the day range, the hour range, the config's ids and names
  braze/segments_list.json         the /segments/list body (one page)
  braze/segment_details/<id>.json  the /segments/details body of each configured segment
  braze/events_list.json           the /events/list body; braze/events.json the /events body
  braze/product_list.json          the /purchases/product_list body
  braze/series.json                per endpoint, partition (app_id, segment_id, event, product)
                                   and unit: every row Braze holds
  expected/<stream>.jsonl          the records of the twelve workspace streams (hand-written)

The server answers like Braze: bearer key (401 otherwise), rate-limit headers of the pool each
endpoint draws on, `length` 1..100, `unit` day or hour, `ending_at` (400 otherwise); a series
answer holds the held rows inside the requested days or hours under one of the two readings of
`ending_at`. A partition the case does not hold is a 400 naming it (a test asking for it fails
loudly); the untracked segment's series is Braze's 400. Later pages of a listing are empty.

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
from golden_case import GOLDEN_DIR
from oracle_workspace import WORKSPACE_STREAMS

CASE_DIR = GOLDEN_DIR / "workspace"
PARTITION_PARAMS = ("app_id", "segment_id", "event", "product")
SMALL_POOL = frozenset(
    {
        "/events/list",
        "/events",
        "/purchases/product_list",
        "/purchases/quantity_series",
        "/purchases/revenue_series",
    }
)
LISTINGS = {
    "/segments/list": ("segments_list", "segments"),
    "/events/list": ("events_list", "events"),
    "/events": ("events", "events"),
    "/purchases/product_list": ("product_list", "products"),
}


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def series_key(path: str, params: dict[str, str], unit: str) -> str:
    chosen = {k: params[k] for k in PARTITION_PARAMS if params.get(k)}
    return json.dumps([path, chosen, unit], sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class WorkspaceCase:
    start_date: dt.date
    end_date: dt.date
    first_hour: dt.datetime
    last_hour: dt.datetime
    ids: dict[str, list[str]]
    listings: dict[str, dict[str, Any]]
    segment_details: dict[str, dict[str, Any]]
    series: dict[str, list[dict[str, Any]]]
    expected: dict[str, list[dict[str, Any]]]

    def config(self, api_url: str, api_key: str = GOLDEN_KEY, **overrides: Any) -> dict[str, Any]:
        """The config of a user who reads the case's ids and names over its days."""
        config: dict[str, Any] = {
            "api_key": api_key,
            "api_url": api_url,
            **self.ids,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "retry_initial_wait": 0.05,
            "request_timeout": 5,
        }
        config.update(overrides)
        return config

    def held(self, path: str, params: dict[str, str], unit: str) -> list[dict[str, Any]] | None:
        return self.series.get(series_key(path, params, unit))


def load_workspace_case() -> WorkspaceCase:
    spec = _read_json(CASE_DIR / "workspace_case.json")
    braze = CASE_DIR / "braze"
    series = {
        series_key(e["path"], e["params"], e["unit"]): e["data"]
        for e in _read_json(braze / "series.json")
    }
    return WorkspaceCase(
        start_date=dt.date.fromisoformat(spec["start_date"]),
        end_date=dt.date.fromisoformat(spec["end_date"]),
        first_hour=dt.datetime.fromisoformat(spec["first_hour"]),
        last_hour=dt.datetime.fromisoformat(spec["last_hour"]),
        ids=spec["config"],
        listings={name: _read_json(braze / f"{name}.json") for name, _ in LISTINGS.values()},
        segment_details={
            p.stem: _read_json(p) for p in sorted((braze / "segment_details").glob("*.json"))
        },
        series=series,
        expected={s: _read_jsonl(CASE_DIR / "expected" / f"{s}.jsonl") for s in WORKSPACE_STREAMS},
    )


def _utc(raw: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"ending_at must be an ISO 8601 datetime, got {raw!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def requested_hours(length: int, ending_at: str, reading: str) -> tuple[dt.datetime, dt.datetime]:
    """First and last hour (starts, UTC) a query covers under ``reading``."""
    end = _utc(ending_at).replace(minute=0, second=0, microsecond=0)
    hour = dt.timedelta(hours=1)
    if reading == "inclusive":
        return end - (length - 1) * hour, end
    return end - length * hour, end - hour


def _in_range(row: dict[str, Any], unit: str, params: dict[str, str], reading: str) -> bool:
    raw_length = params.get("length", "")
    if not raw_length.isdigit() or not 1 <= int(raw_length) <= 100:
        raise BadRequest("length must be an integer between 1 and 100")
    ending_at = params.get("ending_at") or dt.datetime.now(dt.timezone.utc).isoformat()
    _utc(ending_at)
    if unit == "day":
        first, last = requested_days(int(raw_length), ending_at, reading)
        return first <= dt.date.fromisoformat(str(row["time"])[:10]) <= last
    first_hour, last_hour = requested_hours(int(raw_length), ending_at, reading)
    return first_hour <= _utc(str(row["time"])) <= last_hour


@dataclass
class GoldenWorkspaceBraze:
    """What the server holds and saw; ``requests`` lists (path, params) in arrival order."""

    case: WorkspaceCase
    reading: str = "inclusive"
    api_key: str = GOLDEN_KEY
    url: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _used: dict[bool, int] = field(default_factory=lambda: {True: 0, False: 0})
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, query: str, authorization: str | None) -> tuple[int, dict, dict]:
        """(status, body, headers) for one GET."""
        known = path in LISTINGS or path == "/segments/details" or path.endswith("_series")
        if not known:
            return 404, {"message": "Not Found"}, {}
        headers = self._count(path in SMALL_POOL)
        return checked_answer(self, path, query, authorization, headers)

    def _body(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        if path in LISTINGS:
            name, key = LISTINGS[path]
            first_page = params.get("page", "0") in ("", "0") and not params.get("cursor")
            return self.case.listings[name] if first_page else {key: [], "message": "success"}
        segment_id = params.get("segment_id")
        listed = {s["id"]: s for s in self.case.listings["segments_list"]["segments"]}
        if (
            segment_id
            and segment_id in listed
            and not listed[segment_id]["analytics_tracking_enabled"]
        ):
            raise BadRequest(f"Segment {segment_id} does not have analytics tracking enabled")
        if path == "/segments/details":
            if segment_id not in self.case.segment_details:
                raise BadRequest("segment_id must be a string of the segment api identifier")
            return self.case.segment_details[segment_id]
        unit = params.get("unit") or "day"
        if unit not in ("day", "hour"):
            raise BadRequest(f"unit must be either 'day' or 'hour', got {unit!r}")
        held = self.case.held(path, params, unit)
        if held is None:
            raise BadRequest(
                f"the golden case holds no {unit} series {series_key(path, params, unit)}"
            )
        return {
            "message": "success",
            "data": [r for r in held if _in_range(r, unit, params, self.reading)],
        }

    def _count(self, small: bool) -> dict[str, str]:
        with self._lock:
            self._used[small] += 1
            used = self._used[small]
        return rate_limit_headers(1_000 if small else 250_000, used, 3600)


@contextmanager
def serve_golden_workspace(
    case: WorkspaceCase, reading: str = "inclusive"
) -> Iterator[GoldenWorkspaceBraze]:
    """Serve ``case`` on 127.0.0.1 for the duration of the block."""
    if reading not in READINGS:
        raise ValueError(f"reading must be one of {READINGS}")
    braze = GoldenWorkspaceBraze(case, reading)
    with serve_on_loopback(handler_for(braze)) as url:
        braze.url = url
        yield braze
