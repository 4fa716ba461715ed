"""Benchmarks of tap-braze-sends against the project's Braze simulator (issues 4, 8 and 10).

    python benchmarks/bench.py           # the sizes of the issues (a few minutes)
    python benchmarks/bench.py --small   # a CI-sized run (well under 2 minutes)
    python benchmarks/bench.py --only budget --only canvas   # some of them

Every figure is a ratio of two measurements taken in the same run (or of a count against the
count the plan allows), so the machine's speed cancels out. Each benchmark prints whether its
goal holds; a missed goal never fails the run (timings are not tests), only a crash does.

- latency, cpu, memory (throughput.py): 8 workers against 1 and against the ideal at 100 ms
  per request; CPU per record against a plain requests + json loop; peak RSS with 2,000
  partitions against 200. The simulator runs in its own process; every CPU and memory figure
  is the rusage of the tap's process alone (``os.wait4``).
- requests, budget, canvas (request_counts.py): requests per partition for a 100-day and a
  250-day backfill; wall time against the floor under a 10-per-5-s budget; a Canvas backfill's
  requests per Canvas and records per second. Counted in the simulator's request log.

- columns, retries (speed.py): a window's four KPI requests side by side, in latencies per
  window; every URL failing once against a clean run, in wall time.

- state, ids (hostile.py): STATE bytes per configured partition with a rolling sends_file;
  50,000 campaign_ids validated, and 100,000 against them.
- bodies (bodies.py): peak RSS while 8 concurrent requests get huge bodies of small elements,
  against 1 GiB.

The markdown table at the end is the one the README includes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bodies import bench_bodies
from harness import FULL, SMALL, Row, Sizes, markdown
from hostile import bench_ids, bench_state
from request_counts import bench_budget, bench_canvas, bench_requests
from speed import bench_columns, bench_retries
from throughput import bench_cpu, bench_latency, bench_memory

BENCHES: dict[str, Callable[[Path, Sizes], list[Row]]] = {
    "latency": bench_latency,
    "cpu": bench_cpu,
    "memory": bench_memory,
    "requests": lambda workdir, sizes: bench_requests(workdir, sizes.request_campaigns),
    "budget": lambda workdir, sizes: bench_budget(workdir, sizes.budget_campaigns),
    "canvas": lambda workdir, sizes: bench_canvas(workdir, sizes.canvases),
    "columns": lambda workdir, sizes: bench_columns(workdir),
    "retries": lambda workdir, sizes: bench_retries(
        workdir, sizes.request_campaigns, sizes.repeats
    ),
    "state": bench_state,
    "ids": bench_ids,
    "bodies": bench_bodies,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI size (well under 2 minutes)")
    parser.add_argument(
        "--only", choices=list(BENCHES), action="append", help="run only this benchmark"
    )
    args = parser.parse_args(argv)
    sizes = SMALL if args.small else FULL
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="tap-braze-bench-") as tmp:
        for name in args.only or list(BENCHES):
            rows += BENCHES[name](Path(tmp), sizes)
    print(f"\n{markdown(rows)}\n")
    print(
        f"{sum(r.holds for r in rows)}/{len(rows)} goals hold "
        f"({'small' if args.small else 'full'} size, {time.perf_counter() - started:.0f} s, "
        f"{os.cpu_count()} CPUs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
