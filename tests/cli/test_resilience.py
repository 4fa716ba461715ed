"""A user's scheduled run meets what a real Braze and network do, and loses nothing.

Every run is the real ``tap-braze-sends`` CLI against the simulator over HTTP on 127.0.0.1,
with seeded faults. A faulty run must end with exactly the records and the final state of a
fault-free run of the same config.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import FAULT_KINDS, BrazeSimulator, FaultPlan, RateLimit
from braze_simulator import build_workspace as _build_workspace
from conftest import (
    SIM_TODAY,
    QuietHandler,
    TapRun,
    canonical,
    expected_records,
    run_tap,
    serve_on_loopback,
    tap_config,
    tap_log_lines,
)

STREAMS = (
    "send_analytics",
    "send_message_analytics",
    "campaign_analytics",
    "campaign_message_analytics",
)
ENDPOINTS = ("sends", "campaigns")
PARALLELISM = (1, 8)
SLOW_SECONDS = 1.0
TIMEOUT_BELOW_SLOW = 0.5
# A faulted 429 asks to wait this long (Retry-After, or the reset this far ahead): a tenth of
# Braze's whole second keeps the 429 paths quick; the waits the tap logs show it obeyed.
RATE_LIMIT_SECONDS = 0.1

# The reason each fault kind shows in the retry log line.
RETRY_REASONS = {
    "500": "HTTP 500",
    "502": "HTTP 502",
    "503": "HTTP 503",
    "504": "HTTP 504",
    "reset": "ConnectionError",
    "truncated": "invalid JSON body",
    "bad_shape": "unexpected body",
    "slow": "ReadTimeout",
}
RETRY_LINE = re.compile(
    r"Retrying (?P<partition>campaign_id='[^']+'(?: send_id='[^']+')?) \((?P<path>/\w+/data_series)"
    r"\) in (?P<wait>\d+\.\d) s after attempt (?P<attempt>\d+) of (?P<tries>\d+): (?P<reason>.+)"
)
HOLD_LINE = re.compile(
    r"Braze (?P<pool>\w+) rate limit: HTTP 429 from (?P<path>/\w+/data_series); every request "
    r"to this pool waits (?P<wait>\d+\.\d) s \((?P<why>[^)]+)\)"
)
BUDGET_WAIT_LINE = re.compile(r"rate budget nearly spent \(remaining=\d+, limit=3\): waiting")


def tap_lines_with(run: TapRun, text: str) -> list[str]:
    """Messages of the tap's own log lines that contain ``text`` (other libraries' lines, such
    as an SDK deprecation warning, cannot match)."""
    return [line.message for line in tap_log_lines(run.stderr) if text in line.message]


def workspace() -> Any:
    return _build_workspace(3, 2, today=SIM_TODAY, seed=7)


def endpoint_config(sim: BrazeSimulator, endpoint: str, **overrides: Any) -> dict[str, Any]:
    """The config of a user who reads only one endpoint."""
    config = tap_config(sim, **overrides)
    if endpoint == "sends":
        config["campaign_ids"] = []
    else:
        config["sends"] = []
    return config


def endpoint_streams(endpoint: str) -> tuple[str, ...]:
    return tuple(s for s in STREAMS if s.startswith(endpoint[:-1]))


def assert_same_output(run: TapRun, clean: TapRun) -> None:
    """Exactly the clean run's records, each stream, and the same final state."""
    assert run.returncode == 0, run.stderr[-3000:]
    assert set(run.records) == set(clean.records)
    for stream, records in clean.records.items():
        got = run.records[stream]
        assert len(got) == len(records), stream
        assert canonical(got) == canonical(records), stream
    assert run.final_state == clean.final_state


def bookmarks(run: TapRun, stream: str) -> dict[tuple, str]:
    """The partitions of ``stream`` with a bookmark in the run's last STATE."""
    return {key: value for key, value in run.bookmarks(stream).items() if value is not None}


