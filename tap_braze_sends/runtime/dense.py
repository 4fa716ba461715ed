"""Dense series (pure): every unit of a range read gets a row, zeros where Braze left it out.

Braze leaves units without activity out of its activity series (sessions, custom events,
purchases). Without a row for them, a unit restated to nothing keeps its old row in an
upserting warehouse, and hourly rows no longer add up to the daily ones. A series whose
requests say what an omitted unit holds (:attr:`Request.absent`) is filled in two places:

* each answer, over the units its window certainly returns (:func:`certain_units`): a unit
  one request of a window returns and another leaves out is that other request's zero;
* each partition once read whole, over the units of its range that no window returned
  (:func:`missing_days`): the edges of windows read before the ``ending_at`` reading was
  known, which either reading could have returned.

Never beyond the range, and never for a unit Braze had not reached when it answered
(``served_at``: its clock, from the answer's ``Date`` header, else ours).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from tap_braze_sends.braze.description import DayRows, Partition, Request, Series
from tap_braze_sends.braze.units import UNITS, Point, Unit
from tap_braze_sends.runtime.fetch import Fetched
from tap_braze_sends.runtime.jobs import WindowResult
from tap_braze_sends.runtime.plan import PartitionPlan
from tap_braze_sends.runtime.requests_of import Answer, merge_days
from tap_braze_sends.runtime.windows import DayReading, Window, last_returned

Days = list[tuple[Point, DayRows]]


def window_result(
    plan: PartitionPlan,
    window: Window,
    reading: DayReading | None,
    answers: Sequence[tuple[Request, Fetched]],
) -> WindowResult:
    """One window's answers (one per request) as its result: each answer filled over the
    units the window certainly returns (a dense series), then merged on each table's key."""
    series = plan.series
    unit = UNITS[series.unit]
    days: list[Days] = []
    repeated: Counter[Point] = Counter()
    for request, fetched in answers:
        answer: Answer = fetched.body
        repeated.update(answer.repeated)
        through = min(plan.last_day, unit.point_of(served_at(fetched)))
        certain = certain_units(window, reading, plan.first_day, through) if series.dense else ()
        days.append(fill_answer(series, request, plan.partition, answer.days, certain))
    keys = {table.role: table.primary_keys for table in series.tables}
    returned = (day for _, f in answers for day, _ in f.body.days if plan.covers(day))
    return WindowResult(
        merge_days(days, keys),
        answers[-1][1].extracted_at,
        served_at=min(served_at(fetched) for _, fetched in answers),
        repeated=repeated,
        first_returned=min(returned, default=None),
    )


def served_at(fetched: Fetched) -> dt.datetime:
    """Braze's clock when it answered; ours when it sent no ``Date``."""
    return fetched.served_at or fetched.extracted_at


def certain_units(
    window: Window, reading: DayReading | None, first: Point, last: Point
) -> list[Point]:
    """The units of ``[first, last]`` that ``window`` returns whichever way Braze reads it:
    with the reading known, every unit it returns; unknown, those both readings return (all
    but its two edges)."""
    step = window.unit.step
    if reading is None:
        low, high = window.first, window.ending - step
    else:
        high = last_returned(window, reading)
        low = high - (window.length - 1) * step
    return _units(max(low, first), min(high, last), window.unit)


def _units(first: Point, last: Point, unit: Unit) -> list[Point]:
    return [first + i * unit.step for i in range(unit.count(first, last))]


def zero_day(series: Series, request: Request, partition: Partition, point: Point) -> DayRows:
    """The rows of a unit ``request``'s answer left out: its ``absent`` values at that time,
    through the series' own flattener (so they are the stream's rows like any other)."""
    assert request.absent is not None
    return series.flatten({"time": point.isoformat(), **request.absent}, partition)


def fill_answer(
    series: Series,
    request: Request,
    partition: Partition,
    days: Days,
    units: Iterable[Point],
) -> Days:
    """``days`` of one answer, with a zero day for each of ``units`` it left out (in time
    order); unchanged when the request says nothing of omitted units."""
    if request.absent is None:
        return days
    have = {day for day, _ in days}
    zeros = [(u, zero_day(series, request, partition, u)) for u in units if u not in have]
    if not zeros:
        return days
    return sorted([*days, *zeros], key=lambda item: item[0])


def missing_days(
    plan: PartitionPlan,
    requests: Sequence[Request],
    emitted: set[Point],
    served: dt.datetime,
) -> Days:
    """A partition read whole: a row for each unit of its range that no window returned, up
    to the unit Braze's clock had reached (``served``: its earliest answer), from each
    request's zeros merged on the key. Nothing for a series that is not dense."""
    series = plan.series
    if not series.dense:
        return []
    unit = UNITS[series.unit]
    through = min(plan.last_day, unit.point_of(served))
    units = [u for u in _units(plan.first_day, through, unit) if u not in emitted]
    if not units:
        return []
    keys: Mapping[str, tuple[str, ...]] = {t.role: t.primary_keys for t in series.tables}
    answers = [
        [(u, zero_day(series, request, plan.partition, u)) for u in units]
        for request in requests
        if request.absent is not None
    ]
    return merge_days(answers, keys)
