"""Dense activity series through the real CLI against the simulator: Braze leaves units without
sessions, events or purchases out of its answers, so a unit restated to nothing is absent from
the next answer. Each range re-read gets a row for every unit (zeros where Braze left it out),
up to the hour Braze's clock is in: upserting run 2 over run 1 leaves exactly Braze's current
numbers, and the hourly rows add up to the daily ones. Expected records come from the
independent oracle (oracle_workspace.py), never from the tap."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from braze_simulator import BrazeSimulator, build_workspace
from braze_simulator.workspace_series import apps, events, products
from conftest import SIM_TODAY, QuietHandler, run_tap, workspace_config
from oracle_workspace import SERIES_STREAMS
from oracle_workspace_sim import expected_workspace_records
from test_hostile_servers import config_for, hostile, timed_run
from workspace_pending import catalog

DAY = dt.timedelta(days=1)
PAIRS = {  # hourly stream -> (daily stream, its metric columns)
    "session_hourly_analytics": ("session_analytics", ("sessions",)),
    "custom_event_hourly_analytics": ("custom_event_analytics", ("count",)),
    "purchase_hourly_analytics": ("purchase_analytics", ("quantity", "revenue")),
}
STREAMS = {*PAIRS, *(daily for daily, _ in PAIRS.values())}


def keyed(stream: str, records: list[dict]) -> dict[tuple, dict]:
    keys = (*SERIES_STREAMS[stream].keys, "time")
    return {tuple(r[k] for k in keys): r for r in records}


def test_a_unit_restated_to_nothing_gets_its_zero_and_hours_add_up_to_days(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    ws = build_workspace(3, 2, today=SIM_TODAY, seed=7)
    sim = make_simulator(ws)
    settings = {
        "app_ids": [apps(ws)[0].app_id],
        "event_names": [e.name for e in events(ws)][:3],
        "products": [p.name for p in products(ws)][:2],
        "start_date": (SIM_TODAY - 2 * DAY).isoformat(),
        "lookback_days": 3,  # run 2 re-reads every day run 1 read
    }
    config1 = workspace_config(sim, **settings, end_date=(SIM_TODAY - DAY).isoformat())
    run1 = run_tap(config1, tmp_path / "run1", catalog=catalog(config1, STREAMS))

    ws.restate()  # Braze restates the last days: some units lose all their activity
    config2 = workspace_config(sim, **settings, end_date=SIM_TODAY.isoformat())
    expected = expected_workspace_records(sim, config2, STREAMS)
    run2 = run_tap(
        config2, tmp_path / "run2", state=run1.final_state, catalog=catalog(config2, STREAMS)
    )

    restated_to_zero = 0
    for stream in sorted(STREAMS):
        first = keyed(stream, run1.records[stream])
        now = keyed(stream, expected[stream])
        # An upserting warehouse: run 1's rows, then run 2's over them by primary key.
        table = {**first, **keyed(stream, run2.records[stream])}
        assert set(first) <= set(now), f"{stream}: run 1 wrote a unit Braze has no more"
        assert table == now, stream
        metric = "count" if "event" in stream else "quantity" if "purchase" in stream else None
        if metric:
            restated_to_zero += sum(
                1 for key, row in first.items() if row[metric] and not now[key][metric]
            )
    # The premise: Braze's answers after the restatement leave out units run 1 had rows for.
    assert restated_to_zero > 0

    # The hourly rows add up to the daily ones, for every day read whole (today is at 12:00).
    for hourly, (daily, metrics) in PAIRS.items():
        days = keyed(daily, run2.records[daily])
        sums: dict[tuple, Counter] = {}
        for row in run2.records[hourly]:
            key = (*(row[k] for k in SERIES_STREAMS[hourly].keys), row["time"][:10])
            sums.setdefault(key, Counter()).update({m: row[m] for m in metrics})
        whole_days = {k: v for k, v in sums.items() if k[-1] < SIM_TODAY.isoformat()}
        assert len(whole_days) == len([k for k in days if k[-1] < SIM_TODAY.isoformat()])
        for key, total in whole_days.items():
            for metric in metrics:
                assert round(total[metric], 6) == round(days[key][metric], 6), (hourly, key)
        # Every hour of each partition through Braze's clock (12:00 today), none after it.
        hours = Counter(key[:-1] for key in keyed(hourly, run2.records[hourly]))
        assert set(hours.values()) == {2 * 24 + 13}, hourly


def test_zeros_are_no_data_for_the_first_data_day(tmp_path: Path) -> None:
    """Braze has sessions on 2026-03-30 only: every day of the range gets its row (zeros), and
    the state's first_data_day is still the first day Braze returned, not the range's start."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        day = [{"time": "2026-03-30", "sessions": 7}] if "sessions" in path else []
        h.reply(200, json.dumps({"data": day, "message": "success"}).encode())

    with hostile(answer) as (url, _server):
        config = config_for(url, campaign_ids=[])  # 2026-03-25..31
        run, _ = timed_run(config, tmp_path, catalog=catalog(config, {"session_analytics"}))
    assert run.returncode == 0, run.stderr[-3000:]
    by_day = {r["time"]: r["sessions"] for r in run.records["session_analytics"]}
    assert by_day == {f"2026-03-{d}": 7 if d == 30 else 0 for d in range(25, 32)}
    (entry,) = run.final_state["bookmarks"]["session_analytics"]["partitions"]
    assert entry["first_data_day"] == "2026-03-30"
