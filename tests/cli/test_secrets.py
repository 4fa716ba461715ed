"""The API key never reaches any output: records, state, logs, metrics or error messages.

A distinctive key is run through every error path and a successful run with stream maps;
everything the tap prints (stdout and stderr) is searched for it.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, FaultPlan, RateLimit, build_workspace
from conftest import SIM_TODAY, TAP, QuietHandler, TapRun, run_tap, serve_on_loopback, tap_config

CANARY = "SECRET-canary-9f3b2c7d"
ALL_PERMISSIONS = {"sends.data_series", "campaigns.data_series"}


def assert_no_key(run: TapRun) -> None:
    for where, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        assert CANARY not in text, f"the API key leaked to {where}"
        # Nor a recognisable piece of it.
        assert "canary-9f3b2c7d" not in text, f"part of the API key leaked to {where}"
        assert "9f3b2c7d" not in text, f"part of the API key leaked to {where}"


def workspace() -> Any:
    return build_workspace(3, 2, today=SIM_TODAY, seed=7)


@pytest.fixture
def sim_with_canary(make_simulator: Callable[..., BrazeSimulator]) -> BrazeSimulator:
    """A simulator where the canary is a valid key with every permission."""
    return make_simulator(workspace(), keys={CANARY: ALL_PERMISSIONS})


@pytest.fixture
def not_found_url() -> Iterator[str]:
    """A web server on 127.0.0.1 that 404s every path and echoes the Authorization header."""

    class NotFound(QuietHandler):
        def do_GET(self) -> None:
            body = f"no such page; you sent {self.headers.get('Authorization')}".encode()
            self.reply(404, body, "text/plain")

    with serve_on_loopback(NotFound) as url:
        yield url


def closed_port_url() -> str:
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def run_failing(config: dict[str, Any], tmp_path: Path, needle: str, **kwargs: Any) -> TapRun:
    run = run_tap(config, tmp_path, check=False, **kwargs)
    assert run.returncode != 0
    assert needle in run.stderr, run.stderr[-3000:]  # the path we meant to take was taken
    return run


def test_401_where_braze_echoes_the_key(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(workspace())  # the canary is not a key of this instance
    run = run_failing(tap_config(sim, api_key=CANARY), tmp_path, "(401)")
    # The simulator put the key in its body; the tap masked it.
    assert "Braze said: Invalid API key: ***" in run.stderr
    assert_no_key(run)


def test_403(make_simulator: Callable[..., BrazeSimulator], tmp_path: Path) -> None:
    sim = make_simulator(workspace(), keys={CANARY: {"sends.data_series"}})
    assert_no_key(run_failing(tap_config(sim, api_key=CANARY), tmp_path, "(403)"))


def test_400(sim_with_canary: BrazeSimulator, tmp_path: Path) -> None:
    config = tap_config(sim_with_canary, api_key=CANARY, campaign_ids=["camp-0001", "nope"])
    assert_no_key(run_failing(config, tmp_path, "(400)"))


def test_404_from_a_server_that_echoes_the_authorization_header(
    sim_with_canary: BrazeSimulator, not_found_url: str, tmp_path: Path
) -> None:
    config = tap_config(sim_with_canary, api_key=CANARY, api_url=not_found_url)
    run = run_failing(config, tmp_path, "(404)")
    assert "you sent Bearer ***" in run.stderr
    assert_no_key(run)


@pytest.mark.parametrize("status", [400, 404, 500])
@pytest.mark.parametrize("as_json", [True, False])
def test_an_echoed_key_where_the_quoted_message_is_cut_leaves_no_piece_of_it(
    status: int, as_json: bool, sim_with_canary: BrazeSimulator, tmp_path: Path
) -> None:
    """The tap quotes 300 characters of an error body; a body that echoes the key across
    character 300 left its first characters ("SECRET-can") where no mask recognised them."""

    class Echo(QuietHandler):
        def do_GET(self) -> None:
            echoed = "x" * (290 - len("Bearer ")) + str(self.headers.get("Authorization"))
            body = json.dumps({"message": echoed}) if as_json else echoed
            self.reply(status, body.encode(), "application/json" if as_json else "text/html")

    with serve_on_loopback(Echo) as url:
        config = tap_config(sim_with_canary, api_key=CANARY, api_url=url, max_retries=0)
        run = run_failing(config, tmp_path, f"{status}")
    assert "x" * 280 in run.stderr  # the body was quoted
    assert_no_key(run)
    assert CANARY[:6] not in run.stdout + run.stderr, run.stderr[-2000:]


def test_an_echoed_key_cut_in_a_malformed_body_message_leaves_no_piece_of_it(
    sim_with_canary: BrazeSimulator, tmp_path: Path
) -> None:
    """A malformed body is quoted in its error cut to 200 characters (``{stats!r:.200}``): a
    key the body echoed across that cut left its first characters unmasked."""

    class Echo(QuietHandler):
        def do_GET(self) -> None:
            stats = "x" * 180 + str(self.headers.get("Authorization"))
            self.reply(
                200,
                json.dumps({"data": {"name": "n", "stats": stats}, "message": "success"}).encode(),
            )

    with serve_on_loopback(Echo) as url:
        config = {
            "api_key": CANARY,
            "api_url": url,
            "canvas_ids": ["cv-1"],
            "start_date": "2026-03-25",
            "end_date": "2026-03-31",
            "max_retries": 1,
            "retry_initial_wait": 0.05,
        }
        run = run_failing(config, tmp_path, "is not a list of day objects")
    assert_no_key(run)
    assert CANARY[:8] not in run.stdout + run.stderr, run.stderr[-2000:]


@pytest.mark.parametrize("kind", ["503", "truncated", "reset"])
def test_giving_up_after_transient_faults(
    kind: str, make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(
        workspace(), keys={CANARY: ALL_PERMISSIONS}, faults=FaultPlan(first_n=10, kinds=(kind,))
    )
    config = tap_config(sim, api_key=CANARY, max_retries=1)
    assert_no_key(run_failing(config, tmp_path, "Giving up"))


def test_giving_up_after_timeouts(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    plan = FaultPlan(first_n=10, kinds=("slow",), slow_seconds=1.0)
    sim = make_simulator(workspace(), keys={CANARY: ALL_PERMISSIONS}, faults=plan)
    config = tap_config(sim, api_key=CANARY, max_retries=1, request_timeout=0.3)
    assert_no_key(run_failing(config, tmp_path, "ReadTimeout"))


def test_a_refused_connection_on_the_first_request(tmp_path: Path) -> None:
    # A refused first request is a wrong address: one line naming api_url, not retried.
    config = tap_config(
        BrazeSimulator(workspace()), api_key=CANARY, api_url=closed_port_url(), max_retries=1
    )
    assert_no_key(run_failing(config, tmp_path, "Cannot reach api_url="))


def test_rate_limit_waits_and_the_deferral_line(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(
        workspace(),
        keys={CANARY: ALL_PERMISSIONS},
        faults=FaultPlan(first_n=1, kinds=("429",), only_ids=("camp-0002",)),
        campaigns_rate_limit=RateLimit(limit=2, period_seconds=3600),
    )
    config = tap_config(sim, api_key=CANARY, max_rate_limit_wait=5)
    # The spent pool's partition is deferred (exit 0, its bookmark kept): the closing line
    # and every wait line before it stay key-free.
    run = run_tap(config, tmp_path)
    assert "Deferred to the next run, their bookmarks kept:" in run.stderr, run.stderr[-3000:]
    assert_no_key(run)


CONFIG_MISTAKES: dict[str, Callable[[dict[str, Any]], None]] = {
    "bad window_days": lambda c: c.update(window_days=0),
    "bad dates": lambda c: c.update(start_date="soon", end_date="later"),
    "key pasted into api_url": lambda c: c.update(api_url=CANARY),
    "key pasted as a url": lambda c: c.update(api_url=f"https://{CANARY}.braze.com/x"),
    "key pasted into sends": lambda c: c["sends"].append({"campaign_id": CANARY}),
    "key pasted into campaign_ids": lambda c: c.update(campaign_ids=[CANARY, CANARY]),
    "key pasted into a date": lambda c: c.update(start_date=CANARY),
    "key pasted into a number": lambda c: c.update(window_days=CANARY),
}


@pytest.mark.parametrize("case", list(CONFIG_MISTAKES))
def test_config_errors(case: str, sim_with_canary: BrazeSimulator, tmp_path: Path) -> None:
    config = tap_config(sim_with_canary, api_key=CANARY)
    CONFIG_MISTAKES[case](config)
    run = run_failing(config, tmp_path, "Config validation failed")
    assert_no_key(run)
    assert sim_with_canary.stats()["requests"] == 0


def test_a_bad_state_file(sim_with_canary: BrazeSimulator, tmp_path: Path) -> None:
    state_path = tmp_path / "state.json"
    state_path.write_text(f'{{"bookmarks": "{CANARY}"}}')
    config = tap_config(sim_with_canary, api_key=CANARY)
    run = run_failing(config, tmp_path, "Unusable state", extra_args=("--state", str(state_path)))
    assert_no_key(run)


STREAM_MAPS = {
    "campaign_analytics": {"campaign_label": "'campaign ' + campaign_id"},
    "send_message_analytics": {"__alias__": "send_messages"},
    "send_analytics": {"__filter__": "send_id != 'send-0002'"},
}


@pytest.mark.parametrize("log_level", ["info", "debug"])
def test_a_successful_run_with_stream_maps(
    log_level: str, sim_with_canary: BrazeSimulator, tmp_path: Path
) -> None:
    config = tap_config(sim_with_canary, api_key=CANARY, stream_maps=STREAM_MAPS)
    run = run_tap(config, tmp_path, env={"TAP_BRAZE_SENDS_LOGLEVEL": log_level})

    assert run.returncode == 0
    assert ("| DEBUG" in run.stderr) == (log_level == "debug")
    # The maps applied (so this is the path we meant), and nothing carries the key.
    assert run.records["campaign_analytics"][0]["campaign_label"].startswith("campaign camp-")
    assert "send_messages" in run.records
    assert {r["send_id"] for r in run.records["send_analytics"]} == {"send-0001"}
    assert sim_with_canary.stats()["by_status"] == {200: sim_with_canary.stats()["requests"]}
    assert_no_key(run)


@pytest.mark.parametrize("args", [("--discover",), ("--about",), ("--about", "--format=json")])
def test_discover_and_about(
    args: tuple[str, ...], sim_with_canary: BrazeSimulator, tmp_path: Path
) -> None:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(tap_config(sim_with_canary, api_key=CANARY)))
    proc = subprocess.run(
        [TAP, "--config", str(config_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert ("send_analytics" if "--discover" in args else "api_key") in proc.stdout
    assert_no_key(TapRun(proc.returncode, proc.stdout, proc.stderr))
