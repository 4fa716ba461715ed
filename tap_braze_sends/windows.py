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
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

MAX_WINDOW_DAYS = 100
"""Braze's documented upper bound for ``length``."""


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


def plan_windows(
    first_day: dt.date,
    last_day: dt.date,
    window_days: int,
    reading: DayReading | None = None,
) -> list[Window]:
    """Plan the requests that cover ``[first_day, last_day]``.

    With ``reading`` unknown, right under both readings (the guard: up to one more request);
    with it known, exactly ceil(days / window_days) requests. Returns an empty list when
    ``first_day > last_day`` (nothing to read).
    """
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        msg = f"window_days must be between 1 and {MAX_WINDOW_DAYS}, got {window_days}"
        raise ValueError(msg)
    if first_day > last_day:
        return []
    if reading is not None:
        return _exact_windows(first_day, last_day, window_days, reading)
    windows: list[Window] = []
    covered_through = first_day - dt.timedelta(days=1)
    # One day past last_day closes the gap the exclusive reading would leave at the end.
    final_day = last_day + dt.timedelta(days=1)
    while covered_through < final_day:
        length = min(window_days, (final_day - covered_through).days)
        covered_through += dt.timedelta(days=length)
        windows.append(Window(ending_day=covered_through, length=length))
    return windows


def _exact_windows(
    first_day: dt.date, last_day: dt.date, window_days: int, reading: DayReading
) -> list[Window]:
    # The exclusive reading returns the days before ending_day: end each window a day later.
    shift = dt.timedelta(days=1 if reading is DayReading.EXCLUSIVE else 0)
    windows: list[Window] = []
    start = first_day
    while start <= last_day:
        length = min(window_days, (last_day - start).days + 1)
        last = start + dt.timedelta(days=length - 1)
        windows.append(Window(ending_day=last + shift, length=length))
        start = last + dt.timedelta(days=1)
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



class DayReading(enum.Enum):
    """How Braze reads the ``ending_at`` day of ``length=L&ending_at=E``."""

    INCLUSIVE = "inclusive"  # [E - L + 1, E]
    EXCLUSIVE = "exclusive"  # [E - L, E - 1]


def infer_reading(window: Window, returned_days: Iterable[dt.date]) -> DayReading | None:
    """The reading a response proves, or None when its days fit both (sparse data)."""
    before_first = window.ending_day - dt.timedelta(days=window.length)
    for day in returned_days:
        if day == window.ending_day:
            return DayReading.INCLUSIVE
        if day == before_first:
            return DayReading.EXCLUSIVE
    return None
