"""State in and out: validating the input state, each partition's bookmark, the STATE cadence.

Layout (the Singer/SDK convention, so states of earlier versions resume)::

    {"bookmarks": {"<stream>": {"partitions": [
        {"context": {"campaign_id": "..."}, "replication_key": "time",
         "replication_key_value": "YYYY-MM-DD"}]}}}

A partition's bookmark is the last day read for it, and moves only once all of its records
are written, so any STATE the run emits is safe to resume from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tap_braze_sends.braze.units import DAY, Point, Unit
from tap_braze_sends.errors import StateError
from tap_braze_sends.runtime.windows import bookmark_point, bookmark_value

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
            for field in ("replication_key_value", "first_data_day", DEFERRED_SINCE):
                value = partition.get(field)
                if value is not None and _day(value) is None:
                    raise _fail(f"{where}.{field} {value!r:.80} is not a date")


def _day(value: object) -> dt.date | None:
    """A state's day (``YYYY-MM-DD``, or a timestamp starting with one); None if it is none."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def split_unknown(
    state: Mapping[str, Any], known_streams: set[str]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(the state of this tap's streams, other streams' bookmarks, other top-level keys).

    What this tap does not know is kept as it is, whatever its shape, and written back in
    every STATE: the state may be shared with another version of the tap.
    """
    bookmarks = state.get("bookmarks") or {}
    ours = {name: entry for name, entry in bookmarks.items() if name in known_streams}
    others = {name: entry for name, entry in bookmarks.items() if name not in known_streams}
    rest = {key: value for key, value in state.items() if key != "bookmarks"}
    return {"bookmarks": ours}, others, rest


def prune_expired(
    state: dict[str, Any],
    fields: tuple[str, ...],
    configured: set[tuple[str, ...]],
    expired: Callable[[dt.date], bool],
) -> int:
    """Drop the entries of partitions (named by ``fields``) no longer configured whose
    analytics have expired.

    ``expired(first_data_day)`` says whether a partition's data is gone for good (for one that
    never returned data, from the last day read for it). A rolling ``sends_file`` would
    otherwise leave every send it ever held in the state for ever. A configured partition is
    kept. Returns the entries dropped.
    """
    dropped = 0
    for entry in (state.get("bookmarks") or {}).values():
        partitions = entry.get("partitions") if isinstance(entry, dict) else None
        if not isinstance(partitions, list):
            continue
        kept = []
        for partition in partitions:
            context = partition.get("context") if isinstance(partition, dict) else None
            # A send that never returned data ages from the last day read for it.
            first = (
                _day(partition.get("first_data_day") or partition.get("replication_key_value"))
                if context
                else None
            )
            if (
                isinstance(context, dict)
                and set(context) == set(fields)
                and tuple(str(context[f]) for f in fields) not in configured
                and first is not None
                and expired(first)
            ):
                dropped += 1
            else:
                kept.append(partition)
        entry["partitions"] = kept
    return dropped


REPLICATION_KEY = "time"
DEFERRED_SINCE = "deferred_since"
"""When a partition was first deferred by a spent pool (runtime/deferral.py); gone once read."""


def _context_key(context: Mapping[str, Any]) -> frozenset:
    return frozenset(context.items())


class Bookmarks:
    """Each (stream, partition)'s entry in the run's state dict, found in one pass per stream.

    Scanning a stream's partition list per lookup costs O(n^2) over n partitions: minutes at
    a few thousand. The entries are the state's own dicts, so a STATE of the state dict
    carries what is set here.
    """

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self._index: dict[str, dict[frozenset, dict]] = {}

    def _entries(self, stream: str) -> dict[frozenset, dict]:
        if stream not in self._index:
            stream_state = self.state.setdefault("bookmarks", {}).setdefault(stream, {})
            index: dict[frozenset, dict] = {}
            for entry in stream_state.setdefault("partitions", []):
                if isinstance(entry, dict) and isinstance(entry.get("context"), dict):
                    # A context holding a list or an object is no partition of this tap's (its
                    # ids are text): it stays in the state as it is, unindexed.
                    with contextlib.suppress(TypeError):
                        index.setdefault(_context_key(entry["context"]), entry)
            self._index[stream] = index
        return self._index[stream]

    def entry(self, stream: str, partition: Mapping[str, str]) -> dict[str, Any]:
        entries = self._entries(stream)
        key = _context_key(partition)
        if key not in entries:
            entries[key] = {"context": dict(partition)}
            self.state["bookmarks"][stream]["partitions"].append(entries[key])
        return entries[key]

    def last_day(
        self, stream: str, partition: Mapping[str, str], unit: Unit = DAY, *, add: bool = True
    ) -> Point | None:
        """The last day (hour, for an hourly stream) read for a partition; ``add``: its entry
        joins the state (a partition this run reads), else the state stays as it is."""
        entry = self.entry(stream, partition) if add else self._known(stream, partition)
        value = entry.get("replication_key_value")
        return None if value is None else bookmark_point(unit, value)

    def earliest(
        self,
        streams: Iterable[str],
        partition: Mapping[str, str],
        unit: Unit = DAY,
        *,
        add: bool = True,
    ) -> Point | None:
        """The bookmark every stream has reached: None when any of them has none."""
        days = [self.last_day(stream, partition, unit, add=add) for stream in streams]
        return None if not days or None in days else min(days)  # type: ignore[type-var]

    def advance(
        self, stream: str, partition: Mapping[str, str], last_day: Point, unit: Unit = DAY
    ) -> None:
        entry = self.entry(stream, partition)
        entry.pop("progress_markers", None)
        entry.pop(DEFERRED_SINCE, None)
        previous = entry.get("replication_key_value")
        before = None if previous is None else bookmark_point(unit, previous)
        if before is None or before < last_day:
            entry["replication_key"] = REPLICATION_KEY
            entry["replication_key_value"] = bookmark_value(last_day)

    def defer(self, stream: str, partition: Mapping[str, str], since: str) -> None:
        """A spent pool left the partition unread: its bookmark stays, and its entry keeps the
        first time this happened (what the next run's order goes by)."""
        self.entry(stream, partition).setdefault(DEFERRED_SINCE, since)

    def deferred_since(self, streams: Iterable[str], partition: Mapping[str, str]) -> str | None:
        """The earliest deferral mark of the partition's entries (None: not deferred)."""
        marks = [self._known(stream, partition).get(DEFERRED_SINCE) for stream in streams]
        known = [str(mark) for mark in marks if mark]
        return min(known) if known else None

    def note_first_data_day(self, stream: str, partition: Mapping[str, str], day: dt.date) -> None:
        """Remember the earliest day a partition ever returned data (send expiry)."""
        entry = self.entry(stream, partition)
        known = entry.get("first_data_day")
        if known is None or day.isoformat() < str(known):
            entry["first_data_day"] = day.isoformat()

    def first_data_day(
        self, streams: Iterable[str], partition: Mapping[str, str]
    ) -> dt.date | None:
        days = [self.entry(stream, partition).get("first_data_day") for stream in streams]
        known = [dt.date.fromisoformat(str(day)[:10]) for day in days if day]
        return min(known) if known else None

    def _known(self, stream: str, partition: Mapping[str, str]) -> Mapping[str, Any]:
        return self._entries(stream).get(_context_key(partition), {})

    def entry_count(self) -> int:
        return sum(len(entries) for entries in self._index.values())


class StateCadence:
    """When a finished partition's STATE goes out.

    A STATE holds every partition's bookmark, so one per partition costs O(partitions^2) in
    all: gigabytes of STATE at a few thousand partitions. A STATE is due once the records
    (and partitions) written since the last one outweigh its entries, so STATE output stays
    proportional to record output; also every ``every_seconds``, and at the end of each
    endpoint. Each STATE still comes after all records of what it covers.
    """

    RECORDS_PER_PARTITION = 10
    """What a finished partition counts for, in records, toward the next STATE."""

    def __init__(self, *, every_seconds: float = 30.0) -> None:
        self.every_seconds = every_seconds
        self._records = 0
        self._partitions = 0
        self._written_at = time.monotonic()

    @property
    def pending(self) -> bool:
        return self._partitions > 0

    def partition_done(self, records: int, *, entries: int, last_of_group: bool) -> bool:
        self._records += records
        self._partitions += 1
        work = self._records + self.RECORDS_PER_PARTITION * self._partitions
        return (
            last_of_group
            or work >= entries
            or time.monotonic() - self._written_at >= self.every_seconds
        )

    def written(self) -> None:
        self._records = 0
        self._partitions = 0
        self._written_at = time.monotonic()
