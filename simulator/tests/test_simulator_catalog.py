"""The simulator's campaign catalogue (issue 9): GET /campaigns/list and /campaigns/details,
over real HTTP on 127.0.0.1, against hand-written expectations and Braze's documented rules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from braze_simulator import (
    CATALOG_MIX,
    DEFAULT_KEY,
    NO_DETAILS_KEY,
    NO_LIST_KEY,
    SENDS_ONLY_KEY,
    BrazeSimulator,
    FaultPlan,
    RateLimit,
    Workspace,
    build_workspace,
)

TODAY = date(2024, 6, 30)
LIST = "/campaigns/list"
DETAILS = "/campaigns/details"
SERIES = "/campaigns/data_series"
ISO_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
DETAIL_KEYS = {
    "created_at",
    "updated_at",
    "archived",
    "draft",
    "enabled",
    "has_post_launch_draft",
    "name",
    "description",
    "schedule_type",
    "channels",
    "first_sent",
    "last_sent",
    "tags",
    "teams",
    "messages",
    "conversion_behaviors",
    "message",
}


def get(url: str, path: str, key: str = DEFAULT_KEY, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return requests.get(url + path, params=params, headers=headers, timeout=10)


def listed_ids(url: str, **params: Any) -> list[list[str]]:
    """Every page's ids until the first page shorter than 100 (Braze gives no total)."""
    pages: list[list[str]] = []
    for page in range(50):
        r = get(url, LIST, page=page, **params)
        assert r.status_code == 200
        body = r.json()
        assert body["message"] == "success"
        pages.append([c["id"] for c in body["campaigns"]])
        if len(pages[-1]) < 100:
            return pages
    raise AssertionError("the listing never ended")


def series_ids(url: str, campaign_id: str, **params: Any) -> set[str]:
    r = get(url, SERIES, campaign_id=campaign_id, **params)
    assert r.status_code == 200
    return {
        entry["variation_api_id"]
        for day in r.json()["data"]
        for entries in day["messages"].values()
        for entry in entries or []
        if "variation_api_id" in entry
    }


@pytest.fixture(scope="module")
def big() -> Workspace:
    return build_workspace(3, 250, today=TODAY, seed=7, mix=CATALOG_MIX)


@pytest.fixture(scope="module")
def big_sim(big: Workspace):
    with BrazeSimulator(big) as sim:
        yield sim


@pytest.fixture
def small_sim():
    with BrazeSimulator(build_workspace(3, 2, today=TODAY, seed=7)) as sim:
        yield sim


# --- listing ------------------------------------------------------------------------------------


def test_250_campaigns_come_in_pages_of_100_100_50(big_sim: BrazeSimulator) -> None:
    pages = listed_ids(big_sim.url, include_archived="true")
    assert [len(p) for p in pages] == [100, 100, 50]
    everything = [i for p in pages for i in p]
    assert sorted(everything) == [f"camp-{n:04d}" for n in range(1, 251)]
    beyond = get(big_sim.url, LIST, page=3, include_archived="true").json()
    assert beyond == {"campaigns": [], "message": "success"}


def test_archived_campaigns_are_left_out_unless_asked_for(
    big_sim: BrazeSimulator, big: Workspace
) -> None:
    archived = {c.campaign_id for c in big.campaigns if c.archived}
    assert 10 < len(archived) < 100
    default = {i for p in listed_ids(big_sim.url) for i in p}
    explicit_false = {i for p in listed_ids(big_sim.url, include_archived="false") for i in p}
    with_archived = {i for p in listed_ids(big_sim.url, include_archived="True") for i in p}
    assert default == explicit_false
    assert not default & archived
    assert with_archived == default | archived
    assert len(with_archived) == 250


def test_order_is_creation_time_and_desc_reverses_it(
    big_sim: BrazeSimulator, big: Workspace
) -> None:
    by_creation = sorted(big.campaigns, key=lambda c: (c.created, c.campaign_id))
    expected = [c.campaign_id for c in by_creation]
    ascending = [i for p in listed_ids(big_sim.url, include_archived="true") for i in p]
    explicit_asc = listed_ids(big_sim.url, include_archived="true", sort_direction="asc")
    descending = listed_ids(big_sim.url, include_archived="true", sort_direction="desc")
    assert ascending == expected
    assert [i for p in explicit_asc for i in p] == expected
    assert [i for p in descending for i in p] == expected[::-1]


