"""Hour windows (``unit=hour``): the day planning of windows.py, generalised over a unit.

Braze's hourly series take ``length`` 1..100 hours before ``ending_at``; whether the hour of
``ending_at`` is in the series is as undocumented as for days. Here Braze's answer is computed
from the ``ending_at`` text a window sends (as a server would read it), not from the window's
own fields, so a wrong query value fails these tests.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_braze_sends.braze.units import DAY, HOUR, MAX_WINDOW_DAYS, Unit
from tap_braze_sends.runtime.windows import (
    DayReading,
    Window,
    bookmark_point,
    bookmark_value,
    infer_reading,
    last_returned,
    plan_windows,
    returns_any_of,
    unit_range,
)

H = dt.timedelta(hours=1)
UTC = dt.timezone.utc
READINGS = ("inclusive", "exclusive")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def returned_hours(window: Window, reading: str) -> list[dt.datetime]:
    """The hours a server returns for the request, read from the query's ``ending_at``."""
    end = dt.datetime.fromisoformat(window.ending_at()).astimezone(UTC)
    end = end.replace(minute=0, second=0, microsecond=0)
    if reading == "exclusive":
        end -= H
    return [end - H * offset for offset in range(window.length)]


def coverage(plan: list[Window], first: dt.datetime, last: dt.datetime, reading: str) -> Counter:
    return Counter(
        hour for w in plan for hour in returned_hours(w, reading) if first <= hour <= last
    )


def every_hour_once(first: dt.datetime, hours: int) -> Counter:
    return Counter({first + H * i: 1 for i in range(hours)})


# --- by hand ----------------------------------------------------------------------------------


def test_an_hour_window_ends_at_the_last_second_of_its_hour() -> None:
    window = Window(ending=at("2026-03-02T23:00:00"), length=3, unit=HOUR)
    assert window.ending_at() == "2026-03-02T23:59:59+00:00"
    assert window.first == at("2026-03-02T21:00:00")


def test_a_plan_that_cuts_through_midnight() -> None:
    # 22:00 .. 00:00 the next day: three hours, and the guard's extra hour after them.
    first, last = at("2026-03-02T22:00:00"), at("2026-03-03T00:00:00")
    assert plan_windows(first, last, 100, unit=HOUR) == [
        Window(ending=at("2026-03-03T01:00:00"), length=4, unit=HOUR)
    ]
    assert plan_windows(first, last, 100, DayReading.INCLUSIVE, HOUR) == [
        Window(ending=at("2026-03-03T00:00:00"), length=3, unit=HOUR)
    ]
    assert plan_windows(first, last, 100, DayReading.EXCLUSIVE, HOUR) == [
        Window(ending=at("2026-03-03T01:00:00"), length=3, unit=HOUR)
    ]
    assert plan_windows(first, last, 2, DayReading.INCLUSIVE, HOUR)[0].ending_at() == (
        "2026-03-02T23:59:59+00:00"
    )


def test_a_100_day_hourly_backfill_costs_24_requests_once_the_reading_is_known() -> None:
    first = at("2026-01-01T00:00:00")
    last = first + H * (2400 - 1)
    for reading in DayReading:
        plan = plan_windows(first, last, 100, reading, HOUR)
        assert len(plan) == math.ceil(2400 / 100) == 24
        assert coverage(plan, first, last, reading.value) == every_hour_once(first, 2400)
    assert len(plan_windows(first, last, 100, unit=HOUR)) == 25  # the guard's extra hour


def test_infer_reading_of_hours_by_hand() -> None:
    window = Window(ending=at("2026-03-03T00:00:00"), length=3, unit=HOUR)
    assert infer_reading(window, [at("2026-03-03T00:00:00")]) is DayReading.INCLUSIVE
    assert infer_reading(window, [at("2026-03-02T21:00:00")]) is DayReading.EXCLUSIVE
    assert infer_reading(window, [at("2026-03-02T22:00:00"), at("2026-03-02T23:00:00")]) is None
    assert last_returned(window, DayReading.EXCLUSIVE) == at("2026-03-02T23:00:00")


