"""Dense activity series through the real CLI against the simulator: Braze leaves units without
sessions, events or purchases out of its answers, so a unit restated to nothing is absent from
the next answer. Each range re-read gets a row for every unit (zeros where Braze left it out),
up to the hour Braze's clock is in: upserting run 2 over run 1 leaves exactly Braze's current
numbers, and the hourly rows add up to the daily ones. Expected records come from the
independent oracle (oracle_workspace.py), never from the tap."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from braze_simulator import BrazeSimulator, build_workspace
from braze_simulator.workspace_series import apps, events, products
from conftest import SIM_TODAY, run_tap, workspace_config
from oracle_workspace import SERIES_STREAMS
from oracle_workspace_sim import expected_workspace_records
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