def test_small_workspace_listing_by_hand(small_sim: BrazeSimulator) -> None:
    body = get(small_sim.url, LIST).json()
    assert body == {
        "campaigns": [
            {
                "id": "camp-0001",
                "last_edited": "2024-03-04T16:30:00+00:00",
                "name": "Welcome Series",
                "is_api_campaign": False,
                "tags": ["multichannel", "onboarding"],
            },
            {
                "id": "camp-0002",
                "last_edited": "2024-06-19T11:45:00+00:00",
                "name": "In-App Upsell",
                "is_api_campaign": False,
                "tags": ["upsell"],
            },
        ],
        "message": "success",
    }
    desc = get(small_sim.url, LIST, sort_direction="desc").json()["campaigns"]
    assert [c["id"] for c in desc] == ["camp-0002", "camp-0001"]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("2024-03-04T16:29:59", ["camp-0001", "camp-0002"]),
        ("2024-03-04T16:30:00", ["camp-0002"]),  # strictly greater than
        ("2024-06-19T11:44:59", ["camp-0002"]),
        ("2024-06-19T11:45:00", []),
        # The docs' own example carries an offset: 06:44:59 at -5:00 is 11:44:59 UTC.
        ("2024-06-19T06:44:59-5:00", ["camp-0002"]),
    ],
)
def test_last_edit_time_filter(small_sim: BrazeSimulator, after: str, expected: list[str]) -> None:
    params = {"last_edit.time[gt]": after}
    body = get(small_sim.url, LIST, **params).json()
    assert [c["id"] for c in body["campaigns"]] == expected


def test_last_edit_time_filter_on_many(big_sim: BrazeSimulator, big: Workspace) -> None:
    threshold = datetime(2024, 5, 1, tzinfo=timezone.utc)
    expected = {c.campaign_id for c in big.campaigns if c.edited > threshold}
    assert 0 < len(expected) < 250
    got = listed_ids(
        big_sim.url, include_archived="true", **{"last_edit.time[gt]": "2024-05-01T00:00:00"}
    )
    assert {i for p in got for i in p} == expected


def test_list_entries_have_the_documented_fields(big_sim: BrazeSimulator) -> None:
    entries = get(big_sim.url, LIST, include_archived="true").json()["campaigns"]
    for entry in entries:
        assert set(entry) == {"id", "name", "tags", "last_edited", "is_api_campaign"}
        assert ISO_WITH_OFFSET.fullmatch(entry["last_edited"])
        assert isinstance(entry["is_api_campaign"], bool)
        assert all(isinstance(t, str) for t in entry["tags"])
        assert entry["name"]
    assert any(e["is_api_campaign"] for e in entries)
    assert any(e["tags"] for e in entries)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"page": "-1"}, "page"),
        ({"page": "one"}, "page"),
        ({"include_archived": "yes"}, "include_archived"),
        ({"sort_direction": "up"}, "sort_direction"),
        ({"last_edit.time[gt]": "yesterday"}, "last_edit.time[gt]"),
    ],
)
def test_invalid_list_query_is_400(
    small_sim: BrazeSimulator, params: dict[str, str], fragment: str
) -> None:
    r = get(small_sim.url, LIST, **params)
    assert r.status_code == 400
    assert fragment in r.json()["message"]


# --- details ------------------------------------------------------------------------------------


def test_details_of_a_fixed_campaign_by_hand(small_sim: BrazeSimulator) -> None:
    body = get(small_sim.url, DETAILS, campaign_id="camp-0002").json()
    assert set(body) == DETAIL_KEYS
    messages = body.pop("messages")
    assert body == {
        "created_at": "2024-06-19T08:00:00+00:00",
        "updated_at": "2024-06-19T11:45:00+00:00",
        "archived": False,
        "draft": False,
        "enabled": True,
        "has_post_launch_draft": True,
        "name": "In-App Upsell",
        "description": "",
        "schedule_type": "action_based",
        "channels": ["trigger_in_app_message", "in_app_message", "web_push"],
        "first_sent": "2024-06-20T12:00:00+00:00",
        "last_sent": "2024-06-30T12:00:00+00:00",
        "tags": ["upsell"],
        "teams": [],
        "conversion_behaviors": [
            {"type": "Makes Any Purchase", "window": 2592000},
            {"type": "Starts Session", "window": 86400, "app_ids": None},
        ],
        "message": "success",
    }
    controls = [m for m in messages.values() if m.get("type") == "control"]
    assert sorted(m["channel"] for m in controls) == sorted(body["channels"])
    assert all(set(m) == {"channel", "type"} for m in controls)
    web_push = [m for m in messages.values() if m["channel"] == "web_push" and "name" in m]
    assert web_push
    assert all({"alert", "title"} <= set(m) for m in web_push)


