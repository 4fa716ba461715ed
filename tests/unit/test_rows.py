"""Flattening one day of Braze JSON into rows: exact cases and a no-value-lost property."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, FormatChecker

from tap_braze_sends.braze.flatten.campaign_series import flatten_day
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.schemas.campaign_series import (
    CAMPAIGN_DAY_SCHEMA,
    CAMPAIGN_MESSAGE_SCHEMA,
    SEND_DAY_SCHEMA,
    SEND_MESSAGE_SCHEMA,
)
from tap_braze_sends.braze.schemas.metrics import (
    CHANNEL_METRICS,
    DAY_TOTAL_METRICS,
    MESSAGE_METRICS,
    VARIATION_PLACEHOLDER,
)
from tap_braze_sends.braze.timestamps import parse_day

SEND = {"campaign_id": "api-camp-01", "send_id": "send-0001"}
CAMPAIGN = {"campaign_id": "camp-0001"}
IDENTITY = ("variation_api_id", "variation_name")


def message_row(partition: dict, time: str, channel: str, variation: str, **values: Any) -> dict:
    """A message row as flatten_day builds it: keys first, then metrics, then extras."""
    row = {
        **partition,
        "time": time,
        "channel": channel,
        "variation": variation,
        "variation_api_id": values.pop("variation_api_id", None),
        "variation_name": values.pop("variation_name", None),
    }
    extras = values.pop("extra_metrics", None)
    row.update(values)
    row["extra_metrics"] = extras
    return row


def assert_identical(actual: Any, expected: Any) -> None:
    """Equal, and of the same types all the way down (1 != 1.0 != True here)."""
    assert tagged(actual) == tagged(expected), (actual, expected)


def tagged(value: Any) -> Any:
    """A type-strict image of a JSON value: equal images mean equal values of equal types."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((k, tagged(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("list", tuple(tagged(v) for v in value))
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


# --- exact cases ---------------------------------------------------------------------------


def test_send_day() -> None:
    variant = {
        "variation_name": "Variant 1",
        "sent": 1000,
        "delivered": 980,
        "undelivered": 20,
        "delivery_failed": 5,
        "direct_opens": 40,
        "total_opens": 75,
        "bounces": 15,
        "body_clicks": 22,
        "revenue": 129.5,
        "unique_recipients": 990,
        "conversions": 7,
        "conversions_by_send_time": 6,
        "conversions1": 2,
        "conversions1_by_send_time": 1,
    }
    day = {
        "time": "2026-03-30",
        "messages": {"android_push": [variant]},
        "conversions": 7,
        "conversions_by_send_time": 6,
        "conversions1": 2,
        "conversions1_by_send_time": 1,
        "unique_recipients": 990,
        "revenue": 129.5,
    }
    day_row, rows = flatten_day(day, SEND)
    assert_identical(
        day_row,
        {
            **SEND,
            "time": "2026-03-30",
            "conversions": 7,
            "conversions_by_send_time": 6,
            "conversions1": 2,
            "conversions1_by_send_time": 1,
            "unique_recipients": 990,
            "revenue": 129.5,
            "extra_metrics": None,
        },
    )
    metrics = {k: v for k, v in variant.items() if k != "variation_name"}
    assert_identical(
        rows,
        [
            message_row(
                SEND,
                "2026-03-30",
                "android_push",
                "Variant 1",
                variation_name="Variant 1",
                **metrics,
            )
        ],
    )


def test_multi_channel_campaign_day_keys_variations_by_api_id() -> None:
    day = {
        "time": "2026-03-01",
        "unique_recipients": 300,
        "revenue": 0.0,
        "conversions": 0,
        "messages": {
            "email": [
                {"variation_api_id": "v-a", "sent": 100, "opens": 30, "unique_opens": 25},
                {"variation_api_id": "v-b", "sent": 110, "opens": 31, "reported_spam": 0},
            ],
            "webhook": [{"variation_api_id": "v-a", "sent": 90, "errors": 1}],
        },
    }
    day_row, rows = flatten_day(day, CAMPAIGN)
    assert_identical(
        day_row,
        {
            **CAMPAIGN,
            "time": "2026-03-01",
            "unique_recipients": 300,
            "revenue": 0.0,
            "conversions": 0,
            "extra_metrics": None,
        },
    )
    assert_identical(
        rows,
        [
            message_row(
                CAMPAIGN,
                "2026-03-01",
                "email",
                "v-a",
                variation_api_id="v-a",
                sent=100,
                opens=30,
                unique_opens=25,
            ),
            message_row(
                CAMPAIGN,
                "2026-03-01",
                "email",
                "v-b",
                variation_api_id="v-b",
                sent=110,
                opens=31,
                reported_spam=0,
            ),
            message_row(
                CAMPAIGN, "2026-03-01", "webhook", "v-a", variation_api_id="v-a", sent=90, errors=1
            ),
        ],
    )


