"""Window planning and the first day of a run: pure functions, no HTTP.

Braze does not document whether the day of ``ending_at`` is in the series, so every plan is
checked under both readings: a request ``(E, L)`` returns ``[E-L+1, E]`` (inclusive) or
``[E-L, E-1]`` (exclusive). Filtered to the run's range, the answers must cover every day
exactly once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_braze_sends.braze.units import MAX_WINDOW_DAYS
from tap_braze_sends.runtime.windows import (
    DayReading,
    Window,
    infer_reading,
    last_returned,
    plan_windows,
    returns_any_of,
    starting_day,
)

DAY = dt.timedelta(days=1)
READINGS = ("inclusive", "exclusive")


def returned_days(window: Window, reading: str) -> list[dt.date]:
    # ``reading`` is a plain string here, or a DayReading (a str enum with the same values).
    """The days Braze returns for one request under one reading of ``ending_at``."""
    end = window.ending if reading == "inclusive" else window.ending - DAY
    return [end - DAY * offset for offset in range(window.length)]


def coverage(windows: list[Window], first: dt.date, last: dt.date, reading: str) -> Counter:
    """How often each day of ``[first, last]`` is returned by the plan's requests."""
    return Counter(
        day for window in windows for day in returned_days(window, reading) if first <= day <= last
    )


def max_requests(days: int, window_days: int) -> int:
    return math.ceil((days + 1) / window_days)


# --- exact plans ---------------------------------------------------------------------------


def test_plan_of_a_short_range_is_one_request_one_day_longer() -> None:
    # 5 days, window 100: one request ending the day after last_day, 6 days long.
    plan = plan_windows(dt.date(2026, 3, 1), dt.date(2026, 3, 5), 100)
    assert plan == [Window(ending=dt.date(2026, 3, 6), length=6)]
    assert plan[0].first == dt.date(2026, 3, 1)
    assert plan[0].ending_at() == "2026-03-06T23:59:59+00:00"


def test_plan_tiles_back_to_back() -> None:
    plan = plan_windows(dt.date(2026, 3, 1), dt.date(2026, 3, 10), 4)
    assert plan == [
        Window(ending=dt.date(2026, 3, 4), length=4),
        Window(ending=dt.date(2026, 3, 8), length=4),
        Window(ending=dt.date(2026, 3, 11), length=3),
    ]


def test_single_day_with_window_one_takes_two_requests() -> None:
    # The price of reading-independence: a range that is an exact multiple of the window.
    plan = plan_windows(dt.date(2026, 3, 1), dt.date(2026, 3, 1), 1)
    assert plan == [
        Window(ending=dt.date(2026, 3, 1), length=1),
        Window(ending=dt.date(2026, 3, 2), length=1),
    ]


def test_empty_range_plans_nothing() -> None:
    assert plan_windows(dt.date(2026, 3, 2), dt.date(2026, 3, 1), 7) == []


@pytest.mark.parametrize("window_days", [0, -1, MAX_WINDOW_DAYS + 1])
def test_window_days_out_of_range_is_rejected(window_days: int) -> None:
    with pytest.raises(ValueError, match="window_days"):
        plan_windows(dt.date(2026, 3, 1), dt.date(2026, 3, 5), window_days)


# --- properties ----------------------------------------------------------------------------

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))
spans = st.integers(min_value=0, max_value=400)  # days in the range; 0 = empty range


def _check_plan(first: dt.date, days: int, window_days: int) -> None:
    last = first + DAY * (days - 1)
    plan = plan_windows(first, last, window_days)
    expected = Counter({first + DAY * i: 1 for i in range(days)})
    for reading in READINGS:
        assert coverage(plan, first, last, reading) == expected, (reading, first, days)
    assert all(1 <= w.length <= window_days for w in plan)
    if days:
        assert len(plan) <= max_requests(days, window_days)
    else:
        assert plan == []


