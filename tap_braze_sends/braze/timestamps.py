"""Braze's ISO-8601 timestamps, in the variants its endpoints and docs show, to RFC 3339.

Seen in Braze's responses and examples: ``2020-07-10T23:59:59`` (no offset),
``2014-12-10T23:59:59-05:00``, ``2020-06-28T23:59:59-5:00`` (one-digit offset hour),
``...Z``, fractional seconds, and dates alone. A value without an offset is read as UTC (Braze's
REST API reports times in UTC); a date alone as its midnight UTC.
"""

from __future__ import annotations

import datetime as dt
import re

_TIMESTAMP = re.compile(
    r"""
    (?P<date>\d{4}-\d{2}-\d{2})
    (?:[T\ ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?
    \s*
    (?P<offset>[Zz]|UTC|GMT|(?P<sign>[+-])(?P<off_h>\d{1,2})(?::?(?P<off_m>\d{2}))?)?
    """,
    re.VERBOSE,
)


def parse_timestamp(value: object) -> dt.datetime | None:
    """An aware datetime, or None when ``value`` is not a timestamp this module knows."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.fullmatch(value.strip())
    if not match:
        return None
    try:
        day = dt.date.fromisoformat(match["date"])
        fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
        return dt.datetime(
            day.year,
            day.month,
            day.day,
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
            int(fraction),
            tzinfo=_offset(match),
        )
    except ValueError:  # a day, hour or offset out of range
        return None


def rfc3339(value: object) -> str | None:
    """``value`` as RFC 3339 with an explicit offset (kept as Braze gave it), or None."""
    parsed = parse_timestamp(value)
    return None if parsed is None else parsed.isoformat()


def _offset(match: re.Match[str]) -> dt.timezone:
    if not match["sign"]:
        return dt.timezone.utc  # none given, Z, UTC or GMT
    minutes = int(match["off_h"]) * 60 + int(match["off_m"] or 0)
    sign = -1 if match["sign"] == "-" else 1
    return dt.timezone(dt.timedelta(minutes=sign * minutes))  # ValueError from 24h on
