"""A state entry whose context no partition of this tap can have (a list or an object among its
values) neither breaks the run's bookmarks nor leaves the state."""

from __future__ import annotations

import copy
import datetime as dt

from tap_braze_sends.runtime.bookmarks import Bookmarks, validate_state

STREAM = "campaign_analytics"


def test_a_context_of_lists_is_kept_and_never_matched() -> None:
    foreign = {"context": {"campaign_id": ["c1"]}, "replication_key_value": "2026-03-01"}
    state = {
        "bookmarks": {
            STREAM: {
                "partitions": [
                    {"context": {"campaign_id": "c1"}, "replication_key_value": "2026-03-10"},
                    foreign,
                    {"context": {"": {"nested": 1}}},
                ]
            }
        }
    }
    validate_state(state, {STREAM})
    before = copy.deepcopy(state)
    bookmarks = Bookmarks(state)
    assert bookmarks.last_day(STREAM, {"campaign_id": "c1"}) == dt.date(2026, 3, 10)
    bookmarks.advance(STREAM, {"campaign_id": "c1"}, dt.date(2026, 3, 12))
    partitions = state["bookmarks"][STREAM]["partitions"]
    assert partitions[1:] == before["bookmarks"][STREAM]["partitions"][1:]
    assert partitions[0]["replication_key_value"] == "2026-03-12"