def test_multivariate_day_with_control_group() -> None:
    day = {
        "time": "2026-03-02",
        "messages": {
            "in_app_message": [
                {"variation_name": "Variant 1", "impressions": 500, "clicks": 20, "revenue": 15.0},
                {"variation_name": "Variant 2", "impressions": 480, "clicks": 25, "revenue": 0},
                {
                    "variation_name": "Control Group",
                    "enrolled": 55,
                    "conversions": 2,
                    "revenue": 31.99,
                },
            ]
        },
    }
    _, rows = flatten_day(day, CAMPAIGN)
    assert_identical(
        rows,
        [
            message_row(
                CAMPAIGN,
                "2026-03-02",
                "in_app_message",
                "Variant 1",
                variation_name="Variant 1",
                impressions=500,
                clicks=20,
                revenue=15.0,
            ),
            # An integer revenue stays an integer: numbers arrive exactly as Braze sent them.
            message_row(
                CAMPAIGN,
                "2026-03-02",
                "in_app_message",
                "Variant 2",
                variation_name="Variant 2",
                impressions=480,
                clicks=25,
                revenue=0,
            ),
            message_row(
                CAMPAIGN,
                "2026-03-02",
                "in_app_message",
                "Control Group",
                variation_name="Control Group",
                enrolled=55,
                conversions=2,
                revenue=31.99,
            ),
        ],
    )


def test_api_id_wins_over_name_and_both_stay_columns() -> None:
    day = {
        "time": "2026-03-02",
        "messages": {
            "sms": [
                {"variation_api_id": "v-1", "variation_name": "Welcome", "sent": 3},
                {"variation_api_id": "", "variation_name": "Second", "sent": 4},
            ]
        },
    }
    _, rows = flatten_day(day, CAMPAIGN)
    assert_identical(
        rows,
        [
            message_row(
                CAMPAIGN,
                "2026-03-02",
                "sms",
                "v-1",
                variation_api_id="v-1",
                variation_name="Welcome",
                sent=3,
            ),
            message_row(
                CAMPAIGN,
                "2026-03-02",
                "sms",
                "Second",
                variation_api_id="",
                variation_name="Second",
                sent=4,
            ),
        ],
    )


def test_entry_without_any_id_gets_the_placeholder() -> None:
    day = {"time": "2026-03-03", "messages": {"webhook": [{"sent": 9, "errors": 0}]}}
    _, rows = flatten_day(day, CAMPAIGN)
    assert VARIATION_PLACEHOLDER == "(unnamed)"
    assert_identical(
        rows, [message_row(CAMPAIGN, "2026-03-03", "webhook", "(unnamed)", sent=9, errors=0)]
    )


def test_duplicate_ids_get_numbered_suffixes() -> None:
    day = {
        "time": "2026-03-03",
        "messages": {
            "email": [
                {"variation_name": "A", "sent": 1},
                {"variation_name": "A", "sent": 2},
                {"sent": 3},
                {"sent": 4},
                {"variation_name": "A#2", "sent": 5},  # Braze's own name must not collide either
                {"variation_name": "A", "sent": 6},
            ],
            "sms": [{"variation_name": "A", "sent": 7}],  # suffixes count per channel
        },
    }
    _, rows = flatten_day(day, CAMPAIGN)
    assert [(r["channel"], r["variation"], r["sent"]) for r in rows] == [
        ("email", "A", 1),
        ("email", "A#2", 2),
        ("email", "(unnamed)", 3),
        ("email", "(unnamed)#2", 4),
        ("email", "A#2#2", 5),
        ("email", "A#3", 6),
        ("sms", "A", 7),
    ]
    # variation_name keeps what Braze sent, suffix or not.
    assert [r["variation_name"] for r in rows] == ["A", "A", None, None, "A#2", "A", "A"]


