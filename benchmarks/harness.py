"""What every benchmark shares: measured child processes, simulators, configs, result rows.

The tap always runs as the real CLI in a child process, measured alone (``os.wait4``). The
simulator runs either in its own process (the speed and memory benchmarks: its work must not
share a core's accounting with the tap's) or in this process (the request-count benchmarks:
they read its request log and give it a rate limit, which only the in-process object offers).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
TAP = str(Path(sys.executable).with_name("tap-braze-sends"))
SEED = 4


class BenchError(RuntimeError):
    """The benchmark itself could not run (a crash, not a missed goal)."""


@dataclass(frozen=True)
class Measured:
    """One child process: wall seconds, user+sys CPU seconds, peak RSS in MiB, its stderr."""

    wall: float
    cpu: float
    rss_mib: float
    stderr: str


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
    request_campaigns: int
    budget_campaigns: int
    canvases: int


FULL = Sizes(200, 50, 250, 100, 180, 200, 2000, 3, 20, 20, 50)
SMALL = Sizes(80, 20, 120, 40, 180, 100, 1000, 1, 20, 10, 20)


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    name: str
    measured: str
    ratio: str
    goal: str
    holds: bool


def run_child(args: list[str], workdir: Path, *, check: bool = True) -> Measured:
    """Run one process with stdout to /dev/null; measure it alone via wait4. ``check``: a
    non-zero exit is a BenchError (else the caller reads the stderr)."""
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
    if check and proc.returncode != 0:
        raise BenchError(f"{' '.join(args)} exited {proc.returncode}:\n{stderr[-3000:]}")
    # ru_maxrss is in KiB on Linux.
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stderr)


@contextlib.contextmanager
def simulator(
    workdir: Path, *, sends: int, campaigns: int, latency_ms: float = 0.0
) -> Iterator[dict[str, Any]]:
    """A simulator of sends and campaigns in its own process; yields a config reading it all."""
    config_path = workdir / f"sim-{sends}-{campaigns}-{latency_ms:g}.json"
    args = [
        PYTHON, "-m", "braze_simulator",
        "--sends", str(sends), "--campaigns", str(campaigns), "--canvases", "0",
        "--latency-ms", str(latency_ms), "--seed", str(SEED),
        "--write-config", str(config_path),
    ]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("BRAZE_SIMULATOR_URL="):
            raise BenchError(f"simulator did not start: {line!r}")
        config = json.loads(config_path.read_text())
        config.pop("canvas_ids", None)  # these benchmarks read sends and campaigns only
        yield config
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def served(
    *, sends: int = 0, campaigns: int = 0, canvases: int = 0, **options: Any
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """A simulator in this process (its request log, its rate limits): (simulator, config).

    ``options`` go to ``BrazeSimulator`` (e.g. ``campaigns_rate_limit``). The config lists
    only what was asked for: an empty list of sends, campaigns or Canvases is left out.
    """
    from braze_simulator.__main__ import tap_config
    from braze_simulator.build import build_workspace
    from braze_simulator.server import BrazeSimulator

    workspace = build_workspace(sends, campaigns, seed=SEED, n_canvases=canvases)
    with BrazeSimulator(workspace, **options) as sim:
        config = tap_config(workspace, sim.url)
        for key in ("sends", "campaign_ids", "canvas_ids"):
            if not config[key]:
                del config[key]
        yield sim, config


def write_config(workdir: Path, config: dict[str, Any], name: str) -> Path:
    path = workdir / f"{name}.json"
    path.write_text(json.dumps(config))
    return path


def run_tap(
    workdir: Path, config: dict[str, Any], name: str, *, catalog: Path | None = None
) -> Measured:
    args = [TAP, "--config", str(write_config(workdir, config, name))]
    if catalog is not None:
        args += ["--catalog", str(catalog)]
    return run_child(args, workdir)


def selecting_catalog(
    workdir: Path, config: dict[str, Any], streams: Iterable[str], name: str
) -> Path:
    """The tap's discovered catalog with exactly ``streams`` selected (and all their fields)."""
    wanted = set(streams)
    path = write_config(workdir, config, f"{name}-discover")
    out = subprocess.run(
        [TAP, "--config", str(path), "--discover"], capture_output=True, text=True, check=True
    ).stdout
    catalog = json.loads(out)
    found = set()
    for entry in catalog["streams"]:
        selected = entry["tap_stream_id"] in wanted
        found |= {entry["tap_stream_id"]} & wanted
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = selected
    if found != wanted:
        raise BenchError(f"the catalog has no stream {sorted(wanted - found)}")
    catalog_path = workdir / f"{name}-catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    return catalog_path


def tap_records(measured: Measured) -> int | None:
    """Records written, from the tap's run-total line (None if the format changed)."""
    found = re.findall(r"Run total: \d+ days, (\d+) records", measured.stderr)
    return int(found[-1]) if found else None


def tap_requests(measured: Measured) -> int | None:
    """Requests made, from the tap's run-total line (None if the format changed)."""
    found = re.findall(r"Run total: .*?(\d+) requests, \d+ retries", measured.stderr)
    return int(found[-1]) if found else None


def best(runs: list[Measured], key: str) -> Measured:
    return min(runs, key=lambda m: getattr(m, key))


def cli_start_up(workdir: Path, config: dict[str, Any]) -> Measured:
    """The CLI's fixed cost, whatever the work: interpreter, imports, catalog (--discover)."""
    path = write_config(workdir, config, "discover")
    runs = [run_child([TAP, "--config", str(path), "--discover"], workdir) for _ in range(3)]
    return best(runs, "wall")


def verdict(holds: bool) -> str:
    return "HOLDS" if holds else "MISSED"


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
