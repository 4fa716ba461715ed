"""Quick first retries, and a pool that no failing server can make the tap hammer.

A transient failure is retried after a short jittered wait (0.1 to 0.2 s by default), each
next wait longer; what bounds the load on a failing server is the pool's pace of retries: at
most 8 at once, then at most 4 a second while no answer comes. Every run is the real CLI
against the simulator on 127.0.0.1, whose request log says when each request arrived.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from braze_simulator import DEFAULT_KEY, BrazeSimulator, FaultPlan, build_workspace
from conftest import SIM_TODAY, canonical, run_tap, tap_config, tap_log_lines

RETRY_WAIT = re.compile(r"^Retrying .* in (?P<wait>\d+\.\d) s after attempt (?P<attempt>\d+)")
BURST = 8
"""Retries a pool may send at once: the README's retry_initial_wait row."""
RATE = 4.0
"""Retries a second a pool sends at most once the burst is spent and no answer comes."""


def test_each_url_failing_once_is_retried_within_a_fraction_of_a_second(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    workspace = build_workspace(3, 2, today=SIM_TODAY, seed=7)
    config = tap_config(make_simulator(workspace))
    del config["retry_initial_wait"]  # the default
    clean = run_tap(config, tmp_path / "clean")
    sim = make_simulator(workspace, faults=FaultPlan(first_n=1, kinds=("503",)))
    run = run_tap({**config, "api_url": sim.url}, tmp_path / "faulty")
    statuses = Counter(e["status"] for e in sim.requests_log)

    assert {s: canonical(r) for s, r in run.records.items()} == {
        s: canonical(r) for s, r in clean.records.items()
    }
    assert run.final_state == clean.final_state
    waits = [
        float(m["wait"])
        for line in tap_log_lines(run.stderr, "WARNING")
        if (m := RETRY_WAIT.match(line.message))
    ]
    assert len(waits) == statuses[503] > 0
    # Well under a second, though never nothing (a jittered wait of 0.1 to 0.2 s).
    assert all(0.1 <= wait <= 0.2 for wait in waits), waits


def test_a_server_failing_every_request_gets_retries_at_a_few_a_second(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    workspace = build_workspace(0, 20, today=SIM_TODAY, seed=4)
    # The first three campaigns answer (the probes of the series' reading of ending_at, which
    # go one at a time); then nothing does, and the others are in flight together.
    failing = tuple(c.campaign_id for c in workspace.campaigns[3:])
    plan = FaultPlan(first_n=100, kinds=("503",), only_ids=failing)
    sim = make_simulator(workspace, faults=plan)
    config = {
        "api_key": DEFAULT_KEY,
        "api_url": sim.url,
        "campaign_ids": [c.campaign_id for c in workspace.campaigns],
        "start_date": SIM_TODAY.replace(day=1).isoformat(),
        "end_date": SIM_TODAY.isoformat(),
        # Own waits of 10, 30 and 90 ms: what spaces the retries out is the pool.
        "retry_initial_wait": 0.01,
        "max_retries": 3,
    }
    run = run_tap(config, tmp_path, check=False, timeout=120)
    failed = sorted((e for e in sim.requests_log if e["status"] == 503), key=lambda e: e["began"])

    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    (error,) = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    assert "Giving up" in error
    assert "after 4 attempts (max_retries=3)" in error
    tries: Counter[str] = Counter()
    retries = []
    for entry in failed:
        tries[entry["params"]["campaign_id"]] += 1
        if tries[entry["params"]["campaign_id"]] > 1:
            retries.append(entry["began"])
    assert len(retries) > BURST + 4  # the run went on long enough to show the pace
    first_failure = failed[0]["ended"]
    for sent, at in enumerate(retries, start=1):
        # By any moment, no more retries than the burst and the rate allow (one of slack).
        assert sent <= BURST + RATE * (at - first_failure) + 1, (sent, at - first_failure)
