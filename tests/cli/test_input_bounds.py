"""Input the tap must refuse before its first request, in one line naming what is wrong: a
``sends_file`` that is no regular file or too big to read; a config whose fan-out no run can
serve."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from braze_simulator import BrazeSimulator
from conftest import QuietHandler, run_tap, tap_config
from test_discovery_cli import errors
from test_hostile_servers import EMPTY_SERIES, config_for, hostile, one_error, timed_run

from tap_braze_sends.sends_file import MAX_FILE_BYTES


def fifo(tmp_path: Path) -> str:
    path = tmp_path / "sends.csv"
    os.mkfifo(path)
    return str(path)


def too_big(tmp_path: Path) -> str:
    path = tmp_path / "sends.csv"
    with path.open("wb") as file:
        file.write(b"campaign_id,send_id\n")
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk spent
    return str(path)


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda _: "/dev/zero", "is a character device, not a regular file"),
        (fifo, "is a named pipe (FIFO), not a regular file"),
        (too_big, f"is larger than {MAX_FILE_BYTES // 2**20} MiB"),
    ],
    ids=["dev-zero", "fifo", "too-big"],
)
def test_a_sends_file_that_is_no_regular_file_of_bounded_size_is_one_error(
    simulator: BrazeSimulator, tmp_path: Path, make: Callable[[Path], str], needle: str
) -> None:
    """/dev/zero ended in a MemoryError traceback, a FIFO hung before the first request (the
    timeout guards that hang), a huge file was read whole."""
    path = make(tmp_path)
    config = tap_config(simulator, sends=[], sends_file=path)
    run = run_tap(config, tmp_path / "run", check=False, timeout=60)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    (line,) = errors(run)
    assert line.startswith(f"sends_file: {path!r} {needle}"), line
    assert simulator.stats()["requests"] == 0


def ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}-{i}" for i in range(n)]


def refused_at_once(config: dict, tmp_path: Path) -> str:
    """The run's one error line, checked to come before any request."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, EMPTY_SERIES)

    with hostile(answer) as (url, server):
        started = time.monotonic()
        run, _ = timed_run({**config_for(url, campaign_ids=[]), **config}, tmp_path)
        print(f"refused after {time.monotonic() - started:.2f} s")
    error = one_error(run)
    assert server.requests == 0, server.by_path
    return error


def test_a_million_partitions_are_refused_before_any_request(tmp_path: Path) -> None:
    """100 apps x 100 breakdown segments x 100 events: 1,020,100 partitions of
    custom_event_analytics (each list with '*'), planned for minutes (40 s and 1.4 GB here,
    133 s and 2.5 GB with the hourly streams) before the first request."""
    config = {
        "app_ids": ids("app", 100),
        "breakdown_segment_ids": ids("seg", 100),
        "event_names": ids("event", 100),
    }
    error = refused_at_once(config, tmp_path)
    assert error.startswith(
        "custom_event_analytics: 1,020,100 partitions (100 from event_names x 101 from app_ids "
        "x 101 from breakdown_segment_ids), at least 1,020,100 requests to Braze's default "
        "pool, which serves 250,000 an hour"
    ), error


def test_more_requests_than_a_day_of_the_small_pool_are_refused(tmp_path: Path) -> None:
    """119 products (and '*') x 100 apps (and '*'), two requests each (quantity, revenue):
    24,240 requests to the 1,000-an-hour pool, a day and more of it."""
    config = {"products": ids("product", 119), "app_ids": ids("app", 100)}
    error = refused_at_once(config, tmp_path)
    assert error.startswith(
        "This run needs at least 24,240 requests to Braze's events_products pool "
        "(purchase_analytics 24,240), which serves 1,000 an hour: more than 24 hours"
    ), error
