"""Answers that must not be read as data: a bookmark moves only over what was read and
understood. A 200 whose ``message`` is not ``success``, a 400 that does not say the item is
gone, a next page the tap cannot follow, a listing without end: each is one error naming the
endpoint (after retries where Braze may recover), and the failed partition keeps its bookmark.
Each server is a tiny one on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalogs import catalog_selecting
from conftest import QuietHandler
from test_hostile_servers import EMPTY_SERIES, ONE_DAY, config_for, hostile, one_error, timed_run

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