@pytest.mark.parametrize("window_days", range(1, MAX_WINDOW_DAYS + 1))
@settings(max_examples=25, deadline=None)
@given(first=dates, days=spans)
def test_every_day_once_for_every_window_size(window_days: int, first: dt.date, days: int) -> None:
    _check_plan(first, days, window_days)


@settings(max_examples=300, deadline=None)
@given(first=dates, days=spans, window_days=st.integers(1, MAX_WINDOW_DAYS))
def test_every_day_once_random_sizes(first: dt.date, days: int, window_days: int) -> None:
    _check_plan(first, days, window_days)


@pytest.mark.parametrize("window_days", range(1, MAX_WINDOW_DAYS + 1))
def test_windows_are_contiguous_for_all_spans(window_days: int) -> None:
    """Exhaustive over 1..400-day spans: windows chain end to start, first to last + 1."""
    first = dt.date(2024, 2, 20)  # across a leap day
    for days in range(1, 401):
        last = first + DAY * (days - 1)
        plan = plan_windows(first, last, window_days)
        assert plan[0].first == first
        assert plan[-1].ending == last + DAY
        for before, after in itertools.pairwise(plan):
            assert after.first == before.ending + DAY
        assert len(plan) == max_requests(days, window_days)


# --- exact plans, once the reading is known --------------------------------------------------

D = dt.date


def test_exact_plans_by_hand() -> None:
    first, last = D(2026, 3, 1), D(2026, 3, 10)
    assert plan_windows(first, last, 4, DayReading.INCLUSIVE) == [
        Window(ending=D(2026, 3, 4), length=4),
        Window(ending=D(2026, 3, 8), length=4),
        Window(ending=D(2026, 3, 10), length=2),
    ]
    assert plan_windows(first, last, 4, DayReading.EXCLUSIVE) == [
        Window(ending=D(2026, 3, 5), length=4),
        Window(ending=D(2026, 3, 9), length=4),
        Window(ending=D(2026, 3, 11), length=2),
    ]


def test_a_100_day_backfill_is_one_request_once_the_reading_is_known() -> None:
    first, last = D(2025, 12, 22), D(2026, 3, 31)  # 100 days
    assert plan_windows(first, last, 100) == [  # the guard: 101 days, two requests
        Window(ending=D(2026, 3, 31), length=100),
        Window(ending=D(2026, 4, 1), length=1),
    ]
    assert plan_windows(first, last, 100, DayReading.INCLUSIVE) == [
        Window(ending=D(2026, 3, 31), length=100)
    ]
    assert plan_windows(first, last, 100, DayReading.EXCLUSIVE) == [
        Window(ending=D(2026, 4, 1), length=100)
    ]
    assert plan_windows(first, last + 150 * DAY, 100, DayReading.INCLUSIVE) == [  # 250 days
        Window(ending=D(2026, 3, 31), length=100),
        Window(ending=D(2026, 7, 9), length=100),
        Window(ending=D(2026, 8, 28), length=50),
    ]


def test_an_exact_plan_is_wrong_under_the_other_reading() -> None:
    # Why the guard stays until evidence arrives: the exact plan of one reading loses a day
    # under the other.
    first, last = D(2026, 3, 1), D(2026, 3, 10)
    inclusive_plan = plan_windows(first, last, 4, DayReading.INCLUSIVE)
    exclusive_plan = plan_windows(first, last, 4, DayReading.EXCLUSIVE)
    assert D(2026, 3, 10) not in coverage(inclusive_plan, first, last, "exclusive")
    assert D(2026, 3, 1) not in coverage(exclusive_plan, first, last, "inclusive")


def test_last_returned_by_hand() -> None:
    window = Window(ending=D(2026, 3, 10), length=5)
    assert last_returned(window, DayReading.INCLUSIVE) == D(2026, 3, 10)
    assert last_returned(window, DayReading.EXCLUSIVE) == D(2026, 3, 9)