@pytest.mark.parametrize(
    ("time", "date"),
    [
        ("2026-03-04", "2026-03-04"),
        ("2026-03-04T00:00:00+00:00", "2026-03-04"),
        ("2026-03-04T23:59:59-05:00", "2026-03-04"),
        ("2026-03-04T10:00:00Z", "2026-03-04"),
        ("2026-03-04T10:00:00.123456+05:30", "2026-03-04"),
    ],
)
def test_time_is_a_date_whatever_braze_sends(time: str, date: str) -> None:
    day_row, rows = flatten_day({"time": time, "messages": {"email": [{"sent": 1}]}}, CAMPAIGN)
    assert day_row["time"] == date
    assert rows[0]["time"] == date
    assert parse_day(time) == dt.date.fromisoformat(date)


@pytest.mark.parametrize("time", [None, "", "03/04/2026", "2026-13-01", 20260304, "2026-03"])
def test_day_without_a_readable_time_is_an_error(time: object) -> None:
    with pytest.raises(MalformedBody, match="time"):
        flatten_day({"time": time}, CAMPAIGN)


def test_unknown_channel_still_gives_rows() -> None:
    day = {
        "time": "2026-03-05",
        "messages": {
            "line": [
                {"variation_api_id": "v-1", "sent": 40, "delivered": 39, "friends_added": 2},
            ]
        },
    }
    _, rows = flatten_day(day, CAMPAIGN)
    assert "line" not in CHANNEL_METRICS
    assert_identical(
        rows,
        [
            message_row(
                CAMPAIGN,
                "2026-03-05",
                "line",
                "v-1",
                variation_api_id="v-1",
                sent=40,
                delivered=39,
                extra_metrics={"friends_added": 2},
            ),
        ],
    )


def test_unknown_and_mistyped_values_go_to_extra_metrics() -> None:
    day = {
        "time": "2026-03-06",
        "conversions4": 3,  # not documented
        "unique_recipients": "12",  # a count as text
        "conversions": 2.0,  # a count as float
        "revenue": "9.99",  # money as text
        "conversions1": True,  # a bool is not a count
        "conversions2": None,  # null fits any column
        "messages": {
            "email": [
                {
                    "variation_name": "V",
                    "sent": 10,
                    "opens": 1.5,
                    "clicks": False,
                    "machine_amp_open": 4,
                    "new_metric": {"nested": [1, 2.5, None]},
                    "revenue": 7,
                }
            ]
        },
    }
    day_row, rows = flatten_day(day, CAMPAIGN)
    assert_identical(
        day_row,
        {
            **CAMPAIGN,
            "time": "2026-03-06",
            "conversions2": None,
            "extra_metrics": {
                "conversions4": 3,
                "unique_recipients": "12",
                "conversions": 2.0,
                "revenue": "9.99",
                "conversions1": True,
            },
        },
    )
    assert_identical(
        rows,
        [
            message_row(
                CAMPAIGN,
                "2026-03-06",
                "email",
                "V",
                variation_name="V",
                sent=10,
                machine_amp_open=4,
                revenue=7,
                extra_metrics={
                    "opens": 1.5,
                    "clicks": False,
                    "new_metric": {"nested": [1, 2.5, None]},
                },
            )
        ],
    )


def test_ints_stay_ints_and_floats_stay_floats() -> None:
    day = {
        "time": "2026-03-07",
        "revenue": 10,
        "unique_recipients": 2**63,
        "messages": {"ios_push": [{"sent": 5, "revenue": 5.0}, {"sent": 6, "revenue": 1e-7}]},
    }
    day_row, rows = flatten_day(day, CAMPAIGN)
    assert type(day_row["revenue"]) is int
    assert day_row["unique_recipients"] == 2**63
    assert [type(r["revenue"]) for r in rows] == [float, float]
    assert [r["revenue"] for r in rows] == [5.0, 1e-7]
    assert [type(r["sent"]) for r in rows] == [int, int]


def test_odd_shapes_are_kept_not_dropped() -> None:
    day = {
        "time": "2026-03-08",
        "messages": {
            "email": {"variation_name": "lone object", "sent": 1},  # an object, not a list
            "sms": [{"variation_name": "ok", "sent": 2}, 7, "x"],  # objects beside strays
            "webhook": None,
            "web_push": [],
        },
    }
    day_row, rows = flatten_day(day, CAMPAIGN)
    assert [(r["channel"], r["variation"], r["sent"]) for r in rows] == [
        ("email", "lone object", 1),
        ("sms", "ok", 2),
    ]
    # A null channel (as real Braze bodies show) is a channel with no rows: nothing to keep.
    assert_identical(day_row["extra_metrics"], {"messages.sms": [7, "x"]})

    for messages in (None, [], "none", 0):
        day_row, rows = flatten_day({"time": "2026-03-08", "messages": messages}, CAMPAIGN)
        assert rows == []
        assert_identical(day_row["extra_metrics"], {"messages": messages})