def test_details_carry_channel_fields(small_sim: BrazeSimulator) -> None:
    messages = get(small_sim.url, DETAILS, campaign_id="camp-0001").json()["messages"]
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for m in messages.values():
        by_channel.setdefault(m["channel"], []).append(m)
    assert all({"subject", "body", "from"} <= set(m) for m in by_channel["email"])
    assert all(m["body"].startswith("<html>") for m in by_channel["email"])
    assert all({"url", "method"} <= set(m) for m in by_channel["webhook"])
    assert all({"alert", "title"} <= set(m) for m in by_channel["ios_push"])
    assert all({"body", "subscription_group_id"} <= set(m) for m in by_channel["sms"])
    assert all(m["name"].startswith("Variant ") for ms in by_channel.values() for m in ms)


def test_details_fields_have_their_types(big_sim: BrazeSimulator, big: Workspace) -> None:
    for campaign in big.campaigns[::10]:
        body = get(big_sim.url, DETAILS, campaign_id=campaign.campaign_id).json()
        assert set(body) == DETAIL_KEYS
        for name in ("created_at", "updated_at"):
            assert ISO_WITH_OFFSET.fullmatch(body[name])
        for name in ("first_sent", "last_sent"):
            assert body[name] is None or ISO_WITH_OFFSET.fullmatch(body[name])
        for name in ("archived", "draft", "enabled", "has_post_launch_draft"):
            assert isinstance(body[name], bool)
        for name in ("channels", "tags", "teams"):
            assert all(isinstance(v, str) for v in body[name])
        assert all(
            isinstance(b["type"], str) and type(b["window"]) is int
            for b in body["conversion_behaviors"]
        )
        assert body["updated_at"] >= body["created_at"]


def _day(iso_time: str) -> date:
    return date.fromisoformat(iso_time[:10])


def test_message_keys_are_the_series_variation_ids(big_sim: BrazeSimulator, big: Workspace) -> None:
    checked = 0
    for campaign in big.campaigns:
        details = get(big_sim.url, DETAILS, campaign_id=campaign.campaign_id).json()
        if details["first_sent"] is None:
            continue
        # Every variation shows up on a campaign's first send day.
        first = _day(details["first_sent"])
        got = series_ids(big_sim.url, campaign.campaign_id, length=1, ending_at=str(first))
        assert got == set(details["messages"]), campaign.campaign_id
        checked += 1
    assert checked > 200
    # Over a long range no other id turns up.
    for campaign_id in ("camp-0001", "camp-0002", "camp-0003", "camp-0010"):
        keys = set(get(big_sim.url, DETAILS, campaign_id=campaign_id).json()["messages"])
        assert series_ids(big_sim.url, campaign_id, length=100) <= keys


@pytest.mark.parametrize("params", [{"campaign_id": "camp-9999"}, {"campaign_id": ""}, {}])
def test_unknown_campaign_is_400(small_sim: BrazeSimulator, params: dict[str, str]) -> None:
    r = get(small_sim.url, DETAILS, **params)
    assert r.status_code == 400
    assert r.json()["message"] == "campaign_id must be a string of the campaign api identifier"


# --- lifecycles ---------------------------------------------------------------------------------


