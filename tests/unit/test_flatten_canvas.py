"""Flattening /canvas/data_series days into the four analytics streams: exact cases shaped like
Braze's documented example, and a no-value-lost property."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, FormatChecker

from tap_braze_sends.braze.flatten.canvas_series import (
    CanvasDayRows,
    flatten_canvas_day,
    parse_canvas_series,
)
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_ANALYTICS_SCHEMA,
    CANVAS_KEYS,
    CANVAS_STEP_ANALYTICS_SCHEMA,
    CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA,
    CANVAS_VARIANT_ANALYTICS_SCHEMA,
)

CANVAS = "c0ffee00-0000-4000-8000-000000000001"
VARIANT_A = "11111111-0000-4000-8000-00000000000a"
VARIANT_B = "11111111-0000-4000-8000-00000000000b"
STEP_EMAIL = "22222222-0000-4000-8000-0000000000e1"
STEP_PUSH = "22222222-0000-4000-8000-0000000000b2"


def assert_identical(actual: Any, expected: Any) -> None:
    """Equal, and of the same types all the way down (1 != 1.0 != True here)."""
    assert tagged(actual) == tagged(expected), (actual, expected)


def tagged(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, tagged(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("list", tuple(tagged(v) for v in value))
    if isinstance(value, CanvasDayRows):
        return tagged([value.total, value.variants, value.steps, value.step_messages])
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


# --- the documented example, filled in --------------------------------------------------------

DOCS_DAY = {
    "time": "2018-05-29",
    "total_stats": {
        "revenue": 1234.56,
        "conversions": 30,
        "conversions_by_entry_time": 28,
        "entries": 1500,
    },
    "variant_stats": {
        VARIANT_A: {
            "name": "Variant 1",
            "revenue": 1000.5,
            "conversions": 20,
            "conversions_by_entry_time": 19,
            "entries": 750,
        },
        VARIANT_B: {
            "name": "Control",
            "revenue": 0,
            "conversions": 10,
            "conversions_by_entry_time": 9,
            "entries": 750,
        },
    },
    "step_stats": {
        STEP_EMAIL: {
            "name": "Welcome Email",
            "revenue": 99.99,
            "conversions": 4,
            "conversions_by_entry_time": 3,
            "messages": {
                "email": [
                    {
                        "variation_api_id": "msg-email-1",
                        "variation_name": "Welcome",
                        "sent": 700,
                        "opens": 350,
                        "unique_opens": 300,
                        "clicks": 42,
                    }
                ],
                "sms": [
                    {
                        "sent": 50,
                        "sent_to_carrier": 50,
                        "delivered": 48,
                        "rejected": 1,
                        "delivery_failed": 1,
                        "clicks": 5,
                        "opt_out": 2,
                        "help": 0,
                    }
                ],
            },
        },
        STEP_PUSH: {
            "name": "Follow-Up Push",
            "revenue": 0.0,
            "conversions": 0,
            "conversions_by_entry_time": 0,
            "messages": {
                "ios_push": [
                    {"variation_name": "Push A", "sent": 200, "direct_opens": 9},
                    # A control-like entry: Braze sends the metrics as null.
                    {
                        "variation_name": "Control Group",
                        "sent": None,
                        "direct_opens": None,
                        "enrolled": 20,
                    },
                ],
                "android_push": None,  # a channel Braze names but leaves null
                "webhook": [],  # a channel without entries
            },
        },
    },
}


def test_docs_shaped_day_gives_rows_for_all_four_streams() -> None:
    rows = flatten_canvas_day(DOCS_DAY, CANVAS)
    day = {"canvas_id": CANVAS, "time": "2018-05-29"}
    assert_identical(
        rows.total,
        {
            **day,
            "revenue": 1234.56,
            "conversions": 30,
            "conversions_by_entry_time": 28,
            "entries": 1500,
            "extra_metrics": None,
        },
    )
    assert_identical(
        rows.variants,
        [
            {
                **day,
                "variant_id": VARIANT_A,
                "variant_name": "Variant 1",
                "revenue": 1000.5,
                "conversions": 20,
                "conversions_by_entry_time": 19,
                "entries": 750,
                "extra_metrics": None,
            },
            {
                **day,
                "variant_id": VARIANT_B,
                "variant_name": "Control",
                "revenue": 0,  # an integer revenue stays an integer
                "conversions": 10,
                "conversions_by_entry_time": 9,
                "entries": 750,
                "extra_metrics": None,
            },
        ],
    )
    assert_identical(
        rows.steps,
        [
            {
                **day,
                "step_id": STEP_EMAIL,
                "step_name": "Welcome Email",
                "revenue": 99.99,
                "conversions": 4,
                "conversions_by_entry_time": 3,
                "extra_metrics": None,
            },
            {
                **day,
                "step_id": STEP_PUSH,
                "step_name": "Follow-Up Push",
                "revenue": 0.0,
                "conversions": 0,
                "conversions_by_entry_time": 0,
                # The null channel and the empty one leave nothing behind.
                "extra_metrics": None,
            },
        ],
    )
    assert_identical(
        rows.step_messages,
        [
            {
                **day,
                "step_id": STEP_EMAIL,
                "channel": "email",
                "message_index": 0,
                "variation_api_id": "msg-email-1",
                "variation_name": "Welcome",
                "sent": 700,
                "opens": 350,
                "unique_opens": 300,
                "clicks": 42,
                "extra_metrics": None,
            },
            {
                **day,
                "step_id": STEP_EMAIL,
                "channel": "sms",
                "message_index": 0,
                "variation_api_id": None,
                "variation_name": None,
                "sent": 50,
                "sent_to_carrier": 50,
                "delivered": 48,
                "rejected": 1,
                "delivery_failed": 1,
                "clicks": 5,
                "opt_out": 2,
                "help": 0,
                "extra_metrics": None,
            },
            {
                **day,
                "step_id": STEP_PUSH,
                "channel": "ios_push",
                "message_index": 0,
                "variation_api_id": None,
                "variation_name": "Push A",
                "sent": 200,
                "direct_opens": 9,
                "extra_metrics": None,
            },
            {
                **day,
                "step_id": STEP_PUSH,
                "channel": "ios_push",
                "message_index": 1,
                "variation_api_id": None,
                "variation_name": "Control Group",
                "sent": None,
                "direct_opens": None,
                "enrolled": 20,
                "extra_metrics": None,
            },
        ],
    )
    validate_rows(rows)


def test_unknown_metrics_go_to_extra_metrics_at_every_level() -> None:
    day = {
        "time": "2026-03-01",
        "total_stats": {"entries": 5, "unique_entries": 4, "revenue": "1.50"},
        "variant_stats": {VARIANT_A: {"name": "V", "entries": 5, "exits": 1}},
        "step_stats": {
            STEP_EMAIL: {
                "name": "S",
                "unique_recipients": 5,
                "entries": 5,  # documented for variants, not for steps
                "conversions": 1.0,  # a count as a float
                "messages": {
                    "email": [
                        {"variation_api_id": "m1", "sent": 5, "machine_open": 1, "amp_clicks": 2}
                    ]
                },
            }
        },
    }
    rows = flatten_canvas_day(day, CANVAS)
    keys = {"canvas_id": CANVAS, "time": "2026-03-01"}
    assert_identical(
        rows.total,
        {**keys, "entries": 5, "extra_metrics": {"unique_entries": 4, "revenue": "1.50"}},
    )
    assert_identical(
        rows.variants,
        [
            {
                **keys,
                "variant_id": VARIANT_A,
                "variant_name": "V",
                "entries": 5,
                "extra_metrics": {"exits": 1},
            }
        ],
    )
    assert_identical(
        rows.steps,
        [
            {
                **keys,
                "step_id": STEP_EMAIL,
                "step_name": "S",
                "unique_recipients": 5,
                "extra_metrics": {"entries": 5, "conversions": 1.0},
            }
        ],
    )
    assert_identical(
        rows.step_messages,
        [
            {
                **keys,
                "step_id": STEP_EMAIL,
                "channel": "email",
                "message_index": 0,
                "variation_api_id": "m1",
                "variation_name": None,
                "sent": 5,
                "machine_open": 1,
                "extra_metrics": {"amp_clicks": 2},
            }
        ],
    )
    validate_rows(rows)


def test_unknown_channel_still_gives_rows() -> None:
    day = {
        "time": "2026-03-02",
        "step_stats": {
            STEP_PUSH: {
                "name": "New channel",
                "messages": {"line": [{"variation_api_id": "m9", "sent": 3, "friends_added": 1}]},
            }
        },
    }
    rows = flatten_canvas_day(day, CANVAS)
    assert_identical(
        rows.step_messages,
        [
            {
                "canvas_id": CANVAS,
                "time": "2026-03-02",
                "step_id": STEP_PUSH,
                "channel": "line",
                "message_index": 0,
                "variation_api_id": "m9",
                "variation_name": None,
                "sent": 3,
                "extra_metrics": {"friends_added": 1},
            }
        ],
    )


def test_a_deleted_step_gets_its_rows_and_a_marker_braze_sends_is_kept_as_extra() -> None:
    # Braze documents no marker: a deleted step's stats look like any other step's, and there
    # is no `deleted` column (it would be null for every step). Should a step entry carry a
    # "deleted" key, it is kept in extra_metrics like any unknown metric.
    day = {
        "time": "2026-03-03",
        "step_stats": {
            "step-gone": {
                "name": "Old email",
                "conversions": 2,
                "messages": {"email": [{"variation_api_id": "m-old", "sent": 1}]},
            },
            "step-marked": {"name": "Marked", "deleted": True, "conversions": 1},
            "step-odd-marker": {"name": "Odd", "deleted": "yes"},
        },
    }
    rows = flatten_canvas_day(day, CANVAS)
    keys = {"canvas_id": CANVAS, "time": "2026-03-03"}
    assert_identical(
        rows.steps,
        [
            {
                **keys,
                "step_id": "step-gone",
                "step_name": "Old email",
                "conversions": 2,
                "extra_metrics": None,
            },
            {
                **keys,
                "step_id": "step-marked",
                "step_name": "Marked",
                "conversions": 1,
                "extra_metrics": {"deleted": True},
            },
            {
                **keys,
                "step_id": "step-odd-marker",
                "step_name": "Odd",
                "extra_metrics": {"deleted": "yes"},
            },
        ],
    )
    assert [(r["step_id"], r["variation_api_id"]) for r in rows.step_messages] == [
        ("step-gone", "m-old")
    ]


@pytest.mark.parametrize("absent", [{}, {"variant_stats": None, "step_stats": None}])
def test_null_or_missing_breakdowns_give_no_rows(absent: dict) -> None:
    rows = flatten_canvas_day({"time": "2026-03-04", "total_stats": {"entries": 1}, **absent}, "c")
    assert_identical(
        rows,
        CanvasDayRows(
            total={"canvas_id": "c", "time": "2026-03-04", "entries": 1, "extra_metrics": None},
            variants=[],
            steps=[],
            step_messages=[],
        ),
    )


def test_null_entries_give_nothing_and_odd_shapes_are_kept() -> None:
    day = {
        "time": "2026-03-05",
        "total_stats": None,
        "dashboard_url": "https://example.invalid/c",  # an unknown day-level key
        "variant_stats": {"v-null": None, "v-odd": 7, "v-ok": {"name": None, "entries": 1}},
        "step_stats": {
            "s-null": None,
            "s-odd": ["x"],
            "s-1": {
                "name": 42,  # a name that is no string
                "messages": {
                    "email": {"variation_name": "lone object", "sent": 1},
                    "sms": [{"variation_name": "ok", "sent": 2}, 7, None],
                    "webhook": "broken",
                    "ios_push": None,
                    "web_push": [],
                },
            },
            "s-2": {"name": "no messages", "messages": None},
            "s-3": {"name": "odd messages", "messages": [1, 2]},
        },
    }
    rows = flatten_canvas_day(day, CANVAS)
    keys = {"canvas_id": CANVAS, "time": "2026-03-05"}
    assert_identical(
        rows.total,
        {
            **keys,
            "extra_metrics": {
                "day.dashboard_url": "https://example.invalid/c",
                "variant_stats.v-odd": 7,
                "step_stats.s-odd": ["x"],
            },
        },
    )
    assert_identical(
        rows.variants,
        [
            {
                **keys,
                "variant_id": "v-ok",
                "variant_name": None,
                "entries": 1,
                "extra_metrics": None,
            }
        ],
    )
    assert_identical(
        rows.steps,
        [
            {
                **keys,
                "step_id": "s-1",
                "step_name": None,
                "extra_metrics": {
                    "name": 42,
                    "messages.sms": [7, None],
                    "messages.webhook": "broken",
                },
            },
            {**keys, "step_id": "s-2", "step_name": "no messages", "extra_metrics": None},
            {
                **keys,
                "step_id": "s-3",
                "step_name": "odd messages",
                "extra_metrics": {"messages": [1, 2]},
            },
        ],
    )
    assert [
        (r["step_id"], r["channel"], r["message_index"], r["variation_name"])
        for r in rows.step_messages
    ] == [("s-1", "email", 0, "lone object"), ("s-1", "sms", 0, "ok")]
    validate_rows(rows)


def test_odd_breakdown_containers_are_kept_on_the_total_row() -> None:
    day = {"time": "2026-03-06", "total_stats": [1], "variant_stats": [], "step_stats": "none"}
    rows = flatten_canvas_day(day, CANVAS)
    assert_identical(
        rows.total,
        {
            "canvas_id": CANVAS,
            "time": "2026-03-06",
            "extra_metrics": {"total_stats": [1], "variant_stats": [], "step_stats": "none"},
        },
    )
    assert rows.variants == rows.steps == rows.step_messages == []


def test_message_entries_are_keyed_by_position_per_step_and_channel() -> None:
    """Braze documents no identifier for a step's message entries: the key is the position,
    and the ids and names a body carries stay in their own columns, as sent (a repeat too)."""
    day = {
        "time": "2026-03-07",
        "step_stats": {
            "s-1": {
                "messages": {
                    "email": [
                        {"variation_name": "A", "sent": 1},
                        {"variation_name": "A", "sent": 2},
                        {"sent": 3},
                        {"sent": 4},
                    ],
                    "sms": [{"variation_name": "A", "sent": 5}],
                }
            },
            "s-2": {"messages": {"email": [{"variation_name": "A", "sent": 6}]}},
        },
    }
    rows = flatten_canvas_day(day, CANVAS)
    assert [
        (r["step_id"], r["channel"], r["message_index"], r["variation_name"], r["sent"])
        for r in rows.step_messages
    ] == [
        ("s-1", "email", 0, "A", 1),
        ("s-1", "email", 1, "A", 2),
        ("s-1", "email", 2, None, 3),
        ("s-1", "email", 3, None, 4),
        ("s-1", "sms", 0, "A", 5),
        ("s-2", "email", 0, "A", 6),
    ]
    # A step entry without a name still gets its row, with a null step_name.
    assert [r["step_name"] for r in rows.steps] == [None, None]


@pytest.mark.parametrize(
    ("time", "date"),
    [
        ("2026-03-08", "2026-03-08"),
        ("2026-03-08T00:00:00+00:00", "2026-03-08"),
        ("2026-03-08T23:59:59-05:00", "2026-03-08"),
        ("2026-03-08T10:00:00Z", "2026-03-08"),
    ],
)
def test_time_is_a_date(time: str, date: str) -> None:
    day = {"time": time, "variant_stats": {"v": {"entries": 1}}, "step_stats": {"s": {}}}
    rows = flatten_canvas_day(day, CANVAS)
    assert [rows.total["time"], rows.variants[0]["time"], rows.steps[0]["time"]] == [date] * 3


@pytest.mark.parametrize("day", [{}, {"time": None}, {"time": "03/08/2026"}, {"time": 20260308}])
def test_a_day_without_a_readable_time_is_an_error(day: dict) -> None:
    with pytest.raises(MalformedBody, match="time"):
        flatten_canvas_day(day, CANVAS)


# --- the body -----------------------------------------------------------------------------


def test_parse_canvas_series_returns_name_and_days() -> None:
    body = {
        "data": {"name": "Onboarding", "stats": [{"time": "2026-03-01"}, {"time": "2026-03-02"}]},
        "message": "success",
    }
    assert parse_canvas_series(body) == (
        "Onboarding",
        [{"time": "2026-03-01"}, {"time": "2026-03-02"}],
    )
    assert parse_canvas_series({"data": {"stats": []}}) == (None, [])
    assert parse_canvas_series({"data": {"name": 5, "stats": None}}) == (None, [])


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "success",
        {},
        {"message": "success"},
        {"data": [{"time": "2026-03-01"}], "message": "success"},  # the campaign series' shape
        {"data": {"name": "no stats"}},
        {"data": None},
        {"data": {"stats": {"time": "2026-03-01"}}},
        {"data": {"stats": [{"time": "2026-03-01"}, "2026-03-02"]}},
    ],
)
def test_a_body_without_the_documented_shape_is_malformed(body: Any) -> None:
    with pytest.raises(MalformedBody):
        parse_canvas_series(body)
    assert issubclass(MalformedBody, ValueError)


# --- schemas ------------------------------------------------------------------------------

_SCHEMAS = (
    CANVAS_ANALYTICS_SCHEMA,
    CANVAS_VARIANT_ANALYTICS_SCHEMA,
    CANVAS_STEP_ANALYTICS_SCHEMA,
    CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA,
)


def _stream_rows(rows: CanvasDayRows) -> list[tuple[dict, list[dict]]]:
    return list(
        zip(_SCHEMAS, [[rows.total], rows.variants, rows.steps, rows.step_messages], strict=True)
    )


def validate_rows(rows: CanvasDayRows) -> None:
    checker = FormatChecker()
    for schema, stream_rows in _stream_rows(rows):
        validator = Draft7Validator(schema, format_checker=checker)
        for row in stream_rows:
            errors = [e.message for e in validator.iter_errors(row)]
            assert not errors, (row, errors)


def test_analytics_schemas_type_the_documented_metrics() -> None:
    props = CANVAS_ANALYTICS_SCHEMA["properties"]
    assert props["time"] == {"type": ["string"], "format": "date"}
    assert props["canvas_id"] == {"type": ["string"]}
    assert props["revenue"] == {"type": ["number", "null"]}
    assert props["entries"] == {"type": ["integer", "null"]}
    assert props["conversions3_by_entry_time"] == {"type": ["integer", "null"]}
    step = CANVAS_STEP_ANALYTICS_SCHEMA["properties"]
    assert step["unique_recipients"] == {"type": ["integer", "null"]}
    assert "deleted" not in step
    assert step["step_name"] == {"type": ["string", "null"]}
    assert "entries" not in step
    message = CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA["properties"]
    assert message["sent_to_carrier"] == {"type": ["integer", "null"]}
    assert message["message_index"] == {"type": ["integer"]}
    assert "variation" not in message
    for schema, name in zip(
        _SCHEMAS,
        [
            "canvas_analytics",
            "canvas_variant_analytics",
            "canvas_step_analytics",
            "canvas_step_message_analytics",
        ],
        strict=True,
    ):
        assert schema["additionalProperties"] is False
        for key in CANVAS_KEYS[name]:
            want = ["integer"] if key == "message_index" else ["string"]
            assert schema["properties"][key]["type"] == want, (name, key)
    assert CANVAS_KEYS["canvas_step_message_analytics"] == (
        "canvas_id",
        "time",
        "step_id",
        "channel",
        "message_index",
    )


# --- property: every value of a generated day lands in exactly one place ----------------------

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=10)
documented = st.sampled_from(
    [
        "entries",
        "revenue",
        "conversions",
        "conversions_by_entry_time",
        "conversions2_by_entry_time",
        "unique_recipients",
        "deleted",
        "sent",
        "opens",
        "direct_opens",
        "enrolled",
    ]
)
metric_names = documented | names
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=5,
)
metric_values = st.integers(0, 10**9) | st.floats(0, 1e6) | values
identity = st.none() | st.text(max_size=4) | st.sampled_from(["A", "A", ""]) | st.integers()
channel_names = st.sampled_from(["email", "sms", "ios_push", "line"]) | names


@st.composite
def metric_objects(draw: st.DrawFn, reserved: tuple[str, ...] = ()) -> dict:
    allowed = metric_names.filter(lambda name: name not in reserved)
    return draw(st.dictionaries(allowed, metric_values, max_size=6))


@st.composite
def message_entries(draw: st.DrawFn) -> dict:
    entry = draw(metric_objects())
    for key in ("variation_api_id", "variation_name"):
        if draw(st.booleans()):
            entry[key] = draw(identity)
    return entry


channel_values = st.lists(message_entries() | scalars, max_size=3) | message_entries() | scalars


@st.composite
def named_objects(draw: st.DrawFn, with_messages: bool) -> Any:
    shape = draw(st.sampled_from(["object", "object", "object", "null", "odd"]))
    if shape == "null":
        return None
    if shape == "odd":
        return draw(scalars.filter(lambda v: v is not None) | st.lists(scalars, max_size=2))
    entry = draw(metric_objects(reserved=("name", "messages")))
    if draw(st.booleans()):
        entry["name"] = draw(st.none() | st.text(max_size=5) | st.integers())
    if with_messages and draw(st.integers(0, 4)) > 0:
        entry["messages"] = draw(
            st.dictionaries(channel_names, channel_values, max_size=3)
            | st.none()
            | st.lists(scalars, max_size=2)
        )
    return entry


def breakdowns(with_messages: bool) -> st.SearchStrategy:
    return (
        st.dictionaries(names, named_objects(with_messages), max_size=3)
        | st.none()
        | st.lists(scalars, max_size=2)
    )


@st.composite
def canvas_days(draw: st.DrawFn) -> dict:
    day: dict[str, Any] = {"time": draw(st.dates()).isoformat()}
    structure = ("time", "total_stats", "variant_stats", "step_stats")
    day.update(
        draw(st.dictionaries(names.filter(lambda n: n not in structure), values, max_size=2))
    )
    if draw(st.integers(0, 5)) > 0:
        # Total metrics are not named like the breakdowns: those names are taken in extras.
        day["total_stats"] = draw(metric_objects(reserved=structure) | st.none() | scalars)
    if draw(st.booleans()):
        day["variant_stats"] = draw(breakdowns(with_messages=False))
    if draw(st.booleans()):
        day["step_stats"] = draw(breakdowns(with_messages=True))
    return day


def _breakdown_leaves(day: dict, what: str, level: str) -> list[tuple]:
    stats = day.get(what)
    if stats is None:
        return []
    if not isinstance(stats, dict):
        return [(("total", what), stats)]
    leaves: list[tuple] = []
    for object_id, entry in stats.items():
        if entry is None:
            continue
        if not isinstance(entry, dict):
            leaves.append((("total", f"{what}.{object_id}"), entry))
            continue
        for name, value in entry.items():
            if name == "name" and value is None:
                continue  # a null name is the same as none
            if name == "messages" and level == "step":
                leaves.extend(_message_leaves(object_id, value))
            else:
                leaves.append(((level, object_id, name), value))
    return leaves


def _message_leaves(step_id: str, messages: Any) -> list[tuple]:
    if messages is None:
        return []
    if not isinstance(messages, dict):
        return [(("step", step_id, "messages"), messages)]
    leaves: list[tuple] = []
    for channel, value in messages.items():
        if value is None:
            continue
        if not isinstance(value, list | dict):
            leaves.append((("step", step_id, f"messages.{channel}"), value))
            continue
        items = [value] if isinstance(value, dict) else value
        strays = [item for item in items if not isinstance(item, dict)]
        if strays:
            leaves.append((("step", step_id, f"messages.{channel}"), strays))
        objects = [item for item in items if isinstance(item, dict)]
        for index, entry in enumerate(objects):
            leaves.extend(
                (("message", step_id, channel, index, name), v)
                for name, v in entry.items()
                if not (name in ("variation_api_id", "variation_name") and v is None)
            )
    return leaves


def input_leaves(day: dict) -> list[tuple]:
    """Every (place, value) Braze sent, ``time`` aside."""
    leaves = [
        (("total", f"day.{k}"), v)
        for k, v in day.items()
        if k not in ("time", "total_stats", "variant_stats", "step_stats")
    ]
    total = day.get("total_stats")
    if isinstance(total, dict):
        leaves.extend((("total", k), v) for k, v in total.items())
    elif total is not None:
        leaves.append((("total", "total_stats"), total))
    leaves += _breakdown_leaves(day, "variant_stats", "variant")
    leaves += _breakdown_leaves(day, "step_stats", "step")
    return leaves


def output_leaves(rows: CanvasDayRows) -> list[tuple]:
    """Every (place, value) in the rows, mapped back to where it came from."""
    keys = {"canvas_id", "time"}
    leaves = [(("total", k), v) for k, v in rows.total.items() if k not in keys | {"extra_metrics"}]
    leaves += [(("total", k), v) for k, v in (rows.total["extra_metrics"] or {}).items()]
    for level, id_column, name_column, level_rows in (
        ("variant", "variant_id", "variant_name", rows.variants),
        ("step", "step_id", "step_name", rows.steps),
    ):
        for row in level_rows:
            object_id = row[id_column]
            for key, value in row.items():
                if key in keys or key == id_column or (key == name_column and value is None):
                    continue
                if key == "extra_metrics":
                    leaves += [((level, object_id, k), v) for k, v in (value or {}).items()]
                else:
                    name = "name" if key == name_column else key
                    leaves.append(((level, object_id, name), value))
    index_in_channel: dict[tuple, int] = {}
    for row in rows.step_messages:
        where = (row["step_id"], row["channel"])
        index = index_in_channel.get(where, 0)
        index_in_channel[where] = index + 1
        for key, value in row.items():
            if key in keys or key in ("step_id", "channel"):
                continue
            if key == "message_index":
                assert value == index, row
                continue
            if key in ("variation_api_id", "variation_name") and value is None:
                continue
            if key == "extra_metrics":
                leaves += [(("message", *where, index, k), v) for k, v in (value or {}).items()]
            else:
                leaves.append((("message", *where, index, key), value))
    return leaves


def _image(leaves: list[tuple]) -> list[tuple]:
    return sorted((repr(place), repr(tagged(value))) for place, value in leaves)


@settings(max_examples=300, deadline=None)
@given(day=canvas_days())
def test_every_value_lands_in_exactly_one_place(day: dict) -> None:
    rows = flatten_canvas_day(day, CANVAS)
    assert _image(output_leaves(rows)) == _image(input_leaves(day))
    validate_rows(rows)
    for schema, stream_rows in _stream_rows(rows):
        for row in stream_rows:
            assert row["canvas_id"] == CANVAS
            assert row["time"] == day["time"]
            # A name with a typed column lands in extras only when its value does not fit it.
            for name, value in (row["extra_metrics"] or {}).items():
                prop = schema["properties"].get(name)
                if prop is not None and name not in ("variation_api_id", "variation_name"):
                    fits = Draft7Validator(prop).is_valid(value) and not (
                        isinstance(value, float) and "number" not in prop["type"]
                    )
                    assert not fits, (name, value)
    message_keys = [(r["step_id"], r["channel"], r["message_index"]) for r in rows.step_messages]
    assert len(set(message_keys)) == len(message_keys)


@settings(max_examples=100, deadline=None)
@given(day=canvas_days())
def test_every_number_of_a_day_is_found_once_in_the_rows(day: dict) -> None:
    """The brief's weaker form, independent of the leaf mapping above: the multiset of numbers
    (ints and floats, bools aside) in the input equals the multiset in the output."""

    def numbers(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [n for v in value.values() for n in numbers(v)]
        if isinstance(value, list | tuple):
            return [n for v in value for n in numbers(v)]
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [repr(tagged(value))]
        return []

    rows = flatten_canvas_day(day, CANVAS)
    # message_index is the tap's key (a position), not a number Braze sent.
    messages = [{k: v for k, v in r.items() if k != "message_index"} for r in rows.step_messages]
    out = [rows.total, *rows.variants, *rows.steps, *messages]
    source = {k: v for k, v in day.items() if k != "time"}
    # Object ids and names are strings; an integer id comes back stringified, not a number.
    assert sorted(numbers(out)) == sorted(numbers(source))
