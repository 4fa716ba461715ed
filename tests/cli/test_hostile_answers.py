"""Answers that must not be read as data: a bookmark moves only over what was read and
understood. A 200 whose ``message`` is not ``success``, a 400 that does not say the item is
gone, a next page the tap cannot follow, a listing without end: each is one error naming the
endpoint (after retries where Braze may recover), and the failed partition keeps its bookmark.
Each server is a tiny one on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from catalogs import catalog_selecting
from conftest import QuietHandler, TapRun, tap_log_lines
from test_hostile_servers import (
    EMPTY_SERIES,
    ONE_DAY,
    Answer,
    Server,
    config_for,
    entry,
    hostile,
    list_page,
    one_error,
    timed_run,
)

BOOKMARK = "2026-03-20"
STATE = {
    "bookmarks": {
        "campaign_analytics": {
            "partitions": [
                {
                    "context": {"campaign_id": "camp-1"},
                    "replication_key": "time",
                    "replication_key_value": BOOKMARK,
                }
            ]
        }
    }
}


def campaign_bookmark(run: Any) -> str | None:
    return run.bookmarks("campaign_analytics").get(("camp-1",))


# --- a 200 that is no success ----------------------------------------------------------------


def test_a_200_whose_message_is_error_fails_and_keeps_the_bookmark(tmp_path: Path) -> None:
    """{"message": "error", "data": []} read as "no activity" moved the bookmark to today."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, b'{"message": "error", "data": []}')

    with hostile(answer) as (url, server):
        config = config_for(url, start_date="2026-01-30")
        run, _ = timed_run(config, tmp_path, state=STATE)
    error = one_error(run)
    assert "/campaigns/data_series" in error
    assert "message 'error'" in error
    assert "campaign_id='camp-1'" in error
    assert server.by_path == {"/campaigns/data_series": 3}  # retried: max_retries=2
    assert campaign_bookmark(run) in (None, BOOKMARK)
    assert "campaign_analytics" not in run.records


def test_after_a_run_of_error_bodies_the_next_healthy_run_reads_the_whole_backfill(
    tmp_path: Path,
) -> None:
    """The issue's case: a 60-day backfill answered {"message": "error", "data": []} wrote 0
    records and moved the bookmark, so the next healthy run read only the lookback (45 of 60
    days lost). Now the second run starts where the first did: every day of the range."""
    healthy = threading.Event()

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if not healthy.is_set():
            h.reply(200, b'{"message": "error", "data": []}')
            return
        last = dt.date.fromisoformat(query["ending_at"][0][:10])
        days = [last - dt.timedelta(days=n) for n in range(int(query["length"][0]) + 1)]
        data = [{"time": d.isoformat(), "unique_recipients": 1} for d in days]
        h.reply(200, json.dumps({"data": data, "message": "success"}).encode())

    with hostile(answer) as (url, _server):
        config = config_for(url, start_date="2026-01-30", end_date="2026-03-30", lookback_days=14)
        first, _ = timed_run(config, tmp_path / "first")
        healthy.set()
        second, _ = timed_run(config, tmp_path / "second", state=first.final_state)
    assert first.returncode == 1
    assert second.returncode == 0, second.stderr[-3000:]
    days = {r["time"] for r in second.records["campaign_analytics"]}
    assert min(days) == "2026-01-30"
    assert len(days) == 60


def test_a_body_without_message_is_no_success(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, b'{"data": []}')

    with hostile(answer) as (url, _server):
        run, _ = timed_run(config_for(url), tmp_path, state=STATE)
    error = one_error(run)
    assert "without message 'success'" in error
    assert campaign_bookmark(run) in (None, BOOKMARK)