def test_lifecycles_bound_the_series() -> None:
    """No data before first_sent, none after last_sent + the longest conversion window
    (30 days when the campaign names none); drafts have none at all."""
    ws = build_workspace(0, 60, today=TODAY, seed=7, mix=CATALOG_MIX)
    kinds: set[str] = set()
    with BrazeSimulator(ws) as sim:
        for campaign in ws.campaigns:
            cid = campaign.campaign_id
            d = get(sim.url, DETAILS, campaign_id=cid).json()
            if d["draft"]:
                kinds.add("draft")
                assert d["first_sent"] is None
                assert d["last_sent"] is None
                assert get(sim.url, SERIES, campaign_id=cid, length=100).json()["data"] == []
                continue
            first_sent = _day(d["first_sent"])
            last_sent = datetime.fromisoformat(d["last_sent"])
            windows = [b["window"] for b in d["conversion_behaviors"]] or [30 * 86400]
            last_possible = (last_sent + timedelta(seconds=max(windows))).date()
            around_first = get(
                sim.url,
                SERIES,
                campaign_id=cid,
                length=10,
                ending_at=str(first_sent + timedelta(4)),
            ).json()["data"]
            assert _day(around_first[0]["time"]) == first_sent, cid
            end = min(TODAY, last_possible + timedelta(days=5))
            around_last = get(sim.url, SERIES, campaign_id=cid, length=40, ending_at=str(end))
            days = [_day(x["time"]) for x in around_last.json()["data"]]
            assert all(day <= last_possible for day in days), cid
            recent = get(sim.url, SERIES, campaign_id=cid, length=60).json()["data"]
            if (TODAY - last_sent.date()).days > 300:
                kinds.add("dormant" if not d["archived"] else "archived long ago")
                assert recent == [], cid
            elif d["archived"] and last_possible < TODAY - timedelta(days=60):
                kinds.add("archived long ago")
                assert recent == [], cid
            elif d["archived"] and recent and _day(recent[-1]["time"]) > last_sent.date():
                kinds.add("archived with recent data")  # converting after its last send
    assert kinds == {"draft", "dormant", "archived with recent data", "archived long ago"}


def test_big_workspace_mix(big: Workspace) -> None:
    drafts = [c for c in big.campaigns if c.draft]
    archived = [c for c in big.campaigns if c.archived]
    dormant = [c for c in big.campaigns if c.last_day and c.last_day < TODAY - timedelta(days=300)]
    assert len(drafts) >= 5
    assert len(archived) >= 10
    assert len(dormant) >= 10
    assert all(
        big.campaign_series(c.campaign_id, TODAY - timedelta(99), TODAY) == [] for c in drafts
    )
    recent = [
        c for c in archived if big.campaign_series(c.campaign_id, TODAY - timedelta(days=6), TODAY)
    ]
    assert recent, "some archived campaigns still have recent data"


# --- edits ----------------------------------------------------------------------------------------


def test_edit_renames_and_bumps_last_edited(small_sim: BrazeSimulator) -> None:
    ws = small_sim.workspace
    series_before = get(small_sim.url, SERIES, campaign_id="camp-0001", length=30).json()
    ws.edit_campaign(
        "camp-0001", at=datetime(2024, 6, 30, 8, 0, tzinfo=timezone.utc), name="Welcome v2"
    )
    entries = get(small_sim.url, LIST).json()["campaigns"]
    assert entries[0] == {
        "id": "camp-0001",
        "last_edited": "2024-06-30T08:00:00+00:00",
        "name": "Welcome v2",
        "is_api_campaign": False,
        "tags": ["multichannel", "onboarding"],
    }
    assert entries[1]["last_edited"] == "2024-06-19T11:45:00+00:00"
    details = get(small_sim.url, DETAILS, campaign_id="camp-0001").json()
    assert details["name"] == "Welcome v2"
    assert details["updated_at"] == "2024-06-30T08:00:00+00:00"
    assert details["created_at"] == "2024-02-28T10:15:00+00:00"
    edited = get(small_sim.url, LIST, **{"last_edit.time[gt]": "2024-06-29T00:00:00"}).json()
    assert [c["id"] for c in edited["campaigns"]] == ["camp-0001"]
    # An edit changes the dimensions, not the analytics.
    assert get(small_sim.url, SERIES, campaign_id="camp-0001", length=30).json() == series_before


def test_edit_needs_an_aware_time_and_a_known_campaign() -> None:
    ws = build_workspace(0, 2, today=TODAY, seed=7)
    with pytest.raises(ValueError, match="timezone-aware"):
        ws.edit_campaign("camp-0001", at=datetime(2024, 6, 30, 8), name="x")
    with pytest.raises(KeyError):
        ws.edit_campaign("camp-9999", at=datetime(2024, 6, 30, tzinfo=timezone.utc))