def test_a_plan_mixing_dates_and_hours_is_refused() -> None:
    with pytest.raises(TypeError):
        plan_windows(dt.date(2026, 3, 1), at("2026-03-02T00:00:00"), 100, unit=HOUR)


# --- properties -------------------------------------------------------------------------------

hours_from_2000 = st.integers(0, 24 * 365 * 60).map(lambda n: at("2000-01-01T00:00:00") + H * n)
hour_spans = st.integers(0, 3000)  # hours in the range, across days and months


@settings(max_examples=300, deadline=None)
@given(first=hours_from_2000, hours=hour_spans, max_length=st.integers(1, MAX_WINDOW_DAYS))
def test_the_guard_plan_returns_every_hour_once_under_both_readings(
    first: dt.datetime, hours: int, max_length: int
) -> None:
    last = first + H * (hours - 1)
    plan = plan_windows(first, last, max_length, unit=HOUR)
    for reading in READINGS:
        assert coverage(plan, first, last, reading) == every_hour_once(first, hours), reading
    assert all(1 <= w.length <= max_length and w.unit is HOUR for w in plan)
    assert len(plan) <= math.ceil((hours + 1) / max_length)


@settings(max_examples=300, deadline=None)
@given(
    first=hours_from_2000,
    hours=hour_spans,
    max_length=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(READINGS),
)
def test_the_exact_plan_returns_every_hour_once_in_ceil_requests(
    first: dt.datetime, hours: int, max_length: int, reading: str
) -> None:
    last = first + H * (hours - 1)
    plan = plan_windows(first, last, max_length, DayReading(reading), HOUR)
    assert coverage(plan, first, last, reading) == every_hour_once(first, hours)
    assert len(plan) == math.ceil(hours / max_length)
    assert sum(w.length for w in plan) == hours  # nothing fetched only to be dropped


@settings(max_examples=300, deadline=None)
@given(
    first=hours_from_2000,
    hours=st.integers(1, 3000),
    max_length=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(list(DayReading)),
    data=st.data(),
)
def test_hours_learned_mid_partition_never_lose_or_double_an_hour(
    first: dt.datetime, hours: int, max_length: int, reading: DayReading, data: st.DataObject
) -> None:
    last = first + H * (hours - 1)
    guard = plan_windows(first, last, max_length, unit=HOUR)
    fetched = guard[: data.draw(st.integers(1, len(guard)), label="guard windows fetched")]
    rest = plan_windows(last_returned(fetched[-1], reading) + H, last, max_length, reading, HOUR)
    kept = [w for w in fetched + rest if returns_any_of(w, reading, first, last)]
    assert coverage(kept, first, last, reading.value) == every_hour_once(first, hours)


@settings(max_examples=300, deadline=None)
@given(
    ending=hours_from_2000,
    length=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(READINGS),
    data=st.data(),
)
def test_infer_reading_of_hours_is_never_wrong(
    ending: dt.datetime, length: int, reading: str, data: st.DataObject
) -> None:
    window = Window(ending=ending, length=length, unit=HOUR)
    everything = returned_hours(window, reading)
    sparse = data.draw(st.lists(st.sampled_from(everything), max_size=length), label="hours")
    verdict = infer_reading(window, sparse)
    assert verdict in (DayReading(reading), None)
    edge = ending if reading == "inclusive" else ending - H * length
    assert (verdict is not None) == (edge in sparse)


# --- a run's range and its bookmarks ------------------------------------------------------------

NOW = dt.datetime(2026, 3, 31, 14, 25, 7, tzinfo=UTC)


def hour_range(bookmark: dt.datetime | None, *, lookback: int = 1, end: str = "2026-12-31"):
    return unit_range(
        HOUR,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date.fromisoformat(end),
        bookmark=bookmark,
        lookback_days=lookback,
        now=NOW,
    )


