"""The twelve workspace streams through the real CLI against the simulator: exact records under
both readings of `ending_at`, daily and hourly; request costs per partition; permissions; the
"nothing to extract" rule; names that need URL encoding; untracked segments; an event deleted
between listing and series.

Written against issue 15's contract (stream names, settings, columns) before the tap has the
streams: the module skips itself until `tap-braze-sends --discover` lists all twelve. Expected
records come from the independent oracle (oracle_workspace.py, checked against the hand-written
golden case in test_golden_workspace.py), never from the tap.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import DEFAULT_KEY, BrazeSimulator, Workspace, build_workspace
from braze_simulator.workspace_series import apps
from conftest import SIM_TODAY, TapRun, canonical, run_tap, tap_log_lines, workspace_config
from contract import WORKSPACE_STREAM_NAMES, WORKSPACE_STREAMS
from oracle_workspace import ALL, SERIES_STREAMS, partitions
from oracle_workspace_sim import effective_config, expected_workspace_records
from workspace_pending import PENDING, catalog

pytestmark = PENDING

DAILY = {s for s in WORKSPACE_STREAM_NAMES if "hourly" not in s}
HOURLY = {s for s in WORKSPACE_STREAM_NAMES if "hourly" in s}
TODAY = SIM_TODAY.isoformat()  # the simulator's clock: 2026-03-31 12:00 UTC
AWKWARD_EVENTS = ['Rated "5 stars"', "Search & Filter", "checkout/complete", "50% off viewed"]
AWKWARD_PRODUCTS = ["Gift Card €50", "T-Shirt (M/L)", '100% Cotton "Classic"']


@pytest.fixture
def ws() -> Workspace:
    return build_workspace(3, 2, today=SIM_TODAY, seed=7)


def tracked_ids(ws: Workspace) -> list[str]:
    from braze_simulator.workspace_series import segments

    return [s.segment_id for s in segments(ws) if s.analytics_tracking_enabled and not s.archived]


def untracked_id(ws: Workspace) -> str:
    from braze_simulator.workspace_series import segments

    return next(s.segment_id for s in segments(ws) if not s.analytics_tracking_enabled)


def full_config(sim: BrazeSimulator, ws: Workspace, **overrides: Any) -> dict[str, Any]:
    tracked = tracked_ids(ws)
    return workspace_config(
        sim,
        app_ids=[a.app_id for a in apps(ws)][:2],
        segment_ids=tracked[:2],
        breakdown_segment_ids=tracked[:1],
        event_names=AWKWARD_EVENTS[:3],
        products=AWKWARD_PRODUCTS[:2],
        **overrides,
    )


def series_counts(sim: BrazeSimulator, unit: str | None = None) -> Counter[str]:
    """Requests per path (only those of one `unit` when given; day is the default unit)."""
    return Counter(
        e["path"]
        for e in sim.requests_log
        if unit is None or e["params"].get("unit", "day") == unit
    )


def errors(run: TapRun) -> str:
    return "\n".join(line.message for line in tap_log_lines(run.stderr)) + run.stderr


# --- exact records --------------------------------------------------------------------------------


@pytest.mark.parametrize("reading", ["inclusive", "exclusive"])
def test_exact_records_of_all_twelve_streams_daily_and_hourly(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path, reading: str
) -> None:
    sim = make_simulator(ws, day_semantics=reading)
    config = full_config(sim, ws, start_date="2026-03-29", end_date=TODAY)
    expected = expected_workspace_records(sim, config, set(WORKSPACE_STREAM_NAMES))
    sim.reset_stats()
    run = run_tap(config, tmp_path, catalog=catalog(config, set(WORKSPACE_STREAM_NAMES)))
    for stream in sorted(WORKSPACE_STREAM_NAMES):
        assert expected[stream], stream  # the premise: every stream has records here
        assert canonical(run.records.get(stream, [])) == canonical(expected[stream]), stream
    # The key columns of every record are filled (`*` for "all").
    for stream, (keys, _) in WORKSPACE_STREAMS.items():
        assert all(r[k] is not None for r in run.records[stream] for k in keys)


def test_the_all_apps_row_equals_the_sum_of_the_apps(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    every_app = [a.app_id for a in apps(ws)]
    config = workspace_config(sim, app_ids=every_app, start_date="2026-03-20")
    run = run_tap(config, tmp_path, catalog=catalog(config, {"app_kpis", "session_analytics"}))
    for stream, metric in (("app_kpis", "dau"), ("session_analytics", "sessions")):
        rows = [r for r in run.records[stream] if r.get("segment_id", ALL) == ALL]
        total = {r["time"]: r[metric] for r in rows if r["app_id"] == ALL}
        parts = Counter()
        for r in rows:
            if r["app_id"] != ALL:
                parts[r["time"]] += r[metric]
        assert len(total) == 12
        assert total == dict(parts), stream


# --- costs ----------------------------------------------------------------------------------------


def test_a_daily_run_costs_one_request_per_partition(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    config = full_config(sim, ws)
    series = DAILY & set(SERIES_STREAMS)
    run_tap(config, tmp_path, catalog=catalog(config, series))
    n = {s: len(partitions(s, config)) for s in series}
    assert series_counts(sim) == {
        "/segments/data_series": n["segment_analytics"],
        "/kpi/dau/data_series": n["app_kpis"],
        "/kpi/mau/data_series": n["app_kpis"],
        "/kpi/new_users/data_series": n["app_kpis"],
        "/kpi/uninstalls/data_series": n["app_kpis"],
        "/sessions/data_series": n["session_analytics"],
        "/events/data_series": n["custom_event_analytics"],
        "/purchases/quantity_series": n["purchase_analytics"],
        "/purchases/revenue_series": n["purchase_analytics"],
    }
    assert (n["app_kpis"], n["session_analytics"], n["custom_event_analytics"]) == (3, 6, 18)


def test_a_100_day_backfill_costs_one_request_per_partition_and_column_24_per_hourly(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    start = (SIM_TODAY - dt.timedelta(days=99)).isoformat()
    config = workspace_config(sim, start_date=start, event_names=["Search & Filter"])
    streams = {
        "app_kpis",
        "session_analytics",
        "session_hourly_analytics",
        "custom_event_analytics",
    }
    run_tap(config, tmp_path, catalog=catalog(config, streams))
    daily, hourly = series_counts(sim, "day"), series_counts(sim, "hour")
    for kpi in ("dau", "mau", "new_users", "uninstalls"):
        assert daily[f"/kpi/{kpi}/data_series"] == 1
    assert daily["/sessions/data_series"] == 1
    assert daily["/events/data_series"] == 1
    assert hourly == {"/sessions/data_series": 24}  # 2,400 hours, 100 a request


def test_a_deselected_kpi_column_costs_no_request_so_a_key_without_it_reads_the_rest(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    config = workspace_config(sim, api_key="sim-no-kpi-mau-data-series", start_date="2026-03-25")
    chosen = catalog(config, {"app_kpis"}, deselect={"app_kpis": {"mau"}})
    run = run_tap(config, tmp_path, catalog=chosen)
    assert series_counts(sim)["/kpi/mau/data_series"] == 0
    assert series_counts(sim)["/kpi/dau/data_series"] == 1
    rows = run.records["app_kpis"]
    assert len(rows) == 7
    assert all("mau" not in r and r["dau"] > 0 for r in rows)


def test_a_missing_permission_names_it_and_the_stream_to_deselect(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    config = workspace_config(sim, api_key="sim-no-kpi-mau-data-series")
    run = run_tap(config, tmp_path, catalog=catalog(config, {"app_kpis"}), check=False)
    assert run.returncode != 0
    text = errors(run)
    assert "kpi.mau.data_series" in text
    assert "app_kpis" in text
    assert "sim-no-kpi-mau-data-series" not in text  # the key never appears


# --- what a config must give ----------------------------------------------------------------------


def test_a_key_and_a_start_date_read_app_kpis_and_sessions(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    config = {
        "api_key": DEFAULT_KEY,
        "api_url": sim.url,
        "start_date": "2026-03-30",
        "end_date": TODAY,
    }
    run = run_tap(config, tmp_path)
    # README, Settings: "reads app_kpis, session_analytics and purchase_analytics"
    assert set(run.records) == {"app_kpis", "session_analytics", "purchase_analytics"}
    assert {(r["product"], r["app_id"]) for r in run.records["purchase_analytics"]} == {(ALL, ALL)}
    assert {r["app_id"] for r in run.records["app_kpis"]} == {ALL}
    assert {(r["app_id"], r["segment_id"]) for r in run.records["session_analytics"]} == {
        (ALL, ALL)
    }
    assert not HOURLY & set(run.records)  # hourly streams are off in a bare run


def test_nothing_to_extract_names_the_settings_the_selected_streams_need(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    config = workspace_config(sim)
    run = run_tap(
        config, tmp_path, catalog=catalog(config, {"custom_event_analytics"}), check=False
    )
    assert run.returncode != 0
    text = errors(run)
    assert "nothing to extract" in text
    assert "event_names" in text
    assert "all_events" in text
    assert sim.stats()["requests"] == 0


# --- names, segments, deletions -------------------------------------------------------------------


def test_names_that_need_url_encoding_round_trip(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    config = workspace_config(sim, event_names=AWKWARD_EVENTS, products=AWKWARD_PRODUCTS)
    streams = {"custom_event_analytics", "purchase_analytics"}
    run = run_tap(config, tmp_path, catalog=catalog(config, streams))
    asked_events = {e["params"]["event"] for e in sim.requests_log if "event" in e["params"]}
    asked_products = {e["params"]["product"] for e in sim.requests_log if "product" in e["params"]}
    assert asked_events == set(AWKWARD_EVENTS)
    assert asked_products == set(AWKWARD_PRODUCTS)
    assert {r["event_name"] for r in run.records["custom_event_analytics"]} == set(AWKWARD_EVENTS)
    assert {r["product"] for r in run.records["purchase_analytics"]} == {ALL, *AWKWARD_PRODUCTS}


@pytest.mark.parametrize("setting", ["segment_ids", "breakdown_segment_ids"])
def test_an_untracked_segment_is_a_clear_error_naming_it(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path, setting: str
) -> None:
    sim = make_simulator(ws)
    untracked = untracked_id(ws)
    config = workspace_config(sim, **{setting: [untracked]})
    streams = {"segment_analytics", "session_analytics"}
    run = run_tap(config, tmp_path, catalog=catalog(config, streams), check=False)
    assert run.returncode != 0
    text = errors(run)
    assert untracked in text
    assert setting in text


def test_all_segments_takes_only_tracked_segments(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    sim = make_simulator(ws)
    config = workspace_config(sim, all_segments=True, start_date="2026-03-30")
    run = run_tap(config, tmp_path, catalog=catalog(config, {"segments", "segment_analytics"}))
    assert {r["segment_id"] for r in run.records["segment_analytics"]} == set(tracked_ids(ws))
    assert untracked_id(ws) in {r["segment_id"] for r in run.records["segments"]}


def test_an_event_deleted_between_listing_and_series_is_skipped_with_a_warning(
    make_simulator: Callable[..., BrazeSimulator], ws: Workspace, tmp_path: Path
) -> None:
    ws.vanished_events.add("Search & Filter")
    sim = make_simulator(ws)
    config = workspace_config(sim, all_events=True)
    expected = expected_workspace_records(
        sim,
        {
            **config,
            "all_events": False,
            "event_names": [
                e for e in effective_config(sim, config)["event_names"] if e != "Search & Filter"
            ],
        },
        {"custom_event_analytics"},
    )
    run = run_tap(config, tmp_path, catalog=catalog(config, {"custom_event_analytics"}))
    assert canonical(run.records["custom_event_analytics"]) == canonical(
        expected["custom_event_analytics"]
    )
    warnings = [w.message for w in tap_log_lines(run.stderr, "WARNING")]
    assert any("Search & Filter" in w for w in warnings)
