"""The speed and memory benchmarks (issue 4): latency-bound, CPU-bound, memory.

1. Latency-bound: the real tap CLI against a simulator answering each request after 100 ms,
   one window per partition, with ``max_parallel_requests`` 8 against 1, and against the ideal
   ``requests x latency / 8``.
2. CPU-bound: no latency, >= 100,000 records; the tap's CPU seconds per record against
   ``benchmarks/plain_loop.py`` (requests + json, same windows, same records).
3. Memory: the tap's peak RSS with 2,000 partitions against 200.

The simulator runs in its own process, so its work is never counted as the tap's.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from harness import (
    HERE,
    PYTHON,
    TAP,
    BenchError,
    Measured,
    Row,
    Sizes,
    best,
    cli_start_up,
    run_child,
    run_tap,
    simulator,
    tap_records,
    tap_requests,
    verdict,
    write_config,
)

LATENCY_MS = 100.0
PARALLEL = 8
LATENCY_GOAL = 1.25  # at most this many times the ideal wall time
CPU_GOAL = 1.5  # at most this many times the plain loop's CPU per record
MEMORY_GOAL = 0.20  # less than this growth of peak RSS


def planned_requests(config: dict[str, Any]) -> int:
    """Requests of a plan made without knowing the reading of the ``ending_at`` day."""
    from tap_braze_sends.runtime.windows import plan_windows

    first = dt.date.fromisoformat(config["start_date"])
    last = dt.date.fromisoformat(config["end_date"])
    per_partition = len(plan_windows(first, last, int(config.get("window_days", 100))))
    return per_partition * (len(config["sends"]) + len(config["campaign_ids"]))


def bench_latency(workdir: Path, sizes: Sizes) -> list[Row]:
    with simulator(
        workdir, sends=sizes.latency_sends, campaigns=sizes.latency_campaigns, latency_ms=LATENCY_MS
    ) as config:
        startup = cli_start_up(workdir, config).wall
        seq = best(
            [
                run_tap(workdir, {**config, "max_parallel_requests": 1}, "seq")
                for _ in range(max(1, sizes.repeats - 1))
            ],
            "wall",
        ).wall
        par_run = best(
            [
                run_tap(workdir, {**config, "max_parallel_requests": PARALLEL}, "par")
                for _ in range(sizes.repeats)
            ],
            "wall",
        )
    par = par_run.wall
    # What the tap reports having requested; the guard's plan if its log format changed.
    requests = tap_requests(par_run) or planned_requests(config)
    ideal = requests * LATENCY_MS / 1000 / PARALLEL
    speedup = seq / par
    ratio = par / ideal
    # The CLI's fixed cost (interpreter, imports, discovery: what --discover takes) is no
    # request's latency; the ratios net of it are printed too, but the goals use the raw ones.
    net_ratio = (par - startup) / ideal
    net_speedup = (seq - startup) / (par - startup)
    faster, near_ideal = speedup >= PARALLEL / LATENCY_GOAL, ratio <= LATENCY_GOAL
    print(
        f"latency: {requests} requests x {LATENCY_MS:g} ms; sequential {seq:.2f} s; "
        f"parallel={PARALLEL} {par:.2f} s; ideal {ideal:.2f} s; CLI start-up {startup:.2f} s\n"
        f"  speed-up {speedup:.2f}x, goal >= {PARALLEL / LATENCY_GOAL:.1f}x: {verdict(faster)} "
        f"(net of start-up {net_speedup:.2f}x)\n"
        f"  parallel / ideal {ratio:.2f}x, goal <= {LATENCY_GOAL}x: {verdict(near_ideal)} "
        f"(net of start-up {net_ratio:.2f}x)",
        flush=True,
    )
    name = (
        f"Latency-bound: {sizes.latency_sends} sends + {sizes.latency_campaigns} campaigns, "
        f"{requests} requests x {LATENCY_MS:g} ms"
    )
    return [
        Row(
            f"{name}: parallel={PARALLEL} vs 1",
            f"{par:.2f} s vs {seq:.2f} s",
            f"{speedup:.2f}x faster ({net_speedup:.2f}x net of {startup:.2f} s CLI start-up)",
            f">= {PARALLEL / LATENCY_GOAL:.1f}x faster",
            faster,
        ),
        Row(
            f"{name}: parallel={PARALLEL} vs ideal",
            f"{par:.2f} s vs {ideal:.2f} s",
            f"{ratio:.2f}x ({net_ratio:.2f}x net of CLI start-up)",
            f"<= {LATENCY_GOAL}x",
            near_ideal,
        ),
    ]


def bench_cpu(workdir: Path, sizes: Sizes) -> list[Row]:
    with simulator(workdir, sends=sizes.cpu_sends, campaigns=sizes.cpu_campaigns) as config:
        end = dt.date.fromisoformat(config["end_date"])
        config["start_date"] = (end - dt.timedelta(days=sizes.cpu_days)).isoformat()
        path = write_config(workdir, config, "cpu")
        startup = cli_start_up(workdir, config).cpu
        plain_runs, tap_runs = [], []
        for _ in range(sizes.repeats):  # interleaved, so drifts hit both alike
            plain_runs.append(run_child([PYTHON, str(HERE / "plain_loop.py"), str(path)], workdir))
            tap_runs.append(run_child([TAP, "--config", str(path)], workdir))
    plain, tap = best(plain_runs, "cpu"), best(tap_runs, "cpu")
    match = re.search(r"records=(\d+)", plain.stderr)
    if not match:
        raise BenchError(f"plain loop printed no record count: {plain.stderr[-500:]}")
    records = int(match.group(1))
    written = tap_records(tap)
    if written is not None and written != records:
        raise BenchError(f"the tap wrote {written} records, the plain loop {records}")
    ratio = tap.cpu / plain.cpu
    holds = ratio <= CPU_GOAL
    per = 1e6 / records
    print(
        f"cpu: {records} records; tap {tap.cpu:.2f} s CPU ({tap.cpu * per:.1f} us/record, "
        f"{(tap.cpu - startup) * per:.1f} net of its {startup:.2f} s start-up; "
        f"wall {tap.wall:.2f} s); plain loop {plain.cpu:.2f} s CPU "
        f"({plain.cpu * per:.1f} us/record) -> {ratio:.2f}x, goal <= {CPU_GOAL}x: "
        f"{verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            f"CPU-bound ({records:,} records, no latency)",
            f"tap {tap.cpu * per:.1f} us/record ({(tap.cpu - startup) * per:.1f} net of "
            f"start-up), plain requests+json loop {plain.cpu * per:.1f} us/record",
            f"{ratio:.2f}x the plain loop",
            f"<= {CPU_GOAL}x",
            holds,
        )
    ]


def bench_memory(workdir: Path, sizes: Sizes) -> list[Row]:
    peaks: dict[int, Measured] = {}
    for partitions in (sizes.memory_small, sizes.memory_large):
        half = partitions // 2
        with simulator(workdir, sends=half, campaigns=partitions - half) as config:
            peaks[partitions] = best(
                [run_tap(workdir, config, f"mem{partitions}") for _ in range(sizes.repeats)],
                "rss_mib",
            )
    small, large = peaks[sizes.memory_small], peaks[sizes.memory_large]
    growth = large.rss_mib / small.rss_mib - 1
    holds = growth < MEMORY_GOAL
    print(
        f"memory: peak RSS {small.rss_mib:.1f} MiB with {sizes.memory_small} partitions "
        f"(wall {small.wall:.2f} s), {large.rss_mib:.1f} MiB with {sizes.memory_large} "
        f"(wall {large.wall:.2f} s) -> growth {growth:+.1%}, goal < {MEMORY_GOAL:.0%}: "
        f"{verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            f"Memory ({sizes.memory_large:,} partitions vs {sizes.memory_small:,})",
            f"peak RSS {large.rss_mib:.1f} MiB vs {small.rss_mib:.1f} MiB "
            f"(wall {large.wall:.1f} s vs {small.wall:.1f} s)",
            f"{growth:+.1%}",
            f"< {MEMORY_GOAL:.0%} growth",
            holds,
        )
    ]