def test_an_hourly_range_starts_at_start_dates_first_hour_and_ends_at_the_current_hour() -> None:
    assert hour_range(None) == (at("2026-03-01T00:00:00"), at("2026-03-31T14:00:00"))


def test_an_hourly_range_ends_at_end_dates_last_hour() -> None:
    assert hour_range(None, end="2026-03-02")[1] == at("2026-03-02T23:00:00")


def test_an_hourly_bookmark_less_the_lookback_in_days() -> None:
    assert hour_range(at("2026-03-30T09:00:00"))[0] == at("2026-03-29T09:00:00")
    assert hour_range(at("2026-03-30T09:00:00"), lookback=0)[0] == at("2026-03-30T09:00:00")
    assert hour_range(at("2026-03-01T05:00:00"))[0] == at("2026-03-01T00:00:00")


def test_a_future_hourly_bookmark_counts_as_the_current_hour() -> None:
    assert hour_range(at("2027-01-01T00:00:00"), lookback=0)[0] == at("2026-03-31T14:00:00")


def test_the_daily_range_is_unchanged() -> None:
    first, last = unit_range(
        DAY,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 12, 31),
        bookmark=dt.date(2026, 3, 20),
        lookback_days=14,
        now=NOW,
    )
    assert (first, last) == (dt.date(2026, 3, 6), dt.date(2026, 3, 31))


def test_hour_bookmarks_by_hand() -> None:
    hour = at("2026-03-02T23:00:00")
    assert bookmark_value(hour) == "2026-03-02T23:00:00+00:00"
    assert bookmark_point(HOUR, "2026-03-02T23:00:00+00:00") == hour
    assert bookmark_point(HOUR, "2026-03-02T18:00:00-05:00") == hour
    assert bookmark_point(HOUR, "2026-03-02T23:59:59Z") == hour
    # A day bookmark: that day was read through its last hour.
    assert bookmark_point(HOUR, "2026-03-02") == hour
    assert bookmark_point(DAY, "2026-03-02T23:00:00+00:00") == dt.date(2026, 3, 2)
    assert bookmark_point(DAY, "2026-03-02") == dt.date(2026, 3, 2)
    assert bookmark_point(HOUR, "yesterday") is None
    assert bookmark_point(HOUR, None) is None


@pytest.mark.parametrize(
    ("value", "hour"),
    [
        ("9999-12-31", "9999-12-31T23:00:00"),  # its last hour: a day later is past year 9999
        ("9999-12-31T23:00:00-05:00", "9999-12-31T23:00:00"),  # UTC: year 10000
        ("0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00"),  # UTC: year 0
        ("0001-01-01", "0001-01-01T23:00:00"),
    ],
)
@pytest.mark.parametrize("unit", [HOUR, DAY])
def test_a_bookmark_at_the_edge_of_datetimes_range_plans_without_a_crash(
    value: str, hour: str, unit: Unit
) -> None:
    """A (hand-edited) state's bookmark in year 1 or 9999 raised OverflowError, a traceback:
    an instant whose UTC falls outside datetime's range is read as written, a bookmark in year
    1 less the lookback starts at start_date, one in 9999 counts as now."""
    point = bookmark_point(unit, value)
    assert point == (at(hour) if unit is HOUR else at(hour).date())
    first, last = unit_range(
        unit,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
        bookmark=point,
        lookback_days=14,
        now=NOW,
    )
    assert last == unit.point_of(NOW)
    fortnight = dt.timedelta(days=14)
    assert first == (unit.point_of(at("2026-03-01T00:00:00")) if value < "2" else last - fortnight)


@settings(max_examples=300, deadline=None)
@given(hour=hours_from_2000)
def test_an_hour_bookmark_round_trips(hour: dt.datetime) -> None:
    assert bookmark_point(HOUR, bookmark_value(hour)) == hour
    assert bookmark_point(DAY, bookmark_value(hour.date())) == hour.date()