def settled_stats(sim: BrazeSimulator, requests: int, timeout: float = 5.0) -> dict[str, Any]:
    """The simulator's stats once ``requests`` were recorded (a slow reply records late)."""
    deadline = time.monotonic() + timeout
    stats = sim.stats()
    while stats["requests"] < requests and time.monotonic() < deadline:
        time.sleep(0.05)
        stats = sim.stats()
    return stats


@pytest.fixture(scope="module")
def clean_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[TapRun, int]]:
    """One fault-free run per endpoint: its output and its number of requests."""
    runs: dict[str, tuple[TapRun, int]] = {}
    for endpoint in ENDPOINTS:
        with BrazeSimulator(workspace()) as sim:
            config = endpoint_config(sim, endpoint)
            run = run_tap(config, tmp_path_factory.mktemp(f"clean-{endpoint}"))
            expected = expected_records(sim.workspace, config)
            # The baseline itself is right: exactly what the simulator's data says.
            assert {s: canonical(r) for s, r in run.records.items()} == {
                s: canonical(r) for s, r in expected.items()
            }
            assert sim.stats()["by_status"] == {200: sim.stats()["requests"]}
            runs[endpoint] = (run, sim.stats()["requests"])
    return runs


# --- each fault kind on each endpoint ---------------------------------------------------------


@pytest.mark.slow  # the 429 cases hold their pool 1 s, 2 s, 4 s, ...: up to a minute
@pytest.mark.parametrize("parallel", PARALLELISM)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_each_fault_kind_is_retried_to_the_same_records_and_state(
    kind: str,
    endpoint: str,
    parallel: int,
    clean_runs: dict[str, tuple[TapRun, int]],
    tmp_path: Path,
) -> None:
    clean, clean_requests = clean_runs[endpoint]
    plan = FaultPlan(
        first_n=2,
        kinds=(kind,),
        slow_seconds=SLOW_SECONDS,
        rate_limit_seconds=RATE_LIMIT_SECONDS,
    )
    with BrazeSimulator(workspace(), faults=plan) as sim:
        config = endpoint_config(
            sim, endpoint, max_parallel_requests=parallel, request_timeout=TIMEOUT_BELOW_SLOW
        )
        run = run_tap(config, tmp_path, check=False)
        # Every request failed twice, then succeeded.
        stats = settled_stats(sim, 3 * clean_requests)

    assert_same_output(run, clean)
    assert stats["requests"] == 3 * clean_requests
    assert stats["faults"] == {kind: 2 * clean_requests}
    path = f"/{endpoint}/data_series"
    partitions = [
        f"campaign_id='{s['campaign_id']}' send_id='{s['send_id']}'" for s in config["sends"]
    ] + [f"campaign_id='{c}'" for c in config["campaign_ids"]]
    if kind.startswith("429"):
        # One line per hold of the pool (the 429s of requests in flight join it), each at
        # least a second though Braze asked for a tenth: no answer makes the tap hammer.
        holds = [m.groupdict() for m in HOLD_LINE.finditer(run.stderr)]
        assert 1 <= len(holds) <= 2 * clean_requests
        assert {h["path"] for h in holds} == {path}
        assert all(float(h["wait"]) >= 1.0 for h in holds)
        if parallel == 1:  # each request's two 429s: a hold of 1 s, then of 2 s
            assert [float(h["wait"]) for h in holds] == [1.0, 2.0] * clean_requests
        assert not tap_lines_with(run, "Retrying")  # a 429 with a known wait is not a failure
    else:
        retries = [m.groupdict() for m in RETRY_LINE.finditer(run.stderr)]
        assert len(retries) == 2 * clean_requests
        for retry in retries:
            assert RETRY_REASONS[kind] in retry["reason"]
            assert retry["tries"] == "9"  # max_retries 8 by default: 9 attempts
        assert Counter(r["attempt"] for r in retries) == {"1": clean_requests, "2": clean_requests}
        waits = [(r["partition"], r["path"]) for r in retries]
        assert Counter(waits) == {(p, path): 2 for p in partitions}
    assert "Traceback" not in run.stderr


