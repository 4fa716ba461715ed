"""Proof that an endpoint is one description: two endpoints that exist only in this test
(tests/described_tap.py: one without partitions whose two requests feed one table's columns,
one partitioned by a config list and fed by a catalogue) are extracted exactly by the full CLI,
against a tiny golden server written here, with state, lookback and faults (429, 500, a
malformed body), under both readings of ``ending_at``; a deselected column costs no request.

The expected records are written from the server's held numbers below, not by the tap.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from conftest import QuietHandler, TapRun, parse_singer, serve_on_loopback
from golden_braze import READINGS, requested_days

KEY = "described-secret-key"
TAP_SCRIPT = Path(__file__).resolve().parent.parent / "described_tap.py"
HELD = [dt.date(2026, 3, 1) + dt.timedelta(days=i) for i in range(10)]
"""The days the server holds data for."""
OFFSET = {"w-1": 100, "w-2": 200, "w-3": 300}
LISTED = [{"id": "w-2", "name": "Two"}, {"id": "w-3", "name": "Three"}]


class Golden:
    """The server's data, its faults to serve first, and the requests it received."""

    def __init__(self, reading: str, faults: dict[str, list[str]] | None = None) -> None:
        self.reading = reading
        self.faults = {path: list(kinds) for path, kinds in (faults or {}).items()}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            self.requests.append((path, params))
            fault = self.faults.get(path, [None]).pop(0) if self.faults.get(path) else None
        if fault == "429":
            return 429, {"Retry-After": "0"}, {"message": "rate limited"}
        if fault == "500":
            return 500, {}, {"message": "oops"}
        if fault == "malformed":
            return 200, {}, {"data": "not a list", "message": "success"}
        if fault == "no_count":  # the test flattener reads raw["count"]: a KeyError, a bug
            return 200, {}, {"data": [{"time": "2026-03-01"}], "message": "success"}
        if path == "/widgets/list":
            return (
                200,
                {},
                {"widgets": LISTED if params["page"] == "0" else [], "message": "success"},
            )
        first, last = requested_days(int(params["length"]), params["ending_at"], self.reading)
        days = [d for d in HELD if first <= d <= last]
        if path == "/totals/a_series":
            data = [{"time": d.isoformat(), "a": d.day * 10} for d in days]
        elif path == "/totals/b_series":
            data = [{"time": d.isoformat(), "b": d.day * 100} for d in days]
        elif path == "/widgets/data_series":
            data = [
                {"time": d.isoformat(), "count": OFFSET[params["widget_id"]] + d.day} for d in days
            ]
        else:
            return 404, {}, {"message": "no such endpoint"}
        return 200, {}, {"data": data, "message": "success"}

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@contextmanager
def golden_server(golden: Golden) -> Iterator[str]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != f"Bearer {KEY}":
                self.reply(401, b'{"message": "invalid key"}')
                return
            url = urlsplit(self.path)
            status, headers, body = golden.answer(url.path, dict(parse_qsl(url.query)))
            payload = json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    with serve_on_loopback(Handler) as url:
        yield url


