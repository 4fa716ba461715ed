"""Pure planning of the daily windows requested for one partition (no HTTP).

Braze answers ``GET .../data_series?length=L&ending_at=E`` with at most ``L`` days "before"
``E``. Whether the day of ``E`` itself is in the series is undocumented, so the plan must be
right under both readings:

* inclusive: a request returns the days ``[E - L + 1, E]``
* exclusive: a request returns the days ``[E - L, E - 1]``

Windows tile ``[first_day, last_day + 1]`` back to back. Under either reading consecutive
requests then return back-to-back, non-overlapping day ranges, and their union covers
``[first_day, last_day]`` (inclusive reading: plus ``last_day + 1``; exclusive reading: plus
``first_day - 1``). Keeping only the days inside ``[first_day, last_day]`` therefore yields
every day exactly once, whichever reading Braze follows. The price is at most one extra
request per partition, and only when the range is an exact multiple of ``window_days``.

Once a response has shown which reading Braze follows (:func:`infer_reading`), the rest can be
planned exactly: ``ceil(days / window_days)`` requests, each returning exactly its own days.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

MAX_WINDOW_DAYS = 100
"""Braze's documented upper bound for ``length``."""

_DAY = dt.timedelta(days=1)


class DayReading(str, enum.Enum):
    """Which days a request ``length=L, ending_at=E`` returns (Braze does not document it)."""

    INCLUSIVE = "inclusive"
    """The days ``[E - L + 1, E]``: the day of ``ending_at`` is in the series."""
    EXCLUSIVE = "exclusive"
    """The days ``[E - L, E - 1]``: the series stops the day before ``ending_at``."""


@dataclass(frozen=True, slots=True)
class Window:
    """One request: ``length`` days ending at ``ending_day``."""

    ending_day: dt.date
    length: int

    @property
    def first_day(self) -> dt.date:
        """First day of the window under the inclusive reading."""
        return self.ending_day - dt.timedelta(days=self.length - 1)

    def ending_at(self) -> str:
        """The ``ending_at`` query value: the last second of ``ending_day`` in UTC."""
        return f"{self.ending_day.isoformat()}T23:59:59+00:00"


def infer_reading(window: Window, returned_days: Iterable[dt.date]) -> DayReading | None:
    """What the days of one response prove about the reading, or ``None`` if nothing.

    Pass every day of the response, before filtering to the range. Only the two edge days
    are evidence: ``window.ending_day`` is returned only under the inclusive reading, the day
    ``length`` days before it only under the exclusive one. Braze may leave out days without
    activity, so a response without either edge day proves nothing; one with both (which
    neither reading allows) proves nothing either.
    """
    exclusive_edge = window.ending_day - window.length * _DAY
    days = set(returned_days)
    inclusive = window.ending_day in days
    exclusive = exclusive_edge in days
    if inclusive == exclusive:
        return None
    return DayReading.INCLUSIVE if inclusive else DayReading.EXCLUSIVE


def last_day_returned(window: Window, reading: DayReading) -> dt.date:
    """The last day ``window`` returns under ``reading``: where a replanned rest starts after."""
    return window.ending_day if reading is DayReading.INCLUSIVE else window.ending_day - _DAY


def returns_any_of(
    window: Window, reading: DayReading, first_day: dt.date, last_day: dt.date
) -> bool:
    """Whether ``window``, read the way ``reading`` says, returns a day of the range."""
    last = last_day_returned(window, reading)
    return last >= first_day and last - dt.timedelta(days=window.length - 1) <= last_day


def plan_windows(
    first_day: dt.date,
    last_day: dt.date,
    window_days: int,
    reading: DayReading | None = None,
) -> list[Window]:
    """Plan the requests that cover ``[first_day, last_day]``.

    With ``reading`` unknown (``None``), a plan right under both readings (see the module
    docstring); with a known reading, the exact plan of ``ceil(days / window_days)`` requests.
    Either way, keep only the returned days inside ``[first_day, last_day]``. Returns an empty
    list when ``first_day > last_day`` (nothing to read).
    """
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        msg = f"window_days must be between 1 and {MAX_WINDOW_DAYS}, got {window_days}"
        raise ValueError(msg)
    if first_day > last_day:
        return []
    if reading is None:
        return _guard_plan(first_day, last_day, window_days)
    return _exact_plan(first_day, last_day, window_days, reading)


def _guard_plan(first_day: dt.date, last_day: dt.date, window_days: int) -> list[Window]:
    windows: list[Window] = []
    covered_through = first_day - _DAY
    # One day past last_day closes the gap the exclusive reading would leave at the end.
    final_day = last_day + _DAY
    while covered_through < final_day:
        length = min(window_days, (final_day - covered_through).days)
        covered_through += dt.timedelta(days=length)
        windows.append(Window(ending_day=covered_through, length=length))
    return windows


def _exact_plan(
    first_day: dt.date, last_day: dt.date, window_days: int, reading: DayReading
) -> list[Window]:
    # Under the exclusive reading a request returns the days before its ending_at day.
    shift = _DAY if reading is DayReading.EXCLUSIVE else dt.timedelta(0)
    windows: list[Window] = []
    chunk_first = first_day
    while chunk_first <= last_day:
        length = min(window_days, (last_day - chunk_first).days + 1)
        chunk_last = chunk_first + (length - 1) * _DAY
        windows.append(Window(ending_day=chunk_last + shift, length=length))
        chunk_first = chunk_last + _DAY
    return windows


def starting_day(
    *,
    start_date: dt.date,
    bookmark: dt.date | None,
    lookback_days: int,
    today: dt.date,
) -> dt.date:
    """First day a run reads for a partition.

    With no bookmark, ``start_date``. Otherwise ``bookmark - lookback_days`` so that days Braze
    restated since the last run are read again, never earlier than ``start_date``. A bookmark
    in the future (a clock skew, a hand-edited state) counts as today.
    """
    if bookmark is None:
        return start_date
    bookmark = min(bookmark, today)
    return max(start_date, bookmark - dt.timedelta(days=lookback_days))
