"""The requests of one window side by side, each retried on its own; one probe per series.

A series may need several requests per window (app_kpis: one per KPI). Every run here is the
real CLI against the simulator on 127.0.0.1, which holds each answer ``LATENCY`` seconds and
logs when each request arrived and when its answer was ready: the tests compare those
intervals (overlap, order), never a run's wall time. The request counts come from that log.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import DEFAULT_KEY, BrazeSimulator, FaultPlan, Workspace, build_workspace
from braze_simulator.workspace_series import apps
from conftest import SIM_TODAY, TapRun, canonical, expected_records, run_tap, workspace_config
from workspace_pending import catalog

LATENCY = 0.3
KPIS = ("dau", "mau", "new_users", "uninstalls")
KPI_PATHS = {f"/kpi/{kpi}/data_series" for kpi in KPIS}
MAU = "/kpi/mau/data_series"
DAY = dt.timedelta(days=1)
Entry = dict[str, Any]
"""One request in the simulator's log: path, params, status, began, ended."""


def overlap(spans: list[Entry]) -> bool:
    """Whether some instant lies inside every one of ``spans`` (all were in flight at once)."""
    return max(s["began"] for s in spans) < min(s["ended"] for s in spans)


def most_in_flight(spans: list[Entry]) -> int:
    """The most requests the server held at any one instant."""
    edges = sorted([(s["began"], 1) for s in spans] + [(s["ended"], -1) for s in spans])
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def kpi_windows(sim: BrazeSimulator) -> dict[tuple[str, str, str], list[Entry]]:
    """The answered KPI requests of each window of each partition, in arrival order."""
    out: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for entry in sorted(sim.requests_log, key=lambda e: e["began"]):
        params = entry["params"]
        if entry["path"] in KPI_PATHS and entry["status"] == 200:
            out[(params.get("app_id", "*"), params["ending_at"], params["length"])].append(entry)
    return dict(out)


def kpi_config(sim: BrazeSimulator, **overrides: Any) -> dict[str, Any]:
    """app_kpis over 15 days in windows of 5: a probe window, then exact windows."""
    return workspace_config(
        sim,
        start_date=(SIM_TODAY - 14 * DAY).isoformat(),
        window_days=5,
        **overrides,
    )


def run_kpis(sim: BrazeSimulator, tmp_path: Path, **overrides: Any) -> TapRun:
    config = kpi_config(sim, **overrides)
    return run_tap(config, tmp_path, catalog=catalog(config, {"app_kpis"}))


@pytest.fixture
def ws() -> Workspace:
    return build_workspace(3, 2, today=SIM_TODAY, seed=7)