def run_described(
    config: dict[str, Any],
    tmp_path: Path,
    *,
    state: dict | None = None,
    catalog: dict | None = None,
    extra_args: tuple[str, ...] = (),
    check: bool = True,
) -> TapRun:
    """The test tap's real CLI, as tests/conftest.py's run_tap runs the packaged one."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, str(TAP_SCRIPT), "--config", str(tmp_path / "config.json")]
    (tmp_path / "config.json").write_text(json.dumps(config))
    for name, value in (("state", state), ("catalog", catalog)):
        if value is not None:
            (tmp_path / f"{name}.json").write_text(json.dumps(value))
            args += [f"--{name}", str(tmp_path / f"{name}.json")]
    proc = subprocess.run([*args, *extra_args], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 or not check, proc.stderr[-4000:]
    messages = [] if "--discover" in extra_args else parse_singer(proc.stdout)
    run = TapRun(proc.returncode, proc.stdout, proc.stderr, messages)
    return run


def config_for(url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "api_key": KEY,
        "api_url": url,
        "campaign_ids": ["w-1"],
        "all_campaigns": True,
        "start_date": "2026-03-01",
        "end_date": "2026-03-05",
        "window_days": 3,
        "lookback_days": 1,
        "retry_initial_wait": 0.05,
        "request_timeout": 5,
        **overrides,
    }


def everything_selected(config: dict[str, Any], tmp_path: Path, deselect: tuple = ()) -> dict:
    catalog = json.loads(
        run_described(config, tmp_path / "discover", extra_args=("--discover",)).stdout
    )
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            breadcrumb = tuple(entry["breadcrumb"])
            selected = (stream["tap_stream_id"], *breadcrumb[1:]) not in deselect
            entry["metadata"]["selected"] = selected
    return catalog


def expected(first: dt.date, last: dt.date, columns: tuple[str, ...] = ("a", "b")) -> dict:
    days = [d for d in HELD if first <= d <= last]
    totals = [
        {"time": d.isoformat(), **{c: d.day * (10 if c == "a" else 100) for c in columns}}
        for d in days
    ]
    counts = [
        {"widget_id": w, "time": d.isoformat(), "count": OFFSET[w] + d.day}
        for w in ("w-1", "w-2", "w-3")
        for d in days
    ]
    return {"totals": totals, "widget_counts": counts}


def canonical(records: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in records)


@pytest.mark.parametrize("reading", READINGS)
def test_two_test_endpoints_are_extracted_exactly_with_state_and_lookback(
    reading: str, tmp_path: Path
) -> None:
    golden = Golden(reading)
    with golden_server(golden) as url:
        config = config_for(url)
        catalog = everything_selected(config, tmp_path)
        first = run_described(config, tmp_path / "1", catalog=catalog)
        second = run_described(
            {**config, "end_date": "2026-03-07"},
            tmp_path / "2",
            catalog=catalog,
            state=first.final_state,
        )
    want = expected(dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    for stream, records in want.items():
        assert canonical(first.records[stream]) == canonical(records), stream
    assert canonical(first.records["widgets"]) == canonical(
        [{"widget_id": "w-2", "name": "Two"}, {"widget_id": "w-3", "name": "Three"}]
    )
    # The second run reads from the bookmark (03-05) less lookback_days (1) through 03-07.
    want = expected(dt.date(2026, 3, 4), dt.date(2026, 3, 7))
    for stream, records in want.items():
        assert canonical(second.records[stream]) == canonical(records), stream
    bookmarks = second.final_state["bookmarks"]
    assert [p["replication_key_value"] for p in bookmarks["totals"]["partitions"]] == ["2026-03-07"]
    assert {
        p["context"]["widget_id"]: p["replication_key_value"]
        for p in bookmarks["widget_counts"]["partitions"]
    } == dict.fromkeys(("w-1", "w-2", "w-3"), "2026-03-07")


def test_faults_are_retried_and_records_stay_exact(tmp_path: Path) -> None:
    faults = {
        "/totals/a_series": ["429"],
        "/totals/b_series": ["malformed"],
        "/widgets/data_series": ["500"],
        "/widgets/list": ["500"],
    }
    golden = Golden("inclusive", faults)
    with golden_server(golden) as url:
        config = config_for(url)
        run = run_described(config, tmp_path, catalog=everything_selected(config, tmp_path))
    for stream, records in expected(dt.date(2026, 3, 1), dt.date(2026, 3, 5)).items():
        assert canonical(run.records[stream]) == canonical(records), stream
    assert not any(golden.faults.values()), "every fault was served"
    retries = [line for line in run.stderr.splitlines() if "Retrying" in line]
    assert len(retries) == 3, retries  # the 429 holds its pool; it is no retry line


def test_a_deselected_column_costs_no_request(tmp_path: Path) -> None:
    golden = Golden("inclusive")
    with golden_server(golden) as url:
        config = config_for(url)
        catalog = everything_selected(config, tmp_path, deselect=(("totals", "b"),))
        golden.requests.clear()
        run = run_described(config, tmp_path / "run", catalog=catalog)
    assert "/totals/b_series" not in golden.paths()
    assert golden.paths().count("/totals/a_series") == 2  # 5 days in windows of 3
    want = expected(dt.date(2026, 3, 1), dt.date(2026, 3, 5), columns=("a",))
    assert canonical(run.records["totals"]) == canonical(want["totals"])


def test_dry_run_reads_one_record_of_each_stream(tmp_path: Path) -> None:
    golden = Golden("inclusive")
    with golden_server(golden) as url:
        run = run_described(config_for(url), tmp_path, extra_args=("--test",))
    assert {stream: len(records) for stream, records in run.records.items()} == {
        "widgets": 1,
        "totals": 1,
        "widget_counts": 1,
    }
    # One record each: the dry run stops each series after its first window.
    assert golden.paths().count("/widgets/data_series") == 1


def test_a_flattener_bug_stops_the_run_at_once_naming_partition_and_window(
    tmp_path: Path,
) -> None:
    golden = Golden("inclusive", {"/widgets/data_series": ["no_count"]})
    with golden_server(golden) as url:
        config = config_for(url, all_campaigns=False, max_parallel_requests=1)
        run = run_described(config, tmp_path, check=False)
    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, errors
    assert "Bug in the tap while reading the answer for widget_id='w-1'" in errors[0]
    assert "/widgets/data_series, window 2026-03-01..2026-03-03" in errors[0]
    assert "KeyError" in errors[0]
    assert "Retrying" not in run.stderr
    assert golden.paths().count("/widgets/data_series") == 1
    assert "Traceback" not in run.stderr  # at DEBUG only
