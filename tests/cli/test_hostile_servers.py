"""The fault matrix's hostile servers: answers the simulator does not model, from a tiny
server on 127.0.0.1. Each run is bounded in requests and time, ends with a clear outcome (the
records, or one error line naming the endpoint), and loses nothing it had extracted."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from braze_simulator import DEFAULT_KEY
from catalogs import catalog_selecting
from conftest import QuietHandler, TapRun, run_tap, serve_on_loopback, tap_log_lines

from tap_braze_sends.runtime.body import BodyLimit

EMPTY_SERIES = b'{"data": [], "message": "success"}'
ONE_DAY = json.dumps(
    {
        "data": [{"time": "2026-03-30", "conversions": 1, "unique_recipients": 3, "revenue": 2.5}],
        "message": "success",
    }
).encode()


class Server:
    """What a hostile server saw: requests per path, and when each came."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_path: Counter[str] = Counter()
        self.times: list[float] = []

    def seen(self, path: str) -> int:
        with self.lock:
            self.by_path[path] += 1
            self.times.append(time.monotonic())
            return self.by_path[path]

    @property
    def requests(self) -> int:
        return sum(self.by_path.values())


Answer = Callable[[QuietHandler, str, dict[str, list[str]], int], None]
"""(handler, path, query, how many times this path was asked so far) -> writes the reply."""


@contextmanager
def hostile(answer: Answer) -> Iterator[tuple[str, Server]]:
    server = Server()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            answer(self, parts.path, parse_qs(parts.query), server.seen(parts.path))

    with serve_on_loopback(Handler) as url:
        yield url, server


def config_for(url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "api_key": DEFAULT_KEY,
        "api_url": url,
        "campaign_ids": ["camp-1"],
        "start_date": "2026-03-25",
        "end_date": "2026-03-31",
        "retry_initial_wait": 0.05,
        "request_timeout": 2,
        "max_retries": 2,
    }
    config.update(overrides)
    return config


def timed_run(config: dict[str, Any], tmp_path: Path, **kwargs: Any) -> tuple[TapRun, float]:
    started = time.monotonic()
    run = run_tap(config, tmp_path, check=False, timeout=120, **kwargs)
    return run, time.monotonic() - started


def one_error(run: TapRun) -> str:
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    errors = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    assert len(errors) == 1, errors
    return errors[0]


def entry(n: int) -> dict[str, Any]:
    return {
        "id": f"camp-{n:04d}",
        "name": f"Campaign {n}",
        "last_edited": "2026-03-01T00:00:00+00:00",
        "is_api_campaign": False,
        "tags": [],
    }


def list_page(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps({"campaigns": entries, "message": "success"}).encode()


def listing_config(url: str) -> dict[str, Any]:
    return config_for(url, campaign_ids=[], all_campaigns=True)


# --- lists ---------------------------------------------------------------------------------


def test_a_list_that_ignores_page_stops_after_two_requests(tmp_path: Path) -> None:
    full = list_page([entry(n) for n in range(100)])

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, full)  # the same full page, whatever page is asked

    with hostile(answer) as (url, server):
        config = listing_config(url)
        run, seconds = timed_run(config, tmp_path, catalog=catalog_selecting(config, {"campaigns"}))
    error = one_error(run)
    assert "/campaigns/list page 1 holds only items of earlier pages" in error
    assert "ignore 'page'" in error
    assert server.by_path == {"/campaigns/list": 2}
    assert seconds < 60


def test_a_list_with_pages_of_50_is_read_whole_each_item_once(tmp_path: Path) -> None:
    """Braze documents 100 a page; a server using 50 must not end the listing at page 0.
    It also repeats one id within a page: one record for it."""
    items = [entry(n) for n in range(250)]

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        page = int(query["page"][0])
        chosen = items[page * 50 : (page + 1) * 50]
        if page == 2:
            chosen = [*chosen[:-1], chosen[0]]  # camp-0100 twice, camp-0149 left for page 3
            chosen.append(items[149])
        h.reply(200, list_page(chosen))

    with hostile(answer) as (url, server):
        config = listing_config(url)
        run, _ = timed_run(config, tmp_path, catalog=catalog_selecting(config, {"campaigns"}))
    assert run.returncode == 0, run.stderr[-3000:]
    ids = [r["campaign_id"] for r in run.records["campaigns"]]
    assert ids == [f"camp-{n:04d}" for n in range(250)]
    # Pages 0..4 of 50 (page 2 holds 51), then page 5, empty, ends it.
    assert server.by_path == {"/campaigns/list": 6}
    warnings = [line.message for line in tap_log_lines(run.stderr, "WARNING")]
    assert any("/campaigns/list listed 1 item twice" in w for w in warnings), warnings