def test_a_day_without_messages() -> None:
    day_row, rows = flatten_day({"time": "2026-03-09", "unique_recipients": 4}, SEND)
    assert rows == []
    assert day_row == {**SEND, "time": "2026-03-09", "unique_recipients": 4, "extra_metrics": None}


def test_non_string_ids_are_kept_in_extras() -> None:
    day = {"time": "2026-03-10", "messages": {"email": [{"variation_api_id": 17, "sent": 1}]}}
    _, rows = flatten_day(day, CAMPAIGN)
    assert_identical(
        rows,
        [
            message_row(
                CAMPAIGN,
                "2026-03-10",
                "email",
                "17",
                sent=1,
                extra_metrics={"variation_api_id": 17},
            )
        ],
    )


# --- property: every value lands in exactly one place --------------------------------------

# Names carry no "." so that the "messages.<channel>" extras of odd shapes stay unambiguous.
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12)
metric_names = st.sampled_from(sorted({*MESSAGE_METRICS, *DAY_TOTAL_METRICS})) | names
channel_names = st.sampled_from([*CHANNEL_METRICS, "trigger_in_app_message", "line"]) | names
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)
# Mostly well-typed numbers, as Braze sends them; the rest arbitrary.
metric_values = st.integers(0, 10**9) | st.floats(0, 1e6) | values
identity = st.none() | st.text(max_size=6) | st.sampled_from(["A", "A", "A#2", ""]) | st.integers()


@st.composite
def entries(draw: st.DrawFn) -> Any:
    entry = draw(st.dictionaries(metric_names, metric_values, max_size=8))
    for key in IDENTITY:
        if draw(st.booleans()):
            entry[key] = draw(identity)
    return entry


channel_values = (
    st.lists(entries(), max_size=4)
    | entries()
    | st.lists(entries() | scalars, max_size=4)
    | scalars
)


@st.composite
def times(draw: st.DrawFn) -> tuple[str, str]:
    """A Braze ``time`` and the date it stands for."""
    day = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
    suffix = draw(
        st.sampled_from(
            ["", "T00:00:00+00:00", "T23:59:59-05:00", "T12:00:00Z", "T01:02:03.5+09:30"]
        )
    )
    return day.isoformat() + suffix, day.isoformat()


@st.composite
def days(draw: st.DrawFn) -> tuple[dict, str]:
    time, date = draw(times())
    # "time" and "messages" are the day's structure; any other name is a day-level metric.
    day_metrics = metric_names.filter(lambda name: name not in ("time", "messages"))
    day: dict[str, Any] = {"time": time}
    day.update(draw(st.dictionaries(day_metrics, metric_values, max_size=8)))
    shape = draw(st.sampled_from(["mapping", "mapping", "mapping", "absent", "odd"]))
    if shape == "mapping":
        day["messages"] = draw(st.dictionaries(channel_names, channel_values, max_size=4))
    elif shape == "odd":
        day["messages"] = draw(values)
    return day, date


def input_leaves(day: dict) -> list[tuple]:
    """Every (place, value) Braze sent, ``time`` aside."""
    leaves = [(("day", k), v) for k, v in day.items() if k not in ("time", "messages")]
    if "messages" not in day:
        return leaves
    messages = day["messages"]
    if not isinstance(messages, dict):
        return [*leaves, (("day", "messages"), messages)]
    for channel, value in messages.items():
        if value is None:
            continue  # a null channel holds no value: no rows, nothing in extras
        if not isinstance(value, list | dict):
            leaves.append((("channel", channel), value))
            continue
        items = [value] if isinstance(value, dict) else value
        objects = [e for e in items if isinstance(e, dict)]
        strays = [e for e in items if not isinstance(e, dict)]
        if strays:
            leaves.append((("channel", channel), strays))
        for index, entry in enumerate(objects):
            leaves.extend(
                (("entry", channel, index, k), v)
                for k, v in entry.items()
                if not (k in IDENTITY and v is None)  # a null id means "no id"
            )
    return leaves


