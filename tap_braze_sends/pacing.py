"""One place that decides how long to wait before the next request to a Braze rate-limit pool.

Braze reports its budget on every response (``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``
in UTC epoch seconds). A :class:`RateBudget` is shared by every thread and stream that calls the
same pool, so concurrent workers pace together: when the requests already in flight would
spend what is left, new ones wait for the reset instead of drawing 429s.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

logger = logging.getLogger("tap_braze_sends.pacing")

RESERVE_FRACTION = 0.02
"""Share of the pool kept unspent, for other clients of the same workspace."""

_CLOCK_SLACK_SECONDS = 0.5
"""Added to a reset time: Braze's clock and ours may disagree by a fraction of a second."""


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int | None
    remaining: int | None
    reset_epoch: float | None
    retry_after: float | None


def _number(headers: Mapping[str, str], name: str) -> float | None:
    # requests' CaseInsensitiveDict handles any letter case (HTTP/2 sends lower case).
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(str(raw).strip())
    except ValueError:
        return None


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
        return max(0.0, headers.retry_after)
    if headers.reset_epoch is not None:
        return max(0.0, headers.reset_epoch - now) + _CLOCK_SLACK_SECONDS
    return None


class RateBudget:
    """The shared request budget of one Braze rate-limit pool."""

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
        self.waits = 0
        self.waited_seconds = 0.0

    def _reserve(self) -> int:
        return max(1, int((self._limit or 0) * RESERVE_FRACTION))

    def _wait_needed(self, now: float) -> float:
        if now < self._blocked_until:
            return self._blocked_until - now
        if self._remaining is None or self._reset_epoch is None:
            return 0.0
        if self._reset_epoch + _CLOCK_SLACK_SECONDS <= now:
            # The window has reset; the next response tells the new budget.
            self._remaining = None
            return 0.0
        if self._remaining - self._in_flight > self._reserve():
            return 0.0
        return self._reset_epoch + _CLOCK_SLACK_SECONDS - now

    def acquire(self) -> None:
        """Block until a request may be sent, then count it as in flight."""
        while True:
            with self._lock:
                wait = self._wait_needed(self._clock())
                if wait <= 0:
                    self._in_flight += 1
                    return
                self.waits += 1
                self.waited_seconds += wait
            logger.info(
                "Braze %s rate budget nearly spent (remaining=%s, limit=%s): waiting %.1f s "
                "for its reset",
                self.name,
                self._remaining,
                self._limit,
                wait,
            )
            self._sleep(wait)

    def release(self, headers: RateLimitHeaders | None) -> None:
        """A request finished; learn the budget its response reported."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers is None or headers.remaining is None:
                return
            if headers.limit is not None:
                self._limit = headers.limit
            if headers.reset_epoch is not None and (
                self._reset_epoch is None or headers.reset_epoch >= self._reset_epoch
            ):
                if self._reset_epoch != headers.reset_epoch:
                    self._remaining = headers.remaining
                else:
                    # Responses of one window arrive out of order under concurrency.
                    self._remaining = min(self._remaining or headers.remaining, headers.remaining)
                self._reset_epoch = headers.reset_epoch
            elif headers.reset_epoch is None:
                self._remaining = headers.remaining

    def block_for(self, seconds: float) -> None:
        """A 429: hold every worker of this pool for ``seconds``."""
        with self._lock:
            self._blocked_until = max(self._blocked_until, self._clock() + seconds)
