"""Which of a series' requests a run sends, how an answer becomes days of rows, and how the
rows of several requests become one row per key.

A series may feed one table's columns from several requests (one per KPI, say): a request
whose columns the catalog deselects is not sent, and the rows the others return for one
partition and window are merged on the table's primary key.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from tap_braze_sends.braze.description import DayRows, Partition, Request, Row, Series
from tap_braze_sends.braze.flatten.unknown import EXTRA_METRICS
from tap_braze_sends.braze.flatten.workspace_series import point_of
from tap_braze_sends.braze.units import UNITS, Point


def needed_requests(
    series: Series, roles: Sequence[str], column_selected: Callable[[str, str], bool]
) -> tuple[Request, ...]:
    """The requests a selected table needs; ``column_selected(role, column)`` asks the catalog."""
    return tuple(
        request
        for request in series.requests
        if not request.columns
        or any(column_selected(role, column) for role in roles for column in request.columns)
    )


def merge_days(
    answers: Sequence[list[tuple[dt.date, DayRows]]], keys: Mapping[str, tuple[str, ...]]
) -> list[tuple[dt.date, DayRows]]:
    """The days of several answers for one window, each role's rows merged on its key
    (:func:`merge_row`)."""
    if len(answers) == 1:
        return answers[0]
    merged: dict[dt.date, dict[str, dict[tuple[object, ...], Row]]] = {}
    for answer in answers:
        for day, rows in answer:
            roles = merged.setdefault(day, {})
            for role, role_rows in rows.items():
                by_key = roles.setdefault(role, {})
                for row in role_rows:
                    key = tuple(row.get(k) for k in keys[role])
                    merge_row(by_key.setdefault(key, {}), row)
    return [
        (day, {role: list(by_key.values()) for role, by_key in roles.items()})
        for day, roles in sorted(merged.items())
    ]


def merge_row(target: Row, row: Row) -> None:
    """Merge ``row`` (a later answer's) into ``target``: a value beats a null, and of two values
    for one column the later wins. ``extra_metrics`` are merged name by name: each request
    keeps its own extras (a KPI sent as 3.0 lands there), so none may replace another's."""
    for column, value in row.items():
        if column == EXTRA_METRICS and isinstance(target.get(column), dict) and value:
            target[column] = {**target[column], **value}
        elif value is not None or column not in target:
            target[column] = value


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer's units (days or hours) flattened, in Braze's order, each unit once."""

    days: list[tuple[Point, DayRows]]
    repeated: Counter[Point] = field(default_factory=Counter)
    """The extra copies of a unit the body held (dropped: the first copy counts). Logged
    once per partition with their count (writer.py), never once per copy."""


def answer_days(series: Series, body: object, partition: Partition) -> Answer:
    """Each day (hour) of a body, flattened; one repeated within the body keeps its first copy."""
    out: list[tuple[Point, DayRows]] = []
    seen: set[Point] = set()
    repeated: Counter[Point] = Counter()
    unit = UNITS[series.unit]
    for raw in series.days_of(body):
        day = point_of(raw.get("time"), unit)
        if day in seen:
            repeated[day] += 1
            continue
        seen.add(day)
        out.append((day, series.flatten(raw, partition)))
    return Answer(out, repeated)
