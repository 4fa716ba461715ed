"""Input the tap must refuse before its first request, in one line naming the setting: a
``sends_file`` that is no regular file or too big to read."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from braze_simulator import BrazeSimulator
from conftest import run_tap, tap_config
from test_discovery_cli import errors

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