# --- shared machinery: permissions, rate limit, faults, latency, stats -------------------------


@pytest.mark.parametrize(
    ("key", "path", "status"),
    [
        (NO_LIST_KEY, LIST, 403),
        (NO_LIST_KEY, DETAILS, 200),
        (NO_LIST_KEY, SERIES, 200),
        (NO_DETAILS_KEY, DETAILS, 403),
        (NO_DETAILS_KEY, LIST, 200),
        (NO_DETAILS_KEY, SERIES, 200),
        (SENDS_ONLY_KEY, LIST, 403),
        (SENDS_ONLY_KEY, DETAILS, 403),
    ],
)
def test_permissions(small_sim: BrazeSimulator, key: str, path: str, status: int) -> None:
    r = get(small_sim.url, path, key=key, campaign_id="camp-0001", length=1)
    assert r.status_code == status
    if status == 403:
        permission = {LIST: "campaigns.list", DETAILS: "campaigns.details"}[path]
        assert permission in r.json()["message"]
        assert any(permission in e for e in r.json()["errors"])


def test_catalog_shares_the_default_pool_with_sends() -> None:
    ws = build_workspace(3, 2, today=TODAY, seed=7)
    with BrazeSimulator(ws, sends_rate_limit=RateLimit(limit=3, period_seconds=60)) as sim:
        send = ws.sends[0]
        statuses = [
            get(sim.url, LIST),
            get(sim.url, DETAILS, campaign_id="camp-0001"),
            get(
                sim.url,
                "/sends/data_series",
                campaign_id=send.campaign_id,
                send_id=send.send_id,
                length=1,
            ),
            get(sim.url, LIST),
        ]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert [r.headers["X-RateLimit-Remaining"] for r in statuses] == ["2", "1", "0", "0"]
        assert {r.headers["X-RateLimit-Limit"] for r in statuses} == {"3"}
        # The campaign series has its own budget.
        assert get(sim.url, SERIES, campaign_id="camp-0001", length=1).status_code == 200
        assert sim.stats()["by_path"] == {
            LIST: 2,
            DETAILS: 1,
            "/sends/data_series": 1,
            SERIES: 1,
        }


@pytest.mark.parametrize("path", [LIST, DETAILS])
def test_faults_reach_the_catalog(path: str) -> None:
    ws = build_workspace(0, 2, today=TODAY, seed=7)
    plan = FaultPlan(kinds=("503",), first_n=1)
    with BrazeSimulator(ws, faults=plan) as sim:
        assert get(sim.url, path, campaign_id="camp-0001").status_code == 503
        assert get(sim.url, path, campaign_id="camp-0001").status_code == 200
        assert sim.stats()["faults"] == {"503": 1}
    with BrazeSimulator(ws, faults=FaultPlan(kinds=("bad_shape",), first_n=1)) as sim:
        body = get(sim.url, path, campaign_id="camp-0001").json()
        if path == LIST:
            assert not isinstance(body.get("campaigns"), list)
        else:
            assert not isinstance(body.get("messages"), dict)


def test_latency_applies_to_the_catalog() -> None:
    ws = build_workspace(0, 2, today=TODAY, seed=7)
    with BrazeSimulator(ws, latency_ms=200) as sim:
        start = time.perf_counter()
        assert get(sim.url, LIST).status_code == 200
        assert time.perf_counter() - start >= 0.2


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_serves_a_mixed_catalog(tmp_path: Path) -> None:
    config_path = tmp_path / "config.json"
    argv = [
        sys.executable,
        "-m",
        "braze_simulator",
        "--today",
        TODAY.isoformat(),
        "--campaigns",
        "250",
        "--catalog-mix",
        "--write-config",
        str(config_path),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().split("=", 1)[1]
        pages = listed_ids(url, include_archived="true")
        config = json.loads(config_path.read_text())
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert [len(p) for p in pages] == [100, 100, 50]
    drafts = {i for i in (c for p in pages for c in p) if i not in config["campaign_ids"]}
    assert 0 < len(drafts) < 50  # drafts have no data: the written config leaves them out
    assert len(config["campaign_ids"]) + len(drafts) == 250