def test_a_queued_answer_is_retried_until_braze_completes_it(tmp_path: Path) -> None:
    """Braze answers 202 {"message": "queued"} while its API is paused for maintenance."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if count == 1:
            h.reply(202, b'{"message": "queued"}')
        else:
            h.reply(200, ONE_DAY)

    with hostile(answer) as (url, server):
        run, _ = timed_run(config_for(url), tmp_path, state=STATE)
    assert run.returncode == 0, run.stderr[-3000:]
    assert [r["time"] for r in run.records["campaign_analytics"]] == ["2026-03-30"]
    assert server.by_path == {"/campaigns/data_series": 2}
    assert campaign_bookmark(run) == "2026-03-31"


def test_a_listing_page_whose_message_is_error_is_not_an_empty_listing(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if path == "/campaigns/list":
            h.reply(200, json.dumps({"campaigns": [], "message": "error"}).encode())
        else:
            h.reply(200, EMPTY_SERIES)

    with hostile(answer) as (url, _server):
        config = config_for(url, campaign_ids=[], all_campaigns=True)
        catalog = catalog_selecting(config, {"campaigns", "campaign_analytics"})
        run, _ = timed_run(config, tmp_path, catalog=catalog)
    error = one_error(run)
    assert "/campaigns/list page 0" in error
    assert "message 'error'" in error


# --- /events: a next page it cannot follow, a listing without end ------------------------------


def events_page(names: list[str]) -> bytes:
    events = [{"name": n, "description": None, "status": "Active", "tag_names": []} for n in names]
    return json.dumps({"events": events, "message": "success"}).encode()


def read_events(answer: Answer, tmp_path: Path) -> tuple[TapRun, Server]:
    with hostile(answer) as (url, server):
        config = config_for(url, campaign_ids=[], all_events=True)
        streams = {"custom_events", "custom_event_analytics"}
        run, _ = timed_run(config, tmp_path, catalog=catalog_selecting(config, streams))
    return run, server


@pytest.mark.parametrize(
    "next_url", ["/events?page=1", "/events?cursor=", "/events?after=c2tpcDo1MA", ""]
)
def test_a_next_page_without_a_cursor_is_an_error_not_the_end(
    next_url: str, tmp_path: Path
) -> None:
    """50 of 150 events, exit 0, no warning: a next link without a cursor ended the listing."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if path == "/events":
            names = [f"e{n:03d}" for n in range(50)]
            h.reply(200, events_page(names), headers={"Link": f'<{next_url}>; rel="next"'})
        else:
            h.reply(200, EMPTY_SERIES)

    run, server = read_events(answer, tmp_path)
    error = one_error(run)
    assert error.startswith("/events page 0: the Link header names a next page without a cursor")
    assert server.by_path == {"/events": 1}  # not retried, and no series read from half a list
    assert "custom_event_analytics" not in run.records


def test_an_empty_page_that_names_a_next_one_is_not_the_end(tmp_path: Path) -> None:
    """An empty /events page with a next link ended the listing: 50 of 51 events."""
    pages = {None: ([f"e{n:03d}" for n in range(50)], "c1"), "c1": ([], "c2"), "c2": (["z"], None)}

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if path == "/events":
            names, following = pages[query.get("cursor", [None])[0]]
            link = {"Link": f'</events?cursor={following}>; rel="next"'} if following else {}
            h.reply(200, events_page(names), headers=link)
        else:
            h.reply(200, EMPTY_SERIES)

    run, server = read_events(answer, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(run.records["custom_events"]) == 51
    assert server.by_path["/events"] == 3


def test_empty_pages_naming_the_same_next_page_stop_after_two_requests(tmp_path: Path) -> None:
    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, events_page([]), headers={"Link": '</events?cursor=same>; rel="next"'})

    run, server = read_events(answer, tmp_path)
    error = one_error(run)
    assert "/events page 1 names as its next page one already read (cursor 'same')" in error
    assert server.by_path == {"/events": 2}


