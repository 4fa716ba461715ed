"""A run killed at any point (SIGKILL: no cleanup at all) loses nothing once resumed.

The tap is killed at several points of a chain of runs, each resumed from the last STATE the
previous one emitted; the union of everything they wrote must be exactly what one clean run
writes, for every stream, and the last run must end on the clean run's final state.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, FaultPlan, build_workspace
from conftest import SIM_TODAY, TAP, canonical, expected_records, run_tap, tap_config

STREAMS = (
    "send_analytics",
    "send_message_analytics",
    "campaign_analytics",
    "campaign_message_analytics",
)
# Slow enough that every kill point below lands while the tap is still working.
LATENCY_MS = 10
SLOW_TAIL = 0.5
StopWhen = Callable[[list[dict[str, Any]]], bool]


def run_and_kill(
    config: dict[str, Any], state: dict[str, Any] | None, tmp_path: Path, stop_when: StopWhen
) -> tuple[list[dict[str, Any]], int]:
    """Run the CLI, SIGKILL it once ``stop_when(messages so far)`` holds; what it wrote."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    args = [TAP, "--config", str(config_path)]
    if state is not None:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(state))
        args += ["--state", str(state_path)]
    messages: list[dict[str, Any]] = []
    with (tmp_path / "stderr.log").open("wb") as stderr:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr)
        assert proc.stdout is not None
        killed = False
        for raw in proc.stdout:
            if not killed:
                messages.append(json.loads(raw))
                if stop_when(messages):
                    proc.send_signal(signal.SIGKILL)
                    killed = True
                continue
            # What was in the pipe when it died was emitted too (a target would read it);
            # the last line may be cut short by the kill.
            try:
                messages.append(json.loads(raw))
            except json.JSONDecodeError:
                break
        returncode = proc.wait(timeout=60)
    return messages, returncode


def records_of(messages: list[dict[str, Any]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {stream: [] for stream in STREAMS}
    for message in messages:
        if message["type"] == "RECORD":
            out[message["stream"]].append(message["record"])
    return out


def last_state(messages: list[dict[str, Any]]) -> dict[str, Any]:
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    assert states, "the killed run emitted no STATE to resume from"
    return states[-1]


def states_in(messages: list[dict[str, Any]]) -> int:
    return sum(m["type"] == "STATE" for m in messages)


def records_in(messages: list[dict[str, Any]]) -> int:
    return sum(m["type"] == "RECORD" for m in messages)


def after_first_state(messages: list[dict[str, Any]]) -> bool:
    return messages[-1]["type"] == "STATE"


def mid_records(count: int) -> StopWhen:
    """Right after the ``count``-th record, between two STATEs."""
    return lambda messages: messages[-1]["type"] == "RECORD" and records_in(messages) >= count


def partition_done(stream: str, context: dict[str, str]) -> StopWhen:
    """At the STATE that first shows ``context`` of ``stream`` read through."""

    def stop(messages: list[dict[str, Any]]) -> bool:
        if messages[-1]["type"] != "STATE":
            return False
        entries = messages[-1]["value"].get("bookmarks", {}).get(stream, {}).get("partitions", [])
        return any(e.get("context") == context and e.get("replication_key_value") for e in entries)

    return stop


def sync_order(messages: list[dict[str, Any]]) -> list[str]:
    """The day-level streams in the order the run synced them."""
    order: list[str] = []
    for message in messages:
        stream = message.get("stream", "")
        if message["type"] == "RECORD" and "message" not in stream and stream not in order:
            order.append(stream)
    return order


@pytest.mark.slow
@pytest.mark.parametrize("parallel", [1, 8])
def test_killed_runs_resumed_from_their_last_state_lose_nothing(
    parallel: int, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    ws = build_workspace(6, 4, today=SIM_TODAY, seed=7)
    # The last partition answers slowly, so the tap is still at work at every kill point.
    last_send = ws.sends[-1]
    slow_tail = FaultPlan(
        first_n=1_000, kinds=("slow",), only_ids=(last_send.send_id,), slow_seconds=SLOW_TAIL
    )
    sim = make_simulator(ws, latency_ms=LATENCY_MS, faults=slow_tail)
    # No lookback: a resumed run re-reads nothing it does not have to, so a partition marked
    # done too early would show up as missing days.
    config = tap_config(sim, window_days=25, lookback_days=0, max_parallel_requests=parallel)
    clean = run_tap(config, tmp_path / "clean")
    expected = expected_records(ws, config)
    assert {s: canonical(r) for s, r in clean.records.items()} == {
        s: canonical(r) for s, r in expected.items()
    }
    assert sync_order(clean.messages) == ["campaign_analytics", "send_analytics"]
    clean_records = sum(len(r) for r in clean.records.values())
    second_to_last = {"campaign_id": ws.sends[-2].campaign_id, "send_id": ws.sends[-2].send_id}

    kill_points: list[tuple[str, StopWhen]] = [
        ("after the first STATE", after_first_state),
        ("mid-records", mid_records(clean_records // 3)),
        ("near the end", partition_done("send_analytics", second_to_last)),
    ]
    state: dict[str, Any] | None = None
    written: list[dict[str, Any]] = []
    for name, stop_when in kill_points:
        messages, returncode = run_and_kill(config, state, tmp_path / name, stop_when)
        assert returncode == -signal.SIGKILL, f"{name}: the run ended before the kill"
        written += messages
        state = last_state(messages)
    final = run_tap(config, tmp_path / "resumed", state=state)
    written += final.messages

    union = records_of(written)
    for stream in STREAMS:
        # Every record of the clean run was written by some run, and nothing else was.
        assert set(canonical(union[stream])) == set(canonical(clean.records[stream])), stream
        days = {(*_partition(r), r["time"]) for r in union[stream]}
        assert days == {(*_partition(r), r["time"]) for r in clean.records[stream]}, stream
    assert final.final_state == clean.final_state
    # The last killed run did stop short of the end: the resumed run had work left.
    assert final.records.get("send_analytics")


def _partition(record: dict[str, Any]) -> tuple[str, ...]:
    return (record["campaign_id"], record.get("send_id", ""))
