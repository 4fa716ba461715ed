"""Hostile input: odd API keys, URLs that would leak the key, impossible dates and numbers,
broken sends files and states. Each ends in one clear error line naming what is wrong (or a
clean run), never a traceback, never the key; the state stays bounded and keeps what it does
not know."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, build_workspace
from conftest import SIM_TODAY, TAP, run_tap, tap_config, tap_log_lines

from tap_braze_sends.redaction import RedactingFilter, install_redaction, redact
from tap_braze_sends.sends_file import SendsFileError, read_sends_file
from tap_braze_sends.settings import ConfigError, parse_settings

KEY = "hostile-KEY-5d8e1f0a"
ALL_PERMISSIONS = {"sends.data_series", "campaigns.data_series"}
TODAY = dt.date(2026, 3, 31)
URL = "https://rest.iad-01.braze.com"


def problems_of(config: dict[str, Any], today: dt.date = TODAY) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_settings(config, today)
    return caught.value.problems


def base(**overrides: Any) -> dict[str, Any]:
    return {"api_key": KEY, "api_url": URL, "campaign_ids": ["c1"], **overrides}


# --- the key -------------------------------------------------------------------------------


@pytest.mark.parametrize("padded", [f"{KEY}\n", f"{KEY}\r\n", f"  {KEY}\t", f"\n{KEY} \r\n"])
def test_whitespace_around_the_key_is_stripped(padded: str) -> None:
    assert parse_settings(base(api_key=padded), TODAY).api_key == KEY


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("abcd\r\nefgh-1234", "control character"),
        ("abcd\nefgh-1234", "control character"),
        ("abcd efgh-1234", "space"),
        ("abcd-é-efgh-1234", "non-ASCII"),
        ("abcd-\u2019-quote", "non-ASCII"),
        ("abcd\x00efgh", "control character"),
    ],
)
def test_a_key_that_cannot_be_a_header_is_a_config_error_that_does_not_show_it(
    key: str, why: str
) -> None:
    problems = problems_of(base(api_key=key))
    assert len(problems) == 1, problems
    assert problems[0].startswith("api_key: holds a")
    assert why in problems[0]
    for piece in ("abcd", "efgh", "1234", "quote"):
        assert piece not in problems[0]


def test_odd_keys_through_the_cli_and_config_env_never_leak(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    """A key from a secret file (final newline) works; an unsendable one fails cleanly; in
    neither case does any part of it reach stdout or stderr, through a file or the env."""
    sim = make_simulator(
        build_workspace(1, 1, today=SIM_TODAY, seed=3), keys={KEY: ALL_PERMISSIONS}
    )
    good = run_tap(tap_config(sim, api_key=f"{KEY}\r\n"), tmp_path / "file")
    assert good.records["send_analytics"]
    bad_key = "hostile\r\nKEY-5d8e1f0a-é"
    bad = run_tap(tap_config(sim, api_key=bad_key), tmp_path / "bad", check=False)
    assert bad.returncode == 1
    assert "api_key: holds a" in bad.stderr
    assert "Traceback" not in bad.stderr
    # --config ENV: every setting from the environment, the key with a final line break.
    config = tap_config(sim)
    env = {
        f"TAP_BRAZE_SENDS_{k.upper()}": json.dumps(v) if isinstance(v, list) else str(v)
        for k, v in config.items()
    }
    env["TAP_BRAZE_SENDS_API_KEY"] = f"{KEY}\n"
    proc = subprocess.run(
        [TAP, "--config", "ENV"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    for text in (good.stdout, good.stderr, bad.stdout, bad.stderr, proc.stdout, proc.stderr):
        for piece in ("5d8e1f0a", "hostile"):
            assert piece not in text


@pytest.mark.parametrize(
    "key", [KEY, f"{KEY}\n", "it's-a-\\key-5d8e", "clé-secrète-5d8e", "a b c d e 5d8e"]
)
def test_the_log_filter_masks_every_form_of_the_key(key: str) -> None:
    """The second line of defence: whatever a message, its arguments or a traceback hold."""
    record_logger = logging.getLogger("tap_braze_sends.test_redaction")
    stream = _ListHandler()
    record_logger.addHandler(stream)
    record_logger.propagate = False
    try:
        stream.addFilter(RedactingFilter(key))
        record_logger.error("sent %s and %r", key, key.strip())
        try:
            raise ValueError(f"header value {key!r} invalid; url ?k={key.strip()}")
        except ValueError:
            record_logger.exception("boom %s", key.upper())
    finally:
        record_logger.removeHandler(stream)
    text = "\n".join(stream.lines)
    assert "***" in text
    core = key.strip()
    assert core not in text
    assert repr(core)[1:-1] not in text
    assert core.upper() not in text
    assert "5d8e" not in text.replace("5d8e1f0a", "") or key == KEY


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_install_redaction_covers_the_root_handlers_once() -> None:
    handler = _ListHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install_redaction(KEY)
        install_redaction(KEY)
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        logging.getLogger("somebody.else").warning("echo: Bearer %s", KEY)
    finally:
        root.removeHandler(handler)
    assert handler.lines == ["echo: Bearer ***"]


def test_redact_is_case_insensitive_and_knows_url_encoding() -> None:
    key = "Key/With+Odd=Chars"
    assert redact("host key/with+odd=chars.x", key) == "host ***.x"
    assert redact("q=Key%2FWith%2BOdd%3DChars", key) == "q=***"


def test_leading_pieces_of_a_key_are_masked_whatever_its_length() -> None:
    """A quote cut to N characters may cut through an echoed key: any leading piece of 8
    characters or more is masked, in any case; a shorter one stays.
    A key pasted by mistake (a whole file: 200,000 characters) is masked all the same."""
    key = "SECRET-canary-0123456789"
    text = f"a {key} b {key[:12]}| c {key.lower()[:9]} {key[:10]} d {key[:7]}"
    assert redact(text, key) == "a *** b ***| c *** *** d SECRET-"
    long_key = "0123456789abcdef" * 12_500
    assert redact(f"<{long_key[:3000]}>", long_key) == "<***>"


# --- api_url -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://rest.iad-01.braze.com", "uses http://"),
        ("http://10.0.0.5:8080", "uses http://"),
        ("https://user:pa55word@rest.iad-01.braze.com", "user name or password"),
        ("https://user@rest.iad-01.braze.com", "user name or password"),
        ("https://rest.iad-01.braze.com?x=1", "without a path, query or fragment"),
        ("https://rest.iad-01.braze.com#frag", "without a path, query or fragment"),
        ("https://rest.iad-01.braze.com:99999", "is not an http(s) URL"),
    ],
)
def test_an_api_url_that_would_leak_the_key_is_a_config_error(url: str, needle: str) -> None:
    problems = problems_of(base(api_url=url))
    assert len(problems) == 1, problems
    assert problems[0].startswith("api_url:")
    assert needle in problems[0]
    assert "pa55word" not in problems[0]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:5000", URL]
)
def test_plain_http_is_allowed_to_this_machine_only(url: str) -> None:
    assert parse_settings(base(api_url=url), TODAY).api_url == url


# --- dates and numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"start_date": "0001-01-01"}, "start_date: '0001-01-01' must be between 2000-01-01"),
        ({"end_date": "9999-12-31"}, "end_date: '9999-12-31' must be between"),
        ({"request_timeout": "inf"}, "request_timeout: 'inf' must be a number of seconds"),
        ({"request_timeout": 1e308}, "request_timeout: 1e+308 must be a number of seconds"),
        ({"max_rate_limit_wait": "nan"}, "max_rate_limit_wait: 'nan' must be"),
        ({"lookback_days": 800000}, "lookback_days: 800000 must be an integer between 0"),
        ({"max_retries": "9" * 5000}, "max_retries: '99999"),
        ({"window_days": "٣"}, "window_days: '٣' must be an integer"),
        ({"shard": "1/" + "9" * 5000}, "shard: '1/999"),
        (
            {"start_date": "2026-04-10", "end_date": "2026-04-20"},
            "start_date: 2026-04-10 is in the future (today is 2026-03-31 UTC)",
        ),
    ],
)
def test_impossible_dates_and_numbers_are_config_errors(
    overrides: dict[str, Any], needle: str
) -> None:
    problems = problems_of(base(**overrides))
    assert len(problems) == 1, problems
    assert problems[0].startswith(needle)
    assert len(problems[0]) < 300  # a pasted blob is clipped, not echoed whole


def test_a_range_wholly_in_the_future_fails_before_any_request(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(build_workspace(1, 1, today=SIM_TODAY, seed=3))
    today = dt.datetime.now(dt.timezone.utc).date()
    config = tap_config(
        sim,
        start_date=(today + dt.timedelta(days=3)).isoformat(),
        end_date=(today + dt.timedelta(days=19)).isoformat(),
    )
    run = run_tap(config, tmp_path, state={}, check=False)
    assert run.returncode == 1
    assert "start_date:" in run.stderr
    assert "is in the future" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.states == []
    assert sim.stats()["requests"] == 0


# --- the sends file ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("campaign_id,send_id\nc1,s\x001\n", "line 2: send_id holds a control character"),
        ('campaign_id,send_id\nc1,"s1\nc2,s2\n', "not valid CSV"),
        ("campaign_id,send_id\nc1," + "x" * 200_000 + "\n", "line 2: not valid CSV (field"),
        ("campaign_id,send_id\nc1," + "y" * 2000 + "\n", "send_id is 2000 characters long"),
        ('{"campaign_id": "c1", "send_id": "a\\u0000b"}\n', "line 1: send_id holds a control"),
    ],
    ids=["nul", "unterminated-quote", "huge-field", "long-id", "jsonl-nul"],
)
def test_a_sends_file_row_braze_would_reject_fails_validation(
    text: str, needle: str, tmp_path: Path
) -> None:
    path = tmp_path / ("sends.jsonl" if text.startswith("{") else "sends.csv")
    path.write_text(text)
    with pytest.raises(SendsFileError) as caught:
        read_sends_file(str(path))
    assert any(needle in line for line in caught.value.problems), caught.value.problems
    assert all(len(line) < 400 for line in caught.value.problems)


def test_ids_with_control_characters_are_config_errors() -> None:
    problems = problems_of(
        base(campaign_ids=["ok", "bad\x00id"], sends=[{"campaign_id": "c", "send_id": "s\n1"}])
    )
    assert problems == [
        "sends[0]: send_id holds a control character '\\n' (character 2)",
        "campaign_ids[1]: the campaign id holds a control character '\\x00' (character 4)",
    ]


def test_fifty_thousand_campaign_ids_are_validated_in_linear_work() -> None:
    """Counted, not timed: the duplicate check does one lookup per id."""
    lookups = 0

    class CountingStr(str):
        __slots__ = ()

        def __hash__(self) -> int:
            nonlocal lookups
            lookups += 1
            return str.__hash__(self)

        def strip(self, chars: str | None = None) -> CountingStr:  # type: ignore[override]
            return CountingStr(str.strip(self, chars))

    ids = [CountingStr(f"campaign-{n:06d}") for n in range(50_000)]
    settings = parse_settings(base(campaign_ids=ids), TODAY)
    assert len(settings.campaign_ids) == 50_000
    assert lookups <= 3 * 50_000  # quadratic would be over a billion comparisons


# --- the state -----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["garbage", 5, "2026-13-01"])
def test_a_state_with_a_bad_first_data_day_fails_naming_it(
    bad: object, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(build_workspace(1, 1, today=SIM_TODAY, seed=3))
    config = tap_config(sim)
    send = config["sends"][0]
    state = {
        "bookmarks": {"send_analytics": {"partitions": [{"context": send, "first_data_day": bad}]}}
    }
    run = run_tap(config, tmp_path, state=state, check=False)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    assert len(errors) == 1
    assert "send_analytics.partitions[0].first_data_day" in errors[0]
    assert sim.stats()["requests"] == 0


def test_unknown_state_entries_are_kept_and_expired_unconfigured_sends_dropped(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(build_workspace(1, 1, today=SIM_TODAY, seed=3))
    config = tap_config(sim)
    configured = config["sends"][0]
    today = dt.datetime.now(dt.timezone.utc).date()
    long_ago = (today - dt.timedelta(days=14 + 14 + 3)).isoformat()
    recent = (today - dt.timedelta(days=14 + 14 + 1)).isoformat()

    def entry(campaign: str, send: str, first: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "context": {"campaign_id": campaign, "send_id": send},
            "replication_key": "time",
            "replication_key_value": "2026-01-01",
        }
        if first:
            out["first_data_day"] = first
        return out

    expired_gone = entry("old", "gone", long_ago)
    never_old = entry("old", "never-old", None)  # no data; last read long ago: dropped
    never_recent = {**entry("old", "never-recent", None), "replication_key_value": recent}
    kept = [
        entry("old", "recent", recent),  # within 14 + lookback + 2 days: kept
        never_recent,  # never returned data, read recently: kept
        {**entry(configured["campaign_id"], configured["send_id"], long_ago)},
    ]
    state = {
        "bookmarks": {
            "send_analytics": {"partitions": [expired_gone, never_old, *kept]},
            "someone_elses": 1,
            "another": [],
        },
        "tool": {"x": 1},
    }
    run = run_tap(config, tmp_path, state=state)
    final = run.final_state
    assert final["bookmarks"]["someone_elses"] == 1
    assert final["bookmarks"]["another"] == []
    assert final["tool"] == {"x": 1}
    contexts = [p["context"] for p in final["bookmarks"]["send_analytics"]["partitions"]]
    assert {"campaign_id": "old", "send_id": "gone"} not in contexts
    assert {"campaign_id": "old", "send_id": "never-old"} not in contexts
    for entry_kept in kept:
        assert entry_kept["context"] in contexts
    infos = [line.message for line in tap_log_lines(run.stderr, "INFO")]
    assert any("Dropped 2 expired sends no longer configured" in m for m in infos)
