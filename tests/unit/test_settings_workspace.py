"""The workspace settings (apps, segments, custom events, products): lists of ids and of
free-text names, strict like campaign_ids, but names keep every character a person can type."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_settings import KEY, TODAY, config, problems_of

from tap_braze_sends.settings import parse_settings

LISTS = ("app_ids", "segment_ids", "breakdown_segment_ids", "event_names", "products")
FLAGS = ("all_segments", "all_events", "all_products")
# Free text as Braze shows it: spaces, &, /, %, quotes, non-ASCII, an emoji with its zero-width
# joiner, a no-break space.
AWKWARD = [
    "Added to Cart",
    "Q&A / FAQ 100% \"done\" 'ok'",
    "café crème ☕",
    "注文 完了",
    "👩\u200d💻 signup",
    "two  spaces\u00a0nbsp",
    "a,b",
]


def test_defaults_are_empty_and_off() -> None:
    settings = parse_settings(config(), TODAY)
    assert [getattr(settings, name) for name in LISTS] == [()] * 5
    assert [getattr(settings, name) for name in FLAGS] == [False] * 3


def test_values_become_tuples_and_bools() -> None:
    settings = parse_settings(
        config(
            app_ids=["app-ios", "app-android"],
            segment_ids=["seg-1"],
            breakdown_segment_ids=["seg-2", "seg-1"],
            event_names=["Added to Cart"],
            products=["Pro plan"],
            all_segments=True,
            all_events="true",
            all_products="1",
        ),
        TODAY,
    )
    assert settings.app_ids == ("app-ios", "app-android")
    assert settings.segment_ids == ("seg-1",)
    assert settings.breakdown_segment_ids == ("seg-2", "seg-1")
    assert settings.event_names == ("Added to Cart",)
    assert settings.products == ("Pro plan",)
    assert (settings.all_segments, settings.all_events, settings.all_products) == (True,) * 3


@pytest.mark.parametrize("name", ["event_names", "products"])
def test_names_are_kept_exactly_inside_and_stripped_around(name: str) -> None:
    given = [f"  {AWKWARD[0]} ", *AWKWARD[1:]]
    assert getattr(parse_settings(config(**{name: given}), TODAY), name) == tuple(AWKWARD)


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"event_names": {"a": 1}}, "event_names: must be a list of event names, got {'a': 1}"),
    ({"event_names": "A,B, A"}, "event_names[2]: duplicate event name ' A'"),
    ({"event_names": ["ok", 42]}, "event_names[1]: 42 is not an event name"),
    ({"event_names": ["ok", "  "]}, "event_names[1]: '  ' is not an event name"),
    ({"event_names": ["Buy", " Buy"]}, "event_names[1]: duplicate event name ' Buy'"),
    (
        {"event_names": ["line\nbreak"]},
        "event_names[0]: the event name holds a control character '\\n' (character 5)",
    ),
    (
        {"products": ["tab\there"]},
        "products[0]: the product name holds a control character '\\t' (character 4)",
    ),
    (
        {"products": ["para\u2029graph"]},
        "products[0]: the product name holds a control character '\\u2029' (character 5)",
    ),
    ({"products": ["x" * 1025]}, "products[0]: the product name is 1025 characters long"),
    ({"products": [None]}, "products[0]: None is not a product name"),
    ({"app_ids": ["a", "a"]}, "app_ids[1]: duplicate app id 'a'"),
    ({"app_ids": [""]}, "app_ids[0]: '' is not an app id"),
    ({"app_ids": '["a"'}, "app_ids: '[\"a\"' is not a JSON list (Expecting ',' delimiter"),
    # Ids follow the id rules: a no-break space is no part of a Braze identifier.
    ({"segment_ids": ["seg\u00a01"]}, "segment_ids[0]: the segment id holds a control"),
    ({"breakdown_segment_ids": [7]}, "breakdown_segment_ids[0]: 7 is not a segment id"),
    ({"all_segments": "sometimes"}, "all_segments: 'sometimes' must be true or false"),
    ({"all_events": 2}, "all_events: 2 must be true or false"),
    ({"all_products": [True]}, "all_products: [True] must be true or false"),
]


@pytest.mark.parametrize(("overrides", "expected"), INVALID, ids=[e for _, e in INVALID])
def test_each_bad_value_is_one_problem_naming_setting_and_place(
    overrides: dict[str, Any], expected: str
) -> None:
    problems = problems_of(config(**overrides))
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems


RESERVED = {
    "app_ids": "it is the app_id of the rows over all apps, which are always read",
    "segment_ids": "set all_segments to true to read every analytics-tracked segment",
    "breakdown_segment_ids": "it is the segment_id of the rows over all users",
    "event_names": "set all_events to true to read every custom event",
    "products": "set all_products to true to read every product one by one",
}


@pytest.mark.parametrize("name", LISTS)
def test_a_configured_star_is_a_clear_error(name: str) -> None:
    problems = problems_of(config(**{name: ["ok", " * "]}))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{name}[1]: '*' is reserved: "), problems
    assert RESERVED[name] in problems[0]


def test_a_star_inside_a_name_is_just_a_character() -> None:
    settings = parse_settings(config(event_names=["5* review"], products=["*new*"]), TODAY)
    assert (settings.event_names, settings.products) == (("5* review",), ("*new*",))


def test_the_key_in_a_name_list_is_never_echoed() -> None:
    problems = problems_of(config(event_names=[KEY, KEY], products=[KEY, f" {KEY} "]))
    assert len(problems) == 2
    assert all("***" in p for p in problems), problems


def test_every_list_problem_is_reported_at_once() -> None:
    problems = problems_of(
        config(app_ids=["*"], segment_ids=[""], event_names=["a", "a"], products=5)
    )
    assert [p.split(":")[0] for p in problems] == [
        "app_ids[0]",
        "segment_ids[0]",
        "event_names[1]",
        "products",
    ]


_BREAKING = {"Cc", "Cs", "Zl", "Zp"}
names = st.text(
    st.characters(blacklist_categories=tuple(_BREAKING)), min_size=1, max_size=30
).filter(lambda s: s.strip() not in {"", "*"})


@settings(max_examples=200, deadline=None)
@given(st.lists(names, max_size=6, unique_by=str.strip))
def test_any_typed_names_round_trip_exactly_but_for_surrounding_whitespace(
    given_names: list[str],
) -> None:
    for name in ("event_names", "products"):
        parsed = parse_settings(config(**{name: given_names}), TODAY)
        assert getattr(parsed, name) == tuple(n.strip() for n in given_names)


@settings(max_examples=200, deadline=None)
@given(names, st.sampled_from(["\n", "\r", "\t", "\x00", "\x7f", "\x85", "\u2028", "\u2029"]))
def test_a_line_breaking_character_anywhere_inside_is_refused(name: str, bad: str) -> None:
    cut = len(name) // 2
    problems = problems_of(config(event_names=[f"x{name[:cut]}{bad}{name[cut:]}x"]))
    assert len(problems) == 1
    assert problems[0].startswith("event_names[0]: the event name holds a control character")
