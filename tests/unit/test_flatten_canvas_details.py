"""Flattening /canvas/list and /canvas/details bodies into rows, and Braze's timestamps into
RFC 3339: exact cases shaped like Braze's documented examples."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_braze_sends.braze.flatten.canvas_catalog import canvas_details_rows, canvas_list_rows
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_DETAILS_SCHEMA,
    CANVAS_STEPS_SCHEMA,
    CANVAS_VARIANTS_SCHEMA,
    CANVASES_SCHEMA,
)
from tap_braze_sends.braze.timestamps import normalize_timestamp, utc_date

CANVAS = "c0ffee00-0000-4000-8000-000000000001"
# RFC 3339 section 5.6 "date-time", written out (jsonschema checks the format only when an
# optional package is installed).
RFC3339_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.IGNORECASE
)


def assert_valid(schema: dict, rows: list[dict]) -> None:
    validator = Draft7Validator(schema, format_checker=FormatChecker())
    for row in rows:
        errors = [e.message for e in validator.iter_errors(row)]
        assert not errors, (row, errors)


# --- /canvas/list -------------------------------------------------------------------------------


def test_list_rows() -> None:
    body = {
        "canvases": [
            {
                "id": "canvas-1",
                "last_edited": "2024-05-01T10:20:30Z",
                "name": "Onboarding",
                "tags": ["lifecycle", "welcome"],
            },
            {
                "id": "canvas-2",
                "last_edited": "2024-05-02T08:00:00.123-04:00",
                "name": "Win-back",
                "tags": [],
                "is_api_canvas": False,  # not documented: kept, not dropped
            },
            {"id": "canvas-3"},  # every column is present, null when Braze sent nothing
        ],
        "message": "success",
    }
    rows = canvas_list_rows(body)
    assert rows == [
        {
            "canvas_id": "canvas-1",
            "name": "Onboarding",
            "tags": ["lifecycle", "welcome"],
            "last_edited": "2024-05-01T10:20:30+00:00",
            "extra_fields": None,
        },
        {
            "canvas_id": "canvas-2",
            "name": "Win-back",
            "tags": [],
            "last_edited": "2024-05-02T08:00:00.123-04:00",
            "extra_fields": {"is_api_canvas": False},
        },
        {
            "canvas_id": "canvas-3",
            "name": None,
            "tags": None,
            "last_edited": None,
            "extra_fields": None,
        },
    ]
    assert_valid(CANVASES_SCHEMA, rows)
    assert canvas_list_rows({"canvases": [], "message": "success"}) == []


def test_list_values_of_the_wrong_type_are_kept_in_extra_fields() -> None:
    body = {"canvases": [{"id": "c", "name": 7, "tags": "x", "last_edited": "last week"}]}
    assert canvas_list_rows(body) == [
        {
            "canvas_id": "c",
            "name": None,
            "tags": None,
            "last_edited": None,
            "extra_fields": {"name": 7, "tags": "x", "last_edited": "last week"},
        }
    ]


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"message": "success"},
        {"canvases": None},
        {"canvases": {"id": "c"}},
        {"canvases": [{"name": "no id"}]},
        {"canvases": [{"id": 5}]},
        {"canvases": [{"id": ""}]},
        {"canvases": ["c"]},
    ],
)
def test_list_body_without_the_documented_shape_is_malformed(body: Any) -> None:
    with pytest.raises(MalformedBody):
        canvas_list_rows(body)


# --- /canvas/details ----------------------------------------------------------------------------

DOCS_DETAILS = {
    "message": "success",
    "created_at": "2023-01-01T12:00:00Z",
    "updated_at": "2023-01-10T12:00:00Z",
    "name": "Multi-Channel Engagement",
    "description": "Complete profile reminder via multiple channels",
    "archived": False,
    "draft": False,
    "enabled": True,
    "has_post_launch_draft": True,
    "schedule_type": "date",
    "first_entry": "2023-01-01T12:00:00Z",
    "last_entry": "2023-01-10T12:00:00Z",
    "channels": ["email", "push", "sms"],
    "variants": [
        {"name": "Variant 1", "id": "variant_1_id", "first_step_ids": ["step_1"]},
        {
            "name": "Variant 2",
            "id": "variant_2_id",
            "first_step_ids": ["step_2"],
            "first_step_id": "step_2",  # deprecated by Braze, still sent for one first step
        },
    ],
    "tags": ["engagement", "multi-channel"],
    "teams": ["Marketing Team"],
    "steps": [
        {
            "name": "Welcome Email",
            "type": "email",
            "id": "step_1",
            "next_step_ids": ["step_2"],
            "next_paths": [{"name": "Next Step", "next_step_id": "step_2"}],
            "channels": ["email"],
            "messages": {
                "message_1": {
                    "channel": "email",
                    "subject": "Welcome!",
                    "body": "<html><body>Hi {{first_name}}</body></html>",
                }
            },
        },
        {
            "name": "Split",
            "type": "decision_split",
            "id": "step_2",
            "next_step_ids": [],
            "next_paths": [
                {"name": "Yes", "next_step_id": "step_3"},
                {"name": None, "next_step_id": "step_4"},
            ],
            "channels": [],
            "messages": {},
        },
    ],
}


def test_details_rows_from_the_documented_example() -> None:
    details, variants, steps = canvas_details_rows(CANVAS, DOCS_DETAILS)
    assert details == {
        "canvas_id": CANVAS,
        "name": "Multi-Channel Engagement",
        "description": "Complete profile reminder via multiple channels",
        "created_at": "2023-01-01T12:00:00+00:00",
        "updated_at": "2023-01-10T12:00:00+00:00",
        "archived": False,
        "draft": False,
        "enabled": True,
        "has_post_launch_draft": True,
        "schedule_type": "date",
        "first_entry": "2023-01-01T12:00:00+00:00",
        "last_entry": "2023-01-10T12:00:00+00:00",
        "channels": ["email", "push", "sms"],
        "tags": ["engagement", "multi-channel"],
        "teams": ["Marketing Team"],
        "extra_fields": None,  # the status "message" is the envelope, not data
    }
    assert variants == [
        {
            "canvas_id": CANVAS,
            "variant_id": "variant_1_id",
            "name": "Variant 1",
            "first_step_ids": ["step_1"],
            "extra_fields": None,
        },
        {
            "canvas_id": CANVAS,
            "variant_id": "variant_2_id",
            "name": "Variant 2",
            "first_step_ids": ["step_2"],
            "extra_fields": {"first_step_id": "step_2"},
        },
    ]
    assert steps == [
        {
            "canvas_id": CANVAS,
            "step_id": "step_1",
            "name": "Welcome Email",
            "type": "email",
            "channels": ["email"],
            "next_step_ids": ["step_2"],
            "next_paths": [{"name": "Next Step", "next_step_id": "step_2"}],
            "messages": {
                "message_1": {
                    "channel": "email",
                    "subject": "Welcome!",
                    "body": "<html><body>Hi {{first_name}}</body></html>",
                }
            },
            "extra_fields": None,
        },
        {
            "canvas_id": CANVAS,
            "step_id": "step_2",
            "name": "Split",
            "type": "decision_split",
            "channels": [],
            "next_step_ids": [],
            "next_paths": [
                {"name": "Yes", "next_step_id": "step_3"},
                {"name": None, "next_step_id": "step_4"},
            ],
            "messages": {},
            "extra_fields": None,
        },
    ]
    assert_valid(CANVAS_DETAILS_SCHEMA, [details])
    assert_valid(CANVAS_VARIANTS_SCHEMA, variants)
    assert_valid(CANVAS_STEPS_SCHEMA, steps)


def test_details_keep_what_has_no_column_in_extra_fields() -> None:
    body = {
        "name": "Odd",
        "archived": "false",  # a boolean as text
        "created_at": "not a date",
        "first_entry": None,  # a Canvas nobody entered yet
        "teams": [{"name": "Growth"}],  # not an array of strings
        "conversion_behaviors": [{"type": "Makes Any Purchase", "window": 259200}],
        "variants": {"id": "v"},  # not a list
        "steps": [
            {"id": "s1", "name": "ok", "next_paths": [{"name": "A", "next_step_id": 5}]},
            {"id": "s1", "name": "same id again"},
            {"name": "no id"},
            "stray",
        ],
    }
    details, variants, steps = canvas_details_rows(CANVAS, body)
    assert details == {
        "canvas_id": CANVAS,
        "name": "Odd",
        "description": None,
        "created_at": None,
        "updated_at": None,
        "archived": None,
        "draft": None,
        "enabled": None,
        "has_post_launch_draft": None,
        "schedule_type": None,
        "first_entry": None,
        "last_entry": None,
        "channels": None,
        "tags": None,
        "teams": None,
        "extra_fields": {
            "archived": "false",
            "created_at": "not a date",
            "teams": [{"name": "Growth"}],
            "conversion_behaviors": [{"type": "Makes Any Purchase", "window": 259200}],
            "variants": {"id": "v"},
            "steps": [{"id": "s1", "name": "same id again"}, {"name": "no id"}, "stray"],
        },
    }
    assert variants == []
    assert steps == [
        {
            "canvas_id": CANVAS,
            "step_id": "s1",
            "name": "ok",
            "type": None,
            "channels": None,
            "next_step_ids": None,
            # A list of objects is kept as Braze sent it (one JSON value), whatever is inside.
            "next_paths": [{"name": "A", "next_step_id": 5}],
            "messages": None,
            "extra_fields": None,
        }
    ]
    assert_valid(CANVAS_DETAILS_SCHEMA, [details])
    assert_valid(CANVAS_STEPS_SCHEMA, steps)


def test_details_without_variants_or_steps() -> None:
    details, variants, steps = canvas_details_rows(CANVAS, {"name": "Bare", "message": "success"})
    assert (variants, steps) == ([], [])
    assert details["name"] == "Bare"
    assert details["extra_fields"] is None


@pytest.mark.parametrize("body", [None, [], "success", 3])
def test_details_body_that_is_no_object_is_malformed(body: Any) -> None:
    with pytest.raises(MalformedBody):
        canvas_details_rows(CANVAS, body)


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("braze", "rfc3339"),
    [
        ("2023-01-01T12:00:00Z", "2023-01-01T12:00:00+00:00"),
        ("2023-01-01T12:00:00+00:00", "2023-01-01T12:00:00+00:00"),
        ("2020-06-28T23:59:59-5:00", "2020-06-28T23:59:59-05:00"),  # Braze's own example
        ("2014-12-10T23:59:59-05:00", "2014-12-10T23:59:59-05:00"),
        ("2023-01-01T12:00:00+0530", "2023-01-01T12:00:00+05:30"),
        ("2023-01-01T12:00:00+09", "2023-01-01T12:00:00+09:00"),
        ("2023-01-01 12:00:00 +01:00", "2023-01-01T12:00:00+01:00"),
        ("2023-01-01T12:00:00.5Z", "2023-01-01T12:00:00.5+00:00"),
        ("2023-01-01T12:00:00.123456789Z", "2023-01-01T12:00:00.123456789+00:00"),
        ("2023-01-01T12:00Z", "2023-01-01T12:00:00+00:00"),
        ("2023-01-01T12:00:00", "2023-01-01T12:00:00+00:00"),  # no offset: UTC
        ("2023-01-01", "2023-01-01T00:00:00+00:00"),  # a bare date: midnight UTC
    ],
)
def test_timestamps_become_rfc3339_with_an_offset(braze: str, rfc3339: str) -> None:
    assert normalize_timestamp(braze) == rfc3339
    assert RFC3339_DATE_TIME.fullmatch(rfc3339)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        "2023-02-30T00:00:00Z",
        "2023-01-01T24:00:00Z",
        "2023-01-01T12:00:00+24:00",
        "2023-01-01T12:00:00+05:60",
        "01/02/2023",
        "2023-01-01Z",
        1672574400,
        True,
    ],
)
def test_what_is_no_timestamp_is_not_normalized(value: object) -> None:
    assert normalize_timestamp(value) is None
    assert utc_date(value) is None


def test_utc_date_at_the_edges_of_the_calendar() -> None:
    assert utc_date("0001-01-01T00:30:00+01:00") == dt.date(1, 1, 1)
    assert utc_date("9999-12-31T23:30:00-01:00") == dt.date(9999, 12, 31)
    assert utc_date("2024-02-29T00:00:00+14:00") == dt.date(2024, 2, 28)