def test_the_kpi_requests_of_one_window_are_in_flight_together(
    ws: Workspace, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(ws, latency_ms=LATENCY * 1000)
    # Workers enough for every request of the run (3 windows x 4 KPIs) at once.
    run = run_kpis(sim, tmp_path, max_parallel_requests=16)
    windows = kpi_windows(sim)
    first = min(sim.requests_log, key=lambda e: e["began"])

    assert run.records["app_kpis"]
    assert len(windows) >= 3  # the probe window, then the rest planned exactly
    for window, spans in windows.items():
        assert sorted(s["path"] for s in spans) == sorted(KPI_PATHS), window
        # The run's very first request learns the pool's budget alone (pacing.py); every
        # other request of a window is in flight with the others of that window.
        together = [s for s in spans if s is not first]
        assert overlap(together), (window, spans)
        # So a window takes about one answer's time, not four.
        span = max(s["ended"] for s in together) - min(s["began"] for s in together)
        assert span < 2 * LATENCY, (window, spans)


def test_the_requests_side_by_side_stay_within_max_parallel_requests(
    ws: Workspace, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(ws, latency_ms=LATENCY * 1000)
    run = run_kpis(sim, tmp_path, max_parallel_requests=2)

    assert run.records["app_kpis"]
    assert len(sim.requests_log) >= 12
    assert most_in_flight(sim.requests_log) == 2


def test_a_failing_kpi_request_retries_without_holding_the_others(
    ws: Workspace, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    app = apps(ws)[0].app_id
    # /kpi/mau of each partition's last window fails twice, then answers.
    last = SIM_TODAY.isoformat() + "T23:59:59+00:00"
    plan = FaultPlan(first_n=2, kinds=("503",), only_paths=(MAU,), only_ids=(last,))
    sim = make_simulator(ws, latency_ms=LATENCY * 1000, faults=plan)
    run = run_kpis(sim, tmp_path / "faulty", app_ids=[app], retry_initial_wait=0.5)
    clean = run_kpis(make_simulator(ws), tmp_path / "clean", app_ids=[app])

    failures = [e for e in sim.requests_log if e["status"] == 503]
    assert len(failures) == 4
    assert {(e["path"], e["params"]["ending_at"]) for e in failures} == {(MAU, last)}
    windows = kpi_windows(sim)
    answered_mau = [s for spans in windows.values() for s in spans if s["path"] == MAU]
    recovered = min(s["began"] for s in answered_mau if s["params"]["ending_at"] == last)
    # Every other request of the run, the failing window's other KPIs and the other
    # partition's included, was answered while the two /kpi/mau requests were still failing.
    others = [s for spans in windows.values() for s in spans if s["path"] != MAU]
    assert len(others) == 3 * len(windows)
    assert all(s["ended"] < recovered for s in others)
    # The row waited for all four: the records and the state are the clean run's.
    assert canonical(run.records["app_kpis"]) == canonical(clean.records["app_kpis"])
    assert run.final_state == clean.final_state


# --- requests per partition under both readings of ending_at ---------------------------------


@pytest.mark.parametrize("reading", ["inclusive", "exclusive"])
def test_an_exact_100_day_backfill_costs_a_request_per_campaign_and_one_probe(
    reading: str, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    campaigns = 20
    workspace = build_workspace(0, campaigns, today=SIM_TODAY, seed=4)
    sim = make_simulator(workspace, day_semantics=reading)
    # The backfill starts the day the first campaign went live: the day before it (the edge
    # an exclusive answer would show first) has no data, so its first window proves nothing.
    first_campaign = workspace.campaigns[0]
    start = first_campaign.first_day
    config = {
        "api_key": DEFAULT_KEY,
        "api_url": sim.url,
        "campaign_ids": [c.campaign_id for c in workspace.campaigns],
        "start_date": start.isoformat(),
        "end_date": (start + 99 * DAY).isoformat(),
        "window_days": 100,
        "retry_initial_wait": 0.05,
    }
    run = run_tap(config, tmp_path)

    expected = expected_records(workspace, config)["campaign_analytics"]
    assert canonical(run.records["campaign_analytics"]) == canonical(expected)
    first_id = first_campaign.campaign_id
    first_days = {r["time"][:10] for r in expected if r["campaign_id"] == first_id}
    assert config["end_date"] in first_days  # its last day has data: that edge shows
    per_campaign = Counter(
        e["params"]["campaign_id"]
        for e in sim.requests_log
        if e["path"] == "/campaigns/data_series"
    )
    assert set(per_campaign) == set(config["campaign_ids"])
    # One request per campaign, plus at most the one that learned the reading.
    assert sum(per_campaign.values()) <= campaigns + 1, per_campaign


@pytest.mark.parametrize("reading", ["inclusive", "exclusive"])
def test_an_exact_100_day_backfill_of_kpis_costs_a_window_per_app_and_one_probe(
    reading: str, ws: Workspace, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(ws, day_semantics=reading)
    app_ids = [a.app_id for a in apps(ws)]
    config = workspace_config(
        sim,
        app_ids=app_ids,
        start_date=(SIM_TODAY - 99 * DAY).isoformat(),
        window_days=100,
    )
    run = run_tap(config, tmp_path, catalog=catalog(config, {"app_kpis"}))

    assert {r["app_id"] for r in run.records["app_kpis"]} == {"*", *app_ids}
    windows = Counter(
        (e["params"].get("app_id", "*"), e["path"])
        for e in sim.requests_log
        if e["path"] in KPI_PATHS
    )
    partitions = len(app_ids) + 1  # each app and all apps ('*')
    assert set(windows) == {(p, path) for p in ["*", *app_ids] for path in KPI_PATHS}
    # Per KPI: one window per partition, plus at most one for the partition that probed.
    for path in KPI_PATHS:
        assert sum(n for (_, p), n in windows.items() if p == path) <= partitions + 1, windows
