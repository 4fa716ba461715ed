"""Benchmarks of tap-braze-sends against the project's Braze simulator (issue 4).

    python benchmarks/bench.py           # the sizes of the issue (a few minutes)
    python benchmarks/bench.py --small   # a CI-sized run (well under 2 minutes)

Every figure is a ratio of two measurements taken in the same run, so the machine's speed
cancels out. Each benchmark prints whether its goal holds; a missed goal never fails the run
(timings are not tests), only a crash does. The simulator always runs in its own process, and
every CPU and memory figure is the rusage of one child process alone (``os.wait4``), so the
simulator's own work is never counted.

1. Latency-bound: the real tap CLI against a simulator answering each request after 100 ms,
   one window per partition, with ``max_parallel_requests`` 8 against 1, and against the ideal
   ``requests x latency / 8``.
2. CPU-bound: no latency, >= 100,000 records; the tap's CPU seconds per record against
   ``benchmarks/plain_loop.py`` (requests + json, same windows, same records).
3. Memory: the tap's peak RSS with 2,000 partitions against 200.

The markdown table at the end is the one the README includes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
TAP = str(Path(sys.executable).with_name("tap-braze-sends"))

LATENCY_MS = 100.0
PARALLEL = 8
LATENCY_GOAL = 1.25  # at most this many times the ideal wall time
CPU_GOAL = 1.5  # at most this many times the plain loop's CPU per record
MEMORY_GOAL = 0.20  # less than this growth of peak RSS


class BenchError(RuntimeError):
    """The benchmark itself could not run (a crash, not a missed goal)."""


@dataclass(frozen=True)
class Sizes:
    latency_sends: int
    latency_campaigns: int
    cpu_campaigns: int
    cpu_sends: int
    cpu_days: int
    memory_small: int
    memory_large: int
    repeats: int


FULL = Sizes(200, 50, 250, 100, 180, 200, 2000, 3)
SMALL = Sizes(80, 20, 120, 40, 180, 100, 1000, 1)


@dataclass(frozen=True)
class Measured:
    """One child process: wall seconds, user+sys CPU seconds, peak RSS in MiB, its stderr."""

    wall: float
    cpu: float
    rss_mib: float
    stderr: str


def run_child(args: list[str], workdir: Path) -> Measured:
    """Run one process with stdout to /dev/null; measure it alone via wait4."""
    err_path = workdir / f"stderr-{time.monotonic_ns()}.txt"
    with open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = err_path.read_text(errors="replace")
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(args)} exited {proc.returncode}:\n{stderr[-3000:]}")
    # ru_maxrss is in KiB on Linux.
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stderr)


@contextlib.contextmanager
def simulator(
    workdir: Path, *, sends: int, campaigns: int, latency_ms: float = 0.0
) -> Iterator[dict[str, Any]]:
    """A simulator in its own process; yields a tap config that reads all of it."""
    config_path = workdir / f"sim-{sends}-{campaigns}-{latency_ms:g}.json"
    args = [
        PYTHON, "-m", "braze_simulator",
        "--sends", str(sends), "--campaigns", str(campaigns),
        "--latency-ms", str(latency_ms), "--seed", "4",
        "--write-config", str(config_path),
    ]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("BRAZE_SIMULATOR_URL="):
            raise BenchError(f"simulator did not start: {line!r}")
        yield json.loads(config_path.read_text())
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def write_config(workdir: Path, config: dict[str, Any], name: str) -> Path:
    path = workdir / f"{name}.json"
    path.write_text(json.dumps(config))
    return path


def run_tap(workdir: Path, config: dict[str, Any], name: str) -> Measured:
    return run_child([TAP, "--config", str(write_config(workdir, config, name))], workdir)


def tap_records(measured: Measured) -> int | None:
    """Records written, from the tap's last progress line (None if the format changed)."""
    found = re.findall(r"(\d+) records so far", measured.stderr)
    return int(found[-1]) if found else None


def planned_requests(config: dict[str, Any]) -> int:
    from tap_braze_sends.windows import plan_windows

    first = dt.date.fromisoformat(config["start_date"])
    last = dt.date.fromisoformat(config["end_date"])
    per_partition = len(plan_windows(first, last, int(config.get("window_days", 100))))
    return per_partition * (len(config["sends"]) + len(config["campaign_ids"]))


def best(runs: list[Measured], key: str) -> Measured:
    return min(runs, key=lambda m: getattr(m, key))


def cli_start_up(workdir: Path, config: dict[str, Any]) -> Measured:
    """The CLI's fixed cost, whatever the work: interpreter, imports, catalog (--discover)."""
    path = write_config(workdir, config, "discover")
    runs = [run_child([TAP, "--config", str(path), "--discover"], workdir) for _ in range(3)]
    return best(runs, "wall")


# --- the three benchmarks -------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    measured: str
    ratio: str
    goal: str
    holds: bool


def bench_latency(workdir: Path, sizes: Sizes) -> list[Row]:
    with simulator(
        workdir, sends=sizes.latency_sends, campaigns=sizes.latency_campaigns, latency_ms=LATENCY_MS
    ) as config:
        requests = planned_requests(config)
        startup = cli_start_up(workdir, config).wall
        seq = best(
            [
                run_tap(workdir, {**config, "max_parallel_requests": 1}, "seq")
                for _ in range(max(1, sizes.repeats - 1))
            ],
            "wall",
        ).wall
        par = best(
            [
                run_tap(workdir, {**config, "max_parallel_requests": PARALLEL}, "par")
                for _ in range(sizes.repeats)
            ],
            "wall",
        ).wall
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


def verdict(holds: bool) -> str:
    return "HOLDS" if holds else "MISSED"


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


def markdown(rows: list[Row]) -> str:
    lines = [
        "| Benchmark | Measured | Ratio | Goal | Holds |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | {r.measured} | {r.ratio} | {r.goal} | {'yes' if r.holds else 'no'} |"
        for r in rows
    ]
    return "\n".join(lines)


BENCHES = {"latency": bench_latency, "cpu": bench_cpu, "memory": bench_memory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="CI size (well under 2 minutes)")
    parser.add_argument(
        "--only", choices=sorted(BENCHES), action="append", help="run only this benchmark"
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
