"""Campaign dimension rows from /campaigns/list and /campaigns/details bodies shaped like the
examples in Braze's docs (braze-inc/braze-docs: get_campaigns.md, get_campaign_details.md).
Expected rows are written out by hand."""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
import pytest

from tap_braze_sends.braze.flatten.campaign_catalog import campaign_details_rows, campaign_list_rows
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.schemas.campaign_catalog import (
    CAMPAIGN_DETAILS_SCHEMA,
    CAMPAIGN_VARIATIONS_SCHEMA,
    CAMPAIGNS_SCHEMA,
)

LIST_BODY = {
    "message": "success",
    "campaigns": [
        {
            "id": "c-1",
            "last_edited": "2020-06-28T23:59:59-5:00",
            "name": "Spring sale",
            "is_api_campaign": False,
            "tags": ["promo", "spring"],
        },
        {
            "id": "c-2",
            "last_edited": "2020-07-10T23:59:59",
            "name": "Password reset",
            "is_api_campaign": True,
            "tags": [],
        },
    ],
}

DETAILS_BODY: dict[str, Any] = {
    "message": "success",
    "created_at": "2021-01-04T09:15:00+00:00",
    "updated_at": "2021-03-02T17:00:00.123Z",
    "archived": False,
    "draft": False,
    "enabled": True,
    "has_post_launch_draft": False,
    "name": "Spring sale",
    "description": "Two variants and a control",
    "schedule_type": "time_based",
    "channels": ["email", "ios_push", "webhook"],
    "first_sent": "2021-03-01T10:00:00+01:00",
    "last_sent": "2021-03-20T10:00:00+01:00",
    "tags": ["promo"],
    "teams": ["Growth"],
    "messages": {
        "var-email": {
            "channel": "email",
            "name": "Variation 1",
            "subject": "Spring is here",
            "body": "<html><body><p>Hello {{${first_name}}}</p></body></html>",
            "from": "Shop <news@example.com>",
            "reply_to": "help@example.com",
            "title": "spring-email",
            "extras": {"utm": "spring"},
        },
        "var-push": {
            "channel": "ios_push",
            "name": "Variation 2",
            "alert": "Spring sale starts now",
            "extras": {},
        },
        "var-hook": {
            "channel": "webhook",
            "name": "Variation 3",
            "url": "https://hooks.example.com/x",
            "body": '{"a": 1}',
            "type": "application/json",
            "headers": {"X-Key": "v"},
            "method": "POST",
        },
        "var-control": {"channel": "email", "type": "control"},
    },
    "conversion_behaviors": [
        {"type": "Clicks Email", "window": 86400},
        {"type": "Makes Specific Purchase", "window": 604800, "product": "Feline Body Armor"},
        {"type": "Upgrades App", "window": 86400, "app_ids": None},
    ],
}


def test_campaign_list_rows() -> None:
    assert campaign_list_rows(LIST_BODY) == [
        {
            "campaign_id": "c-1",
            "name": "Spring sale",
            "tags": ["promo", "spring"],
            "last_edited": "2020-06-28T23:59:59-05:00",
            "is_api_campaign": False,
            "extra_fields": None,
        },
        {
            "campaign_id": "c-2",
            "name": "Password reset",
            "tags": [],
            "last_edited": "2020-07-10T23:59:59+00:00",  # no offset: UTC
            "is_api_campaign": True,
            "extra_fields": None,
        },
    ]


def test_campaign_list_entry_with_unknown_and_missing_fields() -> None:
    body = {"campaigns": [{"id": "c-3", "name": "X", "folder": "Q3", "archived": True}]}
    assert campaign_list_rows(body) == [
        {
            "campaign_id": "c-3",
            "name": "X",
            "tags": None,
            "last_edited": None,
            "is_api_campaign": None,
            "extra_fields": {"folder": "Q3", "archived": True},
        }
    ]


