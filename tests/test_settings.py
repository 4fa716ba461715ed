"""parse_settings: defaults, values as --config ENV gives them, and one clear problem per
bad setting that names the setting and the value, never the API key."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tap_braze_sends.settings import (
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_MAX_PARALLEL_REQUESTS,
    DEFAULT_MAX_RATE_LIMIT_WAIT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_WINDOW_DAYS,
    ConfigError,
    SendKey,
    Settings,
    parse_settings,
)

TODAY = dt.date(2026, 3, 31)
NOTHING = "sends / sends_file / campaign_ids / all_campaigns / canvas_ids / all_canvases"
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
    settings = parse_settings(config(), TODAY)
    assert settings == Settings(
        api_key=KEY,
        api_url=URL,
        sends=(),
        campaign_ids=("camp-1",),
        start_date=dt.date(2026, 3, 17),
        end_date=TODAY,
        lookback_days=DEFAULT_LOOKBACK_DAYS,
        window_days=DEFAULT_WINDOW_DAYS,
        request_timeout=DEFAULT_REQUEST_TIMEOUT,
        max_retries=DEFAULT_MAX_RETRIES,
        max_rate_limit_wait=DEFAULT_MAX_RATE_LIMIT_WAIT,
        max_parallel_requests=DEFAULT_MAX_PARALLEL_REQUESTS,
    )
    assert (DEFAULT_LOOKBACK_DAYS, DEFAULT_WINDOW_DAYS) == (14, 100)


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
    ({"campaign_ids": "camp-1"}, "campaign_ids", "'camp-1'"),
    ({"campaign_ids": ["camp-1", "camp-1"]}, "campaign_ids[1]", "'camp-1'"),
    ({"campaign_ids": ["camp-1", ""]}, "campaign_ids[1]", "''"),
    ({"campaign_ids": ["camp-1", 42]}, "campaign_ids[1]", "42"),
    ({"campaign_ids": [], "sends": []}, NOTHING, "nothing to extract"),
    ({"campaign_ids": _DROP}, NOTHING, "nothing to extract"),
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
        NOTHING,
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
    assert all("***" in p for p in problems), problems


def test_key_with_quotes_is_masked_in_its_repr_form_too() -> None:
    key = "it's-a-\\secret-key"
    with pytest.raises(ConfigError) as caught:
        parse_settings({"api_key": key, "api_url": "x", "campaign_ids": [key, key]}, TODAY)
    text = str(caught.value)
    assert key not in text
    assert repr(key)[1:-1] not in text
    assert "campaign_ids[1]" in text


# --- settings of discovery (issue 9) and Canvases (issue 10) ---------------------------------


def test_defaults_of_the_new_settings() -> None:
    settings = parse_settings(config(), TODAY)
    assert settings.retry_initial_wait == 1.0
    assert settings.sends_file is None
    assert (settings.all_campaigns, settings.include_archived) == (False, True)
    assert (settings.canvas_ids, settings.all_canvases) == ((), False)
    assert settings.include_deleted_steps is True
    assert settings.shard is None


def test_new_settings_as_json_values() -> None:
    settings = parse_settings(
        config(
            all_campaigns=True,
            include_archived=False,
            canvas_ids=[" cv-1 ", "cv-2"],
            all_canvases=True,
            include_deleted_steps=False,
            shard="2/8",
            retry_initial_wait=0.25,
        ),
        TODAY,
    )
    assert (settings.all_campaigns, settings.include_archived) == (True, False)
    assert settings.canvas_ids == ("cv-1", "cv-2")
    assert (settings.all_canvases, settings.include_deleted_steps) == (True, False)
    assert settings.shard == (2, 8)
    assert settings.retry_initial_wait == 0.25


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        (" 1 ", True),
        ("yes", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("no", False),
    ],
)
def test_booleans_as_text(text: str, expected: bool) -> None:
    settings = parse_settings(
        config(
            all_campaigns=text, include_archived=text, all_canvases=text, include_deleted_steps=text
        ),
        TODAY,
    )
    assert settings.all_campaigns is expected
    assert settings.include_archived is expected
    assert settings.all_canvases is expected
    assert settings.include_deleted_steps is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1/1", (1, 1)),
        ("1/8", (1, 8)),
        ("8/8", (8, 8)),
        (" 3 / 4 ", (3, 4)),
        ("", None),
        ("all", None),
        (None, None),
    ],
)
def test_shard_forms(text: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_settings(config(shard=text), TODAY).shard == expected


def test_retry_initial_wait_zero_and_text() -> None:
    assert parse_settings(config(retry_initial_wait=0), TODAY).retry_initial_wait == 0.0
    assert parse_settings(config(retry_initial_wait="2.5"), TODAY).retry_initial_wait == 2.5


@pytest.mark.parametrize(
    "overrides",
    [{"all_campaigns": True}, {"all_canvases": "true"}, {"canvas_ids": ["cv-1"]}],
    ids=["all_campaigns", "all_canvases", "canvas_ids"],
)
def test_each_new_way_to_ask_for_data_is_enough(overrides: dict[str, Any]) -> None:
    settings = parse_settings(config(campaign_ids=_DROP, **overrides), TODAY)
    assert settings.campaign_ids == ()
    assert settings.sends == ()


def test_all_campaigns_false_alone_is_nothing_to_extract() -> None:
    problems = problems_of(config(campaign_ids=[], all_campaigns=False, all_canvases="false"))
    assert problems == [
        "sends / sends_file / campaign_ids / all_campaigns / canvas_ids / all_canvases: nothing "
        'to extract; give at least one send ({"campaign_id": ..., "send_id": ...}) in sends or '
        "a sends_file, one id in campaign_ids or canvas_ids, or set all_campaigns or "
        "all_canvases to true"
    ]


INVALID_NEW: list[tuple[dict[str, Any], str, str]] = [
    ({"all_campaigns": "maybe"}, "all_campaigns", "'maybe' must be true or false"),
    ({"include_archived": 2}, "include_archived", "2 must be true or false"),
    ({"all_canvases": [True]}, "all_canvases", "[True] must be true or false"),
    ({"include_deleted_steps": "on-ish"}, "include_deleted_steps", "'on-ish'"),
    ({"shard": "0/8"}, "shard", "'0/8'"),
    ({"shard": "9/8"}, "shard", "'9/8'"),
    ({"shard": "2/0"}, "shard", "'2/0'"),
    ({"shard": "2"}, "shard", "'2'"),
    ({"shard": "two/eight"}, "shard", "'two/eight'"),
    ({"shard": "-1/8"}, "shard", "'-1/8'"),
    ({"shard": 2}, "shard", "2 must be"),
    ({"canvas_ids": "cv-1"}, "canvas_ids", "must be a list of Canvas ids, got 'cv-1'"),
    ({"canvas_ids": ["cv-1", "cv-1"]}, "canvas_ids[1]", "duplicate Canvas id 'cv-1'"),
    ({"canvas_ids": ["cv-1", ""]}, "canvas_ids[1]", "'' is not a Canvas id"),
    ({"retry_initial_wait": -1}, "retry_initial_wait", "-1 must be a number of seconds >= 0"),
    ({"retry_initial_wait": "soon"}, "retry_initial_wait", "'soon' must be a number"),
    ({"retry_initial_wait": True}, "retry_initial_wait", "True must be a number"),
    ({"sends_file": 42}, "sends_file", "42 must be a file path"),
    ({"sends_file": "/nonexistent/dir/sends.csv"}, "sends_file", "does not exist"),
]


@pytest.mark.parametrize(
    ("overrides", "setting", "shown"), INVALID_NEW, ids=[f"{s}={v}" for _, s, v in INVALID_NEW]
)
def test_each_invalid_new_setting_is_one_named_problem(
    overrides: dict[str, Any], setting: str, shown: str
) -> None:
    problems = problems_of(config(**overrides))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{setting}:"), problems
    assert shown in problems[0], problems


def test_a_bad_canvas_id_list_does_not_also_say_nothing_to_extract() -> None:
    problems = problems_of(config(campaign_ids=_DROP, canvas_ids=[""]))
    assert problems == ["canvas_ids[0]: '' is not a Canvas id"]


def test_sends_file_joins_sends_without_duplicating_a_send(tmp_path: Any) -> None:
    path = tmp_path / "sends.csv"
    path.write_text("campaign_id,send_id\nc1,s2\nc1,s1\nc2,s9\n")
    settings = parse_settings(
        config(
            campaign_ids=_DROP,
            sends=[{"campaign_id": "c1", "send_id": "s1"}, {"campaign_id": "c0", "send_id": "s0"}],
            sends_file=str(path),
        ),
        TODAY,
    )
    # Config sends first, then the file's new ones; c1/s1 (in both) is one partition.
    assert settings.sends == (
        SendKey("c1", "s1"),
        SendKey("c0", "s0"),
        SendKey("c1", "s2"),
        SendKey("c2", "s9"),
    )
    assert settings.sends_file == str(path)


def test_an_empty_sends_file_alone_is_a_run_with_nothing_to_do(tmp_path: Any) -> None:
    # A daily export may have no new sends some day: that must not fail the scheduled job.
    path = tmp_path / "sends.csv"
    path.write_text("campaign_id,send_id\n")
    settings = parse_settings(config(campaign_ids=_DROP, sends_file=str(path)), TODAY)
    assert settings.sends == ()


def test_bad_rows_of_sends_file_are_problems_beside_the_others(tmp_path: Any) -> None:
    path = tmp_path / "sends.jsonl"
    path.write_text('{"campaign_id": "c1", "send_id": "s1"}\n{"campaign_id": "c1"}\n')
    problems = problems_of(config(sends_file=str(path), window_days=0))
    assert problems == [
        f'sends_file: {str(path)!r} line 2: missing send_id in \'{{"campaign_id": "c1"}}\'',
        "window_days: 0 must be an integer between 1 and 100",
    ]


def test_a_key_in_the_sends_file_is_never_echoed(tmp_path: Any) -> None:
    path = tmp_path / "sends.csv"
    path.write_text(f"campaign_id,send_id\n{KEY},\n")
    problems = problems_of(config(sends_file=str(path)))
    assert len(problems) == 1
    assert "***" in problems[0]
    assert "line 2" in problems[0]
