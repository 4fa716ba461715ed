"""The errors of a Braze rate-limit pool that cannot admit a request in time.

A pool's budget spent past ``max_rate_limit_wait`` (pacing.py), or a 429 asking for longer,
is the pool's trouble alone: :class:`PoolSpent` names the request not sent and when the pool
is back, so that a series' window can be deferred (deferral.py) rather than the run fail.
"""

from __future__ import annotations

import time

from tap_braze_sends.errors import BrazeGaveUp


class RateBudgetExceeded(Exception):
    """The pool's budget is spent and its reset is further away than the caller may wait."""

    def __init__(self, what: str, wait: float, max_wait: float) -> None:
        super().__init__(f"{what} {wait:.0f} s, longer than max_rate_limit_wait={max_wait:.0f} s")
        self.wait = wait
        self.max_wait = max_wait


class PoolSpent(BrazeGaveUp):
    """A request its pool cannot admit within ``max_rate_limit_wait``: the pool's trouble
    alone. A series' window raising it is deferred (its partition keeps its bookmark and goes
    first next run, runtime/deferral.py); elsewhere it stops the run as any give-up does."""

    def __init__(
        self, message: str, *, pool: str, reset_at: float | None, where: str, why: str
    ) -> None:
        super().__init__(message)
        self.pool = pool
        self.where = where
        """The request not sent: its partition and window."""
        self.why = why
        """Why its pool did not admit it."""
        self.reset_at = reset_at
        """When the pool's budget comes back (epoch seconds; None: unknown)."""

    @classmethod
    def giving_up(cls, where: str, why: str, pool: str, wait: float) -> PoolSpent:
        """``where`` (a request) is not sent: ``why``; the pool is back in ``wait`` seconds."""
        return cls(
            rate_limited_message(where, why),
            pool=pool,
            reset_at=time.time() + wait,
            where=where,
            why=why,
        )


def rate_limited_message(where: str, why: str) -> str:
    """The error of a request its pool kept refusing."""
    return (
        f"Giving up on {where}: {why}. Rerun later (state is saved), raise "
        "max_rate_limit_wait, or lower max_parallel_requests if other jobs share this "
        "workspace's rate limit."
    )
