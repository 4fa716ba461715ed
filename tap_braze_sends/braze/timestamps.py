"""Braze's ISO-8601 timestamps: the one reader and the one RFC 3339 normaliser (pure).

Braze writes timestamps in several ISO-8601 forms (``2023-01-01T12:00:00Z``, ``...+00:00``, a
one-digit offset such as ``-5:00`` in its own examples, ``... UTC``, or a bare date). A
``date-time`` column needs RFC 3339, so each is rewritten as
``YYYY-MM-DDTHH:MM:SS[.fraction]±HH:MM``, the same in every stream:

- the instant and the offset Braze gave are kept (no conversion to UTC), ``Z``, ``UTC`` and
  ``GMT`` become ``+00:00`` and the fraction keeps all its digits;
- a timestamp without an offset, and a bare date (midnight), are taken as UTC: Braze reports
  times in UTC (its examples end in ``Z``) and a bare date has no time to shift.

Anything else is not a timestamp: ``normalize_timestamp`` returns None and the caller keeps the
raw value elsewhere (the row's extras), so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import re

from tap_braze_sends.braze.flatten.malformed import MalformedBody

# Python 3.10's fromisoformat knows neither "Z" nor one-digit offsets: parse by hand.
_ISO_8601 = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?"
    r"\s*(?P<offset>[Zz]|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?)?"
)
_OFFSET = re.compile(r"(?P<sign>[+-])(?P<hours>\d{1,2}?):?(?P<minutes>\d{2})?")


def _offset(text: str | None) -> tuple[str, dt.timedelta] | None:
    """``±HH:MM`` and its timedelta, for a Braze offset (None: not an offset)."""
    if text is None or text in ("Z", "z", "UTC", "GMT"):
        return "+00:00", dt.timedelta(0)
    match = _OFFSET.fullmatch(text)
    if match is None:
        return None
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if hours > 23 or minutes > 59:
        return None
    delta = dt.timedelta(hours=hours, minutes=minutes)
    return f"{match['sign']}{hours:02d}:{minutes:02d}", -delta if match["sign"] == "-" else delta


def _parse(value: object) -> tuple[str, dt.datetime] | None:
    """The RFC 3339 text and the aware datetime of a Braze timestamp (None: not one)."""
    if not isinstance(value, str):
        return None
    match = _ISO_8601.fullmatch(value.strip())
    if match is None:
        return None
    offset = _offset(match["offset"])
    if offset is None:
        return None
    offset_text, delta = offset
    hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
    second = int(match["second"] or 0)
    fraction = match["fraction"] or ""
    try:
        day = dt.date.fromisoformat(match["date"])
        moment = dt.datetime(
            day.year,
            day.month,
            day.day,
            hour,
            minute,
            second,
            # A datetime holds microseconds; the text keeps every digit Braze sent.
            int(fraction[:6].ljust(6, "0")) if fraction else 0,
            tzinfo=dt.timezone(delta),
        )
    except ValueError:
        return None
    fraction_text = f".{fraction}" if fraction else ""
    text = f"{match['date']}T{hour:02d}:{minute:02d}:{second:02d}{fraction_text}{offset_text}"
    return text, moment


def normalize_timestamp(value: object) -> str | None:
    """The RFC 3339 form of a Braze timestamp, or None when ``value`` is not one."""
    parsed = _parse(value)
    return None if parsed is None else parsed[0]


def parse_timestamp(value: object) -> dt.datetime | None:
    """The aware datetime of a Braze timestamp, or None when ``value`` is not one."""
    parsed = _parse(value)
    return None if parsed is None else parsed[1]


def utc_date(value: object) -> dt.date | None:
    """The UTC calendar date of a Braze timestamp, or None when ``value`` is not one."""
    parsed = _parse(value)
    if parsed is None:
        return None
    try:
        return parsed[1].astimezone(dt.timezone.utc).date()
    except OverflowError:  # the UTC instant falls before year 1 or after 9999
        return parsed[1].date()


def parse_day(value: object) -> dt.date:
    """The date of a Braze ``time`` value: ``YYYY-MM-DD`` or a full ISO datetime."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            # The date part is the day Braze reports, whatever offset a datetime carries.
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    msg = f"day has no ISO-8601 'time': {value!r}"
    raise MalformedBody(msg)
