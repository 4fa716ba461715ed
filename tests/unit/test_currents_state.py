"""The Currents bookmark: each file read once over any sequence of runs, late files inside
the lookback read, the bookmark bounded by the lookback, a failed file's hour kept open."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_braze_sends.currents import state
from tap_braze_sends.currents.errors import CurrentsError
from tap_braze_sends.currents.paths import ObjectKey

H = timedelta(hours=1)
T0 = datetime(2026, 12, 1, tzinfo=timezone.utc)


def key(hour: int, name: str) -> ObjectKey:
    return ObjectKey("users.messages.email.Send", T0 + hour * H, 1, f"1/0/{name}.avro")


# A file: its hour and when it lands, 0 to lookback-1 hours after its hour ends.
FILES = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 23)), min_size=1, max_size=40, unique=True
)


@settings(max_examples=150)
@given(
    files=FILES,
    runs=st.lists(st.integers(0, 90), min_size=1, max_size=8),
    lookback=st.integers(24, 48),
)
def test_over_any_runs_each_file_is_read_once(files, runs, lookback) -> None:
    # A file lands at hour + 1 + delay (delay < 24 <= lookback); a last run after them all.
    arrivals = {key(h, f"f{h}-{d}"): h + 1 + d for h, d in files}
    times = [*sorted(runs), max(arrivals.values()) + 1]
    bookmark, read = state.empty(), Counter()
    for t in times:
        listed = [k for k, at in arrivals.items() if at <= t]
        for k in state.to_read(bookmark, listed, T0):
            read[k] += 1
            bookmark = state.mark_read(bookmark, k)
        bookmark = state.prune(bookmark, T0 + t * H, lookback)
        # Bounded: only hours inside the lookback keep names.
        assert all(
            datetime.strptime(h, "%Y-%m-%d-%H").replace(tzinfo=timezone.utc)
            >= T0 + (t - lookback) * H
            for h in bookmark["files"]
        )
    assert read == Counter(arrivals.keys())


def test_a_late_file_inside_the_lookback_is_read_and_one_outside_is_not() -> None:
    bookmark = state.empty()
    first = [key(0, "a"), key(1, "b")]
    assert state.to_read(bookmark, first, T0) == first
    for k in first:
        bookmark = state.mark_read(bookmark, k)
    bookmark = state.prune(bookmark, T0 + 10 * H, lookback_hours=5)
    assert bookmark["settled_before"] == "2026-12-01-05"
    assert bookmark["files"] == {}
    late_old, late_open = key(2, "late"), key(6, "late")
    assert state.to_read(bookmark, [*first, late_old, late_open], T0) == [late_open]


def test_a_rerun_reads_only_new_files() -> None:
    bookmark = state.empty()
    for k in [key(3, "a"), key(3, "b")]:
        bookmark = state.mark_read(bookmark, k)
    bookmark = state.prune(bookmark, T0 + 4 * H, lookback_hours=24)
    assert state.to_read(bookmark, [key(3, "a"), key(3, "b"), key(3, "c")], T0) == [key(3, "c")]


def test_start_bounds_the_first_run() -> None:
    listed = [key(0, "a"), key(5, "b")]
    assert state.to_read(state.empty(), listed, T0 + 2 * H) == [key(5, "b")]


def test_a_held_hour_stays_open_until_its_file_is_read() -> None:
    bad, good = key(1, "bad"), key(2, "good")
    bookmark = state.mark_read(state.empty(), good)
    bookmark = state.prune(bookmark, T0 + 40 * H, lookback_hours=24, held=[bad.hour])
    assert bookmark["settled_before"] == "2026-12-01-01"
    assert state.to_read(bookmark, [bad, good], T0) == [bad]
    bookmark = state.prune(state.mark_read(bookmark, bad), T0 + 40 * H, 24)
    assert bookmark == {"settled_before": "2026-12-01-16", "files": {}}


def test_settled_never_moves_back() -> None:
    bookmark = state.prune(state.empty(), T0 + 40 * H, 24)
    assert state.prune(bookmark, T0 + 30 * H, 24)["settled_before"] == "2026-12-01-16"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([], "an object"),
        ({"settled_before": "2026-12-01"}, "settled_before"),
        ({"files": {"yesterday": []}}, "'yesterday'"),
        ({"files": {"2026-12-01-00": "f.avro"}}, "list of file names"),
    ],
)
def test_a_bad_bookmark_is_named(value, problem) -> None:
    with pytest.raises(CurrentsError, match=problem):
        state.validate(value, "bookmarks.currents_x")


def test_a_good_bookmark_validates_to_itself() -> None:
    good = {"settled_before": "2026-12-01-05", "files": {"2026-12-01-06": ["1/0/a.avro"]}}
    assert state.validate(good, "b") == good