# --- learning the reading ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        # Window ending 2026-03-10, 5 days: inclusive returns 03-06..03-10, exclusive 03-05..03-09.
        ([D(2026, 3, 6), D(2026, 3, 10)], DayReading.INCLUSIVE),
        ([D(2026, 3, 10)], DayReading.INCLUSIVE),
        ([D(2026, 3, 5)], DayReading.EXCLUSIVE),
        ([D(2026, 3, 9), D(2026, 3, 5), D(2026, 3, 7)], DayReading.EXCLUSIVE),
        ([D(2026, 3, 6), D(2026, 3, 7), D(2026, 3, 8), D(2026, 3, 9)], None),  # both allow it
        ([], None),  # no activity at all
        ([D(2026, 3, 5), D(2026, 3, 10)], None),  # six days: neither reading, no verdict
    ],
)
def test_infer_reading_by_hand(days: list[dt.date], expected: DayReading | None) -> None:
    assert infer_reading(Window(ending=D(2026, 3, 10), length=5), days) is expected


@settings(max_examples=300, deadline=None)
@given(
    ending=dates,
    length=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(READINGS),
    data=st.data(),
)
def test_infer_reading_is_never_wrong_and_sees_an_edge_day(
    ending: dt.date, length: int, reading: str, data: st.DataObject
) -> None:
    window = Window(ending=ending, length=length)
    everything = returned_days(window, reading)
    sparse = data.draw(st.lists(st.sampled_from(everything), max_size=length), label="days")
    verdict = infer_reading(window, iter(sparse))  # any iterable, consumed once
    assert verdict in (DayReading(reading), None)
    edge = ending if reading == "inclusive" else ending - DAY * length
    assert (verdict is not None) == (edge in sparse)


# --- properties of the exact and the mixed plans -------------------------------------------


def _expected(first: dt.date, days: int) -> Counter:
    return Counter({first + DAY * i: 1 for i in range(days)})


@settings(max_examples=200, deadline=None)
@given(
    first=dates,
    days=spans,
    window_days=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(READINGS),
)
def test_exact_plan_every_day_once_in_ceil_requests(
    first: dt.date, days: int, window_days: int, reading: str
) -> None:
    last = first + DAY * (days - 1)
    plan = plan_windows(first, last, window_days, DayReading(reading))
    assert coverage(plan, first, last, reading) == _expected(first, days)
    assert len(plan) == math.ceil(days / window_days)
    assert all(1 <= w.length <= window_days for w in plan)
    # Nothing is fetched only to be dropped: every returned day is inside the range.
    assert sum(w.length for w in plan) == days


@settings(max_examples=200, deadline=None)
@given(
    first=dates,
    days=st.integers(1, 400),
    window_days=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(READINGS),
    data=st.data(),
)
def test_reading_learned_mid_partition_never_loses_or_doubles_a_day(
    first: dt.date, days: int, window_days: int, reading: str, data: st.DataObject
) -> None:
    """Some guard windows are fetched, the reading is learned, the rest is planned exactly."""
    last = first + DAY * (days - 1)
    guard = plan_windows(first, last, window_days)
    fetched = guard[: data.draw(st.integers(1, len(guard)), label="guard windows fetched")]
    rest_first = last_returned(fetched[-1], DayReading(reading)) + DAY
    rest = plan_windows(rest_first, last, window_days, DayReading(reading))
    assert coverage(fetched + rest, first, last, reading) == _expected(first, days)
    assert len(rest) == math.ceil(max(0, (last - rest_first).days + 1) / window_days)


@settings(max_examples=300, deadline=None)
@given(
    first=dates,
    days=st.integers(1, 400),
    window_days=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(READINGS),
    data=st.data(),
)
def test_a_range_split_between_the_guard_and_the_exact_plan_reads_each_day_once(
    first: dt.date, days: int, window_days: int, reading: str, data: st.DataObject
) -> None:
    """The guard plans ``[first, split - 1]``, the exact plan ``[split, last]``; each keeps
    the days of its own range."""
    last = first + DAY * (days - 1)
    split = first + DAY * data.draw(st.integers(0, days), label="days under the guard")
    before = plan_windows(first, split - DAY, window_days)
    after = plan_windows(split, last, window_days, DayReading(reading))
    got = coverage(before, first, split - DAY, reading) + coverage(after, split, last, reading)
    assert got == _expected(first, days)


