"""One place that decides how long to wait before the next request to a Braze rate-limit pool.

Braze reports its budget on every response (``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``
in UTC epoch seconds). A :class:`RateBudget` is shared by every thread and stream that calls the
same pool, so concurrent workers pace together: when the requests already in flight would
spend what is left, new ones wait for the reset instead of drawing 429s.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

logger = logging.getLogger("tap_braze_sends.pacing")

RESERVE_FRACTION = 0.02
"""Share of the pool kept unspent, for other clients of the same workspace."""

_CLOCK_SLACK_SECONDS = 0.5
"""Added to a reset time: Braze's clock and ours may disagree by a fraction of a second."""

_RESPONSE_WAIT_SECONDS = 1.0
"""Longest nap while waiting for a response in flight to report the budget."""


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int | None
    remaining: int | None
    reset_epoch: float | None
    retry_after: float | None


def _lookup(headers: Mapping[str, str], name: str) -> str | None:
    # requests gives a CaseInsensitiveDict, but any mapping may come here; over HTTP/2 the
    # names arrive lower-case, and proxies may change the case again.
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


def _number(headers: Mapping[str, str], name: str) -> float | None:
    raw = _lookup(headers, name)
    if raw is None:
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    # "nan", "inf" and negative counts are garbage, not a budget.
    return value if math.isfinite(value) and value >= 0 else None


def read_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitHeaders:
    """Parse the rate-limit headers of a response; absent or garbled ones are ``None``."""
    limit = _number(headers, "X-RateLimit-Limit")
    remaining = _number(headers, "X-RateLimit-Remaining")
    return RateLimitHeaders(
        limit=None if limit is None else int(limit),
        remaining=None if remaining is None else int(remaining),
        reset_epoch=_number(headers, "X-RateLimit-Reset"),
        retry_after=_number(headers, "Retry-After"),
    )


def seconds_until_reset(headers: RateLimitHeaders, now: float) -> float | None:
    """How long a 429 asks us to wait: ``Retry-After``, else until the reset, else unknown."""
    if headers.retry_after is not None:
        return headers.retry_after
    if headers.reset_epoch is not None:
        return max(0.0, headers.reset_epoch - now) + _CLOCK_SLACK_SECONDS
    return None


class RateBudgetExceeded(Exception):
    """The pool's budget is spent and its reset is further away than the caller may wait."""

    def __init__(self, what: str, wait: float, max_wait: float) -> None:
        super().__init__(
            f"{what} {wait:.0f} s, longer than max_rate_limit_wait={max_wait:.0f} s"
        )
        self.wait = wait
        self.max_wait = max_wait


class AcquireCancelled(Exception):
    """The run is stopping: the request waiting for the budget is not sent."""


class RateBudget:
    """The shared request budget of one Braze rate-limit pool.

    Until a response has reported the budget, one request at a time probes it, so that a
    run starting on many workers does not burst past a small budget.
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
        self._remaining: int | None = None
        self._reset_epoch: float | None = None
        self._blocked_until = 0.0
        self._in_flight = 0
        self._heard = False  # a response (with or without rate-limit headers) came back
        self.waits = 0
        self.waited_seconds = 0.0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def _reserve(self) -> int:
        return max(1, int((self._limit or 0) * RESERVE_FRACTION))

    def _wait_needed(self, now: float) -> float | None:
        """0: send now; > 0: sleep that long; ``None``: wait for a response in flight."""
        if now < self._blocked_until:
            return self._blocked_until - now
        if self._reset_epoch is not None and self._reset_epoch + _CLOCK_SLACK_SECONDS <= now:
            # The window has reset: the whole limit is there until a response says otherwise.
            self._remaining = self._limit
            self._reset_epoch = None
        if self._remaining is None:
            # Unknown budget: probe with one request until a response reports it (a server
            # that never reports one is not paced).
            return 0.0 if self._heard or self._in_flight == 0 else None
        if self._remaining - self._in_flight > self._reserve():
            return 0.0
        if self._reset_epoch is not None:
            return self._reset_epoch + _CLOCK_SLACK_SECONDS - now
        # Spent, and no reset known yet: a response in flight will tell; with none, try.
        return 0.0 if self._in_flight == 0 else None

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
                wait = self._wait_needed(now)
                if wait is None:
                    # Woken by release(); the timeout only guards against a lost response.
                    self._lock.wait(timeout=_RESPONSE_WAIT_SECONDS)
                    continue
                if wait <= 0:
                    self._in_flight += 1
                    return
                if max_wait is not None and wait > max_wait:
                    what = (
                        f"Braze's '{self.name}' rate limit is spent ({self._remaining} of "
                        f"{self._limit} left, a reserve kept); it resets in"
                    )
                    raise RateBudgetExceeded(what, wait, max_wait)
                self.waits += 1
                self.waited_seconds += wait
                remaining, limit = self._remaining, self._limit
            if after_429:
                logger.info("Braze %s rate limit: holding %.1f s after a 429", self.name, wait)
            else:
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

    def release(self, headers: RateLimitHeaders | None) -> None:
        """A request finished; learn the budget its response reported (``None``: no response)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._lock.notify_all()
            if headers is None:
                return
            self._heard = True
            if headers.remaining is None:
                return
            if headers.limit is not None:
                self._limit = headers.limit
            self._learn(headers.remaining, headers.reset_epoch)

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

    def block_for(self, seconds: float) -> None:
        """A 429: hold every worker of this pool for ``seconds``."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
