"""One timestamp normaliser: the same Braze value gives the same column value (or the same
kept raw value) in every table that has a timestamp column."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tap_braze_sends.braze.flatten.campaign_catalog import campaign_details_rows, campaign_list_rows
from tap_braze_sends.braze.flatten.canvas_catalog import canvas_details_rows, canvas_list_rows

dates = st.dates().map(lambda d: d.isoformat())
times = st.from_regex(r"[01]\d:[0-5]\d(:[0-5]\d(\.\d{1,9})?)?", fullmatch=True)
offsets = st.sampled_from(["", "Z", "z", " UTC", "GMT", "+00:00", "-5:00", "+0530", "-23:59"])
timestamps = st.one_of(
    dates,
    st.builds(lambda d, sep, t, o: f"{d}{sep}{t}{o}", dates, st.sampled_from("T "), times, offsets),
    st.text(max_size=12),
    st.integers(),
    st.none(),
)


def column(rows: list[dict[str, Any]], name: str) -> tuple[Any, Any]:
    """(the typed column, what was kept of the raw value in extra_fields)."""
    (row,) = rows
    return row[name], (row.get("extra_fields") or {}).get(name)


@settings(max_examples=300, deadline=None)
@given(timestamps)
def test_the_same_value_gives_the_same_column_in_every_table(value: Any) -> None:
    seen = {
        column(
            campaign_list_rows({"campaigns": [{"id": "c", "last_edited": value}]}), "last_edited"
        ),
        column(canvas_list_rows({"canvases": [{"id": "v", "last_edited": value}]}), "last_edited"),
        column([campaign_details_rows("c", {"name": "n", "created_at": value})[0]], "created_at"),
        column([canvas_details_rows("v", {"name": "n", "created_at": value})[0]], "created_at"),
    }
    assert len(seen) == 1, seen
    ((typed, kept),) = seen
    if value is not None:
        assert (typed is None) == (kept == value)
