"""The workspace settings through `--config ENV`, as a deployment sets them: JSON lists or
comma-separated text (as for campaign_ids), names with any character kept exactly, and a bad
value stopped with one line naming the setting and the place, before any request."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import TAP

# No server listens here: a config error must stop the run before any request.
CLOSED = "http://127.0.0.1:9"
AWKWARD = ["Added to Cart", "Q&A / FAQ 100% \"done\" 'ok'", "café ☕", "注文 完了"]


def run_env(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_BRAZE_SENDS_")}
    env.update(
        TAP_BRAZE_SENDS_API_KEY="env-key-3b9d",
        TAP_BRAZE_SENDS_API_URL=CLOSED,
        TAP_BRAZE_SENDS_CAMPAIGN_IDS="camp-0001",
        PYTHONIOENCODING="utf-8",
    )
    env.update({f"TAP_BRAZE_SENDS_{k.upper()}": v for k, v in settings.items()})
    return subprocess.run(
        [TAP, "--config", "ENV"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env=env,
        check=False,
        cwd=tmp_path,
    )


def error_lines(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stderr.splitlines() if "| ERROR" in line]


def test_comma_separated_names_are_split_and_stripped_like_campaign_ids(tmp_path: Path) -> None:
    proc = run_env(tmp_path, event_names="Added to Cart, Viewed Page,Added to Cart")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    named = [line for line in error_lines(proc) if "event_names" in line]
    # Split at the commas: the third repeats the first.
    assert len(named) == 1, error_lines(proc)
    assert named[0].endswith(
        "event_names[2]: duplicate event name 'Added to Cart' (from TAP_BRAZE_SENDS_EVENT_NAMES)"
    )


@pytest.mark.parametrize("name", ["event_names", "products"])
def test_awkward_names_from_a_json_variable_arrive_exactly(name: str, tmp_path: Path) -> None:
    # The repeat of each name is reported quoting the name as it arrived.
    proc = run_env(tmp_path, **{name: json.dumps([*AWKWARD, *AWKWARD], ensure_ascii=False)})
    assert proc.returncode != 0
    errors = error_lines(proc)
    item = "event name" if name == "event_names" else "product name"
    for index, text in enumerate(AWKWARD, start=len(AWKWARD)):
        wanted = f"{name}[{index}]: duplicate {item} {text!r} (from TAP_BRAZE_SENDS_{name.upper()})"
        assert any(line.endswith(wanted) for line in errors), (wanted, errors)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("app_ids", "app-ios,*"),
        ("segment_ids", '["seg-1", "*"]'),
        ("breakdown_segment_ids", "*"),
        ("products", '["Pro plan", " * "]'),
    ],
)
def test_a_star_from_the_environment_is_a_clear_error(
    name: str, value: str, tmp_path: Path
) -> None:
    proc = run_env(tmp_path, **{name: value})
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert [line for line in error_lines(proc) if f"{name}[" in line and "'*' is reserved" in line]
    assert "Config validation failed" in proc.stderr
