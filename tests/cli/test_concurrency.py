"""Concurrency and the fast record path: parallel runs equal sequential ones, record for record.

Whole runs are the real ``tap-braze-sends`` CLI against the simulator over HTTP on 127.0.0.1;
the ordered prefetcher is also tested on its own, with events instead of timings. (Faults and
429s at parallelism 8 are in test_resilience.py.)
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, FaultPlan, Workspace, build_workspace
from conftest import SIM_TODAY, TAP, TapRun, expected_records, run_tap, tap_config

from tap_braze_sends.runtime.prefetch import OrderedPrefetcher

PARTITION_FIELDS = {
    "send_analytics": ("campaign_id", "send_id"),
    "send_message_analytics": ("campaign_id", "send_id"),
    "campaign_analytics": ("campaign_id",),
    "campaign_message_analytics": ("campaign_id",),
}
STREAMS = tuple(PARTITION_FIELDS)
PartitionKey = tuple[str, tuple[str, ...]]


def by_partition(records: dict[str, list[dict]]) -> dict[PartitionKey, list[dict]]:
    """Records per (stream, partition), in the order they came."""
    out: dict[PartitionKey, list[dict]] = defaultdict(list)
    for stream, rows in records.items():
        for row in rows:
            out[(stream, tuple(row[f] for f in PARTITION_FIELDS[stream]))].append(row)
    return dict(out)


@pytest.fixture(scope="module")
def big_workspace() -> Workspace:
    # Enough partitions and windows that eight workers finish out of order.
    return build_workspace(10, 6, today=SIM_TODAY, seed=11)


@pytest.fixture(scope="module")
def parity_runs(
    big_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], dict[int, TapRun]]]:
    """The same config run with max_parallel_requests 1 and 8 (several windows per partition)."""
    with BrazeSimulator(big_workspace) as sim:
        config = tap_config(sim, window_days=7)
        runs = {
            parallel: run_tap(
                {**config, "max_parallel_requests": parallel},
                tmp_path_factory.mktemp(f"parallel-{parallel}"),
            )
            for parallel in (1, 8)
        }
        yield config, runs


def test_parallel_output_equals_sequential_record_for_record(
    parity_runs: tuple[dict[str, Any], dict[int, TapRun]], big_workspace: Workspace
) -> None:
    config, runs = parity_runs
    sequential, parallel = by_partition(runs[1].records), by_partition(runs[8].records)
    expected = by_partition(expected_records(big_workspace, config))
    assert len(expected) > 20
    # Within each partition, the same records in the same order: exactly the simulator's data.
    assert sequential == expected
    assert parallel == expected
    assert runs[8].final_state == runs[1].final_state
    for stream in STREAMS:
        partitions = (
            [(s["campaign_id"], s["send_id"]) for s in config["sends"]]
            if "send" in stream
            else [(c,) for c in config["campaign_ids"]]
        )
        assert runs[8].bookmarks(stream) == dict.fromkeys(partitions, config["end_date"])


@pytest.mark.parametrize("parallel", [1, 8])
def test_each_partition_state_comes_after_all_its_records(
    parity_runs: tuple[dict[str, Any], dict[int, TapRun]], parallel: int
) -> None:
    run = parity_runs[1][parallel]
    last_record: dict[PartitionKey, int] = {}
    schema_at: dict[str, int] = {}
    for index, message in enumerate(run.messages):
        if message["type"] == "SCHEMA":
            schema_at.setdefault(message["stream"], index)
        elif message["type"] == "RECORD":
            stream = message["stream"]
            assert schema_at.get(stream, index) < index, f"RECORD of {stream} before its SCHEMA"
            key = tuple(message["record"][f] for f in PARTITION_FIELDS[stream])
            last_record[(stream, key)] = index

    bookmark_counts = set()
    for index, message in enumerate(run.messages):
        if message["type"] != "STATE":
            continue
        covered = [
            (stream, tuple(p["context"][f] for f in PARTITION_FIELDS[stream]))
            for stream, entry in message["value"].get("bookmarks", {}).items()
            for p in entry.get("partitions", [])
            if p.get("replication_key_value") is not None
        ]
        bookmark_counts.add(len(covered))
        for key in covered:
            assert last_record.get(key, -1) < index, f"STATE at {index} before records of {key}"
    # Bookmarks arrive partition by partition over several STATEs, not all at the end.
    assert len(bookmark_counts) > 3
    assert run.messages[-1]["type"] == "STATE"


def test_a_failure_after_deferred_states_still_saves_every_finished_partition(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    # Thirty sends, most with little or no data: a STATE (all bookmarks) per partition would
    # cost more than the records it covers, so some partitions' STATEs are deferred.
    workspace = build_workspace(30, 0, today=SIM_TODAY, seed=7)
    clean_sim = make_simulator(workspace)
    clean = run_tap(tap_config(clean_sim, max_parallel_requests=8), tmp_path / "clean")
    with_state = {
        sum(
            1
            for p in m["value"]["bookmarks"]["send_analytics"]["partitions"]
            if "replication_key_value" in p
        )
        for m in clean.messages
        if m["type"] == "STATE" and "send_analytics" in m["value"].get("bookmarks", {})
    }
    deferred = [n for n in range(1, 29) if n not in with_state]
    assert deferred, with_state  # some finished partitions had no STATE of their own
    # The send after the last such partition keeps failing.
    finished_count = deferred[-1]
    failing = workspace.sends[finished_count].send_id
    plan = FaultPlan(first_n=100, kinds=("503",), only_ids=(failing,))
    sim = make_simulator(workspace, faults=plan)
    config = tap_config(sim, max_retries=0, max_parallel_requests=8)
    run = run_tap(config, tmp_path / "failing", check=False)

    assert run.returncode == 1
    assert failing in run.stderr
    # The last message is a STATE with every partition finished before the failure.
    assert run.messages[-1]["type"] == "STATE"
    finished = config["sends"][:finished_count]
    for stream in ("send_analytics", "send_message_analytics"):
        assert run.bookmarks(stream) == {
            **{(s["campaign_id"], s["send_id"]): config["end_date"] for s in finished},
            **{(s["campaign_id"], s["send_id"]): None for s in config["sends"][finished_count:]},
        }
    expected = expected_records(workspace, {**config, "sends": finished})
    assert by_partition(run.records) == by_partition(expected)


# --- the fast record path still honours stream maps, flattening and selection -------------


def test_stream_maps_alias_filter_add_and_remove_properties_still_apply(
    simulator: BrazeSimulator, workspace: Workspace, tmp_path: Path
) -> None:
    config = tap_config(
        simulator,
        stream_maps={
            "send_analytics": {"__alias__": "send_days"},
            "campaign_analytics": {"__filter__": "campaign_id == 'camp-0002'"},
            "campaign_message_analytics": {
                "where": "campaign_id + '/' + channel",
                "variation_name": "__NULL__",
            },
        },
    )
    run = run_tap(config, tmp_path)
    expected = expected_records(workspace, config)

    assert set(run.records) == {
        "send_days",
        "send_message_analytics",
        "campaign_analytics",
        "campaign_message_analytics",
    }
    assert run.records["send_days"] == expected["send_analytics"]
    assert run.records["send_message_analytics"] == expected["send_message_analytics"]
    assert run.records["campaign_analytics"] == [
        r for r in expected["campaign_analytics"] if r["campaign_id"] == "camp-0002"
    ]
    mapped = []
    for row in copy.deepcopy(expected["campaign_message_analytics"]):
        row.pop("variation_name")
        row["where"] = f"{row['campaign_id']}/{row['channel']}"
        mapped.append(row)
    assert run.records["campaign_message_analytics"] == mapped
    schemas = {m["stream"]: m["schema"] for m in run.messages if m["type"] == "SCHEMA"}
    assert "where" in schemas["campaign_message_analytics"]["properties"]
    assert "variation_name" not in schemas["campaign_message_analytics"]["properties"]


def test_flattening_still_applies(
    simulator: BrazeSimulator, workspace: Workspace, tmp_path: Path
) -> None:
    # extra_metrics is an open object: the SDK's flattening writes it as a JSON string.
    config = tap_config(simulator, flattening_enabled=True, flattening_max_depth=1)
    run = run_tap(config, tmp_path)
    expected = expected_records(workspace, config)
    flattened = 0
    for stream, rows in expected.items():
        got = run.records[stream]
        assert len(got) == len(rows), stream
        for want, have in zip(rows, got, strict=True):
            extras, text = want.pop("extra_metrics"), have.pop("extra_metrics")
            if extras is None:
                assert text is None
            else:
                assert isinstance(text, str)
                assert json.loads(text) == extras
                flattened += 1
            assert have == want
    assert flattened > 0  # the workspace has extra metrics to flatten


def test_deselected_properties_are_not_written(
    simulator: BrazeSimulator, workspace: Workspace, tmp_path: Path
) -> None:
    config = tap_config(simulator)
    config_path = tmp_path / "discover-config.json"
    config_path.write_text(json.dumps(config))
    discovered = subprocess.run(
        [TAP, "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    catalog = json.loads(discovered.stdout)
    deselect = {"campaign_analytics": "revenue", "send_message_analytics": "extra_metrics"}
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == ["properties", deselect.get(entry["tap_stream_id"])]:
                metadata["metadata"]["selected"] = False
    run = run_tap(config, tmp_path / "sync", catalog=catalog)
    expected = expected_records(workspace, config)
    for stream in STREAMS:
        want = copy.deepcopy(expected[stream])
        for row in want:
            row.pop(deselect.get(stream, ""), None)
        assert run.records[stream] == want, stream
    schemas = {m["stream"]: m["schema"] for m in run.messages if m["type"] == "SCHEMA"}
    assert "revenue" not in schemas["campaign_analytics"]["properties"]
    assert "revenue" in schemas["send_analytics"]["properties"]


def test_record_messages_keep_the_singer_shape(
    parity_runs: tuple[dict[str, Any], dict[int, TapRun]],
) -> None:
    records = [m for m in parity_runs[1][8].messages if m["type"] == "RECORD"]
    assert {tuple(sorted(m)) for m in records} == {("record", "stream", "time_extracted", "type")}
    extracted = {
        dt.datetime.fromisoformat(m["time_extracted"].replace("Z", "+00:00")) for m in records
    }
    assert all(t.tzinfo is not None and t.utcoffset() == dt.timedelta(0) for t in extracted)


# --- requests in flight are bounded by max_parallel_requests --------------------------------


def count_in_flight(sim: BrazeSimulator) -> dict[str, int]:
    """Wrap the simulator's handler to record the peak of concurrent requests it served."""
    counts = {"now": 0, "peak": 0, "total": 0}
    lock = threading.Lock()
    handle = sim.handle

    def counting(raw_path: str, authorization: str | None) -> Any:
        with lock:
            counts["now"] += 1
            counts["total"] += 1
            counts["peak"] = max(counts["peak"], counts["now"])
        try:
            return handle(raw_path, authorization)
        finally:
            with lock:
                counts["now"] -= 1

    sim.handle = counting  # type: ignore[method-assign]
    return counts


