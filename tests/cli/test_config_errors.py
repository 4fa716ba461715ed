"""A person's mistakes stop the run with one clear message naming what to fix.

Bad config and bad state are rejected before the first request; HTTP errors that no retry can
fix (401, 403, 400, 404) end the run at once, after the STATE of finished partitions. All
through the real CLI against the simulator on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, build_workspace
from conftest import (
    SIM_TODAY,
    TAP,
    QuietHandler,
    TapRun,
    canonical,
    expected_records,
    run_tap,
    serve_on_loopback,
    tap_config,
)

CAMPAIGN_STREAMS = ("campaign_analytics", "campaign_message_analytics")
SEND_STREAMS = ("send_analytics", "send_message_analytics")


def error_lines(run: TapRun) -> list[str]:
    return [line for line in run.stderr.splitlines() if "| ERROR" in line]


def the_one_message(run: TapRun, needle: str) -> str:
    """The run failed with exactly one error line containing ``needle``, and no traceback."""
    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    errors = error_lines(run)
    assert len(errors) == 1, errors  # one message, not a wall of them
    assert needle in errors[0]
    return errors[0]


def assert_nothing_sent_twice(sim: BrazeSimulator) -> None:
    """No request was retried (several partitions may have been under way at once)."""
    sent = [(e["path"], tuple(sorted(e["params"].items()))) for e in sim.requests_log]
    assert len(sent) == len(set(sent))


def bookmarks(run: TapRun, stream: str) -> dict[tuple, str]:
    return {k: v for k, v in run.bookmarks(stream).items() if v is not None}


# --- config ----------------------------------------------------------------------------------

BAD_CONFIGS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "api_key missing": (
        lambda c: c.pop("api_key"),
        "api_key: is required (a Braze REST API key) and must not be empty",
    ),
    "api_key empty": (
        lambda c: c.update(api_key=""),
        "api_key: is required (a Braze REST API key) and must not be empty",
    ),
    "api_key blank": (
        lambda c: c.update(api_key="   "),
        "api_key: is required (a Braze REST API key) and must not be empty",
    ),
    "api_url not http": (
        lambda c: c.update(api_url="ftp://127.0.0.1:9"),
        "api_url: 'ftp://127.0.0.1:9' is not an http(s) URL",
    ),
    "api_url without scheme": (
        lambda c: c.update(api_url="rest.iad-01.braze.com"),
        "api_url: 'rest.iad-01.braze.com' is not an http(s) URL",
    ),
    "api_url with a path": (
        lambda c: c.update(api_url=c["api_url"] + "/campaigns"),
        "/campaigns' must be the instance's base URL without a path",
    ),
    "window_days 0": (
        lambda c: c.update(window_days=0),
        "window_days: 0 must be an integer between 1 and 100",
    ),
    "window_days 101": (
        lambda c: c.update(window_days=101),
        "window_days: 101 must be an integer between 1 and 100",
    ),
    "lookback_days negative": (
        lambda c: c.update(lookback_days=-1),
        "lookback_days: -1 must be an integer between 0 and 3650",
    ),
    "start_date unparseable": (
        lambda c: c.update(start_date="2026-02-30"),
        "start_date: '2026-02-30' is not a date (expected YYYY-MM-DD)",
    ),
    "end_date unparseable": (
        lambda c: c.update(end_date="next tuesday"),
        "end_date: 'next tuesday' is not a date (expected YYYY-MM-DD)",
    ),
    "start after end": (
        lambda c: c.update(start_date="2026-03-31", end_date="2026-03-01"),
        "start_date: 2026-03-31 is after end_date 2026-03-01",
    ),
    "sends entry missing send_id": (
        lambda c: c["sends"].insert(1, {"campaign_id": "api-camp-02"}),
        "sends[1]: missing send_id in {'campaign_id': 'api-camp-02'}",
    ),
    "sends entry missing campaign_id": (
        lambda c: c["sends"].append({"send_id": "send-0009"}),
        "sends[3]: missing campaign_id in {'send_id': 'send-0009'}",
    ),
    "duplicate send": (
        lambda c: c["sends"].append(dict(c["sends"][0])),
        "sends[3]: duplicate send campaign_id='api-camp-01' send_id='send-0001'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_a_config_error_names_the_setting_and_value_before_any_request(
    case: str, simulator: BrazeSimulator, tmp_path: Path
) -> None:
    breaks, expected = BAD_CONFIGS[case]
    config = tap_config(simulator)
    breaks(config)
    run = run_tap(config, tmp_path, check=False)

    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert [line for line in error_lines(run) if expected in line], error_lines(run)
    assert "Config validation failed" in run.stderr
    assert run.messages == []
    assert simulator.stats()["requests"] == 0


def test_every_config_error_is_listed_at_once(simulator: BrazeSimulator, tmp_path: Path) -> None:
    config = tap_config(simulator, window_days=0, lookback_days=-3, end_date="soon")
    config["api_url"] = "braze"
    run = run_tap(config, tmp_path, check=False)

    errors = "\n".join(error_lines(run))
    for expected in (
        "api_url: 'braze' is not an http(s) URL",
        "window_days: 0 must be",
        "lookback_days: -3 must be",
        "end_date: 'soon' is not a date",
    ):
        assert expected in errors
    assert simulator.stats()["requests"] == 0


# --- HTTP errors a person must fix -----------------------------------------------------------


@pytest.mark.parametrize("parallel", [1, 8])
def test_401_names_the_api_url_in_use(
    parallel: int, simulator: BrazeSimulator, tmp_path: Path
) -> None:
    config = tap_config(
        simulator, api_key="not-a-key-of-this-instance", max_parallel_requests=parallel
    )
    run = run_tap(config, tmp_path, check=False)

    message = the_one_message(run, "(401)")
    assert f"Braze rejected the API key (401) at api_url={simulator.url}" in message
    assert "belongs to another Braze instance" in message
    # A bad key is never retried; in parallel, other partitions' requests may have been
    # under way already, but none was sent twice.
    assert {entry["status"] for entry in simulator.requests_log} == {401}
    assert_nothing_sent_twice(simulator)
    if parallel == 1:
        assert len(simulator.requests_log) == 1


@pytest.mark.parametrize(
    ("key", "missing", "path", "finished"),
    [
        ("sim-sends-only", "campaigns.data_series", "/campaigns/data_series", ()),
        ("sim-campaigns-only", "sends.data_series", "/sends/data_series", CAMPAIGN_STREAMS),
    ],
)
def test_403_names_the_missing_permission(
    key: str,
    missing: str,
    path: str,
    finished: tuple[str, ...],
    simulator: BrazeSimulator,
    tmp_path: Path,
) -> None:
    run = run_tap(tap_config(simulator, api_key=key), tmp_path, check=False)

    message = the_one_message(run, "(403)")
    assert f"The API key lacks the '{missing}' permission needed for {path} (403)" in message
    assert f"Grant '{missing}' to the key" in message
    assert_nothing_sent_twice(simulator)
    # The endpoint the key may read was fully extracted and saved before the failure.
    for stream in finished:
        assert bookmarks(run, stream) == {
            ("camp-0001",): "2026-03-31",
            ("camp-0002",): "2026-03-31",
        }


def test_400_names_the_partition_and_brazes_message_after_saving_earlier_partitions(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    config = tap_config(simulator, campaign_ids=["camp-0001", "camp-nope", "camp-0002"])
    config["max_parallel_requests"] = 8
    run = run_tap(config, tmp_path, check=False)

    message = the_one_message(run, "(400)")
    assert "Braze rejected the request for campaign_id='camp-nope' (400)" in message
    assert "Braze said: campaign_id must be a string of the campaign api identifier" in message
    # camp-0001 came first: its records and its bookmark are out; camp-0002 is not.
    expected = expected_records(simulator.workspace, {**config, "campaign_ids": ["camp-0001"]})
    for stream in CAMPAIGN_STREAMS:
        assert canonical(run.records[stream]) == canonical(expected[stream])
        assert bookmarks(run, stream) == {("camp-0001",): "2026-03-31"}
    assert run.messages[-1]["type"] == "STATE"


def test_400_for_an_unknown_send_names_campaign_and_send(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    config = tap_config(
        simulator, sends=[{"campaign_id": "api-camp-01", "send_id": "send-9999"}], campaign_ids=[]
    )
    run = run_tap(config, tmp_path, check=False)

    message = the_one_message(run, "(400)")
    assert "for campaign_id='api-camp-01' send_id='send-9999' (400)" in message
    assert "Braze said: send_id send-9999 is not a send of campaign api-camp-01" in message


@pytest.fixture
def not_found_server() -> Iterator[str]:
    """A web server on 127.0.0.1 that is not Braze: every path is 404."""

    class NotFound(QuietHandler):
        def do_GET(self) -> None:
            self.reply(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")

    with serve_on_loopback(NotFound) as url:
        yield url


def test_404_says_the_api_url_is_wrong(
    simulator: BrazeSimulator, not_found_server: str, tmp_path: Path
) -> None:
    run = run_tap(tap_config(simulator, api_url=not_found_server), tmp_path, check=False)

    message = the_one_message(run, "(404)")
    assert f"api_url looks wrong: {not_found_server}/campaigns/data_series was not found" in message
    assert "without a path, e.g. https://rest.iad-01.braze.com" in message


# --- state -----------------------------------------------------------------------------------

BAD_STATES = {
    "malformed JSON": ('{"bookmarks": {', "is not valid JSON"),
    "not an object": ("[1, 2]", "must hold a JSON object, got list"),
    "bookmarks is a list": ('{"bookmarks": []}', "'bookmarks' is not an object"),
    "stream entry is a list": (
        '{"bookmarks": {"campaign_analytics": []}}',
        "bookmarks.campaign_analytics is not an object",
    ),
    "one bookmark for the whole stream": (
        '{"bookmarks": {"send_analytics": {"replication_key": "time", '
        '"replication_key_value": "2026-03-01"}}}',
        "bookmarks.send_analytics has one bookmark for the whole stream ('2026-03-01')",
    ),
    "partitions not a list": (
        '{"bookmarks": {"send_analytics": {"partitions": {"a": 1}}}}',
        "bookmarks.send_analytics.partitions is not a list",
    ),
    "partition without context": (
        '{"bookmarks": {"send_analytics": {"partitions": [{"replication_key_value": "x"}]}}}',
        "bookmarks.send_analytics.partitions[0] has no 'context' object",
    ),
    "bookmark not a date": (
        json.dumps(
            {
                "bookmarks": {
                    "campaign_analytics": {
                        "partitions": [
                            {
                                "context": {"campaign_id": "camp-0001"},
                                "replication_key": "time",
                                "replication_key_value": "last tuesday",
                            }
                        ]
                    }
                }
            }
        ),
        "bookmarks.campaign_analytics.partitions[0].replication_key_value 'last tuesday' "
        "is not a date",
    ),
}


@pytest.mark.parametrize("case", list(BAD_STATES))
def test_an_unusable_state_fails_clearly_before_any_request(
    case: str, simulator: BrazeSimulator, tmp_path: Path
) -> None:
    text, expected = BAD_STATES[case]
    state_path = tmp_path / "state.json"
    state_path.write_text(text)
    run = run_tap(
        tap_config(simulator), tmp_path, extra_args=("--state", str(state_path)), check=False
    )

    message = the_one_message(run, expected)
    assert "state" in message.lower()
    assert run.messages == []
    assert simulator.stats()["requests"] == 0


def test_an_empty_state_file_is_no_state(simulator: BrazeSimulator, tmp_path: Path) -> None:
    state_path = tmp_path / "state.json"
    state_path.write_text("")
    config = tap_config(simulator)
    run = run_tap(config, tmp_path, extra_args=("--state", str(state_path)))

    expected = expected_records(simulator.workspace, config)
    assert {s: canonical(r) for s, r in run.records.items()} == {
        s: canonical(r) for s, r in expected.items()
    }


def state_with(bookmark: str, partitions: list[dict[str, str]], stream: str) -> dict[str, Any]:
    return {
        "bookmarks": {
            stream: {
                "partitions": [
                    {"context": p, "replication_key": "time", "replication_key_value": bookmark}
                    for p in partitions
                ]
            }
        }
    }


def test_a_bookmark_after_end_date_rereads_the_lookback_up_to_end_date_and_is_kept(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    # Chosen behaviour: the bookmark means "read through 2026-04-20"; the run re-reads the
    # lookback days before it that end_date still allows, and never moves the bookmark back.
    config = tap_config(simulator, campaign_ids=["camp-0001"], sends=[], lookback_days=14)
    state: dict[str, Any] = {"bookmarks": {}}
    for stream in CAMPAIGN_STREAMS:
        state["bookmarks"].update(
            state_with("2026-04-10", [{"campaign_id": "camp-0001"}], stream)["bookmarks"]
        )
    run = run_tap(config, tmp_path, state=state)

    expected = expected_records(simulator.workspace, {**config, "start_date": "2026-03-27"})
    for stream in CAMPAIGN_STREAMS:
        assert canonical(run.records[stream]) == canonical(expected[stream])
        assert {r["time"][:10] for r in run.records[stream]} <= {
            f"2026-03-{d}" for d in range(27, 32)
        }
        assert bookmarks(run, stream) == {("camp-0001",): "2026-04-10"}


def test_a_bookmark_in_the_future_counts_as_today(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    # A workspace on the real clock: the tap's "today" and the simulator's agree.
    today = dt.datetime.now(dt.timezone.utc).date()
    sim = make_simulator(build_workspace(0, 1, today=today, seed=3))
    config = tap_config(sim, lookback_days=5, sends=[])
    del config["end_date"]  # up to today
    future = (today + dt.timedelta(days=400)).isoformat()
    state: dict[str, Any] = {"bookmarks": {}}
    for stream in CAMPAIGN_STREAMS:
        state["bookmarks"].update(
            state_with(future, [{"campaign_id": "camp-0001"}], stream)["bookmarks"]
        )
    run = run_tap(config, tmp_path, state=state)

    window = {
        **config,
        "start_date": (today - dt.timedelta(days=5)).isoformat(),
        "end_date": today.isoformat(),
    }
    expected = expected_records(sim.workspace, window)
    assert expected["campaign_analytics"]  # the data is there to be read
    for stream in CAMPAIGN_STREAMS:
        assert canonical(run.records[stream]) == canonical(expected[stream])
        assert bookmarks(run, stream) == {("camp-0001",): future}


def test_an_end_date_in_the_future_reads_and_bookmarks_up_to_today_only(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    """A range from the past into the future: the days up to today are read, no bookmark
    passes today (the days after it were not read), and the next run re-reads from today."""
    today = dt.datetime.now(dt.timezone.utc).date()
    sim = make_simulator(build_workspace(3, 2, today=today, seed=5))
    canvas_ids = ["canvas-0001", "canvas-0002"]
    start = (today - dt.timedelta(days=6)).isoformat()
    config = tap_config(
        sim,
        canvas_ids=canvas_ids,
        lookback_days=2,
        start_date=start,
        end_date=(today + dt.timedelta(days=20)).isoformat(),
    )
    run = run_tap(config, tmp_path, state={})

    expected = expected_records(sim.workspace, {**config, "end_date": today.isoformat()})
    assert expected["campaign_analytics"]
    for stream, records in expected.items():
        assert canonical(run.records[stream]) == canonical(records), stream
    days = {r["time"][:10] for r in run.records["canvas_analytics"]}
    assert max(days) == today.isoformat()
    series = (
        *CAMPAIGN_STREAMS,
        "send_analytics",
        "canvas_analytics",
        "canvas_step_analytics",
    )
    for stream in series:
        marks = bookmarks(run, stream)
        assert marks, stream
        assert set(marks.values()) == {today.isoformat()}, stream

    # The next run starts lookback_days before today, not before the end_date.
    again = run_tap(config, tmp_path / "again", state=run.states[-1])
    first = (today - dt.timedelta(days=2)).isoformat()
    reread = expected_records(
        sim.workspace, {**config, "start_date": first, "end_date": today.isoformat()}
    )
    for stream, records in reread.items():
        assert canonical(again.records[stream]) == canonical(records), stream
    canvas_days = {r["time"][:10] for r in again.records["canvas_analytics"]}
    assert canvas_days  # (a day without activity may be missing, as in Braze)
    assert min(canvas_days) >= first
    assert max(canvas_days) == today.isoformat()


def test_sim_today_is_what_the_bad_config_cases_assume() -> None:
    # The expected messages above spell out dates and ids of this workspace.
    ws = build_workspace(3, 2, today=SIM_TODAY, seed=7)
    assert [s.send_id for s in ws.sends] == ["send-0001", "send-0002", "send-0003"]
    assert ws.sends[0].campaign_id == "api-camp-01"


@pytest.mark.parametrize("kind", ["missing", "not JSON", "a folder"])
def test_a_config_file_that_cannot_be_read_is_a_usage_error_naming_it(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "config.json"
    if kind == "not JSON":
        path.write_text('{"api_key": "k",')
    elif kind == "a folder":
        path.mkdir()
    proc = subprocess.run(
        [TAP, "--config", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: Invalid value for '--config'"), last
    assert str(path) in last
    assert proc.stdout == ""
