"""A tight budget is spent, not wasted and not overdrawn: RateBudget against a model of Braze.

The model is a pure fixed-window server: ``limit`` requests per window of ``period`` whole
seconds, each response naming the window's reset in whole epoch seconds. Whole seconds hide up
to a second either way, so the window really ends ``lateness`` seconds after the reset it
names (negative: before). Workers drive the budget as the tap does (try to take a slot, send,
release with the response's headers, a 429 blocks the pool for ``seconds_until_reset``) on a
simulated clock, event by event: no threads, no sleeping, the same run on every machine.

Per window of the server, the claims are: at least 90% of the limit used (windows the run only
partly covers excluded), and at most one 429.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_braze_sends.runtime.pacing import RateBudget
from tap_braze_sends.runtime.rate_limits import RateLimitHeaders, seconds_until_reset

T0 = 1_800_000_000
MAX_ONE_WAY_SECONDS = 0.1  # network and server time each way; a round trip is at most 0.2 s


@dataclass
class AlignedWindows:
    """Windows at fixed times; window ``k`` names the reset ``first_reset + k * period`` and
    really ends ``lateness`` seconds after it."""

    limit: int
    period: int
    first_reset: int
    lateness: float
    accepted: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)

    def window_at(self, t: float) -> int:
        return max(0, math.floor((t - self.lateness - self.first_reset) / self.period) + 1)

    def handle(self, t: float) -> tuple[int, RateLimitHeaders]:
        k = self.window_at(t)
        reset = self.first_reset + k * self.period
        if self.accepted[k] < self.limit:
            self.accepted[k] += 1
            status = 200
        else:
            self.rejected[k] += 1
            status = 429
        remaining = self.limit - self.accepted[k]
        return status, RateLimitHeaders(self.limit, remaining, float(reset), None)


@dataclass
class RollingWindows:
    """The project simulator's model: a window opens at the first request after the last one
    closed, and names its end rounded up to the whole second."""

    limit: int
    period: int
    accepted: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    _index: int = -1
    _end: float = 0.0

    def handle(self, t: float) -> tuple[int, RateLimitHeaders]:
        if t >= self._end:
            self._index += 1
            self._end = t + self.period
        k = self._index
        if self.accepted[k] < self.limit:
            self.accepted[k] += 1
            status = 200
        else:
            self.rejected[k] += 1
            status = 429
        remaining = self.limit - self.accepted[k]
        return status, RateLimitHeaders(self.limit, remaining, float(math.ceil(self._end)), None)


class SimClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"the simulation never sleeps (asked for {seconds} s)")


def drive(
    server: AlignedWindows | RollingWindows,
    *,
    workers: int,
    requests: int,
    start: float,
    seed: int,
) -> float:
    """Send ``requests`` successful requests through one budget; returns the simulated end."""
    rng = random.Random(seed)
    clock = SimClock(start)
    budget = RateBudget("sim", clock=clock, sleep=never_sleep)
    events: list[tuple[float, int, str, int]] = []  # (time, tie-break, what, worker)
    order = 0
    parked: list[int] = []
    to_start = requests
    done = 0

    def at(t: float, what: str, worker: int) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (t, order, what, worker))

    def ask(worker: int) -> None:
        wait = budget.try_acquire()
        if wait is None:
            parked.append(worker)
        elif wait > 0:
            at(clock.now + wait, "ask", worker)
        else:
            at(clock.now + rng.uniform(0.005, MAX_ONE_WAY_SECONDS), "arrive", worker)

    for worker in range(min(workers, requests)):
        to_start -= 1
        at(start, "ask", worker)
    replies: dict[int, tuple[int, RateLimitHeaders]] = {}
    steps = 0
    while done < requests:
        steps += 1
        assert steps < 200 * requests + 10_000, "the budget stalls"
        clock.now, _, what, worker = heapq.heappop(events)
        if what == "ask":
            ask(worker)
        elif what == "arrive":
            replies[worker] = server.handle(clock.now)
            at(clock.now + rng.uniform(0.005, MAX_ONE_WAY_SECONDS), "reply", worker)
        else:
            status, headers = replies.pop(worker)
            if status == 429:
                wait = seconds_until_reset(headers, clock.now)
                assert wait is not None
                budget.hold_for_429(wait)
            budget.release(headers, rate_limited=status == 429)
            if status == 429:
                at(clock.now, "ask", worker)  # the same request again
            else:
                done += 1
                if to_start:
                    to_start -= 1
                    at(clock.now, "ask", worker)
            woken, parked[:] = list(parked), []
            for other in woken:
                at(clock.now, "ask", other)
    assert budget.in_flight == 0
    return clock.now


def check_windows(server: AlignedWindows | RollingWindows) -> None:
    windows = sorted(set(server.accepted) | set(server.rejected))
    assert all(server.rejected[k] <= 1 for k in windows), dict(server.rejected)
    for k in windows[1:-1]:  # the run starts and ends inside the outer two
        assert server.accepted[k] >= 0.9 * server.limit, (k, dict(server.accepted))


def largest_spendable_limit(workers: int, period: int) -> int:
    """The budget, not the workers, must be the bottleneck: after the probe (sent up to ~2.2 s
    into a window) the rest of the limit must fit in round trips of at most 0.2 s."""
    rounds = max(0, int((period - 2.5) / (2 * MAX_ONE_WAY_SECONDS + 0.05)))
    return min(200, 1 + workers * rounds)


# --- the case: 10 requests per 5 s ----------------------------------------------------


@pytest.mark.parametrize("lateness", [-0.99, -0.5, 0.0, 0.3, 0.6, 0.99])
@pytest.mark.parametrize("workers", [1, 8])
def test_ten_per_five_seconds_is_spent_whole_with_at_most_one_429(
    lateness: float, workers: int
) -> None:
    server = AlignedWindows(limit=10, period=5, first_reset=T0 + 3, lateness=lateness)
    end = drive(server, workers=workers, requests=100, start=T0 + 0.25, seed=1)
    check_windows(server)
    # A late reset is learned: one 429 in the whole run, not one per window.
    assert sum(server.rejected.values()) <= 1
    # 100 requests at 10 per 5 s: ten windows' worth, and little more than that in time.
    assert end - T0 < 10 * 5 + 5


@pytest.mark.parametrize("workers", [1, 8])
def test_the_simulators_windows_are_spent_whole_without_429(workers: int) -> None:
    server = RollingWindows(limit=10, period=5)
    drive(server, workers=workers, requests=100, start=T0 + 0.7, seed=2)
    check_windows(server)
    assert sum(server.rejected.values()) == 0
    assert sum(server.accepted.values()) == 100
    assert min(server.accepted.values()) == 10  # every window used to the last request


# --- any budget --------------------------------------------------------------------------------

budgets = st.tuples(
    st.integers(1, 16),  # workers
    st.sampled_from([3, 5, 10, 60]),  # window length in whole seconds
).flatmap(
    lambda wp: st.tuples(
        st.just(wp[0]), st.just(wp[1]), st.integers(1, largest_spendable_limit(*wp))
    )
)


@settings(max_examples=200, deadline=None)
@given(
    budget=budgets,
    lateness=st.floats(-0.99, 0.99),
    start_offset=st.floats(0, 60),
    seed=st.integers(0, 2**16),
)
def test_any_tight_budget_is_spent_per_window_with_at_most_one_429(
    budget: tuple[int, int, int], lateness: float, start_offset: float, seed: int
) -> None:
    workers, period, limit = budget
    server = AlignedWindows(limit=limit, period=period, first_reset=T0 + period, lateness=lateness)
    drive(server, workers=workers, requests=limit * 5 + 1, start=T0 + start_offset, seed=seed)
    check_windows(server)


@settings(max_examples=100, deadline=None)
@given(budget=budgets, start_offset=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_any_simulator_budget_is_spent_without_429(
    budget: tuple[int, int, int], start_offset: float, seed: int
) -> None:
    workers, period, limit = budget
    server = RollingWindows(limit=limit, period=period)
    drive(server, workers=workers, requests=limit * 5 + 1, start=T0 + start_offset, seed=seed)
    check_windows(server)
    assert sum(server.rejected.values()) == 0