@pytest.mark.parametrize("parallel", [1, 3])
def test_requests_in_flight_never_exceed_max_parallel_requests(
    make_simulator: Callable[..., BrazeSimulator],
    workspace: Workspace,
    tmp_path: Path,
    parallel: int,
) -> None:
    # 50 ms per request: long enough that a pool of three always has three in flight.
    sim = make_simulator(workspace, latency_ms=50)
    counts = count_in_flight(sim)
    config = tap_config(sim, window_days=15, max_parallel_requests=parallel)
    run = run_tap(config, tmp_path)
    assert counts["total"] == 5 * 4
    assert counts["peak"] == parallel
    assert by_partition(run.records) == by_partition(expected_records(workspace, config))


# --- the ordered prefetcher on its own ------------------------------------------------------


def test_prefetcher_hands_results_back_in_order_whatever_finishes_first() -> None:
    # Job 0 finishes only after job 3 did: results still come back 0, 1, 2, 3, ...
    last_done = threading.Event()

    def fetch(job: int) -> int:
        if job == 0:
            assert last_done.wait(10), "job 3 never ran while job 0 was in flight"
        if job == 3:
            last_done.set()
        return job * 10

    with OrderedPrefetcher(fetch, range(6), workers=4) as prefetcher:
        got = list(prefetcher.take(2)) + list(prefetcher.take(4))
    assert got == [(i, i * 10) for i in range(6)]


