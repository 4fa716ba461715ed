"""ISO-8601 date-times as Braze's docs write them, for any query parameter (pure).

Braze's examples include a one-digit hour in the offset ("2018-05-30T23:59:59-5:00"), which
`datetime.fromisoformat` rejects, hence a parser of our own. Messages name the parameter, in the
same words as the series endpoints' `ending_at` messages.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?"
    r"(Z|z|[+-]\d{1,2}(?::?\d{2})?)?)?",
    re.ASCII,
)
# The earliest day a caller may count back 14 days from without leaving datetime's calendar.
_EARLIEST_DAY = date(2, 1, 1)


class InvalidTime(ValueError):
    """A date-time parameter Braze would answer with 400; the message is the response's."""


def parse_iso_datetime(value: str, name: str) -> datetime:
    """An aware datetime (naive values are UTC); `name` is the parameter, for the message."""
    m = _ISO_DATETIME.fullmatch(value)
    if not m:
        raise InvalidTime(f"{name} must be an ISO 8601 datetime, got {value!r}")
    year, month, day, hour, minute, second, offset = m.groups()
    tz = timezone.utc
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        hours, _, minutes = offset[1:].partition(":")
        if not minutes and len(hours) > 2:  # "+0530"
            hours, minutes = hours[:2], hours[2:]
        try:
            tz = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))
        except ValueError as exc:
            raise InvalidTime(f"{name} has an invalid UTC offset: {value!r}") from exc
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise InvalidTime(f"{name} must be a valid ISO 8601 datetime, got {value!r}") from exc


def parse_utc_day(value: str, name: str) -> date:
    """The UTC calendar day of an ISO-8601 date-time parameter."""
    try:
        day = parse_iso_datetime(value, name).astimezone(timezone.utc).date()
    except OverflowError as exc:
        raise InvalidTime(f"{name} is out of range: {value!r}") from exc
    if day < _EARLIEST_DAY:
        raise InvalidTime(f"{name} is out of range: {value!r}")
    return day
