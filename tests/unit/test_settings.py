"""parse_settings: defaults, values as --config ENV gives them, and one clear problem per
bad setting that names the setting and the value, never the API key."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from tap_braze_sends.settings import ConfigError, SendKey, parse_settings

TODAY = dt.date(2026, 3, 31)
KEY = "zq-SECRET-7f3a9c-key"  # distinctive, so any echo of it is found
URL = "https://rest.iad-01.braze.com"


def config(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"api_key": KEY, "api_url": URL, "campaign_ids": ["camp-1"]}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not _DROP}


_DROP = object()


def problems_of(cfg: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(cfg, TODAY)
    error = caught.value
    # The key never appears, in the problems or in the whole message.
    assert KEY not in str(error)
    assert all(KEY not in p for p in error.problems)
    return error.problems


def test_defaults() -> None:
    """Every default, written out here rather than read from the declarations under test."""
    settings = parse_settings(config(), TODAY)
    assert dataclasses.asdict(settings) == {
        "api_key": KEY,
        "api_url": URL,
        "sends": (),
        "sends_file": None,
        "campaign_ids": ("camp-1",),
        "all_campaigns": False,
        "include_archived": True,
        "canvas_ids": (),
        "all_canvases": False,
        "include_deleted_steps": True,
        "app_ids": (),
        "segment_ids": (),
        "all_segments": False,
        "breakdown_segment_ids": (),
        "event_names": (),
        "all_events": False,
        "products": (),
        "all_products": False,
        "shard": None,
        "start_date": dt.date(2026, 3, 17),
        "end_date": TODAY,
        "lookback_days": 14,
        "window_days": 100,
        "max_parallel_requests": 8,
        "request_timeout": 60.0,
        "max_retries": 8,
        "retry_initial_wait": 0.1,
        "max_rate_limit_wait": 900.0,
    }


def test_default_start_is_14_days_before_end_date() -> None:
    settings = parse_settings(config(end_date="2026-02-10"), TODAY)
    assert (settings.start_date, settings.end_date) == (dt.date(2026, 1, 27), dt.date(2026, 2, 10))


def test_blank_and_null_dates_take_defaults() -> None:
    settings = parse_settings(config(start_date="", end_date=None), TODAY)
    assert (settings.start_date, settings.end_date) == (dt.date(2026, 3, 17), TODAY)


def test_full_config() -> None:
    settings = parse_settings(
        config(
            api_url=URL + "/",
            sends=[{"campaign_id": "c1", "send_id": "s1"}, {"campaign_id": "c1", "send_id": "s2"}],
            campaign_ids=["a", "b"],
            start_date="2026-01-01",
            end_date="2026-03-01T12:00:00Z",
            lookback_days=0,
            window_days=1,
            request_timeout=2.5,
            max_retries=0,
            max_rate_limit_wait=30,
            max_parallel_requests=64,
        ),
        TODAY,
    )
    assert settings.api_url == URL  # a trailing slash is harmless and dropped
    assert settings.sends == (SendKey("c1", "s1"), SendKey("c1", "s2"))
    assert settings.campaign_ids == ("a", "b")
    assert (settings.start_date, settings.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    assert (settings.lookback_days, settings.window_days) == (0, 1)
    assert (settings.request_timeout, settings.max_retries) == (2.5, 0)
    assert (settings.max_rate_limit_wait, settings.max_parallel_requests) == (30.0, 64)


def test_string_values_as_config_env_gives_them() -> None:
    # --config ENV passes numbers (and anything not integer-typed) as text.
    settings = parse_settings(
        config(
            start_date="2026-02-01",
            end_date="2026-03-15",
            lookback_days="3",
            window_days="7",
            request_timeout="1.5",
            max_retries="2",
            max_rate_limit_wait="60",
            max_parallel_requests="4",
        ),
        TODAY,
    )
    assert (settings.start_date, settings.end_date) == (dt.date(2026, 2, 1), dt.date(2026, 3, 15))
    assert (settings.lookback_days, settings.window_days) == (3, 7)
    assert (settings.request_timeout, settings.max_retries) == (1.5, 2)
    assert (settings.max_rate_limit_wait, settings.max_parallel_requests) == (60.0, 4)


def test_sends_alone_are_enough() -> None:
    settings = parse_settings(
        config(campaign_ids=_DROP, sends=[{"campaign_id": " c1 ", "send_id": "s1"}]), TODAY
    )
    assert settings.sends == (SendKey("c1", "s1"),)
    assert settings.campaign_ids == ()


# One invalid setting at a time: (overrides, the setting named, the value shown).
INVALID: list[tuple[dict[str, Any], str, str]] = [
    ({"api_url": _DROP}, "api_url", "is required"),
    ({"api_url": ""}, "api_url", "is required"),
    ({"api_url": "rest.iad-01.braze.com"}, "api_url", "'rest.iad-01.braze.com'"),
    ({"api_url": "ftp://rest.iad-01.braze.com"}, "api_url", "'ftp://rest.iad-01.braze.com'"),
    ({"api_url": URL + "/sends/data_series"}, "api_url", f"'{URL}/sends/data_series'"),
    ({"api_url": URL + "?x=1"}, "api_url", f"'{URL}?x=1'"),
    ({"window_days": 0}, "window_days", "0"),
    ({"window_days": 101}, "window_days", "101"),
    ({"window_days": "seven"}, "window_days", "'seven'"),
    ({"window_days": 7.5}, "window_days", "7.5"),
    ({"window_days": True}, "window_days", "True"),
    ({"lookback_days": -1}, "lookback_days", "-1"),
    ({"lookback_days": "-3"}, "lookback_days", "'-3'"),
    ({"start_date": "2026-02-30"}, "start_date", "'2026-02-30'"),
    ({"start_date": "yesterday"}, "start_date", "'yesterday'"),
    ({"end_date": "03/31/2026"}, "end_date", "'03/31/2026'"),
    ({"end_date": 20260331}, "end_date", "20260331"),
    ({"start_date": "2026-03-20", "end_date": "2026-03-10"}, "start_date", "2026-03-20"),
    ({"sends": {"campaign_id": "c", "send_id": "s"}}, "sends", "'send_id': 's'"),
    ({"sends": [{"campaign_id": "c1"}]}, "sends[0]", "missing send_id"),
    ({"sends": [{"send_id": "s1", "campaign_id": ""}]}, "sends[0]", "missing campaign_id"),
    ({"sends": ["c1/s1"]}, "sends[0]", "'c1/s1'"),
    (
        {"sends": [{"campaign_id": "c1", "send_id": "s1"}, {"campaign_id": "c1", "send_id": "s1"}]},
        "sends[1]",
        "send_id='s1'",
    ),
    ({"campaign_ids": 17}, "campaign_ids", "got 17"),
    # Text is a JSON list or ids separated by commas (Meltano passes a variable as text);
    # a broken JSON list is no id.
    ({"campaign_ids": '["camp-1"'}, "campaign_ids", "is not a JSON list (Expecting ','"),
    ({"campaign_ids": "camp-1,camp-1"}, "campaign_ids[1]", "duplicate campaign id 'camp-1'"),
    ({"sends": "c1,s1"}, "sends", "'c1,s1' is not a JSON list (Expecting value"),
    ({"campaign_ids": ["camp-1", "camp-1"]}, "campaign_ids[1]", "'camp-1'"),
    ({"campaign_ids": ["camp-1", ""]}, "campaign_ids[1]", "''"),
    ({"campaign_ids": ["camp-1", 42]}, "campaign_ids[1]", "42"),
    ({"request_timeout": 0}, "request_timeout", "0"),
    ({"request_timeout": "soon"}, "request_timeout", "'soon'"),
    ({"max_retries": -2}, "max_retries", "-2"),
    ({"max_rate_limit_wait": -5}, "max_rate_limit_wait", "-5"),
    ({"max_parallel_requests": 0}, "max_parallel_requests", "0"),
    ({"max_parallel_requests": 65}, "max_parallel_requests", "65"),
]


@pytest.mark.parametrize(
    ("overrides", "setting", "shown"), INVALID, ids=[f"{s}={v}" for _, s, v in INVALID]
)
def test_each_invalid_setting_is_one_named_problem(
    overrides: dict[str, Any], setting: str, shown: str
) -> None:
    problems = problems_of(config(**overrides))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{setting}:"), problems
    assert shown in problems[0], problems


@pytest.mark.parametrize("api_key", [_DROP, "", "   ", None, 12345])
def test_missing_or_empty_api_key(api_key: object) -> None:
    problems = problems_of(config(api_key=api_key))
    assert len(problems) == 1
    assert problems[0].startswith("api_key: is required")


def test_all_problems_are_reported_at_once() -> None:
    problems = problems_of(
        config(api_url="nope", window_days=0, lookback_days=-1, start_date="x", campaign_ids=[])
    )
    assert [p.split(":")[0] for p in problems] == [
        "api_url",
        "start_date",
        "lookback_days",
        "window_days",
    ]
    assert "Invalid tap-braze-sends config" in str(ConfigError(problems))


@pytest.mark.parametrize(
    "overrides",
    [
        {"api_url": f"{URL}/?api_key={KEY}"},
        {"api_url": f"https://{KEY}@rest.iad-01.braze.com/x"},
        {"sends": [{"campaign_id": KEY}]},
        {"campaign_ids": [KEY, KEY]},
        {"start_date": KEY},
        {"window_days": KEY},
        {"request_timeout": KEY},
    ],
    ids=["url-query", "url-userinfo", "send", "campaign", "date", "int", "seconds"],
)
def test_a_key_pasted_into_another_setting_is_never_echoed(overrides: dict[str, Any]) -> None:
    problems = problems_of(config(**overrides))
    assert problems
    assert all(KEY not in p and "7f3a9c" not in p for p in problems), problems
    # Masked where quoted; a user:password@ URL is not quoted at all.
    assert all("***" in p or "user:password@" in p for p in problems), problems


def test_key_with_quotes_is_masked_in_its_repr_form_too() -> None:
    key = "it's-a-\\secret-key"
    with pytest.raises(ConfigError) as caught:
        parse_settings({"api_key": key, "api_url": "x", "campaign_ids": [key, key]}, TODAY)
    text = str(caught.value)
    assert key not in text
    assert repr(key)[1:-1] not in text
    assert "campaign_ids[1]" in text