# --- rate limits ---------------------------------------------------------------------------


def rate_limited_for(seconds: float, headers: Callable[[], dict[str, str]]) -> Answer:
    """429 with ``headers`` for the first ``seconds``, then one day of data."""
    start: list[float] = []

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        start.append(start[0] if start else time.monotonic())
        if time.monotonic() - start[0] < seconds:
            h.send_response(429)
            for name, value in headers().items():
                h.send_header(name, value)
            body = b'{"message": "rate limited"}'
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        else:
            h.reply(200, ONE_DAY)

    return answer


def assert_paced_after_429(run: TapRun, server: Server, seconds: float) -> None:
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.records["campaign_analytics"]) == 8  # one day per campaign: nothing lost
    # At most the 8 workers' first requests, then one probe per hold (1 s, 2 s, 4 s, ...).
    early = [t for t in server.times if t - server.times[0] < seconds]
    assert len(early) <= 8 + 3, len(early)
    holds = [
        line.message
        for line in tap_log_lines(run.stderr, "INFO")
        if "every request to this pool waits" in line.message
    ]
    # One line per hold of the pool, never one per worker.
    assert 1 <= len(holds) <= 3, holds


EIGHT = [f"camp-{n}" for n in range(8)]


def test_retry_after_0_holds_the_pool_at_least_a_second_doubling(tmp_path: Path) -> None:
    answer = rate_limited_for(2.5, lambda: {"Retry-After": "0"})
    with hostile(answer) as (url, server):
        run, _ = timed_run(config_for(url, campaign_ids=EIGHT, max_retries=8), tmp_path)
    assert_paced_after_429(run, server, 2.5)


def test_a_reset_in_the_past_holds_the_pool_at_least_a_second_doubling(tmp_path: Path) -> None:
    def past() -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "10",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(int(time.time()) - 100),
        }

    with hostile(rate_limited_for(2.5, past)) as (url, server):
        run, _ = timed_run(config_for(url, campaign_ids=EIGHT, max_retries=8), tmp_path)
    assert_paced_after_429(run, server, 2.5)


def test_an_http_date_retry_after_is_waited_for(tmp_path: Path) -> None:
    until: list[float] = []

    def date_header() -> dict[str, str]:
        if not until:
            until.append(time.time() + 3)
        return {"Retry-After": email.utils.formatdate(until[0], usegmt=True)}

    with hostile(rate_limited_for(0.5, date_header)) as (url, server):
        run, _ = timed_run(config_for(url, campaign_ids=["camp-1"]), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(server.times) == 2
    # HTTP-dates are whole seconds: the wait is 2 to 3 s, not the 1 s floor of a missing one.
    assert server.times[1] - server.times[0] > 1.9
    assert len(run.records["campaign_analytics"]) == 1


def test_429s_for_ever_give_up_after_max_retries(tmp_path: Path) -> None:
    with hostile(rate_limited_for(3600, lambda: {"Retry-After": "0"})) as (url, server):
        run, seconds = timed_run(config_for(url, max_retries=2), tmp_path)
    error = one_error(run)
    assert "rate limited on each of 3 attempts (max_retries=2)" in error
    assert server.requests == 3
    assert seconds < 60  # holds of 1 s and 2 s


# --- bodies --------------------------------------------------------------------------------


def test_a_trickling_body_is_cut_off_by_request_timeout(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(ONE_DAY)))
        h.end_headers()
        try:
            for byte in ONE_DAY:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(0.2)  # each read is quick; the whole takes 30 s
        except OSError:
            return  # the tap hung up

    with hostile(answer) as (url, server):
        run, seconds = timed_run(config_for(url, request_timeout=1, max_retries=1), tmp_path)
    error = one_error(run)
    assert "the body was not complete within request_timeout" in error
    assert "after 2 attempts" in error
    assert server.requests == 2
    assert seconds < 30


