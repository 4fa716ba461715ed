"""What Braze's rate-limit headers say, and how long a 429 holds a pool (and, from its
``Date`` header, what time Braze's clock says).

Braze reports its budget on every response (``X-RateLimit-Limit``, ``-Remaining``, ``-Reset``
in UTC epoch seconds) and may send ``Retry-After`` with a 429, in either of its HTTP forms
(seconds, or an HTTP-date). No answer may make the tap hammer a pool: a 429 holds the pool
at least :data:`MIN_HOLD_SECONDS`, doubling with each 429 in a row, whatever the headers say
(``Retry-After: 0``, a reset in the past).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from collections.abc import Mapping
from dataclasses import dataclass

CLOCK_SLACK_SECONDS = 0.25
"""Added to a reset time: Braze's clock and ours may disagree by a fraction of a second."""

RESET_ROUNDING_SECONDS = 1.0
"""The reset comes in whole seconds, so the window may really end up to this much later."""

MIN_HOLD_SECONDS = 1.0
"""The shortest a 429 holds its pool; it doubles with each 429 in a row."""

MAX_HOLD_FLOOR_SECONDS = 60.0
"""The doubling floor stops growing here (a server's own longer wait is still obeyed)."""


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int | None
    remaining: int | None
    reset_epoch: float | None
    retry_after: float | None
    """``Retry-After`` in seconds from when the response arrived."""
    retry_at_epoch: float | None = None
    """``Retry-After`` given as an HTTP-date, as epoch seconds."""


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


def _finite(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    # "nan", "inf" and negative counts are garbage, not a budget.
    return value if math.isfinite(value) and value >= 0 else None


def _http_date(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(str(raw).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT by definition, even without the "GMT"
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


def server_clock(headers: Mapping[str, str]) -> dt.datetime | None:
    """Braze's clock when it answered (the ``Date`` header), or None when it sends none we
    can read. It says which units Braze has reached, whatever this machine's clock says."""
    epoch = _http_date(_lookup(headers, "Date"))
    if epoch is None:
        return None
    try:
        return dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def read_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitHeaders:
    """Parse the rate-limit headers of a response; absent or garbled ones are ``None``."""
    limit = _finite(_lookup(headers, "X-RateLimit-Limit"))
    remaining = _finite(_lookup(headers, "X-RateLimit-Remaining"))
    retry_raw = _lookup(headers, "Retry-After")
    retry_after = _finite(retry_raw)
    return RateLimitHeaders(
        limit=None if limit is None else int(limit),
        remaining=None if remaining is None else int(remaining),
        reset_epoch=_finite(_lookup(headers, "X-RateLimit-Reset")),
        retry_after=retry_after,
        retry_at_epoch=_http_date(retry_raw) if retry_after is None else None,
    )


def seconds_until_reset(headers: RateLimitHeaders, now: float) -> float | None:
    """How long a 429 asks us to wait: ``Retry-After``, else until the reset, else unknown.

    A 429 naming a reset that has already passed means the window resets late (the reset
    is rounded to whole seconds): wait until a second after it, so the next try is not a
    second 429 of the same window.
    """
    if headers.retry_after is not None:
        return headers.retry_after
    if headers.retry_at_epoch is not None:
        return max(0.0, headers.retry_at_epoch - now)
    if headers.reset_epoch is None:
        return None
    if headers.reset_epoch > now:
        return headers.reset_epoch - now + CLOCK_SLACK_SECONDS
    return max(0.0, headers.reset_epoch + RESET_ROUNDING_SECONDS - now) + CLOCK_SLACK_SECONDS


def hold_after_429(asked: float | None, in_a_row: int) -> float:
    """How long the ``in_a_row``-th 429 in a row holds its pool: what the server asked, but
    never less than 1 s, 2 s, 4 s, ... (up to a minute)."""
    floor = min(MAX_HOLD_FLOOR_SECONDS, MIN_HOLD_SECONDS * 2 ** max(0, in_a_row - 1))
    return max(floor, asked or 0.0)
