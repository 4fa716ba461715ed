"""One place that decides how long to wait before the next request to a Braze rate-limit pool.

Braze reports its budget on every response (rate_limits.py reads it). A :class:`RateBudget`
is shared by every thread and stream that calls the same pool, so concurrent workers pace
together: when the requests already in flight would spend what is left, new ones wait for
the reset instead of drawing 429s. A reset is never taken on trust: after it, one request
probes the new window before the others follow. A 429 holds the whole pool, at least a
second and doubling while 429s come in a row, and one request probes before the others.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from tap_braze_sends.runtime.rate_limits import (
    CLOCK_SLACK_SECONDS,
    RESET_ROUNDING_SECONDS,
    RateLimitHeaders,
    hold_after_429,
)
from tap_braze_sends.runtime.spent_pool import RateBudgetExceeded

logger = logging.getLogger("tap_braze_sends.pacing")

RESERVE_FRACTION = 0.02
"""Share of the pool kept unspent, for other clients of the same workspace (rounded down: a
budget under 50 requests is spent whole, where a reserve of one would waste a tenth or more)."""

_MAX_RESET_LAG_SECONDS = 60.0
"""Cap on the learned delay between a reported reset and the window really resetting."""

_RESPONSE_WAIT_SECONDS = 1.0
"""Longest nap while waiting for a response in flight to report the budget."""


def reserve_for(limit: int | None) -> int:
    """Requests of a window left unspent: 2% of the limit, rounded down (0 below 50)."""
    return int((limit or 0) * RESERVE_FRACTION)


class AcquireCancelled(Exception):
    """The run is stopping: the request waiting for the budget is not sent."""


class RateBudget:
    """The shared request budget of one Braze rate-limit pool.

    The budget is what the latest response reported. While some of it is left, requests go
    (as many in flight as it covers); once spent, new ones wait for the reset. When nothing
    is known (at the start, or once a spent window's reset time has passed) one request at a
    time probes it: a run starting on many workers does not burst past a small budget, and a
    reset that comes late (``X-RateLimit-Reset`` is in whole seconds, and clocks differ)
    costs at most that one probe's 429, not one per worker. A probe that finds the window not
    yet reset teaches the budget how late this server's resets come.
    """

    def __init__(
        self,
        name: str,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Condition()
        self._limit: int | None = None
        self._remaining: int | None = None  # None: unknown, probe it
        self._reset_epoch: float | None = None
        self._reset_lag = CLOCK_SLACK_SECONDS  # after a reported reset, until we probe
        self._blocked_until = 0.0
        self._in_flight = 0
        self._probe_sent_at: float | None = None  # a probe is out, alone, since then
        self._heard = False  # a response (with or without rate-limit headers) came back
        self._paced = False  # a response reported the remaining budget
        self._limited_in_a_row = 0  # 429s since the last answer that was not one
        self._probe_after_429 = False  # once the hold ends, one request goes alone
        self._announced_until = 0.0  # the end of the last wait logged
        self.waits = 0
        self.waited_seconds = 0.0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def limit(self) -> int | None:
        """The pool's requests per window as the latest response reported them (None: none
        has yet)."""
        return self._limit

    def _wait_needed(self, now: float) -> tuple[float | None, bool]:
        """(wait, probe): wait 0 sends now, > 0 sleeps that long, ``None`` waits for a
        response in flight; ``probe`` says the request sent now goes alone to learn the
        budget."""
        if now < self._blocked_until:
            return self._blocked_until - now, False
        if self._probe_after_429:
            return (0.0, True) if self._in_flight == 0 else (None, False)
        if self._remaining is None:
            if self._heard and not self._paced:
                return 0.0, False  # a server that never reports a budget is not paced
            return (0.0, True) if self._in_flight == 0 else (None, False)
        reserve = reserve_for(self._limit)
        if self._remaining - self._in_flight > reserve:
            return 0.0, False
        if self._remaining > reserve and self._in_flight > 0:
            # The server may have counted some of those in flight already: their responses
            # will tell whether one more fits before the reset.
            return None, False
        if self._reset_epoch is not None and now < self._reset_epoch + self._reset_lag:
            return self._reset_epoch + self._reset_lag - now, False
        # Spent, and the reset (if any was named) has passed: never assume the window
        # really reset; once the requests in flight are back, one goes to find out.
        return (0.0, True) if self._in_flight == 0 else (None, False)

    def try_acquire(self) -> float | None:
        """Count a request as in flight if it may go now, without blocking.

        Returns 0.0 when it may (the caller must ``release`` it), else the seconds to wait
        before asking again, or ``None``: ask again once a request in flight is released.
        """
        with self._lock:
            return self._take(self._clock())[0]

    def _take(self, now: float) -> tuple[float | None, bool]:
        wait, probe = self._wait_needed(now)
        if wait is not None and wait <= 0:
            self._in_flight += 1
            if probe:  # nothing else is in flight, nor goes until it is back
                self._probe_sent_at = now
        return wait, probe

    def acquire(
        self, *, max_wait: float | None = None, stop: threading.Event | None = None
    ) -> None:
        """Block until a request may be sent, then count it as in flight.

        Raises :class:`RateBudgetExceeded` rather than sleep longer than ``max_wait``, and
        :class:`AcquireCancelled` as soon as ``stop`` is set (a wait may last minutes).
        """
        while True:
            if stop is not None and stop.is_set():
                raise AcquireCancelled
            with self._lock:
                now = self._clock()
                after_429 = now < self._blocked_until
                wait, _ = self._take(now)
                if wait is None:
                    # Woken by release(); the timeout only guards against a lost response.
                    self._lock.wait(timeout=_RESPONSE_WAIT_SECONDS)
                    continue
                if wait <= 0:
                    return
                if max_wait is not None and wait > max_wait:
                    raise RateBudgetExceeded(self._spent_message(), wait, max_wait)
                self.waits += 1
                self.waited_seconds += wait
                remaining, limit = self._remaining, self._limit
                # One line per wait of the pool, not one per worker waiting in it (a 429's
                # hold was announced when it began).
                announce = not after_429 and now + wait > self._announced_until + 1.0
                if announce:
                    self._announced_until = now + wait
            if announce:
                logger.info(
                    "Braze %s rate budget nearly spent (remaining=%s, limit=%s): waiting %.1f s "
                    "for its reset",
                    self.name,
                    remaining,
                    limit,
                    wait,
                )
            if stop is None:
                self._sleep(wait)
            else:
                stop.wait(wait)

    def _spent_message(self) -> str:
        reserve = reserve_for(self._limit)
        kept = f", a reserve of {reserve} kept" if reserve else ""
        return (
            f"Braze's '{self.name}' rate limit is spent ({self._remaining} of {self._limit} "
            f"left{kept}); it resets in"
        )

    def release(self, headers: RateLimitHeaders | None, *, rate_limited: bool = False) -> None:
        """A request finished; learn the budget its response reported (``None``: no response).

        ``rate_limited``: it was a 429, whose hold :meth:`hold_for_429` has set."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._lock.notify_all()
            probe_sent_at, self._probe_sent_at = self._probe_sent_at, None
            if headers is None:
                return
            if not rate_limited:
                self._limited_in_a_row = 0
                self._probe_after_429 = False
            self._heard = True
            if headers.remaining is None:
                return
            self._paced = True
            if headers.limit is not None:
                self._limit = headers.limit
            if probe_sent_at is None:
                self._learn(headers.remaining, headers.reset_epoch)
            else:
                self._learn_from_probe(headers.remaining, headers.reset_epoch, probe_sent_at)

    def _learn(self, remaining: int, reset_epoch: float | None) -> None:
        if reset_epoch is None:
            self._remaining = remaining
        elif self._reset_epoch is None or reset_epoch > self._reset_epoch:
            # A new window (or the first one we hear of).
            self._remaining = remaining
            self._reset_epoch = reset_epoch
        elif reset_epoch == self._reset_epoch:
            # Responses of one window arrive out of order under concurrency: the lowest wins.
            current = remaining if self._remaining is None else self._remaining
            self._remaining = min(current, remaining)
        # An older window's late response tells nothing about the current one.

    def _learn_from_probe(self, remaining: int, reset_epoch: float | None, sent_at: float) -> None:
        # The probe went alone, after every earlier response was back: what it reports is
        # the budget now, whatever the order of the reset times.
        self._remaining = remaining
        self._reset_epoch = reset_epoch
        spent = remaining <= reserve_for(self._limit)
        if spent and reset_epoch is not None and reset_epoch <= sent_at:
            # Sent after the reset it names, yet that window is still spent: this server's
            # windows end later than they say, by up to the whole second the rounding hides
            # (or more, if its clock is behind ours). Probe that much later from now on.
            late = max(self._clock() - reset_epoch, RESET_ROUNDING_SECONDS)
            self._reset_lag = min(
                _MAX_RESET_LAG_SECONDS, max(2 * self._reset_lag, late + CLOCK_SLACK_SECONDS)
            )

    def hold_for_429(self, asked: float | None) -> tuple[float, bool]:
        """A 429 (``asked``: the wait its headers name, if any): hold every worker of the pool.

        The hold is at least 1 s, doubling with each 429 in a row (rate_limits.hold_after_429);
        the 429s of requests already in flight when it began join it, without doubling it.
        Once it ends, one request probes alone before the others follow. Returns (seconds
        from now until the hold ends, whether this 429 began it).
        """
        with self._lock:
            now = self._clock()
            began = now >= self._blocked_until
            if began:
                self._limited_in_a_row += 1
            hold = hold_after_429(asked, self._limited_in_a_row)
            self._blocked_until = max(self._blocked_until, now + hold)
            self._probe_after_429 = True
            return self._blocked_until - now, began


class Budgets:
    """The rate budget of each Braze pool, shared by every worker and endpoint of the run."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._pools: dict[str, RateBudget] = {}

    def __getitem__(self, pool: str) -> RateBudget:
        with self._lock:
            if pool not in self._pools:
                self._pools[pool] = RateBudget(pool, clock=self._clock)
            return self._pools[pool]
