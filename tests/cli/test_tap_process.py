"""The harness's forked CLI runs (tests/tap_process.py) behave as the console script does:
the same output, state, exit code and error for the same run."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tap_process
from conftest import TAP, canonical, parse_singer, tap_config


def both_ways(args: list[str], env: dict[str, str], tmp_path: Path) -> tuple[Any, Any]:
    forked = tap_process.run(args, env=env, files=tmp_path, timeout=120)
    executed = subprocess.run(
        args, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    return forked, executed


def test_a_forked_run_writes_what_the_console_script_writes(simulator: Any, tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(tap_config(simulator)))
    forked, executed = both_ways([TAP, "--config", str(config)], dict(os.environ), tmp_path)
    assert forked.returncode == executed.returncode == 0
    records = [m["record"] for m in parse_singer(forked.stdout) if m["type"] == "RECORD"]
    assert records, "the run should write records"
    assert canonical(records) == canonical(
        [m["record"] for m in parse_singer(executed.stdout) if m["type"] == "RECORD"]
    )
    states = [m["value"] for m in parse_singer(forked.stdout) if m["type"] == "STATE"]
    assert (
        states[-1]
        == [m["value"] for m in parse_singer(executed.stdout) if m["type"] == "STATE"][-1]
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--about", "--format=json"], {}),
        (
            ["--config", "ENV", "--discover"],
            {"TAP_BRAZE_SENDS_API_KEY": "k", "TAP_BRAZE_SENDS_CAMPAIGN_IDS": "c"},
        ),
        (
            ["--config", "ENV"],
            {"TAP_BRAZE_SENDS_API_KEY": "k", "TAP_BRAZE_SENDS_LOOKBACK_DAYS": "-1"},
        ),
        (["--config", "/nonexistent/config.json"], {}),
    ],
    ids=["about", "discover-from-env", "config-error", "missing-file"],
)
def test_forked_and_executed_runs_agree(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TAP_BRAZE_SENDS_")}
    forked, executed = both_ways([TAP, *args], {**base, **env}, tmp_path)
    assert forked.returncode == executed.returncode
    assert forked.stdout == executed.stdout
    # Log lines carry their own times; the messages agree.
    strip = lambda text: [line.split("|")[-1] for line in text.splitlines()]  # noqa: E731
    assert strip(forked.stderr) == strip(executed.stderr)


def test_a_run_past_its_timeout_is_killed_and_the_next_run_still_works(tmp_path: Path) -> None:
    """As subprocess.run: TimeoutExpired, the child killed; the launcher serves the next run."""
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        config = tmp_path / "config.json"
        config.write_text(
            json.dumps(
                {
                    "api_key": "k",
                    "api_url": f"http://127.0.0.1:{silent.getsockname()[1]}",
                    "campaign_ids": ["c"],
                    "start_date": "2026-03-30",
                    "request_timeout": 60,
                }
            )
        )
        with pytest.raises(subprocess.TimeoutExpired):
            tap_process.run(
                [TAP, "--config", str(config)], env=dict(os.environ), files=tmp_path, timeout=3
            )
    about = tap_process.run(
        [TAP, "--about", "--format=json"], env=dict(os.environ), files=tmp_path, timeout=60
    )
    assert about.returncode == 0
    assert json.loads(about.stdout)["name"] == "tap-braze-sends"
