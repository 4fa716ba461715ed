"""Pure parsing of Braze's query parameters (`length`, `ending_at`) and the days they ask for."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

DAY_SEMANTICS = ("inclusive", "exclusive")

_LENGTH = re.compile(r"[0-9]+")
# ISO-8601 as Braze's docs use it: a date, optionally a time, optionally "Z" or an offset whose
# hour may have one digit ("-5:00", as in the campaign example).
_ENDING_AT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?"
    r"(Z|z|[+-]\d{1,2}(?::?\d{2})?)?)?",
    re.ASCII,
)


class BadRequest(ValueError):
    """A query Braze would answer with 400; the message is the response's."""


def parse_datetime(value: str, name: str = "ending_at") -> datetime:
    """Parse Braze's ISO-8601 datetimes to an aware datetime (naive values are UTC)."""
    m = _ENDING_AT.fullmatch(value)
    if not m:
        raise BadRequest(f"{name} must be an ISO 8601 datetime, got {value!r}")
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
            raise BadRequest(f"{name} has an invalid UTC offset: {value!r}") from exc
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
        raise BadRequest(f"{name} must be a valid ISO 8601 datetime, got {value!r}") from exc


def parse_ending_at(value: str) -> datetime:
    """Parse Braze's ISO-8601 `ending_at` to an aware datetime (naive values are UTC)."""
    return parse_datetime(value, "ending_at")


def parse_length(value: str | None) -> int:
    if value is None or value == "":
        raise BadRequest("length is required")
    if not _LENGTH.fullmatch(value) or not 1 <= int(value) <= 100:
        raise BadRequest("length must be an integer between 1 and 100")
    return int(value)


def end_day(params: dict[str, str], today: date) -> date:
    """The UTC calendar day of `ending_at` (the simulator's today when absent)."""
    raw = params.get("ending_at")
    if raw is None:
        return today
    try:
        day = parse_ending_at(raw).astimezone(timezone.utc).date()
    except OverflowError as exc:
        raise BadRequest(f"ending_at is out of range: {raw!r}") from exc
    # Keep `day - length` inside the calendar that datetime can represent.
    if day < date(2, 1, 1):
        raise BadRequest(f"ending_at is out of range: {raw!r}")
    return day


def day_range(end: date, length: int, semantics: str) -> tuple[date, date]:
    """Which days a series covers: Braze does not document whether `ending_at`'s day counts."""
    if semantics == "inclusive":
        return end - timedelta(days=length - 1), end
    return end - timedelta(days=length), end - timedelta(days=1)
