"""Dense series (runtime/dense.py): which units a window's answer is filled over, the zero rows
each activity series writes, and a partition's units no window returned."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.braze.units import DAY, HOUR
from tap_braze_sends.runtime.dense import certain_units, missing_days, zero_day
from tap_braze_sends.runtime.plan import PartitionPlan
from tap_braze_sends.runtime.windows import DayReading, Window

D = dt.date(2026, 3, 31)
DENSE = [s for s in BRAZE.series if s.dense]


def returned(window: Window, reading: DayReading) -> set:
    """What Braze returns for ``window`` under ``reading`` (windows.py's module docstring)."""
    shift = 0 if reading is DayReading.INCLUSIVE else 1
    return {window.ending - (i + shift) * window.unit.step for i in range(window.length)}


def test_the_dense_series_are_the_activity_series() -> None:
    assert sorted(s.name for s in DENSE) == [
        "/events/data_series",
        "/events/data_series (hour)",
        "/purchases/{quantity,revenue}_series",
        "/purchases/{quantity,revenue}_series (hour)",
        "/sessions/data_series",
        "/sessions/data_series (hour)",
    ]
    # The KPIs (MAU is a rolling count) and segment sizes (an estimate) are no zero when absent.
    assert all(not s.dense for s in BRAZE.series if "/kpi/" in s.name or "segments" in s.name)


@given(
    st.integers(1, 100),
    st.integers(-120, 120),
    st.integers(-120, 120),
    st.sampled_from([None, *DayReading]),
)
def test_a_window_is_filled_only_over_units_it_returns(
    length: int, first_offset: int, span: int, reading: DayReading | None
) -> None:
    window = Window(D, length, DAY)
    first = D + dt.timedelta(days=first_offset)
    last = first + dt.timedelta(days=span)
    filled = set(certain_units(window, reading, first, last))
    assert all(first <= u <= last for u in filled)
    if reading is None:  # unknown: only what both readings return
        both = returned(window, DayReading.INCLUSIVE) & returned(window, DayReading.EXCLUSIVE)
        assert filled == {u for u in both if first <= u <= last}
    else:
        assert filled == {u for u in returned(window, reading) if first <= u <= last}


def test_hours_are_filled_like_days() -> None:
    ending = dt.datetime(2026, 3, 31, 12, tzinfo=dt.timezone.utc)
    window = Window(ending, 3, HOUR)
    hours = certain_units(window, DayReading.EXCLUSIVE, ending - 5 * HOUR.step, ending)
    assert hours == [ending - 3 * HOUR.step, ending - 2 * HOUR.step, ending - HOUR.step]


@pytest.mark.parametrize("series", DENSE, ids=lambda s: s.name)
def test_each_requests_zero_row_is_a_valid_row_of_its_stream(series) -> None:
    partition = {field: "id-1" for field in series.partition_fields}
    point = D if series.unit == "day" else dt.datetime(2026, 3, 31, 5, tzinfo=dt.timezone.utc)
    table = series.tables[0]
    for request in series.requests:
        (row,) = zero_day(series, request, partition, point)["series"]
        jsonschema.validate(row, table.schema)
        (column,) = request.columns
        assert row[column] == 0
        assert row["time"] == point.isoformat()
        assert row["extra_metrics"] is None


def test_a_partition_gets_a_row_for_each_unit_no_window_returned_up_to_brazes_clock() -> None:
    series = next(s for s in DENSE if s.name == "/purchases/{quantity,revenue}_series (hour)")
    first = dt.datetime(2026, 3, 31, 0, tzinfo=dt.timezone.utc)
    plan = PartitionPlan(series, {"product": "*", "app_id": "*"}, first, first + 23 * HOUR.step)
    braze_clock = first + dt.timedelta(hours=5, minutes=20)
    emitted = {first + HOUR.step, first + 3 * HOUR.step}
    days = missing_days(plan, series.requests, emitted, braze_clock)
    assert [day for day, _ in days] == [first + h * HOUR.step for h in (0, 2, 4, 5)]
    for _, rows in days:
        (row,) = rows["series"]
        assert (row["quantity"], row["revenue"]) == (0, 0.0)
    # Only the requests sent: a deselected column stays out of the row.
    (one,) = [r for r in series.requests if "quantity" in r.columns]
    ((_, rows),) = missing_days(plan, (one,), emitted, first)
    assert "revenue" not in rows["series"][0]
