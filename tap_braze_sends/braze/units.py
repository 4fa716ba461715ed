"""Braze's units of a series: a day or an hour, how a request ends on one, and the longest
window Braze serves (``length``). Braze facts, used by the descriptions and by the runtime's
window planning alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_WINDOW_DAYS = 100
"""Braze's documented upper bound for ``length``, in units (days or hours)."""

Point = Any
"""One unit of a series: a ``date`` (days) or the aware UTC ``datetime`` of an hour's start."""

UTC = dt.timezone.utc


@dataclass(frozen=True, slots=True)
class Unit:
    """A series' unit: Braze's ``unit`` value, its length, and how a request ends on one."""

    name: str
    step: dt.timedelta
    ending_at: Callable[[Point], str]
    """The ``ending_at`` query value of a window whose last unit (inclusive) is the argument."""
    point_of: Callable[[dt.datetime], Point]
    """The unit an aware instant falls in."""

    def count(self, first: Point, last: Point) -> int:
        """Units in ``[first, last]`` (0 when ``first > last``)."""
        return max(0, (last - first) // self.step + 1)


def _hour_start(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


DAY = Unit(
    name="day",
    step=dt.timedelta(days=1),
    # The last second of the day in UTC.
    ending_at=lambda day: f"{day.isoformat()}T23:59:59+00:00",
    point_of=lambda moment: moment.astimezone(UTC).date(),
)
HOUR = Unit(
    name="hour",
    step=dt.timedelta(hours=1),
    # The last second of the hour: Braze places it in that hour whatever it rounds to.
    ending_at=lambda hour: f"{_hour_start(hour).strftime('%Y-%m-%dT%H')}:59:59+00:00",
    point_of=_hour_start,
)
UNITS = {unit.name: unit for unit in (DAY, HOUR)}
