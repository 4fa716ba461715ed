"""A spent or slow rate-limit pool holds only its own requests (issue 22, item 1).

The real CLI against the simulator on 127.0.0.1, whose small pool (the purchase series') is
spent or slow: every session series (the default pool) is read whole; the purchase partitions
the pool could not admit keep their bookmarks, are named in one closing line, and go first in
the next run, so that run after run every partition is read however small the pool.
Expected records come from the oracle (oracle_workspace_sim.py), never from the tap.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, RateLimit, Workspace, build_workspace
from braze_simulator.workspace_series import apps, products
from conftest import SIM_TODAY, TapRun, canonical, run_tap, tap_log_lines, workspace_config
from oracle_workspace import partitions
from oracle_workspace_sim import expected_workspace_records
from workspace_pending import PENDING, catalog

pytestmark = PENDING

SESSIONS = {"session_analytics", "session_hourly_analytics"}
PURCHASES = {"purchase_analytics", "purchase_hourly_analytics"}
SMALL_POOL = "events"  # the simulator's name of Braze's 1,000-an-hour pool
PURCHASE_PATHS = ("/purchases/quantity_series", "/purchases/revenue_series")
LINE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) \|.*$", re.MULTILINE)


@pytest.fixture
def ws() -> Workspace:
    return build_workspace(3, 2, today=SIM_TODAY, seed=7)


def config_for(sim: BrazeSimulator, ws: Workspace, n: int = 2, **overrides: Any) -> dict:
    return workspace_config(
        sim,
        app_ids=[a.app_id for a in apps(ws)][:n],
        products=[p.name for p in products(ws)][:n],
        **overrides,
    )


def key(partition: dict[str, str]) -> tuple[str, str]:
    return partition["product"], partition["app_id"]


def entries(run: TapRun, stream: str) -> dict[tuple[str, str], dict]:
    state = run.final_state["bookmarks"].get(stream, {})
    return {key(p["context"]): p for p in state.get("partitions", [])}


def purchase_requests(sim: BrazeSimulator, start: int = 0) -> list[tuple[str, tuple, int]]:
    """(stream, partition, status) of each purchase request from ``start`` of the log on."""
    out = []
    for entry in sim.requests_log[start:]:
        if entry["path"] in PURCHASE_PATHS:
            params = entry["params"]
            stream = (
                "purchase_hourly_analytics" if params["unit"] == "hour" else "purchase_analytics"
            )
            out.append(
                (stream, (params.get("product", "*"), params.get("app_id", "*")), entry["status"])
            )
    return out


def read_whole(sim: BrazeSimulator, start: int = 0) -> set[tuple[str, tuple]]:
    """The purchase partitions whose every request was answered 200 (the simulator's view)."""
    asked: dict[tuple[str, tuple], set[int]] = {}
    for stream, partition, status in purchase_requests(sim, start):
        asked.setdefault((stream, partition), set()).add(status)
    return {part for part, statuses in asked.items() if statuses == {200}}


def closing_lines(run: TapRun) -> list[str]:
    return [
        line.message
        for line in tap_log_lines(run.stderr, "WARNING")
        if line.message.startswith("Deferred to the next run")
    ]


def test_a_spent_small_pool_defers_its_partitions_and_every_session_series_is_read(
    ws: Workspace, tmp_path: Path
) -> None:
    # Three purchase requests an hour: one partition's two, and one more.
    spent = RateLimit(limit=3, period_seconds=3600)
    with BrazeSimulator(ws, events_rate_limit=spent) as sim:
        config = config_for(sim, ws, max_rate_limit_wait=5)
        before = {
            stream: [
                {"context": p, "replication_key": "time", "replication_key_value": "2026-03-29"}
                for p in partitions(stream, config)
            ]
            for stream in PURCHASES
        }
        state = {"bookmarks": {s: {"partitions": p} for s, p in before.items()}}
        run = run_tap(config, tmp_path, state=state, catalog=catalog(config, SESSIONS | PURCHASES))
        read = read_whole(sim)
        reset = spent.peek()[1]
        expected = expected_workspace_records(sim, config, SESSIONS)
        sim.pools[SMALL_POOL] = RateLimit(10**6, 3600)  # for the oracle's own requests
        expected.update(expected_workspace_records(sim, config, PURCHASES))

    assert run.returncode == 0
    assert "Traceback" not in run.stderr
    assert not tap_log_lines(run.stderr, "ERROR")
    # The default pool's series are read whole, whatever the small pool does.
    for stream in SESSIONS:
        assert canonical(run.records.get(stream, [])) == canonical(expected[stream])
        assert len(run.bookmarks(stream)) == len(partitions(stream, config))
    # A partition advanced only if the pool admitted all it asked, and then all its records
    # are out; every other one kept its bookmark, marked as deferred.
    deferred: dict[str, list] = {}
    for stream in PURCHASES:
        for part, entry in entries(run, stream).items():
            if entry["replication_key_value"] != "2026-03-29":
                assert (stream, part) in read
                assert "deferred_since" not in entry
                assert canonical(
                    [r for r in run.records.get(stream, []) if key(r) == part]
                ) == canonical([r for r in expected[stream] if key(r) == part])
            else:
                assert entry["deferred_since"]
                deferred.setdefault(stream, []).append(part)
    total = sum(len(partitions(s, config)) for s in PURCHASES)
    count = sum(map(len, deferred.values()))
    assert 0 < count < total  # the pool's three requests: at most one whole partition
    # One closing line: how many, which streams, when the pool resets.
    (line,) = closing_lines(run)
    assert f"{count} partitions of " in line
    for stream, parts in deferred.items():
        assert f"{stream} ({len(parts)})" in line
    named = re.search(r"resets at (\S+ \S+) UTC", line)
    assert named is not None
    at = dt.datetime.strptime(named[1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.timezone.utc)
    assert 0 <= at.timestamp() - reset <= 3, (at, reset)
    assert "go first in the next run" in line
    assert run.messages[-1]["type"] == "STATE"


def test_deferred_partitions_go_first_next_run_and_none_starves(
    ws: Workspace, tmp_path: Path
) -> None:
    # Each run gets a pool of four requests (two partitions); the config asks eight.
    with BrazeSimulator(ws, events_rate_limit=RateLimit(4, 3600)) as sim:
        config = config_for(sim, ws, n=1, max_rate_limit_wait=5, max_parallel_requests=1)
        every = {(s, key(p)) for s in PURCHASES for p in partitions(s, config)}
        chosen = catalog(config, SESSIONS | PURCHASES)
        state: dict = {}
        read_in: list[set] = []
        for number in range(8):
            sim.pools[SMALL_POOL] = RateLimit(4, 3600)
            start = len(sim.requests_log)
            run = run_tap(config, tmp_path / str(number), state=state, catalog=chosen)
            requested = purchase_requests(sim, start)
            marks = {
                (stream, part): entry["deferred_since"]
                for stream in PURCHASES
                for part, entry in entries_of(state, stream).items()
                if entry.get("deferred_since")
            }
            if marks:
                # What waited longest is asked first (the run's first purchase request).
                first = (requested[0][0], requested[0][1])
                assert marks.get(first) == min(marks.values()), (number, first, marks)
            read_in.append(read_whole(sim, start))
            assert len(read_in[-1]) == 2
            assert len(closing_lines(run)) == (1 if read_in[-1] != every else 0)
            state = run.final_state
            if set().union(*read_in) == every:
                break
    runs = len(read_in)
    print(f"every one of {len(every)} partitions read within {runs} runs of 2")
    # Each run reads the two partitions that waited longest: all eight in four runs.
    assert set().union(*read_in) == every
    assert runs == len(every) // 2


def entries_of(state: dict, stream: str) -> dict[tuple[str, str], dict]:
    parts = state.get("bookmarks", {}).get(stream, {}).get("partitions", [])
    return {key(p["context"]): p for p in parts}


def test_a_slow_small_pool_holds_no_session_request(ws: Workspace, tmp_path: Path) -> None:
    # Two purchase requests per 8 s, within max_rate_limit_wait: the purchases wait, the
    # session series (another pool) must not wait with them.
    with BrazeSimulator(ws, events_rate_limit=RateLimit(2, 8)) as sim:
        config = config_for(sim, ws, n=1, max_rate_limit_wait=60)
        run = run_tap(config, tmp_path, catalog=catalog(config, SESSIONS | PURCHASES))
        expected = expected_workspace_records(sim, config, SESSIONS)
        read = read_whole(sim)

    assert run.returncode == 0
    for stream in SESSIONS:
        assert canonical(run.records.get(stream, [])) == canonical(expected[stream])
    assert len(read) == sum(len(partitions(s, config)) for s in PURCHASES)
    assert not closing_lines(run)
    times = {
        match[0]: dt.datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f")
        for match in ((m.group(0), m.group(1)) for m in LINE_TIME.finditer(run.stderr))
    }
    waits = [
        (at, float(re.search(r"waiting ([\d.]+) s", line)[1]))  # type: ignore[index]
        for line, at in times.items()
        if "events_products rate budget nearly spent" in line
    ]
    assert waits, "the small pool never waited: the test proves nothing"
    first_wait_at, first_wait = waits[0]
    done = [
        at for line, at in times.items() if "/sessions/data_series" in line and ", done" in line
    ]
    assert len(done) == 2  # the daily and the hourly series
    # Both session series were written before the small pool's first wait was over.
    assert max(done) < first_wait_at + dt.timedelta(seconds=first_wait), (done, waits)


def test_a_partition_deferred_for_more_than_a_day_fails_the_run_after_all_else(
    ws: Workspace, tmp_path: Path
) -> None:
    # The state says the purchase partitions have waited for the pool since two days ago.
    since = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=2)).isoformat()
    with BrazeSimulator(ws, events_rate_limit=RateLimit(1, 3600)) as sim:
        config = config_for(sim, ws, n=1, max_rate_limit_wait=5)
        state = {
            "bookmarks": {
                stream: {
                    "partitions": [
                        {"context": p, "deferred_since": since} for p in partitions(stream, config)
                    ]
                }
                for stream in PURCHASES
            }
        }
        run = run_tap(
            config,
            tmp_path,
            state=state,
            catalog=catalog(config, SESSIONS | PURCHASES),
            check=False,
        )
        expected = expected_workspace_records(sim, config, SESSIONS)

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    (error,) = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    assert "have waited for Braze's 'events_products' rate limit since " + since in error
    assert "more than 24 h" in error
    assert len(closing_lines(run)) == 1  # said first, then the error
    # Everything else was read and written, and the STATE keeps the first marks.
    for stream in SESSIONS:
        assert canonical(run.records.get(stream, [])) == canonical(expected[stream])
    assert run.messages[-1]["type"] == "STATE"
    for stream in PURCHASES:
        marks = {e.get("deferred_since") for e in entries(run, stream).values()}
        assert since in marks


def test_a_listing_whose_pool_is_spent_waits_for_the_next_run_and_the_rest_is_read(
    ws: Workspace, tmp_path: Path
) -> None:
    # all_products lists the products through the small pool, spent before the first request.
    with BrazeSimulator(ws, events_rate_limit=RateLimit(0, 3600)) as sim:
        config = config_for(sim, ws, n=1, all_products=True, max_rate_limit_wait=5)
        run = run_tap(config, tmp_path, catalog=catalog(config, SESSIONS | PURCHASES))
        # The sessions do not depend on the products (the oracle would list them).
        expected = expected_workspace_records(sim, {**config, "all_products": False}, SESSIONS)

    assert run.returncode == 0
    assert not tap_log_lines(run.stderr, "ERROR")
    for stream in SESSIONS:
        assert canonical(run.records.get(stream, [])) == canonical(expected[stream])
    (line,) = closing_lines(run)
    assert "the products listing (and what it discovers), " in line
    assert "Braze's 'events_products' rate limit resets at " in line