@settings(max_examples=300, deadline=None)
@given(first=dates, days=spans, reading=st.sampled_from((None, *READINGS)))
def test_canvas_windows_never_exceed_14_days(
    first: dt.date, days: int, reading: str | None
) -> None:
    # /canvas/data_series caps length at 14.
    last = first + DAY * (days - 1)
    plan = plan_windows(first, last, 14, None if reading is None else DayReading(reading))
    assert all(1 <= w.length <= 14 for w in plan)


# --- starting_day --------------------------------------------------------------------------

START = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 3, 31)


def start_after(bookmark: dt.date | None, lookback_days: int) -> dt.date:
    return starting_day(
        start_date=START, bookmark=bookmark, lookback_days=lookback_days, today=TODAY
    )


def test_no_bookmark_starts_at_start_date() -> None:
    assert start_after(None, 14) == START


def test_bookmark_minus_lookback() -> None:
    day = start_after(dt.date(2026, 3, 20), 14)
    assert day == dt.date(2026, 3, 6)


def test_zero_lookback_rereads_the_bookmark_day() -> None:
    # The bookmark is the last day read; that day may be partial, so it is read again.
    day = start_after(dt.date(2026, 3, 20), 0)
    assert day == dt.date(2026, 3, 20)


def test_lookback_never_goes_before_start_date() -> None:
    day = start_after(dt.date(2026, 1, 5), 14)
    assert day == START


def test_bookmark_before_start_date_starts_at_start_date() -> None:
    day = start_after(dt.date(2025, 6, 1), 3)
    assert day == START


def test_future_bookmark_counts_as_today() -> None:
    day = start_after(dt.date(2027, 1, 1), 14)
    assert day == dt.date(2026, 3, 17)


@settings(max_examples=200, deadline=None)
@given(
    start=dates,
    bookmark=st.none() | dates,
    lookback=st.integers(0, 400),
    today=dates,
)
def test_starting_day_bounds(
    start: dt.date, bookmark: dt.date | None, lookback: int, today: dt.date
) -> None:
    day = starting_day(start_date=start, bookmark=bookmark, lookback_days=lookback, today=today)
    assert day >= start
    if bookmark is None:
        assert day == start
    else:
        assert day == max(start, min(bookmark, today) - DAY * lookback)


@settings(max_examples=300, deadline=None)
@given(
    first=dates,
    days=spans,
    window_days=st.integers(1, MAX_WINDOW_DAYS),
    reading=st.sampled_from(list(DayReading)),
)
def test_dropping_guard_windows_the_reading_shows_empty_keeps_every_day_once(
    first: dt.date, days: int, window_days: int, reading: DayReading
) -> None:
    """run.py skips a guard window that, under the reading learned meanwhile, returns no day
    of the range: every day still arrives exactly once, and at most ceil(days/w) remain."""
    last = first + dt.timedelta(days=days - 1)
    kept = [
        w for w in plan_windows(first, last, window_days) if returns_any_of(w, reading, first, last)
    ]
    assert coverage(kept, first, last, reading.value) == _expected(first, days)
    assert len(kept) <= max_requests(days, window_days)


def test_returns_any_of_by_hand() -> None:
    first, last = dt.date(2026, 1, 1), dt.date(2026, 4, 10)
    guard = Window(ending=dt.date(2026, 4, 11), length=1)  # the guard's extra day
    assert not returns_any_of(guard, DayReading.INCLUSIVE, first, last)  # returns 04-11
    assert returns_any_of(guard, DayReading.EXCLUSIVE, first, last)  # returns 04-10
