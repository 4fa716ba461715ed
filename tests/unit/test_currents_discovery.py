"""Currents streams from a listing (headers only), and files that do not read: each one
error naming the object, the event type, the field."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import fastavro
import pytest
from braze_simulator.currents import BY_NAME, CurrentsBucket, avro_schema, write_hours

from tap_braze_sends.currents.discovery import discover
from tap_braze_sends.currents.errors import CurrentsError, SchemaConflict
from tap_braze_sends.currents.files import read_header, read_records
from tap_braze_sends.currents.listing import list_files, open_store

HOUR = datetime(2026, 12, 1, 0)
TYPES = ["users.messages.email.Send", "users.behaviors.Purchase", "users.canvas.Entry"]


def _listing(bucket: CurrentsBucket):
    url = f"file://{bucket.root}"
    fs, root = open_store(url, {})
    return fs, list_files(fs, root, url=url).files


def test_one_stream_per_event_type_with_the_union_of_its_schema_ids(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 2, TYPES)
    fs, files = _listing(bucket)
    streams = discover(fs, files)
    assert [s.name for s in streams] == [
        "currents_users_behaviors_purchase",
        "currents_users_canvas_entry",
        "currents_users_messages_email_send",
    ]
    send = streams[-1]
    assert send.schema_ids == tuple(
        sorted({f.schema_id for f in bucket.written if f.event_type == "users.messages.email.Send"})
    )
    assert len(send.schema_ids) == 2
    assert send.schema["properties"]["from_domain"] == {"type": ["string", "null"]}
    assert send.schema["properties"]["id"] == {"type": ["string"]}
    assert send.schema["properties"]["time"] == {"type": ["string"], "format": "date-time"}
    for s in streams:
        assert set(s.schema["properties"]) >= {n for n, _, _ in BY_NAME[s.event_type].fields}


def test_discovery_reads_only_headers(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 2, TYPES)
    # Every file's last sync marker zeroed: its header reads, its records do not.
    for f in bucket.written:
        path = tmp_path / f.key
        data = path.read_bytes()
        path.write_bytes(data[:-16] + bytes(16))
    fs, files = _listing(bucket)
    assert len(discover(fs, files)) == len(TYPES)
    with pytest.raises(CurrentsError) as failed:
        read_records(fs, files[0].path)
    message = str(failed.value)
    assert message.startswith(f"{files[0].path}: not a readable Avro file")
    assert "\n" not in message


def test_a_truncated_file_is_one_error_naming_it(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    key = bucket.write_truncated("users.behaviors.CustomEvent", HOUR, range(300))
    fs, files = _listing(bucket)
    (bad,) = files
    assert bad.path.endswith(key)
    with pytest.raises(CurrentsError, match=r"\.avro: not a readable Avro file \(EOFError"):
        read_records(fs, bad.path)


def test_a_file_that_is_no_avro_at_all_is_named(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    f = bucket.write("users.canvas.Entry", HOUR, bucket.events("users.canvas.Entry", HOUR, [1]))
    (tmp_path / f.key).write_bytes(b"<Error><Code>AccessDenied</Code></Error>")
    fs, files = _listing(bucket)
    with pytest.raises(CurrentsError, match="not a readable Avro file"):
        read_header(fs, files[0].path)


def test_a_schema_id_that_changes_a_fields_type_is_a_conflict(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, HOUR, 1, ["users.behaviors.Purchase"])
    changed = avro_schema(BY_NAME["users.behaviors.Purchase"])
    for field in changed["fields"]:
        if field["name"] == "price":
            field["type"] = "string"
    first = bucket.written[0]
    path = tmp_path / first.key.replace(f"/{first.schema_id}/", "/99/")
    path.parent.mkdir(parents=True)
    record = {**first.events[0], "price": "9.99"}
    with path.open("wb") as out:
        fastavro.writer(out, fastavro.parse_schema(changed), [record])
    fs, files = _listing(bucket)
    with pytest.raises(
        SchemaConflict,
        match=rf"users\.behaviors\.Purchase: field 'price' .* schema id {first.schema_id} .* 99",
    ):
        discover(fs, files)
