"""What a Currents stream has read, as pure functions over its bookmark (issue 26).

Per event type the bookmark holds
    {"settled_before": "YYYY-MM-DD-HH" | None,
     "files": {"YYYY-MM-DD-HH": ["<schema id>/<zone>/<file>", ...]}}
`files`: the files already read of each hour still open, i.e. inside the lookback, where
Braze can still write late files ([EDS]: an hour's files keep arriving after it ends).
`settled_before`: every hour before it is done, never listed again. A run reads each listed
file of an open hour that `files` does not name, then prunes: hours that left the lookback
settle and their names go, so the bookmark stays bounded by the lookback's files. An hour
holding a file that failed stays open (the bad file's hour keeps its bookmark before it), so
the next run tries the file again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from tap_braze_sends.currents.errors import CurrentsError
from tap_braze_sends.currents.paths import ObjectKey, format_hour, parse_hour

Bookmark = dict[str, Any]


def empty() -> Bookmark:
    return {"settled_before": None, "files": {}}


def validate(value: object, where: str) -> Bookmark:
    """A bookmark from a state file, checked (a hand-edited one names what is wrong)."""
    if not isinstance(value, Mapping):
        raise CurrentsError(f"{where}: a Currents bookmark is an object, not {value!r}")
    settled = value.get("settled_before")
    files = value.get("files", {})
    if settled is not None and (not isinstance(settled, str) or parse_hour(settled) is None):
        raise CurrentsError(f"{where}.settled_before: {settled!r} is not an hour YYYY-MM-DD-HH")
    if not isinstance(files, Mapping):
        raise CurrentsError(f"{where}.files: an object of hours, not {files!r}")
    for hour, names in files.items():
        if parse_hour(hour) is None:
            raise CurrentsError(f"{where}.files: {hour!r} is not an hour YYYY-MM-DD-HH")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise CurrentsError(f"{where}.files[{hour!r}]: a list of file names")
    return {"settled_before": settled, "files": {h: sorted(set(n)) for h, n in files.items()}}


def first_open_hour(bookmark: Bookmark, start: datetime) -> datetime:
    """The first hour a run lists: `start_date`'s hour on a first run, else the first hour
    not settled (never before `start`)."""
    settled = bookmark["settled_before"]
    return max(start, parse_hour(settled)) if settled else start


def to_read(bookmark: Bookmark, listed: Iterable[ObjectKey], start: datetime) -> list[ObjectKey]:
    """The listed files a run reads, in (hour, file) order: those of open hours from
    `start` on that the bookmark does not name."""
    first = first_open_hour(bookmark, start)
    files = bookmark["files"]
    return sorted(
        (k for k in listed if k.hour >= first and k.file not in files.get(format_hour(k.hour), ())),
        key=lambda k: (k.hour, k.file),
    )


def mark_read(bookmark: Bookmark, key: ObjectKey) -> Bookmark:
    """The bookmark once every record of `key` is written (a new bookmark)."""
    hour = format_hour(key.hour)
    names = bookmark["files"].get(hour, [])
    if key.file in names:
        return bookmark
    return {**bookmark, "files": {**bookmark["files"], hour: sorted([*names, key.file])}}


def prune(
    bookmark: Bookmark, now: datetime, lookback_hours: int, held: Iterable[datetime] = ()
) -> Bookmark:
    """Settle the hours before `now`'s hour minus the lookback, except from the first hour
    `held` (an hour with a file that failed) on; drop the names of settled hours."""
    cutoff = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=lookback_hours)
    cutoff = min([cutoff, *held])
    old = bookmark["settled_before"]
    settled = max(cutoff, parse_hour(old)) if old else cutoff
    return {
        "settled_before": format_hour(settled),
        "files": {h: n for h, n in bookmark["files"].items() if parse_hour(h) >= settled},
    }
