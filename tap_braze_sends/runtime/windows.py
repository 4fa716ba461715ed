"""Pure planning of the windows requested for one partition (no HTTP), in days or in hours.

Braze answers ``GET .../data_series?length=L&ending_at=E`` with at most ``L`` units (days, or
hours for a series read with ``unit=hour``) "before" ``E``. Whether the unit of ``E`` itself is
in the series is undocumented, so the plan must be right under both readings:

* inclusive: a request returns the units ``[E - L + 1, E]``
* exclusive: a request returns the units ``[E - L, E - 1]``

Windows tile ``[first, last + 1]`` back to back. Under either reading consecutive requests then
return back-to-back, non-overlapping ranges, and their union covers ``[first, last]``
(inclusive reading: plus ``last + 1``; exclusive reading: plus ``first - 1``). Keeping only the
units inside ``[first, last]`` therefore yields every unit exactly once, whichever reading Braze
follows. The price is at most one extra request per partition, and only when the range is an
exact multiple of the window's length.

Once a response has shown which reading Braze follows (:func:`infer_reading`), the rest can be
planned exactly: ``ceil(units / max_length)`` requests, each returning exactly its own units.

A day is a :class:`datetime.date`; an hour is the aware UTC :class:`datetime.datetime` of its
start. The same arithmetic serves both: only the step and the ``ending_at`` text differ.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from tap_braze_sends.braze.timestamps import parse_timestamp
from tap_braze_sends.braze.units import DAY, MAX_WINDOW_DAYS, Point, Unit
from tap_braze_sends.braze.units import UTC as _UTC


class DayReading(str, enum.Enum):
    """Which units a request ``length=L, ending_at=E`` returns (Braze does not document it).

    Learned per endpoint and unit; the name keeps its day origin, the meaning holds for hours.
    """

    INCLUSIVE = "inclusive"
    """The units ``[E - L + 1, E]``: the unit of ``ending_at`` is in the series."""
    EXCLUSIVE = "exclusive"
    """The units ``[E - L, E - 1]``: the series stops the unit before ``ending_at``."""


@dataclass(frozen=True, slots=True)
class Window:
    """One request: ``length`` units ending at ``ending`` (its last unit, inclusive reading)."""

    ending: Point
    length: int
    unit: Unit = DAY

    @property
    def first(self) -> Point:
        """First unit of the window under the inclusive reading."""
        return self.ending - (self.length - 1) * self.unit.step

    def ending_at(self) -> str:
        """The ``ending_at`` query value: the last second of ``ending`` in UTC."""
        return self.unit.ending_at(self.ending)


def infer_reading(window: Window, returned: Iterable[Point]) -> DayReading | None:
    """What the units of one response prove about the reading, or ``None`` if nothing.

    Pass every unit of the response, before filtering to the range. Only the two edge units
    are evidence: ``window.ending`` is returned only under the inclusive reading, the unit
    ``length`` units before it only under the exclusive one. Braze may leave out units without
    activity, so a response without either edge proves nothing; one with both (which neither
    reading allows) proves nothing either.
    """
    exclusive_edge = window.ending - window.length * window.unit.step
    seen = set(returned)
    inclusive = window.ending in seen
    exclusive = exclusive_edge in seen
    if inclusive == exclusive:
        return None
    return DayReading.INCLUSIVE if inclusive else DayReading.EXCLUSIVE


def last_returned(window: Window, reading: DayReading) -> Point:
    """The last unit ``window`` returns under ``reading``: where a replanned rest starts after."""
    if reading is DayReading.INCLUSIVE:
        return window.ending
    return window.ending - window.unit.step


def returns_any_of(window: Window, reading: DayReading, first: Point, last: Point) -> bool:
    """Whether ``window``, read the way ``reading`` says, returns a unit of ``[first, last]``."""
    end = last_returned(window, reading)
    return end >= first and end - (window.length - 1) * window.unit.step <= last


def plan_windows(
    first: Point,
    last: Point,
    max_length: int,
    reading: DayReading | None = None,
    unit: Unit = DAY,
) -> list[Window]:
    """Plan the requests that cover ``[first, last]`` in ``unit``.

    With ``reading`` unknown (``None``), a plan right under both readings (see the module
    docstring); with a known reading, the exact plan of ``ceil(units / max_length)`` requests.
    Either way, keep only the returned units inside ``[first, last]``. Returns an empty list
    when ``first > last`` (nothing to read).
    """
    if not 1 <= max_length <= MAX_WINDOW_DAYS:
        msg = f"window_days must be between 1 and {MAX_WINDOW_DAYS}, got {max_length}"
        raise ValueError(msg)
    if first > last:
        return []
    if reading is None:
        return _guard_plan(first, last, max_length, unit)
    return _exact_plan(first, last, max_length, reading, unit)


def _guard_plan(first: Point, last: Point, max_length: int, unit: Unit) -> list[Window]:
    windows: list[Window] = []
    covered_through = first - unit.step
    # One unit past last closes the gap the exclusive reading would leave at the end.
    final = last + unit.step
    while covered_through < final:
        length = min(max_length, unit.count(covered_through + unit.step, final))
        covered_through += length * unit.step
        windows.append(Window(ending=covered_through, length=length, unit=unit))
    return windows


def _exact_plan(
    first: Point, last: Point, max_length: int, reading: DayReading, unit: Unit
) -> list[Window]:
    # Under the exclusive reading a request returns the units before its ending_at unit.
    shift = unit.step if reading is DayReading.EXCLUSIVE else 0 * unit.step
    windows: list[Window] = []
    chunk_first = first
    while chunk_first <= last:
        length = min(max_length, unit.count(chunk_first, last))
        chunk_last = chunk_first + (length - 1) * unit.step
        windows.append(Window(ending=chunk_last + shift, length=length, unit=unit))
        chunk_first = chunk_last + unit.step
    return windows


def starting_day(
    *,
    start_date: Point,
    bookmark: Point | None,
    lookback_days: int,
    today: Point,
) -> Point:
    """First unit a run reads for a partition (all three points in the same unit).

    With no bookmark, ``start_date``. Otherwise ``bookmark - lookback_days`` so that days Braze
    restated since the last run are read again, never earlier than ``start_date``. A bookmark
    in the future (a clock skew, a hand-edited state) counts as ``today`` (for hours: the
    current hour).
    """
    if bookmark is None:
        return start_date
    bookmark = min(bookmark, today)
    try:
        return max(start_date, bookmark - dt.timedelta(days=lookback_days))
    except OverflowError:  # a bookmark in year 1 less the lookback: start_date is later
        return start_date


def unit_range(
    unit: Unit,
    *,
    start_date: dt.date,
    end_date: dt.date,
    bookmark: Point | None,
    lookback_days: int,
    now: dt.datetime,
) -> tuple[Point, Point]:
    """``(first, last)`` units a run reads for a partition whose last unit read is ``bookmark``.

    Days and hours follow the same rule: from ``start_date`` (its first hour, UTC) or the
    bookmark less the lookback, through ``end_date`` (its last hour) or the current unit,
    whichever is earlier. ``first > last`` means nothing to read.
    """
    today = unit.point_of(now)
    start = unit.point_of(_midnight(start_date))
    end = unit.point_of(_midnight(end_date + dt.timedelta(days=1))) - unit.step
    first = starting_day(
        start_date=start, bookmark=bookmark, lookback_days=lookback_days, today=today
    )
    return first, min(end, today)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=_UTC)


def bookmark_value(point: Point) -> str:
    """A partition's bookmark in the state: ``YYYY-MM-DD``, or an hour's RFC 3339 start."""
    return point.isoformat()


def bookmark_point(unit: Unit, value: object) -> Point | None:
    """The last unit read, from a bookmark :func:`bookmark_value` wrote (None: not one).

    A day bookmark read for an hourly stream means that day was read through its last hour;
    an hour bookmark read for a daily stream names its (UTC) day.
    """
    moment = parse_timestamp(value)
    if moment is None:
        return None
    if unit is not DAY and isinstance(value, str) and len(value.strip()) == 10:
        # Its last hour: the day's midnight (UTC) plus a day less an hour, inside the date.
        return unit.point_of(moment) + (dt.timedelta(days=1) - unit.step)
    try:
        return unit.point_of(moment)
    except OverflowError:  # its UTC instant is in year 0 or 10000: the date as written
        return unit.point_of(moment.replace(tzinfo=_UTC))