# --- giving up --------------------------------------------------------------------------------


@pytest.mark.parametrize("parallel", PARALLELISM)
def test_giving_up_names_partition_window_and_cause_after_saving_finished_partitions(
    parallel: int, clean_runs: dict[str, tuple[TapRun, int]], tmp_path: Path
) -> None:
    # Only send-0002 keeps failing: the campaigns and send-0001 finish before it.
    plan = FaultPlan(first_n=100, kinds=("503",), only_ids=("send-0002",))
    with BrazeSimulator(workspace(), faults=plan) as sim:
        config = tap_config(sim, max_retries=2, max_parallel_requests=parallel)
        run = run_tap(config, tmp_path, check=False)
        stats = sim.stats()
        full = expected_records(sim.workspace, config)

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, errors  # one message, not a wall of them
    message = errors[0]
    assert "Giving up" in message
    assert "campaign_id='api-camp-02' send_id='send-0002'" in message
    assert "/sends/data_series" in message
    assert "window 2026-02-14..2026-04-01" in message
    assert "length=47" in message
    assert "after 3 attempts (max_retries=2)" in message
    assert "last cause: BrazeTransientError: HTTP 503" in message
    assert "Service Unavailable" in message
    # The failing request was tried exactly max_retries + 1 times.
    assert stats["faults"] == {"503": 3}

    # Everything finished before the failure is in the output, and in the last STATE.
    finished_sends = {("api-camp-01", "send-0001")}
    for stream in ("campaign_analytics", "campaign_message_analytics"):
        assert canonical(run.records[stream]) == canonical(full[stream])
        assert bookmarks(run, stream) == {
            ("camp-0001",): "2026-03-31",
            ("camp-0002",): "2026-03-31",
        }
    for stream in ("send_analytics", "send_message_analytics"):
        done = [r for r in full[stream] if (r["campaign_id"], r["send_id"]) in finished_sends]
        assert canonical(run.records.get(stream, [])) == canonical(done)
        assert bookmarks(run, stream) == {("api-camp-01", "send-0001"): "2026-03-31"}
    # The last message is that STATE: a rerun resumes after the finished partitions.
    assert run.messages[-1]["type"] == "STATE"


def test_a_429_asking_to_wait_past_max_rate_limit_wait_defers_that_pool_alone(
    tmp_path: Path,
) -> None:
    plan = FaultPlan(first_n=1, kinds=("429_retry_after",), only_ids=("camp-0002",))
    with BrazeSimulator(workspace(), faults=plan) as sim:
        config = tap_config(sim, max_rate_limit_wait=0.2, max_parallel_requests=1)
        run = run_tap(config, tmp_path, check=False)
        stats = sim.stats()

    # The campaign pool's trouble is its own: the sends (default pool) are all read.
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    (message,) = tap_lines_with(run, "Deferring")
    assert "campaign_id='camp-0002'" in message
    assert "HTTP 429 from /campaigns/data_series asks to wait 1 s" in message
    assert "longer than max_rate_limit_wait=0 s" in message
    (closing,) = tap_lines_with(run, "Deferred to the next run")
    assert "1 partition of campaign_analytics, campaign_message_analytics (1)" in closing
    assert stats["by_status"] == {200: 1 + 3, 429: 1}  # no second try after the verdict
    assert bookmarks(run, "campaign_analytics") == {("camp-0001",): "2026-03-31"}
    assert len(bookmarks(run, "send_analytics")) == 3


