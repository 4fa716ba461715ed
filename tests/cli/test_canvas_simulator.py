"""Canvas runs of the real CLI against the Braze simulator: kill and resume, faults, the cost
of a backfill, restated days, and the joins between analytics and Canvas details.

Expected values come from the simulator's own Canvases (canvas_data, canvas_stats) mapped by
the rule the issue states, or from a clean run of the same config; never from the tap's code.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import DEFAULT_KEY, BrazeSimulator, FaultPlan, Workspace, build_workspace
from braze_simulator.canvas_data import find_canvas
from braze_simulator.canvas_routes import CANVAS_ROUTES
from braze_simulator.canvas_stats import Breakdown, canvas_series
from catalogs import catalog_selecting
from conftest import SIM_TODAY, TapRun, canonical, run_tap
from test_crash_safety import (
    after_first_state,
    last_state,
    mid_records,
    partition_done,
    run_and_kill,
)

from tap_braze_sends.braze.catalog import CANVASES, list_entries
from tap_braze_sends.braze.endpoints import canvas_days

ANALYTICS_STREAMS = (
    "canvas_analytics",
    "canvas_variant_analytics",
    "canvas_step_analytics",
    "canvas_step_message_analytics",
)
CATALOG_STREAMS = ("canvases", "canvas_details", "canvas_variants", "canvas_steps")
SERIES_PATH = "/canvas/data_series"
FLAGS = ("include_variant_breakdown", "include_step_breakdown", "include_deleted_step_data")
DAY = dt.timedelta(days=1)
ONBOARDING = "canvas-0001"  # live, every step type, a step deleted three days before today
RECEIPTS = "canvas-0005"
FAULT_KINDS = ("500", "503", "reset", "truncated", "bad_shape", "429")


def canvas_config(sim: BrazeSimulator, canvas_ids: list[str], **overrides: Any) -> dict[str, Any]:
    """A user who reads only Canvases: no sends, no campaigns."""
    config: dict[str, Any] = {
        "api_key": DEFAULT_KEY,
        "api_url": sim.url,
        "canvas_ids": canvas_ids,
        "start_date": (SIM_TODAY - DAY * 20).isoformat(),
        "end_date": SIM_TODAY.isoformat(),
        "retry_initial_wait": 0.05,
        "request_timeout": 5,
    }
    config.update(overrides)
    return config


def canonical_records(records: dict[str, list[dict]]) -> dict[str, list[str]]:
    return {stream: canonical(rows) for stream, rows in records.items() if rows}


def total_records(ws: Workspace, canvas_id: str, first: dt.date, last: dt.date) -> list[dict]:
    """canvas_analytics as the issue maps it: ids, the day, total_stats in their columns (the
    simulator sends only documented metrics, so no extras)."""
    canvas = find_canvas(ws, canvas_id)
    assert canvas is not None
    return [
        {"canvas_id": canvas_id, "time": day["time"], **day["total_stats"], "extra_metrics": None}
        for day in canvas_series(ws, canvas, first, last, Breakdown())
    ]


# --- kill and resume ---------------------------------------------------------------------------


@pytest.mark.slow
def test_a_killed_canvas_run_resumed_from_its_last_state_loses_no_day(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    ws = build_workspace(0, 0, today=SIM_TODAY, seed=7, n_canvases=8)
    ids = [f"canvas-{i:04d}" for i in range(1, 9)]
    # The last Canvas answers slowly, so the tap is still at work at every kill point.
    slow_tail = FaultPlan(first_n=1_000, kinds=("slow",), only_ids=(ids[-1],), slow_seconds=0.3)
    sim = make_simulator(ws, latency_ms=10, faults=slow_tail)
    config = canvas_config(
        sim,
        ids,
        start_date=(SIM_TODAY - DAY * 44).isoformat(),
        window_days=14,
        lookback_days=0,
        max_parallel_requests=1,
    )
    clean = run_tap(config, tmp_path / "clean")
    assert set(clean.records) == set(ANALYTICS_STREAMS)
    clean_records = sum(len(r) for r in clean.records.values())
    kill_points = [
        ("after the first STATE", after_first_state),
        ("mid-records", mid_records(clean_records // 3)),
        ("near the end", partition_done("canvas_analytics", {"canvas_id": ids[-2]})),
    ]
    state: dict[str, Any] | None = None
    written: list[dict[str, Any]] = []
    for name, stop_when in kill_points:
        messages, returncode = run_and_kill(config, state, tmp_path / name, stop_when)
        assert returncode == -signal.SIGKILL, f"{name}: the run ended before the kill"
        written += messages
        state = last_state(messages)
    final = run_tap(config, tmp_path / "resumed", state=state)
    written += final.messages
    assert final.records.get("canvas_analytics")  # the resumed run had work left

    union: dict[str, list[dict]] = {stream: [] for stream in ANALYTICS_STREAMS}
    for message in written:
        if message["type"] == "RECORD":
            union[message["stream"]].append(message["record"])
    for stream in ANALYTICS_STREAMS:
        assert set(canonical(union[stream])) == set(canonical(clean.records[stream])), stream
    days = {(r["canvas_id"], r["time"]) for r in union["canvas_analytics"]}
    assert days == {(r["canvas_id"], r["time"]) for r in clean.records["canvas_analytics"]}
    assert final.final_state == clean.final_state


# --- faults ------------------------------------------------------------------------------------

_CLEAN: dict[str, tuple[TapRun, Counter]] = {}


def _fault_run(tmp_path: Path, faults: FaultPlan | None, parallel: int) -> tuple[TapRun, dict]:
    # Two Canvases listed (the second archived), both detailed, the live one's series read:
    # every kind of Canvas request, few enough that waiting out 429s stays quick.
    ws = build_workspace(0, 0, today=SIM_TODAY, seed=7, n_canvases=2)
    with BrazeSimulator(ws, faults=faults) as sim:
        config = canvas_config(sim, [ONBOARDING], max_parallel_requests=parallel)
        run = run_tap(config, tmp_path, catalog=catalog_selecting(config), check=False)
        return run, sim.stats()


@pytest.fixture
def clean_canvas_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[TapRun, dict]:
    if "run" not in _CLEAN:
        _CLEAN["run"] = _fault_run(tmp_path_factory.mktemp("clean"), None, 1)
    return _CLEAN["run"]


@pytest.mark.parametrize("parallel", [1, 4])
@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_on_canvas_requests_gives_the_clean_records_and_state(
    kind: str, parallel: int, clean_canvas_run: tuple[TapRun, dict], tmp_path: Path
) -> None:
    clean, clean_stats = clean_canvas_run
    assert set(clean.records) == {*CATALOG_STREAMS, *ANALYTICS_STREAMS}
    assert clean_stats["by_status"] == {200: clean_stats["requests"]}
    # Every Canvas request (list, details, series) fails twice (a 429: once, each costs a wait
    # for the budget's reset), then succeeds.
    failures = 1 if kind == "429" else 2
    plan = FaultPlan(first_n=failures, kinds=(kind,))
    run, stats = _fault_run(tmp_path, plan, parallel)
    assert run.returncode == 0, run.stderr[-3000:]
    assert canonical_records(run.records) == canonical_records(clean.records)
    assert run.final_state == clean.final_state
    assert stats["faults"] == {kind: failures * clean_stats["requests"]}
    assert stats["requests"] == (1 + failures) * clean_stats["requests"]
    assert set(stats["by_path"]) == {"/canvas/list", "/canvas/details", SERIES_PATH}


# --- the cost of a backfill --------------------------------------------------------------------


def test_a_100_day_backfill_of_50_canvases_costs_ceil_100_over_14_requests_each(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    ws = build_workspace(0, 0, today=SIM_TODAY, seed=7, n_canvases=50)
    sim = make_simulator(ws)
    ids = [f"canvas-{i:04d}" for i in range(1, 51)]
    config = canvas_config(sim, ids, start_date=(SIM_TODAY - DAY * 99).isoformat())
    run = run_tap(config, tmp_path)  # window_days default; the four analytics streams default on

    assert set(run.records) == set(ANALYTICS_STREAMS)
    stats = sim.stats()
    per_canvas = Counter(r["params"]["canvas_id"] for r in sim.requests_log)
    records = sum(len(rows) for rows in run.records.values())
    print(
        f"100-day backfill of 50 Canvases: {stats['by_path']}, per Canvas "
        f"{sorted(set(per_canvas.values()))}, {records} records"
    )
    assert set(stats["by_path"]) == {SERIES_PATH}
    assert set(per_canvas) == set(ids)
    least = math.ceil(100 / 14)  # 8
    assert all(least <= n <= least + 1 for n in per_canvas.values()), per_canvas
    # Here the guard costs nothing: the 101 days it tiles need ceil(101 / 14) = 8 windows too.
    assert stats["by_path"][SERIES_PATH] == 50 * least
    assert all(int(r["params"]["length"]) <= 14 for r in sim.requests_log)
    assert all(all(r["params"].get(f) == "true" for f in FLAGS) for r in sim.requests_log)
    assert stats["by_status"] == {200: 50 * least}
    for stream in ANALYTICS_STREAMS:
        assert run.bookmarks(stream) == {(c,): SIM_TODAY.isoformat() for c in ids}, stream


# --- restatement -------------------------------------------------------------------------------


@pytest.mark.parametrize("day_semantics", ["inclusive", "exclusive"])
def test_a_second_run_rereads_the_lookback_and_picks_up_restated_numbers(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path, day_semantics: str
) -> None:
    ws = build_workspace(0, 0, today=SIM_TODAY, seed=7, n_canvases=5)
    sim = make_simulator(ws, day_semantics=day_semantics)
    lookback = 10
    ids = [ONBOARDING, RECEIPTS]
    config = canvas_config(sim, ids, window_days=7, lookback_days=lookback)
    first = dt.date.fromisoformat(config["start_date"])
    run1 = run_tap(config, tmp_path / "run1")
    expected1 = [r for c in ids for r in total_records(ws, c, first, SIM_TODAY)]
    assert canonical(run1.records["canvas_analytics"]) == canonical(expected1)

    ws.restate()
    sim.reset_stats()
    run2 = run_tap(config, tmp_path / "run2", state=run1.final_state)
    rerun_from = SIM_TODAY - DAY * lookback
    expected2 = [r for c in ids for r in total_records(ws, c, rerun_from, SIM_TODAY)]
    assert canonical(run2.records["canvas_analytics"]) == canonical(expected2)
    for stream in ANALYTICS_STREAMS:
        assert min(r["time"] for r in run2.records[stream]) == rerun_from.isoformat(), stream
        assert run2.bookmarks(stream) == {(c,): SIM_TODAY.isoformat() for c in ids}, stream
    asked_from = min(
        dt.date.fromisoformat(params["ending_at"][:10]) - DAY * (int(params["length"]) - 1)
        for params in (r["params"] for r in sim.requests_log)
    )
    # The first day asked for under the inclusive reading: rerun_from while guarding against
    # both readings, or the day after once the exclusive reading is known (it serves E - L).
    assert rerun_from <= asked_from <= rerun_from + DAY

    restated_from = SIM_TODAY - DAY * (ws.restate_days - 1)
    before = {(r["canvas_id"], r["time"]): r for r in run1.records["canvas_analytics"]}
    changed = [
        r for r in run2.records["canvas_analytics"] if r != before[(r["canvas_id"], r["time"])]
    ]
    assert changed
    assert all(r["time"] >= restated_from.isoformat() for r in changed)
    assert len(changed) < len(run2.records["canvas_analytics"])  # older days came back unchanged


# --- joins -------------------------------------------------------------------------------------


def test_simulated_analytics_ids_join_details_except_the_deleted_step(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    ws = build_workspace(0, 0, today=SIM_TODAY, seed=7, n_canvases=5)
    sim = make_simulator(ws)
    ids = [f"canvas-{i:04d}" for i in range(1, 6)]
    config = canvas_config(sim, ids, start_date=(SIM_TODAY - DAY * 13).isoformat())
    run = run_tap(config, tmp_path, catalog=catalog_selecting(config))
    deleted = set()
    for canvas_id in ids:
        canvas = find_canvas(ws, canvas_id)
        assert canvas is not None
        deleted |= {(canvas_id, s.step_id) for s in canvas.steps if s.deleted_on is not None}
    assert len(deleted) == 1

    variants = {(r["canvas_id"], r["variant_id"]) for r in run.records["canvas_variants"]}
    steps = {(r["canvas_id"], r["step_id"]) for r in run.records["canvas_steps"]}
    used_variants = {
        (r["canvas_id"], r["variant_id"]) for r in run.records["canvas_variant_analytics"]
    }
    assert used_variants
    assert used_variants <= variants
    for stream in ("canvas_step_analytics", "canvas_step_message_analytics"):
        used = {(r["canvas_id"], r["step_id"]) for r in run.records[stream]}
        assert used - steps == deleted, stream

    # Each message column means one thing: ids (of the step's messages) in variation_api_id,
    # names in variation_name, whichever of them a step's entries carry; positions as the key.
    messages = {
        (canvas_id, step.step_id, m.channel): m
        for canvas_id in ids
        for step in find_canvas(ws, canvas_id).steps
        for m in step.messages
    }
    rows = run.records["canvas_step_message_analytics"]
    by_id = by_name = 0
    for r in rows:
        message = messages[r["canvas_id"], r["step_id"], r["channel"]]
        assert r["message_index"] == 0, r  # one message per channel in a simulated step
        assert r["variation_api_id"] in (None, message.message_id), r
        assert r["variation_name"] in (None, message.name), r
        by_id += r["variation_api_id"] is not None
        by_name += r["variation_name"] is not None
    assert 0 < by_id < len(rows)
    assert 0 < by_name < len(rows)


@pytest.mark.parametrize("path", ["/canvas/list", "/canvas/details", SERIES_PATH])
def test_every_bad_shape_the_simulator_serves_is_one_the_tap_retries(path: str) -> None:
    """The fault matrix above holds only if the tap takes none of these bodies for data."""
    parse: Callable[[Any], object] = {
        "/canvas/list": lambda body: list_entries(body, CANVASES),
        "/canvas/details": lambda body: CANVASES.details_rows(ONBOARDING, body),
        SERIES_PATH: canvas_days,
    }[path]
    for body in CANVAS_ROUTES[path].bad_shapes:
        # Any ValueError from a parse is what the fetch layer retries (fetch.get_json).
        with pytest.raises(ValueError):  # noqa: PT011
            parse(json.loads(json.dumps(body)))
