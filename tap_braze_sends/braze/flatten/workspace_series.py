"""Pure flattening of the workspace series (segments, KPIs, sessions, custom events,
purchases): each element of ``data`` is ``{"time": ..., <metric>: ...}``, one metric per
request.

An element becomes one row: the partition's key columns (``*`` for "all"), ``time``, the
metric in its column when its value has the column's type (a metric the element lacks is no
column of the row), and everything else in ``extra_metrics``. Several requests may feed the
columns of one row (a KPI per column, purchase quantity and revenue): the runtime merges their
rows of one time (:func:`tap_braze_sends.runtime.requests_of.merge_row`).

``time`` is the element's date in a daily series; in an hourly one, the start of its hour in
UTC (Braze writes ``Z``, ``+00:00`` or another offset). A ``time`` that is neither makes the
element unplaceable: :class:`MalformedBody`. So does an hourly ``time`` that is no hour's
start in UTC (``10:30``): Braze documents hourly buckets, so such an element is not Braze's
shape, and placing it in the hour it falls in would let it replace that hour's own value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.flatten.series_rows import Row, split_values
from tap_braze_sends.braze.schemas.metrics import metric_type
from tap_braze_sends.braze.timestamps import parse_day, parse_timestamp
from tap_braze_sends.braze.units import DAY, Point, Unit


def point_of(value: object, unit: Unit) -> Point:
    """The day, or the UTC hour start, that a series element's ``time`` names."""
    if unit is DAY:
        return parse_day(value)
    moment = parse_timestamp(value)
    if moment is None:
        msg = f"element has no ISO-8601 'time': {value!r:.80}"
        raise MalformedBody(msg)
    try:
        point = unit.point_of(moment)
    except OverflowError:  # its UTC hour falls before year 1 or after 9999: no hour to place
        msg = f"element's 'time' has no UTC hour: {value!r:.80}"
        raise MalformedBody(msg) from None
    if point != moment:
        msg = f"element's 'time' is not the start of an hour in UTC: {value!r:.80}"
        raise MalformedBody(msg)
    return point


def metric_row(
    element: Mapping[str, Any],
    partition: Mapping[str, str],
    *,
    metrics: Mapping[str, str],
    unit: Unit,
) -> Row:
    """The row of one series element: keys, ``time``, each metric Braze names in ``metrics``
    (metric -> column) in its column, everything else in ``extra_metrics``."""
    row: Row = {**partition, "time": point_of(element.get("time"), unit).isoformat()}
    types = {metric: metric_type(column) for metric, column in metrics.items()}
    split_values(element, types, row, skip=("time",))
    for metric, column in metrics.items():
        if metric != column and metric in row:
            row[column] = row.pop(metric)
    return row
