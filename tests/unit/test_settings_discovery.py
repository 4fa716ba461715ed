"""parse_settings for the settings of discovery (issue 9) and Canvases (issue 10): defaults,
text forms, one named problem per bad value, and sends_file merged with sends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_settings import _DROP, KEY, TODAY, config, problems_of

from tap_braze_sends.settings import SendKey, parse_settings


def test_defaults_of_the_new_settings() -> None:
    settings = parse_settings(config(), TODAY)
    assert settings.retry_initial_wait == 0.1
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


def test_all_campaigns_false_alone_is_a_valid_config() -> None:
    # The workspace series need no ids: whether there is anything to extract depends on the
    # selected streams, and the run checks that (tests/unit/test_workspace_descriptions.py).
    settings = parse_settings(
        config(campaign_ids=[], all_campaigns=False, all_canvases="false"), TODAY
    )
    assert (settings.campaign_ids, settings.all_campaigns, settings.all_canvases) == (
        (),
        False,
        False,
    )


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
    ({"canvas_ids": 5}, "canvas_ids", "must be a list of Canvas ids, got 5"),
    ({"canvas_ids": "cv-1,"}, "canvas_ids[1]", "'' is not a Canvas id"),
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


def test_sends_file_joins_sends_without_duplicating_a_send(tmp_path: Path) -> None:
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


def test_an_empty_sends_file_alone_is_a_run_with_nothing_to_do(tmp_path: Path) -> None:
    # A daily export may have no new sends some day: that must not fail the scheduled job.
    path = tmp_path / "sends.csv"
    path.write_text("campaign_id,send_id\n")
    settings = parse_settings(config(campaign_ids=_DROP, sends_file=str(path)), TODAY)
    assert settings.sends == ()


def test_bad_rows_of_sends_file_are_problems_beside_the_others(tmp_path: Path) -> None:
    path = tmp_path / "sends.jsonl"
    path.write_text('{"campaign_id": "c1", "send_id": "s1"}\n{"campaign_id": "c1"}\n')
    problems = problems_of(config(sends_file=str(path), window_days=0))
    assert problems == [
        f'sends_file: {str(path)!r} line 2: missing send_id in \'{{"campaign_id": "c1"}}\'',
        "window_days: 0 must be an integer between 1 and 100",
    ]


def test_a_key_in_the_sends_file_is_never_echoed(tmp_path: Path) -> None:
    path = tmp_path / "sends.csv"
    path.write_text(f"campaign_id,send_id\n{KEY},\n")
    problems = problems_of(config(sends_file=str(path)))
    assert len(problems) == 1
    assert "***" in problems[0]
    assert "line 2" in problems[0]
