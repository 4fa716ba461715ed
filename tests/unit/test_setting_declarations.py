"""Each setting is declared once: the config schema, the `Settings` fields and defaults and the
parsing all come from its declaration, and cannot drift from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from contract import WORKSPACE_SETTINGS

from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.config_schema import CONFIG_SCHEMA, SPECS, settings_giving
from tap_braze_sends.settings import (
    DATA_SOURCES,
    ConfigError,
    Settings,
    parse_settings,
    partitions_given,
)

TODAY = dt.date(2026, 3, 31)
BASE = {"api_key": "k-123", "api_url": "https://rest.iad-01.braze.com", "campaign_ids": ["c1"]}


def test_the_schema_has_each_declared_setting_once_in_order() -> None:
    # The SDK appends its own settings (stream maps, flattening) to the tap's schema in place
    # once a tap is built in this process: the declared ones come first.
    assert list(CONFIG_SCHEMA["properties"])[: len(SPECS)] == [spec.name for spec in SPECS]
    assert CONFIG_SCHEMA["required"] == ["api_key", "api_url"]
    for spec in SPECS:
        prop = CONFIG_SCHEMA["properties"][spec.name]
        assert prop["description"] == spec.description, spec.name
        assert prop["title"] == spec.title, spec.name
        assert prop.get("default") == spec.json_default, spec.name
        assert bool(prop.get("secret")) == spec.secret, spec.name


def test_settings_has_one_field_per_declared_setting_with_its_default() -> None:
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    assert set(fields) == {spec.name for spec in SPECS}
    for spec in SPECS:
        field = fields[spec.name]
        if field.default is dataclasses.MISSING:
            # Required, or a default that depends on the day (start_date, end_date).
            assert spec.required or spec.name in {"start_date", "end_date"}, spec.name
        else:
            assert field.default == spec.default, spec.name


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.json_default is not None], ids=lambda s: s.name
)
def test_the_schema_default_given_explicitly_is_the_default(spec: Any) -> None:
    base = {**BASE, "canvas_ids": ["cv1"]}  # still something to extract with campaign_ids=[]
    given = parse_settings({**base, spec.name: spec.json_default}, TODAY)
    assert getattr(given, spec.name) == spec.default
    if spec.name not in base:
        assert getattr(given, spec.name) == getattr(parse_settings(base, TODAY), spec.name)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_declared_setting_is_parsed_and_a_bad_value_named(spec: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({**BASE, spec.name: {"not": "a value of any setting"}}, TODAY)
    assert [p for p in caught.value.problems if p.startswith(f"{spec.name}:")], (
        caught.value.problems
    )


def test_the_settings_that_ask_for_data() -> None:
    """Every setting that says what to extract (the run's "nothing to extract" check asks
    the selected streams which of them they need)."""
    assert (
        "sends",
        "sends_file",
        "campaign_ids",
        "all_campaigns",
        "canvas_ids",
        "all_canvases",
        *WORKSPACE_SETTINGS,
    ) == DATA_SOURCES
    gives = {spec.name: spec.gives for spec in SPECS if spec.gives}
    assert gives == {
        "sends": "send",
        "sends_file": "send",
        "campaign_ids": "campaign",
        "all_campaigns": "campaign",
        "canvas_ids": "canvas",
        "all_canvases": "canvas",
        "app_ids": "app",
        "segment_ids": "segment",
        "all_segments": "segment",
        "breakdown_segment_ids": "breakdown_segment",
        "event_names": "event",
        "all_events": "event",
        "products": "product",
        "all_products": "product",
    }


def test_partitions_given_are_those_of_the_settings_a_config_sets(tmp_path: Any) -> None:
    empty = tmp_path / "sends.csv"
    empty.write_text("campaign_id,send_id\n")
    settings = parse_settings(
        {
            **BASE,
            "campaign_ids": [],
            "all_canvases": True,
            "sends_file": str(empty),  # named, empty today: still asks for sends
            "event_names": ["Added to Cart"],
            "all_products": True,
            "app_ids": [],
            "all_segments": False,
        },
        TODAY,
    )
    assert partitions_given(settings) == {"canvas", "send", "event", "product"}
    assert settings_giving(["segment", "event"]) == (
        "segment_ids",
        "all_segments",
        "event_names",
        "all_events",
    )


def _settings_named_by(source: Any) -> set[str]:
    named = {getattr(source, "setting", None)}
    for inner in getattr(source, "sources", ()):
        named |= _settings_named_by(inner)
    return named - {None}


def test_the_endpoint_descriptions_name_only_declared_settings_that_give_their_partitions() -> None:
    """The descriptions say which settings feed an endpoint; the declarations say what each
    setting gives. Both must agree, so that a check per stream can read either."""
    declared = {spec.name: spec for spec in SPECS}
    for family in BRAZE.catalogues:
        assert set(family.asked_by) <= set(declared), family.list_path
        gives = {declared[name].gives for name in family.asked_by}
        assert len(gives) == 1, (family.list_path, gives)
        assert settings_giving(gives) == family.asked_by, family.list_path
        if family.discovered_by is not None:
            assert family.discovered_by in family.asked_by
            assert declared[family.discovered_by].default is False
    for series in BRAZE.series:
        for name in _settings_named_by(series.partitions):
            assert name in declared, (series, name)
            assert declared[name].gives is not None, name