def test_a_spent_budget_resetting_past_max_rate_limit_wait_defers_before_drawing_a_429(
    tmp_path: Path,
) -> None:
    # One request an hour: the second would have to wait an hour.
    hourly = RateLimit(limit=1, period_seconds=3600)
    with BrazeSimulator(workspace(), campaigns_rate_limit=hourly) as sim:
        config = tap_config(sim, max_rate_limit_wait=30)
        run = run_tap(config, tmp_path, check=False)
        stats = sim.stats()

    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    (message,) = tap_lines_with(run, "Deferring")
    assert "campaign_id='camp-0002'" in message
    assert "Braze's 'campaign_analytics' rate limit is spent (0 of 1 left)" in message
    assert "it resets in 360" in message
    assert "longer than max_rate_limit_wait=30 s" in message
    assert 429 not in stats["by_status"]
    assert bookmarks(run, "campaign_analytics") == {("camp-0001",): "2026-03-31"}
    assert len(bookmarks(run, "send_analytics")) == 3


# --- chaos, budget, header case ---------------------------------------------------------------


def test_chaos_run_with_a_fifth_of_requests_failing_gives_the_clean_records(
    tmp_path: Path,
) -> None:
    ws = _build_workspace(30, 20, today=SIM_TODAY, seed=11)
    overrides = {"window_days": 20, "max_parallel_requests": 8}
    with BrazeSimulator(ws) as sim:
        config = tap_config(sim, **overrides)
        clean = run_tap(config, tmp_path / "clean")
        clean_requests = sim.stats()["requests"]
        expected = expected_records(ws, config)
    plan = FaultPlan(
        rate=0.2, seed=5, slow_seconds=SLOW_SECONDS, rate_limit_seconds=RATE_LIMIT_SECONDS
    )
    with BrazeSimulator(ws, faults=plan) as sim:
        config = tap_config(sim, request_timeout=TIMEOUT_BELOW_SLOW, **overrides)
        chaos = run_tap(config, tmp_path / "chaos", check=False)
        time.sleep(SLOW_SECONDS)  # a reply still sleeping when the tap moved on records late
        stats = sim.stats()

    assert {s: canonical(r) for s, r in clean.records.items()} == {
        s: canonical(r) for s, r in expected.items()
    }
    assert_same_output(chaos, clean)
    faults = sum(stats["faults"].values())
    limited = sum(n for kind, n in stats["faults"].items() if kind.startswith("429"))
    retries = len(RETRY_LINE.findall(chaos.stderr))
    holds = len(HOLD_LINE.findall(chaos.stderr))
    print(
        f"chaos: {clean_requests} clean requests; faulty run {stats['requests']} requests, "
        f"{faults} faults {stats['faults']}, {retries} retries + {holds} pool holds for "
        f"{limited} 429s"
    )
    # About a fifth failed, every kind showed up, and each fault was met by one retry, or a
    # hold of its pool (which the 429s of requests in flight join).
    assert 0.12 * stats["requests"] < faults < 0.3 * stats["requests"]
    assert set(stats["faults"]) == set(FAULT_KINDS)
    assert retries == faults - limited
    assert 1 <= holds <= limited
    assert stats["requests"] == clean_requests + faults


@pytest.mark.parametrize(
    ("parallel", "lowercase"), [(8, False), (1, True)], ids=["Header-Case-8", "lower-case-1"]
)
def test_a_small_budget_is_paced_without_429s(
    parallel: int, lowercase: bool, tmp_path: Path
) -> None:
    overrides = {"window_days": 25, "max_parallel_requests": parallel}
    with BrazeSimulator(workspace()) as sim:
        clean = run_tap(tap_config(sim, **overrides), tmp_path / "clean")
        clean_requests = sim.stats()["requests"]
    # Three requests a second per pool, spent whole (no reserve under 50), then the tap waits.
    with BrazeSimulator(
        workspace(),
        sends_rate_limit=RateLimit(limit=3, period_seconds=1),
        campaigns_rate_limit=RateLimit(limit=3, period_seconds=1),
        lowercase_headers=lowercase,
    ) as sim:
        run = run_tap(tap_config(sim, **overrides), tmp_path / "paced", check=False)
        stats = sim.stats()

    assert_same_output(run, clean)
    assert stats["by_path"] == {"/sends/data_series": 6, "/campaigns/data_series": 4}
    # Six sends requests and four campaigns requests each need a wait ...
    waits = BUDGET_WAIT_LINE.findall(run.stderr)
    assert len(waits) >= 2, run.stderr[-3000:]
    # ... and the tap waited for each reset instead of drawing 429s.
    assert stats["by_status"] == {200: clean_requests}


