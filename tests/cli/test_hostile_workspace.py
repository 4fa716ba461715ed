"""The workspace series and catalogues against answers the simulator does not model, from a
tiny server on 127.0.0.1: legal variations give the right records, broken answers one clear
error naming what was asked, never a traceback, and every listing stays bounded."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from catalogs import catalog_selecting
from conftest import QuietHandler
from test_hostile_servers import config_for, hostile, one_error, timed_run

from tap_braze_sends.runtime.paging import MAX_PAGES

EMPTY = b'{"data": [], "message": "success"}'


def workspace_config(url: str, **overrides: Any) -> dict[str, Any]:
    """test_hostile_servers' config, without its campaign: the workspace series alone."""
    return config_for(url, **{"campaign_ids": [], **overrides})


def series(*days: dict[str, Any]) -> bytes:
    return json.dumps({"data": list(days), "message": "success"}).encode()


# --- series --------------------------------------------------------------------------------

# 7 sessions on 2026-03-30, the only day Braze answers: sessions are a dense series, so the
# other days of config_for's range (2026-03-25..31) are zeros.
ONE_DAY_OF_SESSIONS = {f"2026-03-{d}": 7 if d == 30 else 0 for d in range(25, 32)}


def sessions_by_day(records: list[dict[str, Any]]) -> dict[str, int]:
    return {r["time"]: r["sessions"] for r in records}


def test_each_kpis_extra_metrics_are_kept_in_the_merged_row(tmp_path: Path) -> None:
    """Each KPI is a request of its own, merged into one row per app and day. A KPI sent as a
    float (3.0: no integer column takes it) and an unknown key of another KPI's answer both
    land in extra_metrics; the later answer's extras used to replace the earlier ones'."""
    bodies = {
        "/kpi/dau/data_series": series({"time": "2026-03-30", "dau": 3.0, "dau_note": "x"}),
        "/kpi/mau/data_series": series({"time": "2026-03-30", "mau": 4.0}),
        "/kpi/new_users/data_series": series({"time": "2026-03-30", "new_users": 2}),
    }

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, bodies.get(path, EMPTY))

    with hostile(answer) as (url, _server):
        config = workspace_config(url)
        run, _ = timed_run(config, tmp_path, catalog=catalog_selecting(config, {"app_kpis"}))
    assert run.returncode == 0, run.stderr[-3000:]
    (record,) = run.records["app_kpis"]
    assert record == {
        "app_id": "*",
        "time": "2026-03-30",
        "new_users": 2,
        "extra_metrics": {"dau": 3.0, "dau_note": "x", "mau": 4.0},
    }


# --- /events, paged by the Link header's cursor ---------------------------------------------


def events_page(names: list[str]) -> bytes:
    events = [{"name": n, "description": None, "status": "Active", "tag_names": []} for n in names]
    return json.dumps({"events": events, "message": "success"}).encode()


def reply_with_link(h: QuietHandler, body: bytes, link: str | None) -> None:
    # Headers and body go in two writes: without TCP_NODELAY each reply waits out a delayed ACK.
    h.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    if link is not None:
        h.send_header("Link", link)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def events_config(url: str) -> dict[str, Any]:
    return workspace_config(url, all_events=True)


def read_events(answer: Any, tmp_path: Path) -> tuple[Any, Any]:
    with hostile(answer) as (url, server):
        config = events_config(url)
        run, _ = timed_run(config, tmp_path, catalog=catalog_selecting(config, {"custom_events"}))
    return run, server


