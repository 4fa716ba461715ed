"""Where a peer still won (issue 23): a window's requests side by side, quick first retries.

7. Parallel columns: app_kpis, the all-apps partition alone (four requests a window, one per
   KPI), 200 days in windows of 100, each answer held ``COLUMN_LATENCY_MS``. From the
   simulator's request log: how long each window's requests took from the first one's
   arrival to the last one's answer, in latencies (the run's very first request goes alone
   to learn the pool's budget, and is left out). Requests one after another: 4.
8. A retry for each URL: campaigns x 100 days, each answer held ``RETRY_LATENCY_MS``; every
   URL first answers 503, then its data. The wall time against a clean run of the same
   config, both measured here (the fastest of ``repeats`` runs each).

The simulator runs in this process (its request log and faults are objects); the tap is the
CLI in a child process.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from braze_simulator.faults import FaultPlan
from harness import Row, run_tap, selecting_catalog, served, tap_requests, verdict
from request_counts import backfill

COLUMN_LATENCY_MS = 500.0
COLUMN_DAYS = 200  # two windows: their 8 requests fit the 8 workers at once
COLUMN_GOAL = 1.5  # latencies per window, at most
KPI_PATHS = {f"/kpi/{kpi}/data_series" for kpi in ("dau", "mau", "new_users", "uninstalls")}
RETRY_LATENCY_MS = 100.0
RETRY_GOAL = 2.0  # times the clean run's wall time, at most


def window_spans(log: list[dict[str, Any]], paths: set[str]) -> list[float]:
    """Per window of ``paths``: seconds from its first request's arrival to its last answer,
    the log's very first request left out (it learns the pool's budget alone)."""
    first = min(log, key=lambda e: e["began"])
    windows: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for entry in log:
        if entry["path"] in paths and entry is not first:
            params = entry["params"]
            windows[(params["ending_at"], params["length"])].append(entry)
    return [
        max(e["ended"] for e in spans) - min(e["began"] for e in spans)
        for spans in windows.values()
    ]


def bench_columns(workdir: Path) -> list[Row]:
    latency = COLUMN_LATENCY_MS / 1000
    with served(latency_ms=COLUMN_LATENCY_MS) as (sim, config):
        config = backfill(config, COLUMN_DAYS)
        catalog = selecting_catalog(workdir, config, ["app_kpis"], "columns")
        sim.reset_stats()
        measured = run_tap(workdir, config, "columns", catalog=catalog)
        log = list(sim.requests_log)
    spans = [span / latency for span in window_spans(log, KPI_PATHS)]
    requests = sum(1 for e in log if e["path"] in KPI_PATHS)
    mean = sum(spans) / len(spans)
    holds = max(spans) <= COLUMN_GOAL
    described = f"{mean:.2f} latencies per window (max {max(spans):.2f})"
    print(
        f"columns: app_kpis, 1 partition x {COLUMN_DAYS} days, {requests} requests in "
        f"{len(spans)} windows at {COLUMN_LATENCY_MS:.0f} ms: {described}; wall "
        f"{measured.wall:.2f} s: {verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            f"Parallel columns: app_kpis (4 requests a window), 1 partition x {COLUMN_DAYS} "
            f"days, {COLUMN_LATENCY_MS:.0f} ms per request",
            f"{requests} requests, {len(spans)} windows; wall {measured.wall:.1f} s",
            f"{described}; one after another: 4",
            f"<= {COLUMN_GOAL} latencies per window",
            holds,
        )
    ]


def bench_retries(workdir: Path, campaigns: int, repeats: int) -> list[Row]:
    runs = {}
    for name, faults in (("clean", None), ("faulty", FaultPlan(first_n=1, kinds=("503",)))):
        with served(campaigns=campaigns, latency_ms=RETRY_LATENCY_MS, faults=faults) as (
            sim,
            config,
        ):
            tries = []
            for _ in range(repeats):  # the fastest of a few: the CLI's start-up varies most
                sim.reset_stats()  # and so every URL fails once again
                measured = run_tap(workdir, backfill(config, 100), f"retries-{name}")
                tries.append((measured, [e["status"] for e in sim.requests_log]))
        runs[name] = min(tries, key=lambda t: t[0].wall)
    clean, clean_statuses = runs["clean"]
    faulty, faulty_statuses = runs["faulty"]
    ratio = faulty.wall / clean.wall
    failed = faulty_statuses.count(503)
    holds = ratio <= RETRY_GOAL and failed == len(clean_statuses)
    print(
        f"retries: {campaigns} campaigns x 100 days at {RETRY_LATENCY_MS:.0f} ms: clean "
        f"{len(clean_statuses)} requests in {clean.wall:.2f} s; each URL failing once "
        f"{len(faulty_statuses)} requests ({failed} 503s, {tap_requests(faulty)} counted by the "
        f"tap) in {faulty.wall:.2f} s: {ratio:.2f}x: {verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            f"A retry for each URL: {campaigns} campaigns x 100 days, {RETRY_LATENCY_MS:.0f} ms "
            "per request, every URL answering 503 once",
            f"{len(faulty_statuses)} requests ({failed} 503s) in {faulty.wall:.1f} s vs clean "
            f"{len(clean_statuses)} in {clean.wall:.1f} s",
            f"{ratio:.2f}x the clean run",
            f"<= {RETRY_GOAL:.0f}x the clean run's wall time",
            holds,
        )
    ]