def test_an_empty_page() -> None:
    assert campaign_list_rows({"campaigns": [], "message": "success"}) == []


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"message": "success"}, "no 'campaigns' list"),
        ({"campaigns": {"id": "c"}}, "no 'campaigns' list"),
        ({"campaigns": [{"name": "no id"}]}, "entry 0 has no campaign id"),
        ({"campaigns": [{"id": "c"}, "c-2"]}, "entry 1 has no campaign id: 'c-2'"),
        ({"campaigns": [{"id": 42}]}, "entry 0 has no campaign id"),
    ],
)
def test_a_list_body_without_rows_is_an_error(body: dict, needle: str) -> None:
    with pytest.raises(MalformedBody, match=re.escape(needle)):
        campaign_list_rows(body)


def test_campaign_details_rows() -> None:
    details, variations = campaign_details_rows("c-1", DETAILS_BODY)
    assert details == {
        "campaign_id": "c-1",
        "name": "Spring sale",
        "description": "Two variants and a control",
        "created_at": "2021-01-04T09:15:00+00:00",
        "updated_at": "2021-03-02T17:00:00.123+00:00",
        "archived": False,
        "draft": False,
        "enabled": True,
        "has_post_launch_draft": False,
        "schedule_type": "time_based",
        "channels": ["email", "ios_push", "webhook"],
        "first_sent": "2021-03-01T10:00:00+01:00",
        "last_sent": "2021-03-20T10:00:00+01:00",
        "tags": ["promo"],
        "teams": ["Growth"],
        "conversion_behaviors": [
            {"type": "Clicks Email", "window": 86400},
            {"type": "Makes Specific Purchase", "window": 604800, "product": "Feline Body Armor"},
            {"type": "Upgrades App", "window": 86400, "app_ids": None},
        ],
        "extra_fields": None,
    }
    assert variations == [
        {
            "campaign_id": "c-1",
            "variation_api_id": "var-email",
            "channel": "email",
            "name": "Variation 1",
            "type": None,
            "message": {
                "subject": "Spring is here",
                "body": "<html><body><p>Hello {{${first_name}}}</p></body></html>",
                "from": "Shop <news@example.com>",
                "reply_to": "help@example.com",
                "title": "spring-email",
                "extras": {"utm": "spring"},
            },
            "extra_fields": None,
        },
        {
            "campaign_id": "c-1",
            "variation_api_id": "var-push",
            "channel": "ios_push",
            "name": "Variation 2",
            "type": None,
            "message": {"alert": "Spring sale starts now", "extras": {}},
            "extra_fields": None,
        },
        {
            "campaign_id": "c-1",
            "variation_api_id": "var-hook",
            "channel": "webhook",
            "name": "Variation 3",
            "type": "application/json",
            "message": {
                "url": "https://hooks.example.com/x",
                "body": '{"a": 1}',
                "headers": {"X-Key": "v"},
                "method": "POST",
            },
            "extra_fields": None,
        },
        {
            "campaign_id": "c-1",
            "variation_api_id": "var-control",
            "channel": "email",
            "name": None,
            "type": "control",
            "message": None,
            "extra_fields": None,
        },
    ]


def test_in_app_survey_variation_keeps_its_data_object() -> None:
    survey = {
        "type": "survey",
        "data": {"pages": [{"header": {"text": "How was it?"}, "choices": [{"choice_id": "1"}]}]},
    }
    _, (row,) = campaign_details_rows("c-9", {"messages": {"var-iam": survey}})
    assert row == {
        "campaign_id": "c-9",
        "variation_api_id": "var-iam",
        "channel": None,
        "name": None,
        "type": "survey",
        "message": {"data": survey["data"]},
        "extra_fields": None,
    }


def test_the_body_is_not_changed() -> None:
    body = copy.deepcopy(DETAILS_BODY)
    campaign_details_rows("c-1", body)
    assert body == DETAILS_BODY


def test_a_details_body_without_messages() -> None:
    details, variations = campaign_details_rows(
        "c-2", {"name": "Only a name", "message": "success"}
    )
    assert variations == []
    assert details["name"] == "Only a name"
    assert details["extra_fields"] is None
    assert details["first_sent"] is None
    assert details["conversion_behaviors"] is None


