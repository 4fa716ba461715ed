"""How long a failed request waits before its retry: its own short backoff, and its pool's pace.

A transient failure (a 5xx, a connection error, a malformed body) is first retried after
``retry_initial_wait`` to twice it (0.1 to 0.2 s by default: a blip costs a fraction of a
second), each next wait three times the last (python-backoff's ``expo``), up to a minute: the
eight retries of ``max_retries`` still wait out an outage of a few minutes.

What keeps a failing server from being hammered is the pool, not each request's first wait:
the retries of one Braze pool draw on one shared allowance, a bucket of
:data:`RETRY_BURST` retries that refills at :data:`RETRY_RATE` a second (a generic cell rate
algorithm: no thread to refill it) and gets one back for every answer. While answers come,
retries go as soon as their own waits end; when every answer fails, the pool's retries go at
most :data:`RETRY_RATE` a second, whatever ``max_parallel_requests`` is. A 429 is not a
failure here: it holds its whole pool (pacing.py). ``retry_initial_wait: 0`` turns both off
(a proxy that does its own backoff, or a test).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import backoff

MAX_BACKOFF_SECONDS = 60.0
"""The longest one request's own wait grows to (jitter included)."""

RETRY_GROWTH = 3
"""Each retry's own wait is this many times the last one's."""

RETRY_BURST = 8
"""Retries a pool may send at once (the default ``max_parallel_requests``: a round of
failures of every worker is retried at once)."""

RETRY_RATE = 4.0
"""Retries per second a pool sends at most once its burst is spent and no answer comes."""


class RetryPace:
    """One pool's allowance of retries, shared by every worker (thread-safe)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._interval = 1.0 / RETRY_RATE
        self._due = clock()
        """When the allowance is whole again (the cell rate algorithm's theoretical arrival
        time): each retry moves it one interval later, each answer one interval back."""

    def slot(self, earliest: float) -> float:
        """Take the next retry slot at least ``earliest`` seconds from now; the seconds from
        now until it (never less than ``earliest``)."""
        with self._lock:
            now = self._clock()
            due = max(self._due, now)
            go = max(now + earliest, due - (RETRY_BURST - 1) * self._interval)
            self._due = max(due, go) + self._interval
            return go - now

    def answered(self) -> None:
        """A request of the pool was answered: one retry more may go at once (up to the burst)."""
        with self._lock:
            self._due = max(self._clock(), self._due - self._interval)


class RetryPaces:
    """The retry allowance of each Braze pool."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paces: dict[str, RetryPace] = {}

    def __getitem__(self, pool: str) -> RetryPace:
        with self._lock:
            return self._paces.setdefault(pool, RetryPace())


class RetryWaits:
    """One request's waits before each of its retries: its own backoff, then its pool's slot."""

    def __init__(self, initial: float, pace: RetryPace) -> None:
        self._steps = backoff.expo(
            base=RETRY_GROWTH, factor=initial, max_value=MAX_BACKOFF_SECONDS / 2
        )
        next(self._steps)  # the generator's priming value
        self._pace = pace if initial > 0 else None

    def next(self) -> float:
        step = next(self._steps)
        wait = random.uniform(step, 2 * step)
        return wait if self._pace is None else self._pace.slot(wait)
