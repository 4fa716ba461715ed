"""The shared rate budget (pacing.py) on its own: a fake clock, no network."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from tap_braze_sends.runtime.pacing import RateBudget, reserve_for
from tap_braze_sends.runtime.rate_limits import (
    RateLimitHeaders,
    hold_after_429,
    read_rate_limit_headers,
    seconds_until_reset,
)
from tap_braze_sends.runtime.spent_pool import RateBudgetExceeded

T0 = 1_800_000_000.0
SLACK = 0.25  # rate_limits.CLOCK_SLACK_SECONDS: waits end a quarter second after Braze's reset


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
    parsed = read_rate_limit_headers(raw)
    # An HTTP-date is garbage as a count, but Retry-After's second form.
    when = dt.datetime(2026, 10, 21, 7, 28, tzinfo=dt.timezone.utc).timestamp()
    retry_at = when if garbage.endswith("GMT") else None
    assert parsed == RateLimitHeaders(None, None, None, None, retry_at_epoch=retry_at)


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
    assert seconds_until_reset(RateLimitHeaders(10, 0, None, None), T0) is None


def test_retry_after_as_an_http_date_is_a_time_to_wait_for() -> None:
    when = dt.datetime(2015, 10, 21, 7, 28, tzinfo=dt.timezone.utc).timestamp()
    parsed = read_rate_limit_headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert parsed.retry_at_epoch == when
    assert parsed.retry_after is None
    assert seconds_until_reset(parsed, when - 12) == pytest.approx(12)
    assert seconds_until_reset(parsed, when + 5) == 0.0  # past: the pool's hold floor applies
    assert read_rate_limit_headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00"}).retry_at_epoch
    assert read_rate_limit_headers({"Retry-After": "soon"}).retry_at_epoch is None


def test_a_429_after_the_reset_it_names_waits_a_whole_second_past_it() -> None:
    # The reset is rounded to whole seconds: a window refusing 0.4 s past its reset may run
    # on until 1 s past it.
    assert seconds_until_reset(RateLimitHeaders(10, 0, T0, None), T0 + 0.4) == pytest.approx(
        0.6 + SLACK
    )
    assert seconds_until_reset(RateLimitHeaders(10, 0, T0, None), T0) == pytest.approx(1 + SLACK)
    # A reset long past (clock skew): go again right after the slack.
    assert seconds_until_reset(RateLimitHeaders(10, 0, T0 - 30, None), T0) == SLACK


def test_the_reserve_is_two_percent_rounded_down() -> None:
    # A reserve of one would leave a tenth of a 10-request budget unspent.
    assert [reserve_for(n) for n in (None, 1, 10, 49, 50, 99, 100, 250_000)] == [
        0,
        0,
        0,
        0,
        1,
        1,
        2,
        5000,
    ]


# --- pacing ----------------------------------------------------------------------------------


def test_plenty_of_budget_never_waits() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=100, remaining=90, reset=T0 + 60)
    for _ in range(50):
        budget.acquire()
    assert budget.in_flight == 50
    assert clock.sleeps == []


def test_a_small_budget_is_spent_whole_then_waits_for_the_reset() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=10, remaining=4, reset=T0 + 20)
    for _ in range(4):  # no reserve under 50: all four go at once
        budget.acquire()
    assert clock.sleeps == []
    assert budget.in_flight == 4
    # A fifth would be a 429, unless the server counted some in flight already: their
    # responses tell.
    assert budget.try_acquire() is None
    for left in (3, 2, 1, 0):
        budget.release(headers(10, left, T0 + 20))
    assert budget.try_acquire() == pytest.approx(20 + SLACK)  # spent: wait for the reset
    budget.acquire()  # waits for the reset, then goes (as the probe of the next window)
    assert clock.sleeps == [pytest.approx(20 + SLACK)]
    assert budget.waits == 1
    assert budget.waited_seconds == pytest.approx(20 + SLACK)


def test_a_large_budget_keeps_its_reserve() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=100, remaining=4, reset=T0 + 20)
    budget.acquire()
    budget.acquire()  # 4 - 1 = 3 > 2 goes; then 4 - 2 = 2 is the reserve
    assert budget.try_acquire() is None
    budget.release(headers(100, 3, T0 + 20))
    budget.release(headers(100, 2, T0 + 20))
    assert budget.try_acquire() == pytest.approx(20 + SLACK)
    assert budget.in_flight == 0


def test_after_the_reset_one_probe_goes_alone_until_it_reports_the_new_window() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=5, remaining=0, reset=T0 + 3)
    assert budget.try_acquire() == pytest.approx(3 + SLACK)
    clock.now = T0 + 3 + SLACK  # the reset time has passed; has the window reset?
    assert budget.try_acquire() == 0.0  # one probe finds out
    assert budget.try_acquire() is None  # the rest wait for its answer, not for a clock
    assert budget.in_flight == 1
    budget.release(headers(5, 4, T0 + 8))  # yes: a fresh window
    for _ in range(4):
        assert budget.try_acquire() == 0.0
    for left in (3, 2, 1, 0):
        budget.release(headers(5, left, T0 + 8))
    assert budget.try_acquire() == pytest.approx(8 + SLACK - (3 + SLACK))
    assert clock.sleeps == []


def test_a_probe_finding_the_window_not_yet_reset_waits_longer_next_time() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=5, remaining=0, reset=T0 + 3)
    clock.now = T0 + 3 + SLACK
    assert budget.try_acquire() == 0.0
    clock.now += 0.1
    # The server still counts the old window (it resets late): the probe drew its 429.
    budget.release(headers(5, 0, T0 + 3))
    # Not another probe now: later, past the whole second the rounding may hide.
    wait = budget.try_acquire()
    assert wait is not None
    assert 3 + 1 < clock.now + wait - T0 <= 3 + 1 + SLACK
    clock.now += wait
    assert budget.try_acquire() == 0.0
    budget.release(headers(5, 4, T0 + 9))  # the new window, reset at 9
    for _ in range(4):
        assert budget.try_acquire() == 0.0
    for left in (3, 2, 1, 0):
        budget.release(headers(5, left, T0 + 9))
    # The next window's probe also waits past the lateness learned.
    wait = budget.try_acquire()
    assert wait is not None
    assert clock.now + wait - T0 > 9 + 1


def test_a_probe_answer_is_believed_even_if_its_reset_is_older() -> None:
    # A synthetic 429 (a proxy, another pool) named a later reset than the real window's.
    clock = FakeClock()
    budget = budget_with(clock, limit=10, remaining=0, reset=T0 + 2)
    clock.now = T0 + 2 + SLACK
    assert budget.try_acquire() == 0.0
    budget.release(headers(10, 7, T0 + 1))
    assert [budget.try_acquire() for _ in range(7)] == [0.0] * 7


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
    assert budget.try_acquire() is None  # 3 - 1 = 2 <= 2: its response will tell
    budget.release(headers(100, 2, T0 + 9))
    assert budget.try_acquire() == pytest.approx(9 + SLACK)  # 2 <= 2: wait for the reset


def test_a_429_holds_every_caller_then_one_probe_goes_alone() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=1000, remaining=900, reset=T0 + 3600)
    budget.acquire()
    budget.acquire()  # two in flight; both draw a 429
    assert budget.hold_for_429(7) == (pytest.approx(7), True)
    budget.release(headers(None, None, None), rate_limited=True)
    assert budget.hold_for_429(3) == (pytest.approx(7), False)  # joins; never shortens
    budget.release(headers(None, None, None), rate_limited=True)
    budget.acquire()  # the probe, after the hold
    assert clock.sleeps == [pytest.approx(7)]
    assert budget.try_acquire() is None  # the others wait for the probe's answer
    budget.release(headers(1000, 890, T0 + 3600))
    assert budget.try_acquire() == 0.0  # it came back fine: everyone goes again
    assert budget.try_acquire() == 0.0


@pytest.mark.parametrize("asked", [None, 0.0, 0.3])
def test_429s_in_a_row_hold_the_pool_at_least_1_2_4_8_s_whatever_the_server_asks(
    asked: float | None,
) -> None:
    clock = FakeClock()
    budget = RateBudget("test", clock=clock, sleep=clock.sleep)
    holds = []
    for _ in range(4):
        budget.acquire()
        hold, began = budget.hold_for_429(asked)
        assert began
        budget.release(headers(None, None, None), rate_limited=True)
        holds.append(hold)
    assert holds == [pytest.approx(s) for s in (1, 2, 4, 8)]
    budget.acquire()  # the fourth hold, then an answer that is not a 429
    budget.release(headers(None, None, None))
    budget.acquire()
    assert budget.hold_for_429(asked)[0] == pytest.approx(1)  # the floor starts over
    assert clock.sleeps == [pytest.approx(s) for s in (1, 2, 4, 8)]


def test_the_hold_floor_stops_doubling_at_a_minute_but_a_longer_ask_is_obeyed() -> None:
    assert [hold_after_429(0, n) for n in (1, 2, 6, 7, 30)] == [1, 2, 32, 60, 60]
    assert hold_after_429(300, 1) == 300


def test_a_wait_longer_than_max_wait_raises_instead_of_sleeping() -> None:
    clock = FakeClock()
    budget = budget_with(clock, limit=10, remaining=0, reset=T0 + 3600)
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
    assert peak <= server.limit
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
