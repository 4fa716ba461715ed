"""What a 429 does to its pool: hold every worker of it, or give up at once if it asks too long.

fetch.py sends the request and counts the 429; this decides the hold (pacing.RateBudget keeps
it) from the wait Braze's headers name, and says so once per hold rather than once per worker.
"""

from __future__ import annotations

import logging
import time

from tap_braze_sends.runtime.pacing import RateBudget
from tap_braze_sends.runtime.rate_limits import RateLimitHeaders, seconds_until_reset

# The request's own logger: these lines read as they did when fetch.py wrote them.
logger = logging.getLogger("tap_braze_sends.fetch")


class RateLimited(Exception):
    """A 429 whose pool holds ``wait`` seconds: the request is retried after it."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = wait


class WaitTooLong(Exception):
    """A 429 asking for longer than max_rate_limit_wait (``wait``, seconds)."""

    def __init__(self, message: str, wait: float) -> None:
        super().__init__(message)
        self.wait = wait


def hold_pool(headers: RateLimitHeaders, path: str, budget: RateBudget, limit: float) -> float:
    """A 429 from ``path``: hold the pool (at least 1 s, growing) and return how long, or raise
    :class:`WaitTooLong` if the server asks for longer than ``limit`` (max_rate_limit_wait)."""
    asked = seconds_until_reset(headers, time.time())
    if asked is not None and asked > limit:
        # The pool holds that long for every later request too: they are deferred at
        # once (spent_pool.PoolSpent), not each sent for a 429 of its own.
        budget.hold_for_429(asked)
        raise WaitTooLong(
            f"HTTP 429 from {path} asks to wait {asked:.0f} s, longer than "
            f"max_rate_limit_wait={limit:.0f} s",
            asked,
        )
    hold, began = budget.hold_for_429(asked)
    if began:
        logger.info(
            "Braze %s rate limit: HTTP 429 from %s; every request to this pool waits %.1f s (%s)",
            budget.name,
            path,
            hold,
            "as Braze asked"
            if asked is not None and asked >= hold
            else "at least 1 s, doubling with each 429 in a row",
        )
    return hold