def test_a_listing_stops_at_half_the_limit_its_pool_reports(tmp_path: Path) -> None:
    """A pool of 300 an hour (X-RateLimit-Limit): the endless listing stops at 150 pages."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        names = [f"e{count:05d}-{n:02d}" for n in range(50)]
        headers = {
            "Link": f'</events?cursor=c{count}>; rel="next"',
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(300 - count),
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
        }
        h.reply(200, events_page(names), headers=headers)

    run, server = read_events(answer, tmp_path)
    error = one_error(run)
    assert "/events still named more pages after 150 pages (7500 items)" in error
    assert "300 requests an hour" in error
    assert server.by_path == {"/events": 150}


# --- a 400 for a discovered item: deleted only on positive evidence ----------------------------

EVENTS = ["Added to Cart", "Search", "Signed Up"]
EVENT_BOOKMARK = "2026-02-01"


def event_state() -> dict[str, Any]:
    partitions = [
        {
            "context": {"event_name": name, "app_id": "*", "segment_id": "*"},
            "replication_key": "time",
            "replication_key_value": EVENT_BOOKMARK,
        }
        for name in EVENTS
    ]
    return {"bookmarks": {"custom_event_analytics": {"partitions": partitions}}}


def event_bookmarks(run: TapRun) -> dict[str, str | None]:
    entry = run.final_state.get("bookmarks", {}).get("custom_event_analytics", {})
    return {
        p["context"]["event_name"]: p.get("replication_key_value")
        for p in entry.get("partitions", [])
    }


def run_events(answer: Answer, tmp_path: Path) -> tuple[TapRun, Server]:
    with hostile(answer) as (url, server):
        config = config_for(url, campaign_ids=[], all_events=True, start_date="2026-01-30")
        catalog = catalog_selecting(config, {"custom_event_analytics"})
        run, _ = timed_run(config, tmp_path, catalog=catalog, state=event_state())
    return run, server


def test_a_400_that_does_not_say_deleted_is_an_error_and_keeps_the_bookmarks(
    tmp_path: Path,
) -> None:
    """Any 400 for a discovered event was read as "deleted": a warning, exit 0, and each
    event's bookmark moved to today over 60 days never read. Braze documents no 400 text for
    an unknown event, and a fresh /events listing still holds them: an error."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if path == "/events":
            h.reply(200, events_page(EVENTS))
        else:
            h.reply(400, b'{"message": "ending_at is out of range"}')

    run, server = run_events(answer, tmp_path)
    error = one_error(run)
    assert "(400)" in error
    assert "ending_at is out of range" in error
    assert "not shown deleted" in error
    assert server.by_path["/events"] == 2  # the discovery, then one fresh listing
    assert all(value == EVENT_BOOKMARK for value in event_bookmarks(run).values())
    assert not [line for line in tap_log_lines(run.stderr, "WARNING") if "Skipping" in line.message]


