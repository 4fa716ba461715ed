"""What a run reads: each partition's day range from its bookmarks, and its windows (pure).

A partition's range is ``[first_day, last_day]``: from ``start_date`` (no bookmark) or
``bookmark - lookback_days``, through ``end_date`` (default today). Its windows come from
:mod:`tap_braze_sends.runtime.windows`, exact once the series' reading of the ``ending_at`` day
is known (learned from responses: :class:`DayReadings`), guarded against both readings until then.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from tap_braze_sends.braze.description import Partition, Series
from tap_braze_sends.braze.units import UNITS, Point
from tap_braze_sends.runtime.windows import (
    DayReading,
    Window,
    infer_reading,
    plan_windows,
    unit_range,
)
from tap_braze_sends.settings import Settings


@dataclass(frozen=True, slots=True)
class PartitionPlan:
    series: Series
    partition: Partition
    first_day: Point
    last_day: Point
    """The range, in the series' unit: days, or hour starts (UTC) for an hourly series."""
    discovered: bool = False
    """Found by listing, not named in the config: a 400 for it is a warning, not a failure."""

    def covers(self, day: Point) -> bool:
        return self.first_day <= day <= self.last_day


def plan_partition(
    series: Series,
    partition: Partition,
    *,
    settings: Settings,
    bookmark: Point | None,
    now: dt.datetime,
    discovered: bool = False,
) -> PartitionPlan:
    first, last = unit_range(
        UNITS[series.unit],
        start_date=settings.start_date,
        end_date=settings.end_date,
        bookmark=bookmark,
        lookback_days=settings.lookback_days,
        now=now,
    )
    return PartitionPlan(series, partition, first, last, discovered=discovered)


def window_days(series: Series, settings: Settings) -> int:
    """``window_days`` caps a daily series' windows; an hourly one asks Braze's 100 hours."""
    if series.unit != "day":
        return series.max_window_days
    return min(settings.window_days, series.max_window_days)


class DayReadings:
    """Each series' reading of the ``ending_at`` day, once a response has shown it.

    Shared by the worker threads (which learn) and the planner (which asks).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[str, DayReading] = {}

    def get(self, path: str) -> DayReading | None:
        return self._known.get(path)

    def learn(self, path: str, window: Window, days: Iterable[Point]) -> None:
        if path in self._known:
            return
        reading = infer_reading(window, days)
        if reading is not None:
            with self._lock:
                self._known.setdefault(path, reading)


def partition_windows(
    plan: PartitionPlan, settings: Settings, readings: DayReadings
) -> list[Window]:
    return plan_windows(
        plan.first_day,
        plan.last_day,
        window_days(plan.series, settings),
        readings.get(plan.series.name),
        UNITS[plan.series.unit],
    )