def test_prefetcher_keeps_every_worker_busy_across_partition_boundaries() -> None:
    # Four one-job "partitions": all four must be in flight at once while the consumer
    # still waits for the first, or the barrier breaks.
    barrier = threading.Barrier(4, timeout=10)

    def fetch(job: int) -> int:
        barrier.wait()
        return job

    with OrderedPrefetcher(fetch, range(8), workers=4) as prefetcher:
        got = [item for _ in range(8) for item in prefetcher.take(1)]
    assert [job for job, _ in got] == list(range(8))


def test_prefetcher_never_runs_more_than_max_ahead_past_the_consumer() -> None:
    started: list[int] = []
    lock = threading.Lock()

    def fetch(job: int) -> int:
        with lock:
            started.append(job)
        return job

    with OrderedPrefetcher(fetch, range(100), workers=4, max_ahead=6) as prefetcher:
        for consumed, (job, _) in enumerate(prefetcher.take(100), start=1):
            assert job == consumed - 1
            with lock:
                # Submitted ahead of what the consumer took: never more than max_ahead.
                assert max(started) - job <= 6
    assert sorted(started) == list(range(100))


def test_prefetcher_starts_early_jobs_at_once_and_still_hands_them_back_in_order() -> None:
    # Job 0 waits until job 9 has started: with two workers and max_ahead 2, job 9 can only
    # be running then because it was started early.
    started: list[int] = []
    nine_started = threading.Event()
    lock = threading.Lock()

    def fetch(job: int) -> int:
        with lock:
            started.append(job)
        if job == 9:
            nine_started.set()
        if job == 0:
            assert nine_started.wait(10), "the early job did not start early"
        return job

    with OrderedPrefetcher(fetch, range(12), workers=2, max_ahead=2, early={9: 9}) as prefetcher:
        got = list(prefetcher.take(12))
    assert got == [(i, i) for i in range(12)]
    assert sorted(started) == list(range(12))  # fetched once each, the early one too


def test_prefetcher_with_one_worker_fetches_only_when_consumed() -> None:
    started: list[int] = []
    prefetcher = OrderedPrefetcher(lambda job: started.append(job) or job, range(3), workers=1)
    taken = prefetcher.take(3)
    assert started == []
    assert next(taken) == (0, 0)
    assert started == [0]
    assert list(taken) == [(1, 1), (2, 2)]
    prefetcher.close()
