"""The workspace catalogues and the hourly state through the real CLI against the simulator:
listings of several pages (/events by its Link cursor, /purchases/product_list and
/segments/list by page), exactly the records Braze lists, each page read once; hourly
bookmarks that a next run resumes from, less the lookback."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from braze_simulator import BrazeSimulator, build_workspace
from conftest import SIM_TODAY, canonical, run_tap, workspace_config
from oracle_workspace_sim import expected_workspace_records, listed
from workspace_pending import catalog

TODAY = SIM_TODAY.isoformat()


def requests_per_path(sim: BrazeSimulator) -> Counter[str]:
    return Counter(e["path"] for e in sim.requests_log)


def test_listings_of_several_pages_are_read_whole_and_once(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    ws = build_workspace(1, 1, today=SIM_TODAY, seed=5, n_events=120, n_products=230)
    sim = make_simulator(ws)
    # A catalogue is read for a config that asks for its family (ids, names or all_*).
    config = workspace_config(sim, all_events=True, all_products=True, all_segments=True)
    streams = {"custom_events", "products", "segments"}
    expected = expected_workspace_records(sim, config, streams)
    assert len(expected["custom_events"]) > 100  # the premise: three pages of 50
    sim.reset_stats()
    run = run_tap(config, tmp_path, catalog=catalog(config, streams))
    for stream in sorted(streams):
        assert canonical(run.records[stream]) == canonical(expected[stream]), stream
    counts = requests_per_path(sim)
    assert counts["/events"] == math.ceil(len(expected["custom_events"]) / 50)
    products = len(expected["products"])
    assert counts["/purchases/product_list"] == products // 100 + 1  # a short page ends it
    assert counts["/events/list"] == 0  # the /events listing names them already


def test_all_events_reads_every_listed_event_once(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    ws = build_workspace(1, 1, today=SIM_TODAY, seed=5, n_events=60)
    sim = make_simulator(ws)
    config = workspace_config(sim, all_events=True)
    names = listed(sim, "/events/list", "events")
    sim.reset_stats()
    run = run_tap(config, tmp_path, catalog=catalog(config, {"custom_event_analytics"}))
    asked = Counter(e["params"]["event"] for e in sim.requests_log if "event" in e["params"])
    assert set(asked) == set(names)
    assert set(asked.values()) == {1}  # one request per event (all apps, all users)
    assert {r["event_name"] for r in run.records["custom_event_analytics"]} <= set(names)


def test_an_hourly_run_keeps_hour_bookmarks_and_the_next_run_resumes_less_the_lookback(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(build_workspace(1, 1, today=SIM_TODAY, seed=5))
    config = workspace_config(sim, start_date="2026-03-30", lookback_days=1)
    chosen = catalog(config, {"session_hourly_analytics"})
    first = run_tap(config, tmp_path / "1", catalog=chosen)
    state = [m["value"] for m in first.messages if m["type"] == "STATE"][-1]
    [entry] = state["bookmarks"]["session_hourly_analytics"]["partitions"]
    assert entry["context"] == {"app_id": "*", "segment_id": "*"}
    # The last hour read: the end_date's last hour (or the current one), written in UTC.
    assert entry["replication_key_value"] == "2026-03-31T23:00:00+00:00"
    times = [r["time"] for r in first.records["session_hourly_analytics"]]
    assert min(times) == "2026-03-30T00:00:00+00:00"
    sim.reset_stats()
    second = run_tap(config, tmp_path / "2", catalog=chosen, state=state)
    times = sorted(r["time"] for r in second.records.get("session_hourly_analytics", []))
    assert times[0] >= "2026-03-30T23:00:00+00:00"  # the bookmark less one day
    asked = [e["params"] for e in sim.requests_log if e["path"] == "/sessions/data_series"]
    assert all(p["unit"] == "hour" for p in asked)
    assert len(asked) == 1  # 25 hours fit one request


def test_a_100_hour_window_cuts_through_days(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(build_workspace(1, 1, today=SIM_TODAY, seed=5))
    config = workspace_config(sim, start_date="2026-03-25")  # 7 x 24 = 168 hours
    run = run_tap(config, tmp_path, catalog=catalog(config, {"session_hourly_analytics"}))
    times = [r["time"] for r in run.records["session_hourly_analytics"]]
    assert len(times) == len(set(times))  # each hour once
    hours = {dt.datetime.fromisoformat(t) for t in times}
    assert all(h.minute == 0 and h.utcoffset() == dt.timedelta(0) for h in hours)
    asked = [e["params"] for e in sim.requests_log if e["path"] == "/sessions/data_series"]
    assert all(1 <= int(p["length"]) <= 100 for p in asked)
    assert len(asked) <= math.ceil((168 + 1) / 100) + 1
