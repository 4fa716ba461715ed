"""Seeded fault plan, fixed-window rate-limit budget and the replies faults give.

A fault is decided by hashing (seed, request key, attempt number), never by a shared random
stream, so the same client behaviour meets the same faults however threads interleave.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from braze_simulator.hashing import digest
from braze_simulator.routing import Reply, Route, bad_shape_body, json_body

FAULT_KINDS = (
    "429",
    "429_retry_after",
    "500",
    "502",
    "503",
    "504",
    "reset",
    "truncated",
    "bad_shape",
    "slow",
)


@dataclass(frozen=True)
class FaultPlan:
    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    first_n: int = 0
    seed: int = 0
    slow_seconds: float = 3.0
    rate_limit_seconds: float = 1.0
    """How long a faulted 429 asks to wait: its ``Retry-After`` and how far ahead its
    ``X-RateLimit-Reset`` lies. Braze speaks whole seconds; a fraction (sent as a decimal)
    keeps the tests of 429 paths quick."""
    only_ids: tuple[str, ...] = ()
    """When set, only requests whose campaign_id or send_id is one of these meet faults."""
    only_paths: tuple[str, ...] = ()
    """When set, only requests to one of these paths meet faults (and only_ids still applies)."""

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")

    def fault_for(self, request_key: str, attempt: int) -> str | None:
        """The fault for the `attempt`-th (1-based) attempt of a request, or None."""
        if not self.kinds or (self.only_ids and not _targets(request_key, self.only_ids)):
            return None
        if self.only_paths and request_key.partition("?")[0] not in self.only_paths:
            return None
        h = digest(self.seed, "fault", request_key, attempt)
        draw = (h & 0xFFFFFFFF) / 2**32
        if attempt <= self.first_n or draw < self.rate:
            return self.kinds[(h >> 32) % len(self.kinds)]
        return None


def _targets(request_key: str, ids: tuple[str, ...]) -> bool:
    # Match "=value&" rather than split on "&": event and product names may contain "&".
    query = request_key.partition("?")[2] + "&"
    return any(f"={i}&" in query for i in ids)


def request_key(path: str, params: list[tuple[str, str]]) -> str:
    """Path plus sorted query params: the same logical request however the client orders them."""
    return path + "?" + "&".join(f"{k}={v}" for k, v in sorted(params))


@dataclass
class RateLimit:
    """One fixed-window budget: `limit` requests per `period_seconds`, shared by all threads."""

    limit: int
    period_seconds: float
    clock: Callable[[], float] = time.time
    _window_end: float = field(default=0.0, init=False, repr=False)
    _used: int = field(default=0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def take(self) -> tuple[bool, int, int]:
        """Spend one request: (allowed, remaining, reset as epoch seconds)."""
        with self._lock:
            self._roll()
            allowed = self._used < self.limit
            if allowed:
                self._used += 1
            return allowed, self.limit - self._used, math.ceil(self._window_end)

    def peek(self) -> tuple[int, int]:
        """(remaining, reset epoch) without spending: for responses that never reach the budget."""
        with self._lock:
            self._roll()
            return self.limit - self._used, math.ceil(self._window_end)

    def _roll(self) -> None:
        now = self.clock()
        if now >= self._window_end:
            self._window_end = now + self.period_seconds
            self._used = 0


_SERVER_ERRORS = {
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "504": "Gateway Timeout",
}


def rate_limit_headers(limit: int, remaining: int, reset: float) -> list[tuple[str, str]]:
    return [
        ("X-RateLimit-Limit", str(limit)),
        ("X-RateLimit-Remaining", str(max(remaining, 0))),
        ("X-RateLimit-Reset", str(reset)),
    ]


def immediate_fault(
    fault: str | None,
    plan: FaultPlan,
    route: Route,
    pool: RateLimit,
    limit_headers: list[tuple[str, str]],
    rkey: str,
    attempt: int,
) -> Reply | None:
    """The reply a fault gives in place of the answer; None: the request is answered (``slow``
    and ``truncated`` alter the answer itself)."""
    if fault in ("429", "429_retry_after"):
        wait = plan.rate_limit_seconds
        whole = wait == int(wait)
        reset = int(time.time()) + int(wait) if whole else round(time.time() + wait, 3)
        headers = rate_limit_headers(pool.limit, 0, reset)
        if fault == "429_retry_after":
            headers.append(("Retry-After", str(int(wait)) if whole else str(wait)))
        return Reply(429, json_body({"message": "API rate limit exceeded"}), headers)
    if fault in _SERVER_ERRORS:
        body = json_body({"message": _SERVER_ERRORS[fault]})
        return Reply(int(fault), body, limit_headers)
    if fault == "reset":
        return Reply(0, reset=True)
    if fault == "bad_shape":
        return Reply(200, bad_shape_body(route, rkey, attempt), limit_headers)
    return None
