"""Braze's ISO-8601 timestamp variants, normalized to RFC 3339 with an offset."""

from __future__ import annotations

import datetime as dt

import pytest

from tap_braze_sends.braze.timestamps import normalize_timestamp, parse_timestamp

# --- timestamps -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("braze", "expected"),
    [
        ("2014-12-10T23:59:59-05:00", "2014-12-10T23:59:59-05:00"),
        ("2020-06-28T23:59:59-5:00", "2020-06-28T23:59:59-05:00"),
        ("2020-07-10T23:59:59", "2020-07-10T23:59:59+00:00"),
        ("2020-07-10T23:59:59Z", "2020-07-10T23:59:59+00:00"),
        ("2020-07-10 23:59:59 UTC", "2020-07-10T23:59:59+00:00"),
        ("2020-07-10T23:59", "2020-07-10T23:59:00+00:00"),
        ("2020-07-10T23:59:59.5+0530", "2020-07-10T23:59:59.5+05:30"),
        ("2020-07-10T23:59:59.123456789Z", "2020-07-10T23:59:59.123456789+00:00"),
        ("2020-07-10", "2020-07-10T00:00:00+00:00"),
        (" 2020-07-10T01:02:03+14:00 ", "2020-07-10T01:02:03+14:00"),
    ],
)
def test_braze_timestamps_to_rfc3339(braze: str, expected: str) -> None:
    assert normalize_timestamp(braze) == expected


@pytest.mark.parametrize(
    "braze",
    [
        "",
        "yesterday",
        "2020-02-30T00:00:00",
        "2020-07-10T24:00:00",
        "2020-07-10T10:00:00+25:00",
        "10/07/2020",
        "2020-07-10T10",
        1594339200,
        None,
    ],
)
def test_unreadable_timestamps_are_none(braze: object) -> None:
    assert normalize_timestamp(braze) is None
    assert parse_timestamp(braze) is None


def test_parse_timestamp_is_aware() -> None:
    assert parse_timestamp("2020-06-28T23:59:59-5:00") == dt.datetime(
        2020, 6, 29, 4, 59, 59, tzinfo=dt.timezone.utc
    )
