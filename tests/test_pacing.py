"""The shared rate budget (pacing.py) on its own: a fake clock, no network."""

from __future__ import annotations

import random
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from tap_braze_sends.pacing import (
    RateBudget,
    RateBudgetExceeded,
    RateLimitHeaders,
    read_rate_limit_headers,
    seconds_until_reset,
)

T0 = 1_800_000_000.0
SLACK = 0.5  # pacing._CLOCK_SLACK_SECONDS: waits end half a second after Braze's reset


class FakeClock:
    """A clock that only moves when the budget sleeps (or the test says so)."""

    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def headers(limit: int | None, remaining: int | None, reset: float | None) -> RateLimitHeaders:
    return RateLimitHeaders(limit=limit, remaining=remaining, reset_epoch=reset, retry_after=None)


def budget_with(clock: FakeClock, limit: int, remaining: int, reset: float) -> RateBudget:
    budget = RateBudget("test", clock=clock, sleep=clock.sleep)
    budget.acquire()
    budget.release(headers(limit, remaining, reset))
    return budget


# --- header parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"),
        ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"),
        ("X-RATELIMIT-LIMIT", "X-RATELIMIT-REMAINING", "X-RATELIMIT-RESET", "RETRY-AFTER"),
        ("x-RateLimit-limit", "X-ratelimit-Remaining", "x-rAtElImIt-ReSeT", "rEtRy-AfTeR"),
    ],
)
@pytest.mark.parametrize("mapping", [dict, CaseInsensitiveDict])
def test_headers_are_read_in_any_letter_case(names: tuple[str, ...], mapping: type) -> None:
    raw = mapping(zip(names, ["250000", "249990", "1800000060", "7"], strict=True))
    assert read_rate_limit_headers(raw) == RateLimitHeaders(
        limit=250000, remaining=249990, reset_epoch=1800000060.0, retry_after=7.0
    )


@pytest.mark.parametrize(
    "garbage",
    ["", "  ", "abc", "12abc", "nan", "inf", "-inf", "-5", "Wed, 21 Oct 2026 07:28:00 GMT"],
)
def test_garbled_headers_are_none_not_a_crash(garbage: str) -> None:
    raw = {
        "X-RateLimit-Limit": garbage,
        "X-RateLimit-Remaining": garbage,
        "X-RateLimit-Reset": garbage,
        "Retry-After": garbage,
    }
    assert read_rate_limit_headers(raw) == RateLimitHeaders(None, None, None, None)


def test_missing_headers_are_none_and_whitespace_and_decimals_are_read() -> None:
    assert read_rate_limit_headers({}) == RateLimitHeaders(None, None, None, None)
    parsed = read_rate_limit_headers({"X-RateLimit-Remaining": " 12 ", "X-RateLimit-Reset": "5.5"})
    assert parsed == RateLimitHeaders(None, 12, 5.5, None)


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=30), max_size=8))
def test_any_header_values_parse_without_raising(raw: dict[str, str]) -> None:
    parsed = read_rate_limit_headers(raw)
    assert parsed.remaining is None or parsed.remaining >= 0


def test_429_wait_prefers_retry_after_then_reset_then_unknown() -> None:
    assert seconds_until_reset(RateLimitHeaders(10, 0, T0 + 30, 4.0), T0) == 4.0
    assert seconds_until_reset(RateLimitHeaders(10, 0, T0 + 30, None), T0) == 30 + SLACK
    # A reset in the past (clock skew): go again right after the slack.
    assert seconds_until_reset(RateLimitHeaders(10, 0, T0 - 30, None), T0) == SLACK
    assert seconds_until_reset(RateLimitHeaders(10, 0, None, None), T0) is None


# --- pacing ----------------------------------------------------------------------------------


def test_plenty_of_budget_never_waits() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=100, remaining=90, reset=T0 + 60)
    for _ in range(50):
        budget.acquire()
    assert budget.in_flight == 50
    assert clock.sleeps == []


def test_waits_for_the_reset_when_in_flight_would_spend_the_rest() -> None:
    clock = FakeClock()
    # limit 10 -> reserve 1: with 4 remaining, 3 may be in flight (4 - 3 = 1 <= reserve stops).
    budget = budget_with(clock, limit=10, remaining=4, reset=T0 + 20)
    budget.acquire()
    budget.acquire()
    assert clock.sleeps == []
    budget.acquire()  # remaining 4 - in flight 2 = 2 > 1: still allowed
    assert clock.sleeps == []
    budget.acquire()  # 4 - 3 = 1 <= reserve: wait for the reset, then go
    assert clock.sleeps == [pytest.approx(20 + SLACK)]
    assert budget.waits == 1
    assert budget.waited_seconds == pytest.approx(20 + SLACK)


