"""A campaign deleted between /campaigns/list and the requests that follow it.

Braze answers 400 for an id it no longer knows. For a campaign the tap found by listing, that
is a warning and the run goes on; for an id the config names, it stays the user's error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from catalogs import catalog_selecting
from conftest import QuietHandler, run_tap, serve_on_loopback, tap_log_lines

KEY = "gone-test-key"
GONE = "c-gone"
KEPT = "c-kept"
UNKNOWN = {"message": "campaign_id must be a string of the campaign api identifier"}


class DeletedMidRun(QuietHandler):
    """Lists two campaigns, then knows only one of them."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            self.reply(401, b'{"message": "Invalid API key"}')
        elif url.path == "/campaigns/list":
            entries = [
                {
                    "id": cid,
                    "name": cid.upper(),
                    "tags": [],
                    "last_edited": "2026-03-01T00:00:00Z",
                    "is_api_campaign": False,
                }
                for cid in (KEPT, GONE)
            ]
            page = entries if query.get("page") == "0" else []
            self.reply(200, json.dumps({"campaigns": page, "message": "success"}).encode())
        elif query.get("campaign_id") != KEPT:
            self.reply(400, json.dumps(UNKNOWN).encode())
        elif url.path == "/campaigns/details":
            body = {
                "name": "C-KEPT",
                "archived": False,
                "draft": False,
                "messages": {},
                "message": "success",
            }
            self.reply(200, json.dumps(body).encode())
        else:  # /campaigns/data_series: one day of data, whatever the window
            day = {"time": "2026-03-30", "unique_recipients": 5, "messages": {}}
            self.reply(200, json.dumps({"data": [day], "message": "success"}).encode())


def config(url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "api_key": KEY,
        "api_url": url,
        "start_date": "2026-03-29",
        "end_date": "2026-03-31",
        "retry_initial_wait": 0,
        **overrides,
    }


def test_a_discovered_campaign_gone_since_listing_is_skipped_with_a_warning(
    tmp_path: Path,
) -> None:
    with serve_on_loopback(DeletedMidRun) as url:
        cfg = config(url, all_campaigns=True)
        streams = {"campaigns", "campaign_details", "campaign_analytics"}
        run = run_tap(cfg, tmp_path, catalog=catalog_selecting(cfg, streams))
    assert run.returncode == 0
    assert [r["campaign_id"] for r in run.records["campaigns"]] == [KEPT, GONE]
    assert [r["campaign_id"] for r in run.records["campaign_details"]] == [KEPT]
    assert {r["campaign_id"] for r in run.records["campaign_analytics"]} == {KEPT}
    warnings = [line.message for line in tap_log_lines(run.stderr, "WARNING")]
    assert sum(GONE in w and "campaign_id must be a string" in w for w in warnings) == 2
    # Its details were not marked read: the next run asks again if it is still listed.
    details_state = run.final_state["bookmarks"]["campaign_details"]["partitions"]
    read = {p["context"]["campaign_id"] for p in details_state if p.get("replication_key_value")}
    assert read == {KEPT}


def test_an_id_the_config_names_still_fails_the_run_clearly(tmp_path: Path) -> None:
    with serve_on_loopback(DeletedMidRun) as url:
        run = run_tap(config(url, campaign_ids=[KEPT, GONE]), tmp_path, check=False)
    assert run.returncode == 1
    errors = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    assert any(f"campaign_id='{GONE}' (400)" in e for e in errors), errors
