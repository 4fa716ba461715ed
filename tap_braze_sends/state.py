"""Validation of an input state before any request, so a bad file fails with a clear message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tap_braze_sends.errors import StateError

_LAYOUT = (
    'expected {"bookmarks": {"<stream>": {"partitions": [{"context": {...}, '
    '"replication_key": "time", "replication_key_value": "YYYY-MM-DD"}]}}}'
)


def _fail(problem: str) -> StateError:
    return StateError(f"Unusable state: {problem}; {_LAYOUT}. Fix it or run without state.")


def validate_state(state: Mapping[str, Any], known_streams: set[str]) -> None:
    """Raise :class:`StateError` naming the first entry that this tap cannot resume from.

    Streams this tap does not know are left alone (the SDK keeps them), so that a state shared
    with another version or tap does not fail the run.
    """
    if not isinstance(state, Mapping):
        raise _fail(f"the state is a {type(state).__name__}, not an object")
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, Mapping):
        raise _fail("'bookmarks' is not an object")
    for stream, entry in bookmarks.items():
        if stream not in known_streams:
            continue
        if not isinstance(entry, Mapping):
            raise _fail(f"bookmarks.{stream} is not an object")
        if entry.get("replication_key_value") is not None:
            # A bookmark for the whole stream (another tap's layout): resuming from it would
            # silently re-read everything from start_date, or skip days.
            raise _fail(
                f"bookmarks.{stream} has one bookmark for the whole stream "
                f"({entry['replication_key_value']!r}); this tap keeps one per partition"
            )
        partitions = entry.get("partitions", [])
        if not isinstance(partitions, list):
            raise _fail(f"bookmarks.{stream}.partitions is not a list")
        for index, partition in enumerate(partitions):
            where = f"bookmarks.{stream}.partitions[{index}]"
            if not isinstance(partition, Mapping) or not isinstance(
                partition.get("context"), Mapping
            ):
                raise _fail(f"{where} has no 'context' object")
            value = partition.get("replication_key_value")
            if value is None:
                continue
            try:
                dt.date.fromisoformat(str(value)[:10])
            except ValueError:
                raise _fail(f"{where}.replication_key_value {value!r} is not a date") from None