def test_a_redirect_is_not_followed_and_its_error_names_where(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.send_response(302)
        h.send_header("Location", f"https://collector.example/steal?k={DEFAULT_KEY}")
        h.send_header("Content-Length", "0")
        h.end_headers()

    with hostile(answer) as (url, server):
        run, _ = timed_run(config_for(url), tmp_path)
    error = one_error(run)
    assert "answered 302 for /campaigns/data_series" in error
    assert "redirecting to https://collector.example/steal?k=***" in error
    assert DEFAULT_KEY not in run.stderr + run.stdout
    assert server.requests == 1


def test_a_body_nested_100000_deep_is_malformed_not_a_crash(tmp_path: Path) -> None:
    deep = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b', "message": "success"}'

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, deep)

    with hostile(answer) as (url, server):
        run, _ = timed_run(config_for(url, max_retries=1), tmp_path)
    error = one_error(run)
    assert "nested too deep" in error
    assert server.requests == 2


def test_a_huge_field_is_kept_whole(tmp_path: Path) -> None:
    """A 4 MB string where Braze puts a number: the day still lands, the value kept."""
    huge = "x" * 4_000_000
    body = json.dumps(
        {
            "data": [{"time": "2026-03-30", "unique_recipients": 3, "odd": huge}],
            "message": "success",
        }
    ).encode()

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, body)

    with hostile(answer) as (url, server):
        run, _ = timed_run(config_for(url), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    (record,) = run.records["campaign_analytics"]
    assert record["unique_recipients"] == 3
    assert json.dumps(record).count("x" * 1000) >= 4000
    assert server.requests == 1
    assert (
        run.final_state["bookmarks"]["campaign_analytics"]["partitions"][0]["replication_key_value"]
        >= dt.date(2026, 3, 30).isoformat()
    )


def test_a_body_without_end_is_cut_off_at_a_size_not_read_until_memory_runs_out(
    tmp_path: Path,
) -> None:
    """A 200 that streams for ever, as fast as the loopback goes: within request_timeout it
    would hold tens of gigabytes; it is cut off at its window's limit, retried, then one
    error."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()

        def chunk(data: bytes) -> bytes:
            return f"{len(data):x}\r\n".encode() + data + b"\r\n"

        block = chunk(b"0," * 512 * 1024)
        try:
            h.wfile.write(chunk(b'{"data": ['))
            while True:
                h.wfile.write(block)
        except OSError:
            return  # the tap hung up

    with hostile(answer) as (url, server):
        run, seconds = timed_run(config_for(url, request_timeout=60, max_retries=1), tmp_path)
    error = one_error(run)
    limit = BodyLimit.for_units(8)  # 2026-03-25..2026-03-31, and the day after (guards)
    assert f"the body outgrew {limit.max_bytes:,} bytes or {limit.max_values:,} JSON" in error
    assert "more than a window of 8 days can hold" in error
    assert "after 2 attempts" in error
    assert server.requests == 2
    assert seconds < 60


HTML_PAGE = b"""<!DOCTYPE HTML>
<html lang="en">
    <head><title>Error response</title></head>
    <body>
        <h1>Error response</h1>
        <p>Message: File not found.</p>
    </body>
</html>
"""


def test_an_html_error_page_is_quoted_on_the_error_line_itself(tmp_path: Path) -> None:
    """A web server's HTML page (a 404 from a wrong api_url, a load balancer's 502) is quoted
    on the one error line, its line breaks and indents collapsed: nothing spills onto lines a
    log service would read as lines of their own."""
    for status, expected in ((404, "api_url looks wrong"), (502, "Giving up on")):

        def answer(
            h: QuietHandler, path: str, query: dict, count: int, status: int = status
        ) -> None:
            h.reply(status, HTML_PAGE, "text/html")

        with hostile(answer) as (url, _server):
            run, _ = timed_run(config_for(url, max_retries=0), tmp_path)
        error = one_error(run)
        assert expected in error, error
        assert "\n" not in error, error
        assert '<html lang="en"> <head><title>Error response</title></head>' in error, error
