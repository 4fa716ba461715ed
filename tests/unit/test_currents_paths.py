"""Currents object paths -> (event type, hour, schema id, file), and stream names: the
layout Braze documents ([EDS], [SNF]), built here from its parts, never by the parser."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from braze_simulator.currents import EVENT_TYPES, CurrentsBucket, write_hours
from hypothesis import given
from hypothesis import strategies as st

from tap_braze_sends.currents.paths import ObjectKey, parse_object_path, stream_name

SEGMENT = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
LOWER = st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
# A capitalised word of two letters or more: "AA" is ambiguous (an acronym or two words).
WORD = st.builds(
    lambda w: w.capitalize(), st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=10)
)
EVENT_TYPE = st.one_of(
    st.sampled_from([t.name for t in EVENT_TYPES]),
    st.builds(
        lambda p, w: ".".join([*p, "".join(w)]),
        st.lists(LOWER, min_size=1, max_size=4),
        st.lists(WORD, min_size=1, max_size=3),
    ),
)
HOURS = st.integers(0, 24 * 365 * 30).map(
    lambda h: datetime(2000, 1, 1, tzinfo=timezone.utc) + timedelta(hours=h)
)


@given(
    prefix=st.lists(SEGMENT, max_size=3),
    cluster=SEGMENT,
    connection=st.sampled_from(["S3", "AzureBlob", "GCS"]),
    integration=st.text("0123456789abcdef", min_size=24, max_size=24),
    event_type=EVENT_TYPE,
    hour=HOURS,
    schema_id=st.integers(0, 10**6),
    zones=st.lists(SEGMENT, max_size=2),
    partition=st.integers(0, 999),
    offset=st.integers(0, 10**10 - 1),
)
def test_every_path_in_brazes_layout_parses_to_its_parts(
    prefix,
    cluster,
    connection,
    integration,
    event_type,
    hour,
    schema_id,
    zones,
    partition,
    offset,
) -> None:
    connector = f"dataexport.{cluster}.{connection}.integration.{integration}"
    name = f"{connector}+{partition}+{offset:010d}.avro"
    below = "/".join([str(schema_id), *zones, name])
    path = "/".join(
        [*prefix, connector, f"event_type={event_type}", f"date={hour:%Y-%m-%d-%H}", below]
    )
    expected = ObjectKey(event_type, hour, schema_id, below, partition, offset)
    assert parse_object_path(path) == expected
    assert parse_object_path("/" + path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "currents/x/event_type=users.behaviors.Purchase/date=2026-12-01-00/7/0/f.json",
        "currents/x/event_type=users.behaviors.Purchase/date=2026-12-01/7/0/f.avro",
        "currents/x/event_type=users.behaviors.Purchase/date=2026-13-01-00/7/0/f.avro",
        "currents/x/event_type=users.behaviors.Purchase/date=2026-12-01-00/v7/0/f.avro",
        "currents/x/event_type=users.behaviors.Purchase/2026-12-01-00/7/0/f.avro",
        "currents/x/event_type=/date=2026-12-01-00/7/0/f.avro",
        "currents/x/event_type=a b/date=2026-12-01-00/7/0/f.avro",
        "currents/x/event_type=users.behaviors.Purchase/date=2026-12-01-00/f.avro",
        "currents/x/users.behaviors.Purchase/date=2026-12-01-00/7/0/f.avro",
    ],
)
def test_a_path_outside_the_layout_is_not_a_currents_file(path: str) -> None:
    assert parse_object_path(path) is None


def test_the_simulators_files_parse_to_what_it_wrote(tmp_path: Path) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, datetime(2026, 12, 1, 22), 3)
    for f in bucket.written:
        key = parse_object_path(str(tmp_path / f.key))
        assert key is not None
        assert (key.event_type, key.hour, key.schema_id) == (
            f.event_type,
            f.hour.replace(tzinfo=timezone.utc),
            f.schema_id,
        )
    files = {
        (k.event_type, k.hour, k.file)
        for k in map(parse_object_path, (f.key for f in bucket.written))
    }
    assert len(files) == len(bucket.written)


@pytest.mark.parametrize(
    ("event_type", "stream"),
    [
        ("users.messages.email.Send", "currents_users_messages_email_send"),
        ("users.behaviors.CustomEvent", "currents_users_behaviors_custom_event"),
        ("users.canvas.Entry", "currents_users_canvas_entry"),
        ("users.behaviors.app.SessionStart", "currents_users_behaviors_app_session_start"),
        (
            "users.messages.pushnotification.IosForeground",
            "currents_users_messages_pushnotification_ios_foreground",
        ),
        (
            "users.canvas.experimentstep.SplitEntry",
            "currents_users_canvas_experimentstep_split_entry",
        ),
        ("users.messages.email.MarkAsSpam", "currents_users_messages_email_mark_as_spam"),
        (
            "users.behaviors.subscriptiongroup.StateChange",
            "currents_users_behaviors_subscriptiongroup_state_change",
        ),
    ],
)
def test_stream_names(event_type: str, stream: str) -> None:
    assert stream_name(event_type) == stream


@given(st.lists(LOWER, min_size=1, max_size=4), st.lists(WORD, min_size=1, max_size=4))
def test_stream_name_is_the_snake_case_of_each_part(folders: list[str], words: list[str]) -> None:
    event_type = ".".join([*folders, "".join(words)])
    expected = "_".join(["currents", *folders, *(w.lower() for w in words)])
    assert stream_name(event_type) == expected


def test_documented_types_have_distinct_stream_names() -> None:
    names = [stream_name(t.name) for t in EVENT_TYPES]
    assert len(set(names)) == len(names)
