"""Pure parsing of Braze's query parameters (`length`, `ending_at`) and the days they ask for."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from braze_simulator.isotime import InvalidTime, parse_iso_datetime

DAY_SEMANTICS = ("inclusive", "exclusive")

_LENGTH = re.compile(r"[0-9]+")


class BadRequest(ValueError):
    """A query Braze would answer with 400; the message is the response's."""


def parse_datetime(value: str, name: str = "ending_at") -> datetime:
    """Parse Braze's ISO-8601 datetimes to an aware datetime (naive values are UTC)."""
    try:
        return parse_iso_datetime(value, name)
    except InvalidTime as exc:
        raise BadRequest(str(exc)) from exc


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


UNITS = ("day", "hour")


def parse_unit(params: dict[str, str]) -> str:
    """`unit`: "day" (the default) or "hour"."""
    value = params.get("unit") or "day"
    if value not in UNITS:
        raise BadRequest(f"unit must be either 'day' or 'hour', got {value!r}")
    return value


def end_hour(params: dict[str, str], now: datetime) -> datetime:
    """The UTC hour (its start) of `ending_at` (the simulator's current hour when absent)."""
    raw = params.get("ending_at")
    if raw is None:
        return now
    try:
        moment = parse_ending_at(raw).astimezone(timezone.utc)
    except OverflowError as exc:
        raise BadRequest(f"ending_at is out of range: {raw!r}") from exc
    if moment.date() < date(2, 1, 1):
        raise BadRequest(f"ending_at is out of range: {raw!r}")
    return moment.replace(minute=0, second=0, microsecond=0)


def hour_range(end: datetime, length: int, semantics: str) -> tuple[datetime, datetime]:
    """Which hours a series covers: as for days, `ending_at`'s own hour counts or not."""
    hour = timedelta(hours=1)
    if semantics == "inclusive":
        return end - (length - 1) * hour, end
    return end - length * hour, end - hour