def test_values_that_fit_no_column_are_kept_in_extra_fields() -> None:
    body = {
        "name": 7,
        "created_at": "last tuesday",
        "archived": "false",
        "channels": ["email", 3],
        "teams": [{"id": "t1", "name": "Growth"}],
        "conversion_behaviors": {"type": "Clicks Email"},
        "new_braze_field": {"x": 1},
        "messages": {"v1": "not an object", "v2": {"channel": ["sms"], "body": "Hi"}},
    }
    details, variations = campaign_details_rows("c-5", body)
    assert {k: details[k] for k in ("name", "created_at", "archived", "channels", "teams")} == {
        "name": None,
        "created_at": None,
        "archived": None,
        "channels": None,
        "teams": None,
    }
    assert details["conversion_behaviors"] is None
    assert details["extra_fields"] == {
        "name": 7,
        "created_at": "last tuesday",
        "archived": "false",
        "channels": ["email", 3],
        "teams": [{"id": "t1", "name": "Growth"}],
        "conversion_behaviors": {"type": "Clicks Email"},
        "new_braze_field": {"x": 1},
        "messages": {"v1": "not an object"},
    }
    assert variations == [
        {
            "campaign_id": "c-5",
            "variation_api_id": "v2",
            "channel": None,
            "name": None,
            "type": None,
            "message": {"body": "Hi"},
            "extra_fields": {"channel": ["sms"]},
        }
    ]


def test_messages_that_are_not_an_object_go_to_extra_fields() -> None:
    details, variations = campaign_details_rows("c-6", {"messages": ["a", "b"]})
    assert variations == []
    assert details["extra_fields"] == {"messages": ["a", "b"]}


# --- rows fit their schemas -----------------------------------------------------------------

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}")


def _check(row: dict, schema: dict) -> None:
    jsonschema.Draft7Validator(schema).validate(row)
    assert list(row) == list(schema["properties"])  # every column, in schema order
    for name, prop in schema["properties"].items():
        if prop.get("format") == "date-time" and row[name] is not None:
            assert _RFC3339.fullmatch(row[name]), (name, row[name])


def test_rows_fit_their_schemas() -> None:
    for row in campaign_list_rows(LIST_BODY):
        _check(row, CAMPAIGNS_SCHEMA)
    details, variations = campaign_details_rows("c-1", DETAILS_BODY)
    _check(details, CAMPAIGN_DETAILS_SCHEMA)
    for row in variations:
        _check(row, CAMPAIGN_VARIATIONS_SCHEMA)


def test_schemas_type_the_columns() -> None:
    props = CAMPAIGN_DETAILS_SCHEMA["properties"]
    assert props["campaign_id"] == {"type": ["string"]}
    assert props["first_sent"] == {"type": ["string", "null"], "format": "date-time"}
    assert props["archived"] == {"type": ["boolean", "null"]}
    assert props["tags"] == {"type": ["array", "null"], "items": {"type": "string"}}
    # A list of objects is one JSON value in a warehouse: no `items` (targets would make it
    # jsonb[] / an ARRAY of JSON otherwise).
    assert props["conversion_behaviors"]["type"] == ["array", "null"]
    assert "items" not in props["conversion_behaviors"]
    assert props["extra_fields"]["type"] == ["object", "null"]
    variation = CAMPAIGN_VARIATIONS_SCHEMA["properties"]
    assert variation["variation_api_id"] == {"type": ["string"]}
    assert variation["message"]["type"] == ["object", "null"]
    assert set(CAMPAIGNS_SCHEMA["properties"]) == {
        "campaign_id",
        "name",
        "tags",
        "last_edited",
        "is_api_campaign",
        "extra_fields",
    }


@pytest.mark.parametrize(
    "body", [{"message": "success"}, {"messages": [], "message": "success"}, [], {"name": 3}]
)
def test_a_nameless_details_body_is_malformed_and_retried(body: object) -> None:
    # The tap retries a ValueError from a parser (fetch.py); a nameless body must not become
    # a row of nulls remembered as read.
    from tap_braze_sends.braze.catalog import CAMPAIGNS

    with pytest.raises(ValueError, match="name"):
        CAMPAIGNS.details_rows("c-1", body)  # type: ignore[arg-type]