def test_a_429_with_lower_case_headers_waits_for_the_reset_it_names(
    clean_runs: dict[str, tuple[TapRun, int]], tmp_path: Path
) -> None:
    clean, clean_requests = clean_runs["campaigns"]
    # A reset further ahead than the pool's 1 s floor, so the hold shows where it came from.
    plan = FaultPlan(first_n=1, kinds=("429",), rate_limit_seconds=4.0)
    with BrazeSimulator(workspace(), faults=plan, lowercase_headers=True) as sim:
        run = run_tap(
            endpoint_config(sim, "campaigns", max_parallel_requests=1), tmp_path, check=False
        )
        stats = sim.stats()

    assert_same_output(run, clean)
    assert stats["by_status"] == {429: clean_requests, 200: clean_requests}
    # The wait came from x-ratelimit-reset (4 s ahead: a slow machine still sees it ahead),
    # not from the floor.
    holds = [m.groupdict() for m in HOLD_LINE.finditer(run.stderr)]
    assert len(holds) == clean_requests
    assert all(h["why"] == "as Braze asked" for h in holds)
    assert all(1.5 <= float(h["wait"]) <= 5.5 for h in holds)
    assert not tap_lines_with(run, "Retrying")


def test_a_fatal_error_stops_the_other_workers_retrying(tmp_path: Path) -> None:
    # The first campaign does not exist (400); the next two would each fail nine times.
    plan = FaultPlan(first_n=100, kinds=("503",), only_ids=("camp-0001", "camp-0002"))
    with BrazeSimulator(workspace(), faults=plan) as sim:
        config = tap_config(
            sim,
            campaign_ids=["camp-nope", "camp-0001", "camp-0002"],
            max_parallel_requests=8,
            retry_initial_wait=0.3,
        )
        run = run_tap(config, tmp_path, check=False)
        stats = sim.stats()

    assert run.returncode == 1
    errors = [line for line in run.stderr.splitlines() if "| ERROR" in line]
    assert len(errors) == 1, errors
    assert "campaign_id='camp-nope' (400)" in errors[0]
    # Once the run stopped, nobody kept retrying: at most the attempt already on its way.
    assert stats["by_status"].get(400) == 1
    assert stats["faults"].get("503", 0) <= 2  # without stopping: 18


@pytest.fixture
def bare_429_url() -> Iterator[str]:
    """A server that answers each request first with a bare 429 (no rate-limit headers at
    all), then with an empty series."""
    seen: set[str] = set()
    lock = threading.Lock()

    class Bare429(QuietHandler):
        def do_GET(self) -> None:
            with lock:
                first = self.path not in seen
                seen.add(self.path)
            status, body = (429, b'{"message": "slow down"}') if first else (200, EMPTY_SERIES)
            self.reply(status, body)

    with serve_on_loopback(Bare429) as url:
        yield url


EMPTY_SERIES = b'{"data": [], "message": "success"}'


def test_a_429_without_any_hint_holds_its_pool_a_second(bare_429_url: str, tmp_path: Path) -> None:
    with BrazeSimulator(workspace()) as sim:
        config = tap_config(sim, api_url=bare_429_url, sends=[], campaign_ids=["camp-0001"])
    run = run_tap(config, tmp_path, check=False)

    assert run.returncode == 0, run.stderr[-3000:]
    (hold,) = [m.groupdict() for m in HOLD_LINE.finditer(run.stderr)]
    assert hold == {
        "pool": "campaign_analytics",
        "path": "/campaigns/data_series",
        "wait": "1.0",
        "why": "at least 1 s, doubling with each 429 in a row",
    }
    assert not tap_lines_with(run, "Retrying")
    assert bookmarks(run, "campaign_analytics") == {("camp-0001",): "2026-03-31"}