def test_a_short_page_with_a_next_link_is_not_the_end_of_the_events(tmp_path: Path) -> None:
    """Braze names the next page in the Link header: a page shorter than the first (49, where
    an event was dropped between two requests) is no end while a next page is named."""
    pages = {
        None: ([f"e{n:03d}" for n in range(50)], "c1"),
        "c1": ([f"e{n:03d}" for n in range(50, 99)], "c2"),
        "c2": (["e099", "e100"], None),
    }

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        names, following = pages[query.get("cursor", [None])[0]]
        link = f'</events?cursor={following}>; rel="next"' if following else None
        reply_with_link(h, events_page(names), link)

    run, server = read_events(answer, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    names = [r["event_name"] for r in run.records["custom_events"]]
    assert names == [f"e{n:03d}" for n in range(101)]
    assert server.by_path == {"/events": 3}


def test_a_link_pointing_elsewhere_gives_only_its_cursor(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if "cursor" in query:
            assert query["cursor"] == ["c2tpcDo1MA=="]
            reply_with_link(h, events_page(["Zürich 🎉"]), None)
        else:
            link = '<https://collector.example/events?cursor=c2tpcDo1MA%3D%3D>; rel="next"'
            reply_with_link(h, events_page(["Added to Cart"]), link)

    run, server = read_events(answer, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert [r["event_name"] for r in run.records["custom_events"]] == ["Added to Cart", "Zürich 🎉"]
    assert server.by_path == {"/events": 2}


def test_an_unreadable_link_is_retried_then_one_error_naming_the_page(tmp_path: Path) -> None:
    """A next URL that is no URL (an unclosed IPv6 bracket) raised ValueError: a traceback."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        reply_with_link(h, events_page(["a"]), '<http://[::1/events?cursor=x>; rel="next"')

    run, server = read_events(answer, tmp_path)
    error = one_error(run)
    assert "/events page 0" in error
    assert "unreadable Link header from /events" in error
    assert server.by_path == {"/events": 3}  # max_retries=2


def test_a_link_looping_to_the_same_cursor_stops_after_two_requests(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        reply_with_link(h, events_page(["a", "b"]), '</events?cursor=same>; rel="next"')

    run, server = read_events(answer, tmp_path)
    error = one_error(run)
    assert "/events page 1 holds only items of earlier pages" in error
    assert server.by_path == {"/events": 2}


def test_a_stray_link_header_on_a_series_is_ignored(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        body = series({"time": "2026-03-30", "sessions": 7}) if "sessions" in path else EMPTY
        reply_with_link(h, body, '<http://[::1/x?cursor=1>; rel="next"')

    with hostile(answer) as (url, _server):
        config = workspace_config(url)
        catalog = catalog_selecting(config, {"session_analytics"})
        run, _ = timed_run(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-3000:]
    assert sessions_by_day(run.records["session_analytics"]) == ONE_DAY_OF_SESSIONS


# --- state ---------------------------------------------------------------------------------


def test_bookmarks_at_the_edge_of_datetimes_range_run_without_a_traceback(
    tmp_path: Path,
) -> None:
    """A hand-edited state's bookmarks in year 1 and 9999 (valid dates, as the state check
    says) ended the run in an OverflowError traceback while planning."""

    def partition(value: str) -> dict[str, Any]:
        context = {"app_id": "*", "segment_id": "*"}
        return {"context": context, "replication_key": "time", "replication_key_value": value}

    state = {
        "bookmarks": {
            "session_analytics": {"partitions": [partition("0001-01-01")]},
            "session_hourly_analytics": {"partitions": [partition("9999-12-31T23:00:00-05:00")]},
        }
    }

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(
            200, series({"time": "2026-03-30", "sessions": 7}) if "day" in query["unit"] else EMPTY
        )

    with hostile(answer) as (url, _server):
        config = workspace_config(url)
        streams = {"session_analytics", "session_hourly_analytics"}
        run, _ = timed_run(
            config, tmp_path, catalog=catalog_selecting(config, streams), state=state
        )
    assert run.returncode == 0, run.stderr[-3000:]
    assert sessions_by_day(run.records["session_analytics"]) == ONE_DAY_OF_SESSIONS


def test_events_pages_that_never_end_stop_at_half_the_small_pool(tmp_path: Path) -> None:
    """Each page new events and a new cursor, for ever: the listing stops at half of the
    1,000 requests an hour Braze documents for /events' pool (no answer reports a limit), not
    at MAX_PAGES (2,000: twice that pool; 980 requests in 3 s spent 98% of its hour)."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        names = [f"e{count:05d}-{n:02d}" for n in range(50)]
        reply_with_link(h, events_page(names), f'</events?cursor=c{count}>; rel="next"')

    run, server = read_events(answer, tmp_path)
    error = one_error(run)
    assert "/events still named more pages after 500 pages (25000 items)" in error
    assert "1,000 requests an hour" in error
    assert server.by_path == {"/events": 500}
    assert MAX_PAGES > 500