def test_an_event_a_fresh_listing_no_longer_holds_is_skipped_and_keeps_its_bookmark(
    tmp_path: Path,
) -> None:
    deleted: set[str] = set()

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if path == "/events":
            h.reply(200, events_page([e for e in EVENTS if e not in deleted]))
        elif query["event"] == ["Search"]:
            deleted.add("Search")  # deleted between the listing and its series
            h.reply(400, b'{"message": "Invalid event"}')
        else:
            h.reply(
                200,
                json.dumps(
                    {"data": [{"time": "2026-03-30", "count": 4}], "message": "success"}
                ).encode(),
            )

    run, server = run_events(answer, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert {r["event_name"] for r in run.records["custom_event_analytics"]} == {
        "Added to Cart",
        "Signed Up",
    }
    bookmarks = event_bookmarks(run)
    assert bookmarks["Search"] == EVENT_BOOKMARK  # nothing read: it stays
    assert bookmarks["Added to Cart"] == bookmarks["Signed Up"] == "2026-03-31"
    (warning,) = [
        w.message for w in tap_log_lines(run.stderr, "WARNING") if "Skipping" in w.message
    ]
    assert "'Search'" in warning
    assert "/events no longer lists it" in warning
    assert server.by_path["/events"] == 2


def campaign_list(ids: list[str]) -> bytes:
    return list_page([{**entry(0), "id": cid} for cid in ids])


def listed_then_400(message: bytes) -> Answer:
    """Lists camp-1 (one page), answers every other request 400 with ``message``."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if path == "/campaigns/list":
            h.reply(200, campaign_list(["camp-1"] if query["page"] == ["0"] else []))
        else:
            h.reply(400, message)

    return answer


def run_discovered_campaign(message: bytes, tmp_path: Path) -> tuple[TapRun, Server]:
    with hostile(listed_then_400(message)) as (url, server):
        config = config_for(url, campaign_ids=[], all_campaigns=True)
        catalog = catalog_selecting(config, {"campaign_analytics"})
        run, _ = timed_run(config, tmp_path, catalog=catalog, state=STATE)
    return run, server


def test_a_campaign_braze_says_is_unknown_is_skipped_and_keeps_its_bookmark(
    tmp_path: Path,
) -> None:
    """Braze's documented 400 for an unknown campaign id is evidence enough: no relisting."""
    message = b'{"message": "campaign_id must be a string of the campaign api identifier"}'
    run, server = run_discovered_campaign(message, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert campaign_bookmark(run) == BOOKMARK
    # Discovery's two listings (unarchived, then all) of two pages each; no fresh one.
    assert server.by_path["/campaigns/list"] == 4
    assert any("Skipping campaign_id='camp-1'" in w.message for w in tap_log_lines(run.stderr))


def test_another_400_for_a_listed_campaign_is_an_error(tmp_path: Path) -> None:
    run, server = run_discovered_campaign(b'{"message": "Bad Request"}', tmp_path)
    error = one_error(run)
    assert "campaign_id='camp-1'" in error
    assert "Bad Request" in error
    assert campaign_bookmark(run) == BOOKMARK
    assert server.by_path["/campaigns/list"] == 4 + 2  # discovery's, then one fresh listing


def run_campaign_details(answer: Answer, tmp_path: Path) -> tuple[TapRun, Server]:
    with hostile(answer) as (url, server):
        config = config_for(url, campaign_ids=[], all_campaigns=True)
        catalog = catalog_selecting(config, {"campaigns", "campaign_details"})
        run, _ = timed_run(config, tmp_path, catalog=catalog)
    return run, server


def test_a_details_400_for_a_campaign_still_listed_is_an_error(tmp_path: Path) -> None:
    """Its details were skipped with a warning, exit 0, whatever the 400 said."""
    run, server = run_campaign_details(listed_then_400(b'{"message": "Bad Request"}'), tmp_path)
    error = one_error(run)
    assert "campaign_id='camp-1'" in error
    assert "not shown deleted" in error
    assert server.by_path["/campaigns/list"] == 2 + 2  # the listing, then one fresh listing


def test_the_details_of_a_campaign_gone_from_a_fresh_listing_are_skipped(tmp_path: Path) -> None:
    deleted: set[str] = set()

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        if path == "/campaigns/list":
            ids = [c for c in ("camp-1", "camp-2") if c not in deleted]
            h.reply(200, campaign_list(ids if query["page"] == ["0"] else []))
        elif query["campaign_id"] == ["camp-2"]:
            deleted.add("camp-2")
            h.reply(400, b'{"message": "Bad Request"}')
        else:
            body = {"name": "C1", "archived": False, "draft": False, "messages": {}}
            h.reply(200, json.dumps({**body, "message": "success"}).encode())

    run, _server = run_campaign_details(answer, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert [r["campaign_id"] for r in run.records["campaign_details"]] == ["camp-1"]
    (warning,) = [w.message for w in tap_log_lines(run.stderr, "WARNING")]
    assert "Skipping the details of campaign_id='camp-2'" in warning
    assert "/campaigns/list no longer lists it" in warning
