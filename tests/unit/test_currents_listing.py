"""Listing a Currents prefix through fsspec (file://) on the simulator's bucket, and the pure
parts together: list, read what the bookmark says, dedupe on id; a late file; a rerun."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import fastavro
import pytest
from braze_simulator.currents import (
    CurrentsBucket,
    distinct_events,
    write_hours,
    write_late_file,
)

from tap_braze_sends.currents import state
from tap_braze_sends.currents.errors import CurrentsError
from tap_braze_sends.currents.listing import list_files, open_store
from tap_braze_sends.currents.paths import ObjectKey
from tap_braze_sends.currents.records import to_record

FIRST = datetime(2026, 12, 1, 0)
TYPES = ["users.messages.email.Send", "users.behaviors.Purchase", "users.canvas.Entry"]


def _bucket(tmp_path: Path, hours: int = 3) -> CurrentsBucket:
    bucket = CurrentsBucket(tmp_path / "bucket")
    write_hours(bucket, FIRST, hours, TYPES)
    return bucket


def _url(bucket: CurrentsBucket) -> str:
    return f"file://{bucket.root / bucket.layout.prefix}"


def test_every_file_under_the_prefix_is_listed_in_order(tmp_path: Path) -> None:
    bucket = _bucket(tmp_path)
    fs, root = open_store(_url(bucket), {})
    listing = list_files(fs, root, url=_url(bucket))
    assert {Path(f.path) for f in listing.files} == {bucket.root / f.key for f in bucket.written}
    assert [f.key for f in listing.files] == sorted(f.key for f in listing.files)
    assert all(f.size and f.size > 0 for f in listing.files)
    assert listing.unrecognised == []


def test_only_the_asked_types_and_hours_are_listed(tmp_path: Path) -> None:
    bucket = _bucket(tmp_path)
    fs, root = open_store(_url(bucket), {})
    since = {"users.behaviors.Purchase": datetime(2026, 12, 1, 1, tzinfo=timezone.utc)}
    listing = list_files(
        fs, root, url=_url(bucket), event_types={"users.behaviors.Purchase"}, since=since
    )
    expected = {
        bucket.root / f.key
        for f in bucket.written
        if f.event_type == "users.behaviors.Purchase" and f.hour >= datetime(2026, 12, 1, 1)
    }
    assert {Path(f.path) for f in listing.files} == expected


def test_an_avro_file_outside_the_layout_is_named_not_read(tmp_path: Path) -> None:
    bucket = _bucket(tmp_path, hours=1)
    stray = bucket.root / bucket.layout.prefix / "exports" / "old.avro"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"")
    fs, root = open_store(_url(bucket), {})
    listing = list_files(fs, root, url=_url(bucket))
    assert [Path(p) for p in listing.unrecognised] == [stray]
    assert len(listing.files) == len(bucket.written)


def test_a_missing_prefix_is_one_error_naming_the_url(tmp_path: Path) -> None:
    url = f"file://{tmp_path}/nowhere"
    fs, root = open_store(url, {})
    with pytest.raises(CurrentsError, match=f"currents_url {url}: no such bucket or prefix"):
        list_files(fs, root, url=url)


def test_an_unknown_store_is_one_error_naming_the_scheme() -> None:
    with pytest.raises(CurrentsError, match="'nosuchstore'"):
        open_store("nosuchstore://bucket/currents", {})


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a folder without read permission")
def test_an_unlistable_folder_is_one_error_naming_it(tmp_path: Path) -> None:
    bucket = _bucket(tmp_path, hours=1)
    folder = next((bucket.root / bucket.layout.prefix).iterdir())
    folder.chmod(0)
    try:
        fs, root = open_store(_url(bucket), {})
        with pytest.raises(CurrentsError, match="no permission to list"):
            list_files(fs, root, url=_url(bucket))
    finally:
        folder.chmod(0o755)


def _run(bucket: CurrentsBucket, bookmarks: dict, now: datetime) -> dict[str, dict[str, dict]]:
    """One run of the pure parts: list, read what each bookmark asks, dedupe on id."""
    fs, root = open_store(_url(bucket), {})
    start = FIRST.replace(tzinfo=timezone.utc)
    since = {t: state.first_open_hour(bookmarks.get(t, state.empty()), start) for t in TYPES}
    listing = list_files(fs, root, url=_url(bucket), since=since)
    by_type: dict[str, list[tuple[ObjectKey, str]]] = {}
    for f in listing.files:
        by_type.setdefault(f.key.event_type, []).append((f.key, f.path))
    out: dict[str, dict[str, dict]] = {}
    for event_type, files in by_type.items():
        bookmark = bookmarks.get(event_type, state.empty())
        paths = dict(files)
        for k in state.to_read(bookmark, paths, start):
            with fs.open(paths[k], "rb") as fo:
                for r in fastavro.reader(fo):
                    out.setdefault(event_type, {})[r["id"]] = to_record(r)
            bookmark = state.mark_read(bookmark, k)
        bookmarks[event_type] = state.prune(bookmark, now, 24)
    return out


def _expected(files) -> dict[str, dict[str, dict]]:
    return {
        t: {i: to_record(e) for i, e in events.items()}
        for t, events in distinct_events(files).items()
    }


def test_two_runs_with_a_late_file_read_every_event_once(tmp_path: Path) -> None:
    bucket = _bucket(tmp_path)
    now = datetime(2026, 12, 1, 5, tzinfo=timezone.utc)
    bookmarks: dict = {}
    first = _run(bucket, bookmarks, now)
    assert first == _expected(bucket.written)
    assert sum(map(len, first.values())) < sum(len(f.events) for f in bucket.written)
    assert _run(bucket, bookmarks, now) == {}
    late = write_late_file(bucket, "users.canvas.Entry", FIRST)
    second = _run(bucket, bookmarks, now + timedelta(hours=1))
    assert second == _expected([late])
