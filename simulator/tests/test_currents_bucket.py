"""The simulator's Currents bucket: Braze's layout, files that read back as written,
duplicates across files, a schema that gains an optional field, late and truncated files."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import fastavro
import pytest
from braze_simulator.currents import (
    EVENT_TYPES,
    CurrentsBucket,
    Layout,
    distinct_events,
    write_hours,
    write_late_file,
)

HOUR = datetime(2026, 12, 1, 0)
# Braze's documented layout ([EDS], [SNF]), written out here rather than taken from the writer.
KEY = re.compile(
    r"^currents/dataexport\.prod-01\.S3\.integration\.(?P<iid>[0-9a-f]+)/"
    r"event_type=(?P<type>[A-Za-z.]+)/date=(?P<date>\d{4}-\d\d-\d\d-\d\d)/(?P<schema>\d+)/"
    r"[^/]+/dataexport\.prod-01\.S3\.integration\.(?P=iid)\+\d+\+\d{10}\.avro$"
)


def _read(path: Path) -> tuple[dict, list[dict]]:
    with path.open("rb") as f:
        reader = fastavro.reader(f)
        return reader.writer_schema, list(reader)


def test_every_file_is_in_brazes_layout_and_reads_back_as_written(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 2)
    on_disk = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.avro")}
    assert on_disk == {f.key for f in bucket.written}
    assert len(on_disk) == len(EVENT_TYPES) * 2 * 2
    for f in bucket.written:
        m = KEY.match(f.key)
        assert m, f.key
        assert m["type"] == f.event_type
        assert m["date"] == f"{f.hour:%Y-%m-%d-%H}"
        _, records = _read(tmp_path / f.key)
        assert records == list(f.events)


def test_required_fields_are_never_null_and_optional_ones_are_unions_with_null(
    tmp_path: Path,
) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 1, ["users.messages.email.Send", "users.behaviors.Purchase"])
    for f in bucket.written:
        schema, records = _read(tmp_path / f.key)
        by_name = {fl["name"]: fl for fl in schema["fields"]}
        assert by_name["id"]["type"] == "string"
        assert by_name["time"]["type"] == "int"
        assert by_name["external_user_id"]["type"] == ["null", "string"]
        assert by_name["external_user_id"]["default"] is None
        assert all(isinstance(r["time"], int) and r["time"] > 1_000_000_000 for r in records)


def test_the_same_event_lands_in_more_than_one_file(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 1, ["users.messages.email.Open"])
    ids = Counter(e["id"] for f in bucket.written for e in f.events)
    assert [n for n in ids.values() if n > 1]
    assert len(distinct_events(bucket.written)["users.messages.email.Open"]) == len(ids)


def test_a_schema_that_gains_an_optional_field_gets_a_later_schema_id(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 2, ["users.messages.email.Send", "users.behaviors.Purchase"])
    sends = [f for f in bucket.written if f.event_type == "users.messages.email.Send"]
    first, last = sends[0], sends[-1]
    assert last.schema_id > first.schema_id
    old, _ = _read(tmp_path / first.key)
    new, _ = _read(tmp_path / last.key)
    added = {fl["name"]: fl for fl in new["fields"]}.keys() - {fl["name"] for fl in old["fields"]}
    assert added == {"from_domain"}
    assert {fl["name"]: fl for fl in new["fields"]}["from_domain"]["default"] is None


def test_a_late_file_adds_new_events_and_repeats_one(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 2, ["users.canvas.Entry"])
    before = distinct_events(bucket.written)["users.canvas.Entry"]
    late = write_late_file(bucket, "users.canvas.Entry", HOUR)
    assert f"date={HOUR:%Y-%m-%d-%H}" in late.key
    ids = [e["id"] for e in late.events]
    assert ids[0] in before
    assert not set(ids[1:]) & before.keys()


@pytest.mark.parametrize("connection", ["S3", "AzureBlob", "GCS"])
def test_each_connection_names_its_folder(tmp_path: Path, connection: str) -> None:
    bucket = CurrentsBucket(tmp_path, Layout(prefix="", connection=connection))
    f = bucket.write(
        "users.behaviors.CustomEvent",
        HOUR,
        bucket.events("users.behaviors.CustomEvent", HOUR, range(3)),
    )
    assert f.key.startswith(f"dataexport.prod-01.{connection}.integration.")


def test_a_truncated_file_does_not_read(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    key = bucket.write_truncated("users.behaviors.CustomEvent", HOUR, range(200))
    assert not bucket.written
    with pytest.raises((EOFError, ValueError, StopIteration, fastavro.read.SchemaResolutionError)):
        _read(tmp_path / key)