def output_leaves(partition: dict, day_row: dict, rows: list[dict]) -> list[tuple]:
    """Every (place, value) in the output, mapped back to where it came from."""
    leaves: list[tuple] = []
    for key, value in day_row.items():
        if key in partition or key == "time":
            continue
        if key != "extra_metrics":
            leaves.append((("day", key), value))
            continue
        for name, extra in (value or {}).items():
            if name == "messages":
                leaves.append((("day", "messages"), extra))
            elif name.startswith("messages."):
                leaves.append((("channel", name.removeprefix("messages.")), extra))
            else:
                leaves.append((("day", name), extra))
    index_in_channel: dict[str, int] = defaultdict(int)
    for row in rows:
        channel = row["channel"]
        index = index_in_channel[channel]
        index_in_channel[channel] += 1
        for key, value in row.items():
            if key in partition or key in ("time", "channel", "variation"):
                continue
            if key in IDENTITY and value is None:
                continue
            if key == "extra_metrics":
                leaves.extend(
                    (("entry", channel, index, name), extra)
                    for name, extra in (value or {}).items()
                )
            else:
                leaves.append((("entry", channel, index, key), value))
    return leaves


def _image(leaves: list[tuple]) -> list[tuple]:
    return sorted((repr(place), repr(tagged(value))) for place, value in leaves)


def _property_fits(schema: dict, name: str, value: Any) -> bool:
    """Whether a value belongs in a column: valid for the schema, and a float never counts as
    an integer (jsonschema accepts 2.0 as an integer; a target would then change its type)."""
    prop = schema["properties"][name]
    if isinstance(value, float) and "number" not in prop["type"]:
        return False
    return Draft7Validator(prop).is_valid(value)


@settings(max_examples=400, deadline=None)
@given(generated=days(), is_send=st.booleans())
def test_every_value_lands_in_exactly_one_place(generated: tuple[dict, str], is_send: bool) -> None:
    day, date = generated
    partition = SEND if is_send else CAMPAIGN
    day_schema, message_schema = (
        (SEND_DAY_SCHEMA, SEND_MESSAGE_SCHEMA)
        if is_send
        else (CAMPAIGN_DAY_SCHEMA, CAMPAIGN_MESSAGE_SCHEMA)
    )
    day_row, rows = flatten_day(day, partition)

    # 1. Each value is in exactly one place, with the same value and type.
    assert _image(output_leaves(partition, day_row, rows)) == _image(input_leaves(day))

    # 2. Rows validate against the stream schemas; keys are right.
    checker = FormatChecker()
    for row, schema in [(day_row, day_schema)] + [(r, message_schema) for r in rows]:
        validator = Draft7Validator(schema, format_checker=checker)
        errors = [e.message for e in validator.iter_errors(row)]
        assert not errors, (row, errors)
        assert {k: row[k] for k in partition} == partition
        assert row["time"] == date

    # 3. A documented name goes to extras only when its value does not fit its column.
    for row, schema in [(day_row, day_schema)] + [(r, message_schema) for r in rows]:
        for name, value in (row["extra_metrics"] or {}).items():
            if name in schema["properties"] and name not in IDENTITY:
                assert not _property_fits(schema, name, value), (name, value)

    # 4. One row per object entry, in order, with a unique, well-formed variation.
    messages = day.get("messages")
    expected_rows = []
    if isinstance(messages, dict):
        for channel, value in messages.items():
            items = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
            expected_rows += [(channel, e) for e in items if isinstance(e, dict)]
    assert [r["channel"] for r in rows] == [channel for channel, _ in expected_rows]
    keys = [(r["channel"], r["variation"]) for r in rows]
    assert len(set(keys)) == len(keys)
    for row, (_, entry) in zip(rows, expected_rows, strict=True):
        ids = [entry.get(k) for k in IDENTITY if entry.get(k) not in (None, "")]
        base = str(ids[0]) if ids else VARIATION_PLACEHOLDER
        assert row["variation"] == base or row["variation"].startswith(base + "#")


def test_repeated_variation_names_get_suffixes_in_linear_work() -> None:
    """n copies of one name: A, A#2, ..., A#n, and a Braze name "A#2" beside them still
    unique; counted, not timed (counting each suffix from 1 cost n^2 / 2 lookups: 16,000
    copies in one body took 20 s)."""
    from tap_braze_sends.braze.flatten.series_rows import unique_variation

    lookups = 0

    class Counting(dict):
        def __contains__(self, key: object) -> bool:
            nonlocal lookups
            lookups += 1
            return super().__contains__(key)

    used: dict[str, int] = Counting()
    names = ["A", "A#2", "A", "A", "B", "A#2"]
    assert [unique_variation(n, used) for n in names] == ["A", "A#2", "A#3", "A#4", "B", "A#2#2"]
    lookups = 0
    got = [unique_variation("C", used) for _ in range(2_000)]
    assert got == ["C", *(f"C#{k}" for k in range(2, 2_001))]
    assert lookups <= 2 * 2_000, lookups
