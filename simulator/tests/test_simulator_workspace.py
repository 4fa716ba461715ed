"""The simulator's workspace endpoints: listings and paging, segment details, permissions, the
small pool of event and product requests, and query validation, over real HTTP on 127.0.0.1.

Expected values are written by hand from Braze's pages (braze-inc/braze-docs,
_docs/_api/endpoints/export/{segments,kpi,sessions,custom_events,purchases}/) and from the
fixed entities in braze_simulator/workspace_model.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from braze_simulator import (
    DEFAULT_KEY,
    KEYS,
    WORKSPACE_ONLY_KEY,
    BrazeSimulator,
    RateLimit,
    build_workspace,
)
from braze_simulator.server import ROUTES
from braze_simulator.testing import SIM_TODAY

# path -> (permission, pool), as Braze's pages give them.
ENDPOINTS = {
    "/segments/list": ("segments.list", "default"),
    "/segments/details": ("segments.details", "default"),
    "/segments/data_series": ("segments.data_series", "default"),
    "/kpi/dau/data_series": ("kpi.dau.data_series", "default"),
    "/kpi/mau/data_series": ("kpi.mau.data_series", "default"),
    "/kpi/new_users/data_series": ("kpi.new_users.data_series", "default"),
    "/kpi/uninstalls/data_series": ("kpi.uninstalls.data_series", "default"),
    "/sessions/data_series": ("sessions.data_series", "default"),
    "/events/list": ("events.list", "events"),
    "/events": ("events.get", "events"),
    "/events/data_series": ("events.data_series", "default"),
    "/purchases/product_list": ("purchases.product_list", "events"),
    "/purchases/quantity_series": ("purchases.quantity_series", "events"),
    "/purchases/revenue_series": ("purchases.revenue_series", "events"),
}
EVENT_NAMES = [  # alphabetical, as both event listings order them (code-point order)
    "50% off viewed",
    "Added to Cart",
    'Rated "5 stars"',
    "Réservation confirmée",
    "Search & Filter",
    "checkout/complete",
    "legacy_tap",
]
PRODUCT_NAMES = [
    '100% Cotton "Classic"',
    "Bundle & Save",
    "Gift Card €50",
    "Premium Plan",
    "T-Shirt (M/L)",
]


def get(url: str, path: str, key: str = DEFAULT_KEY, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return requests.get(url + path, params=params, headers=headers, timeout=10)


@pytest.fixture(scope="module")
def sim():
    with BrazeSimulator(build_workspace(today=SIM_TODAY, seed=7)) as s:
        yield s


def a_valid_query(sim: BrazeSimulator, path: str) -> dict[str, str]:
    segments = get(sim.url, "/segments/list").json()["segments"]
    query = {"length": "1"}
    if path.startswith("/segments/d"):
        query["segment_id"] = segments[0]["id"]
    if path == "/events/data_series":
        query["event"] = "Added to Cart"
    return query


# --- routes, permissions, pools -----------------------------------------------------------------


def test_every_endpoint_has_its_permission_and_pool() -> None:
    for path, (permission, pool) in ENDPOINTS.items():
        assert (ROUTES[path].permission, ROUTES[path].pool) == (permission, pool), path


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_a_key_without_the_permission_gets_403_naming_it(sim: BrazeSimulator, path: str) -> None:
    permission = ENDPOINTS[path][0]
    lacking = [k for k, held in KEYS.items() if held == KEYS[DEFAULT_KEY] - {permission}]
    assert len(lacking) == 1
    r = get(sim.url, path, key=lacking[0], **a_valid_query(sim, path))
    assert r.status_code == 403
    body = r.json()
    assert permission in body["message"]
    assert body["errors"] == [f"missing permission: {permission}"]
    # and the same query with the full key is answered
    assert get(sim.url, path, **a_valid_query(sim, path)).status_code == 200


def test_workspace_only_key_reads_the_workspace_series_but_not_campaigns(
    sim: BrazeSimulator,
) -> None:
    assert get(sim.url, "/kpi/dau/data_series", key=WORKSPACE_ONLY_KEY, length=1).ok
    r = get(sim.url, "/campaigns/list", key=WORKSPACE_ONLY_KEY)
    assert r.status_code == 403


def test_the_small_pool_spent_to_zero_holds_only_its_own_requests() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7)
    with BrazeSimulator(ws, events_rate_limit=RateLimit(3, 3600)) as sim:
        small = ["/events/list", "/events", "/purchases/product_list"]
        answers = [get(sim.url, p) for p in small]
        assert [r.status_code for r in answers] == [200, 200, 200]
        assert [r.headers["X-RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
        assert all(r.headers["X-RateLimit-Limit"] == "3" for r in answers)
        spent = get(sim.url, "/purchases/quantity_series", length=1)
        assert spent.status_code == 429
        assert get(sim.url, "/purchases/revenue_series", length=1).status_code == 429
        # The default pool's series are untouched.
        for path in ("/events/data_series", "/sessions/data_series", "/kpi/dau/data_series"):
            r = get(sim.url, path, length=1, event="Added to Cart")
            assert r.status_code == 200, path
            assert r.headers["X-RateLimit-Limit"] == "250000"


def test_the_small_pool_is_braze_s_1000_an_hour_by_default(sim: BrazeSimulator) -> None:
    r = get(sim.url, "/purchases/product_list")
    assert r.headers["X-RateLimit-Limit"] == "1000"


# --- segments -----------------------------------------------------------------------------------


def test_segments_list_leaves_out_archived_ones_oldest_first(sim: BrazeSimulator) -> None:
    body = get(sim.url, "/segments/list").json()
    assert body["message"] == "success"
    assert [(s["name"], s["analytics_tracking_enabled"], s["tags"]) for s in body["segments"]] == [
        ("Engaged Users", True, ["core"]),
        ("Lapsed & At-Risk / 30d", True, ["retention", "risk"]),
        ('Newsletter "VIP" \u2013 Übersee', False, []),
    ]
    assert all(
        set(s) == {"id", "name", "analytics_tracking_enabled", "tags"} for s in body["segments"]
    )
    desc = get(sim.url, "/segments/list", sort_direction="desc").json()["segments"]
    assert desc == list(reversed(body["segments"]))
    assert get(sim.url, "/segments/list", page=1).json()["segments"] == []


def test_segments_list_pages_by_100() -> None:
    with BrazeSimulator(build_workspace(today=SIM_TODAY, seed=7, n_segments=230)) as sim:
        pages = [get(sim.url, "/segments/list", page=p).json()["segments"] for p in range(4)]
    assert [len(p) for p in pages[:2]] == [100, 100]
    assert 0 < len(pages[2]) < 100
    assert pages[3] == []
    ids = [s["id"] for page in pages for s in page]
    assert len(ids) == len(set(ids))


def test_segment_details_has_braze_s_fields(sim: BrazeSimulator) -> None:
    first = get(sim.url, "/segments/list").json()["segments"][0]
    body = get(sim.url, "/segments/details", segment_id=first["id"]).json()
    assert set(body) == {
        "message",
        "created_at",
        "updated_at",
        "name",
        "description",
        "text_description",
        "tags",
        "teams",
    }
    assert body["name"] == "Engaged Users"
    assert body["text_description"] == "Last used app less than 7 days ago"
    assert (body["tags"], body["teams"]) == (["core"], ["Growth"])
    assert body["created_at"] < body["updated_at"]
    assert body["created_at"].endswith("+00:00")


@pytest.mark.parametrize("segment_id", ["", "no-such-segment"])
def test_unknown_segment_is_400(sim: BrazeSimulator, segment_id: str) -> None:
    for path in ("/segments/details", "/segments/data_series"):
        r = get(sim.url, path, segment_id=segment_id, length=1)
        assert r.status_code == 400
        assert "segment_id" in r.json()["message"]


# --- events and products --------------------------------------------------------------------------


def test_event_names_and_products_with_awkward_names(sim: BrazeSimulator) -> None:
    assert get(sim.url, "/events/list").json() == {"message": "success", "events": EVENT_NAMES}
    body = get(sim.url, "/purchases/product_list").json()
    assert body == {"message": "success", "products": PRODUCT_NAMES}


def test_events_has_braze_s_fields_and_no_next_page_when_all_fit(sim: BrazeSimulator) -> None:
    r = get(sim.url, "/events")
    assert "Link" not in r.headers
    events = r.json()["events"]
    assert [e["name"] for e in events] == EVENT_NAMES
    blocked = next(e for e in events if e["name"] == "legacy_tap")
    assert blocked == {
        "name": "legacy_tap",
        "description": "An event no longer recorded",
        "included_in_analytics_report": False,
        "status": "Blocklisted",
        "tag_names": [],
    }


def test_events_pages_by_50_with_the_link_header_cursor() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7, n_events=120)
    with BrazeSimulator(ws) as sim:
        names: list[str] = []
        url: str | None = sim.url + "/events"
        pages = 0
        while url:
            assert url.startswith(sim.url)
            r = requests.get(url, headers={"Authorization": f"Bearer {DEFAULT_KEY}"}, timeout=10)
            assert r.status_code == 200
            names += [e["name"] for e in r.json()["events"]]
            pages += 1
            url = r.links.get("next", {}).get("url")
        listed = get(sim.url, "/events/list").json()["events"]
    assert pages == 3  # 50 + 50 + 20
    assert names == sorted(names) == listed
    assert len(names) == 120


def test_event_names_page_by_250() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7, n_events=260)
    with BrazeSimulator(ws) as sim:
        sizes = [len(get(sim.url, "/events/list", page=p).json()["events"]) for p in range(3)]
    assert sizes == [250, 10, 0]


def test_products_page_by_100() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7, n_products=150)
    with BrazeSimulator(ws) as sim:
        sizes = [
            len(get(sim.url, "/purchases/product_list", page=p).json()["products"])
            for p in range(3)
        ]
    assert sizes == [100, 50, 0]


@pytest.mark.parametrize("cursor", ["not-base64!", "c2tpcDp4"])  # "skip:x"
def test_a_bad_cursor_is_400(sim: BrazeSimulator, cursor: str) -> None:
    r = get(sim.url, "/events", cursor=cursor)
    assert r.status_code == 400
    assert "cursor" in r.json()["message"]


def test_link_cursor_is_url_encoded() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7, n_events=60)
    with BrazeSimulator(ws) as sim:
        link = get(sim.url, "/events").links["next"]["url"]
    query = parse_qs(urlsplit(link).query)
    assert list(query) == ["cursor"]
    assert "=" not in urlsplit(link).query.partition("=")[2]


# --- validation -----------------------------------------------------------------------------------

SERIES = [p for p in ENDPOINTS if p.endswith("_series")]


@pytest.mark.parametrize("path", SERIES)
@pytest.mark.parametrize("length", [None, "0", "101", "-1", "1.5", "x"])
def test_length_must_be_1_to_100(sim: BrazeSimulator, path: str, length: str | None) -> None:
    query = a_valid_query(sim, path)
    query.pop("length")
    if length is not None:
        query["length"] = length
    r = get(sim.url, path, **query)
    assert r.status_code == 400
    assert "length" in r.json()["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/data_series",
        "/events/data_series",
        "/purchases/quantity_series",
        "/purchases/revenue_series",
    ],
)
def test_unit_is_day_or_hour(sim: BrazeSimulator, path: str) -> None:
    query = a_valid_query(sim, path)
    assert get(sim.url, path, unit="day", **query).ok
    assert get(sim.url, path, unit="hour", **query).ok
    r = get(sim.url, path, unit="week", **query)
    assert r.status_code == 400
    assert "unit" in r.json()["message"]


@pytest.mark.parametrize("path", SERIES)
def test_a_bad_ending_at_is_400(sim: BrazeSimulator, path: str) -> None:
    r = get(sim.url, path, ending_at="yesterday", **a_valid_query(sim, path))
    assert r.status_code == 400
    assert "ending_at" in r.json()["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/kpi/dau/data_series",
        "/sessions/data_series",
        "/events/data_series",
        "/purchases/revenue_series",
    ],
)
def test_an_unknown_app_is_400(sim: BrazeSimulator, path: str) -> None:
    r = get(sim.url, path, app_id="no-such-app", **a_valid_query(sim, path))
    assert r.status_code == 400
    assert "app_id" in r.json()["message"]


def test_an_event_series_needs_a_known_event(sim: BrazeSimulator) -> None:
    missing = get(sim.url, "/events/data_series", length=1)
    assert missing.status_code == 400
    assert "event" in missing.json()["message"]
    unknown = get(sim.url, "/events/data_series", length=1, event="Never Fired")
    assert unknown.status_code == 400
    assert "Never Fired" in unknown.json()["message"]


def test_an_unknown_product_is_400(sim: BrazeSimulator) -> None:
    r = get(sim.url, "/purchases/quantity_series", length=1, product="No Such Thing")
    assert r.status_code == 400
    assert "No Such Thing" in r.json()["message"]