def test_the_reset_clears_the_spent_budget() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=5, remaining=1, reset=T0 + 3)
    clock.now = T0 + 3 + SLACK  # the window reset while nothing was in flight
    for _ in range(3):  # the whole limit is back (minus the reserve of 1)
        budget.acquire()
    assert clock.sleeps == []
    budget.acquire()  # 5 - 3 = 2 > 1 still fine; no reset known for the new window yet
    assert clock.sleeps == []
    # Next response reports the new window: spent, resets in 10 s.
    budget.release(headers(5, 0, T0 + 13))
    budget.acquire()
    assert clock.sleeps == [pytest.approx(10)]


def test_a_late_response_of_an_older_window_is_ignored() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=100, remaining=80, reset=T0 + 60)
    budget.acquire()
    budget.release(headers(100, 0, T0 - 1))  # from the previous window, arriving late
    budget.acquire()
    assert clock.sleeps == []


def test_out_of_order_responses_of_one_window_keep_the_lowest_remaining() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=100, remaining=3, reset=T0 + 9)
    budget.acquire()
    budget.release(headers(100, 50, T0 + 9))  # older answer of the same window
    budget.acquire()  # 3 - 0 = 3 > 1 (reserve of 100 is 2 -> 3 > 2): go
    assert clock.sleeps == []
    budget.acquire()  # 3 - 1 = 2 <= 2: wait
    assert clock.sleeps == [pytest.approx(9 + SLACK)]


def test_block_for_holds_every_caller_after_a_429() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=1000, remaining=900, reset=T0 + 3600)
    budget.block_for(7)
    budget.acquire()
    assert clock.sleeps == [pytest.approx(7)]
    budget.acquire()  # the block is over
    assert clock.sleeps == [pytest.approx(7)]
    budget.block_for(2)
    budget.block_for(1)  # a shorter block never shortens a longer one
    budget.acquire()
    assert clock.sleeps[-1] == pytest.approx(2)


def test_a_wait_longer_than_max_wait_raises_instead_of_sleeping() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=10, remaining=1, reset=T0 + 3600)
    with pytest.raises(RateBudgetExceeded, match="max_rate_limit_wait=900") as info:
        budget.acquire(max_wait=900)
    assert info.value.wait == pytest.approx(3600 + SLACK)
    assert clock.sleeps == []
    assert budget.in_flight == 0
    budget.acquire(max_wait=4000)  # a caller allowed to wait that long does
    assert clock.sleeps == [pytest.approx(3600 + SLACK)]


def test_a_server_without_rate_limit_headers_is_not_paced() -> None:
    clock = FakeClock()
    budget = RateBudget("test", clock=clock, sleep=clock.sleep)
    budget.acquire()
    budget.release(headers(None, None, None))
    for _ in range(20):
        budget.acquire()
    assert budget.in_flight == 20
    assert clock.sleeps == []


# --- concurrency -----------------------------------------------------------------------------


class FixedWindowServer:
    """A thread-safe stand-in for Braze's budget, counting what the clients did."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.lock = threading.Lock()
        self.window_end = 0.0
        self.used = 0
        self.rejected = 0

    def request(self) -> RateLimitHeaders:
        with self.lock:
            now = time.time()
            if now >= self.window_end:
                self.window_end = now + self.period
                self.used = 0
            # A request past the budget is what a 429 would be.
            if self.used >= self.limit:
                self.rejected += 1
            else:
                self.used += 1
            reply = headers(self.limit, self.limit - self.used, self.window_end)
        time.sleep(random.uniform(0.0005, 0.003))
        return reply


@pytest.mark.parametrize("workers", [2, 8, 16])
def test_concurrent_workers_never_overspend_the_budget(workers: int) -> None:
    server = FixedWindowServer(limit=12, period=0.25)
    budget = RateBudget("test")  # the real clock: the reset really has to come
    peak = 0
    peak_lock = threading.Lock()
    done = 0
    per_worker = 32 // workers  # about three windows' worth in all

    def worker() -> None:
        nonlocal peak, done
        for _ in range(per_worker):
            budget.acquire()
            with peak_lock:
                peak = max(peak, budget.in_flight)
            try:
                reply = server.request()
            finally:
                budget.release(reply)
            with peak_lock:
                done += 1

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert done == workers * per_worker
    assert server.rejected == 0  # in flight never exceeded what the server had left
    assert peak <= server.limit - 1  # the reserve of one stays unspent
    assert budget.in_flight == 0
    assert budget.waits > 0  # more requests than one window allows: it waited


def test_the_first_request_probes_alone_until_the_budget_is_known() -> None:
    budget = RateBudget("test")
    budget.acquire()
    second_started = threading.Event()

    def second() -> None:
        budget.acquire()
        second_started.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not second_started.wait(0.2)  # held while the probe is in flight
    budget.release(headers(100, 99, time.time() + 60))
    assert second_started.wait(5)
    thread.join()
    assert budget.in_flight == 1
