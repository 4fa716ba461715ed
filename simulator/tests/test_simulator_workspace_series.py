"""The numbers of the simulator's workspace series, over real HTTP on 127.0.0.1: the apps add up
to the all-apps series, a day is the sum of its hours, both readings of `ending_at` (days and
hours), the workspace's clock, untracked segments, deletions between listing and series,
restatement, faults, determinism.

Every check compares the simulator's answers with each other or with hand-written dates; none
computes an expected number with the simulator's own code.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from braze_simulator import DEFAULT_KEY, BrazeSimulator, FaultPlan, Workspace, build_workspace
from braze_simulator.testing import (
    SIM_TODAY,  # 2026-03-31; the workspace's clock is 12:00 UTC that day
)

HOURLY = ("/sessions/data_series", "/events/data_series", "/purchases/quantity_series")
METRIC = {
    "/kpi/dau/data_series": "dau",
    "/kpi/mau/data_series": "mau",
    "/kpi/new_users/data_series": "new_users",
    "/kpi/uninstalls/data_series": "uninstalls",
    "/sessions/data_series": "sessions",
    "/events/data_series": "count",
    "/purchases/quantity_series": "purchase_quantity",
    "/purchases/revenue_series": "revenue",
    "/segments/data_series": "size",
}


def get(url: str, path: str, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    return requests.get(url + path, params=params, headers=headers, timeout=20)


def series(url: str, path: str, **params: Any) -> dict[str, Any]:
    """time -> metric of a 200 answer (a missing unit is a unit without activity)."""
    r = get(url, path, **params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["message"] == "success"
    rows = body["data"]
    assert all(set(row) == {"time", METRIC[path]} for row in rows)
    return {row["time"]: row[METRIC[path]] for row in rows}


def add(parts: list[dict[str, Any]]) -> dict[str, Any]:
    total: Counter[str] = Counter()
    for part in parts:
        total.update(part)
    return dict(total)


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return build_workspace(today=SIM_TODAY, seed=7)


@pytest.fixture(scope="module")
def sim(ws: Workspace):
    with BrazeSimulator(ws) as s:
        yield s


@pytest.fixture(scope="module")
def app_ids(ws: Workspace) -> list[str]:
    from braze_simulator.workspace_series import apps

    return [a.app_id for a in apps(ws)]  # no endpoint lists apps: users copy them from Braze


@pytest.fixture(scope="module")
def tracked(sim: BrazeSimulator) -> list[str]:
    listed = get(sim.url, "/segments/list").json()["segments"]
    return [s["id"] for s in listed if s["analytics_tracking_enabled"]]


# --- apps add up, days are their hours -----------------------------------------------------------

QUERIES = [
    ("/kpi/dau/data_series", {}),
    ("/kpi/mau/data_series", {}),
    ("/kpi/new_users/data_series", {}),
    ("/kpi/uninstalls/data_series", {}),
    ("/sessions/data_series", {}),
    ("/sessions/data_series", {"unit": "hour"}),
    ("/events/data_series", {"event": "Search & Filter"}),
    ("/events/data_series", {"event": 'Rated "5 stars"', "unit": "hour"}),
    ("/purchases/quantity_series", {}),
    ("/purchases/quantity_series", {"product": "Gift Card €50", "unit": "hour"}),
]


@pytest.mark.parametrize(("path", "query"), QUERIES)
def test_the_apps_add_up_to_the_all_apps_series(
    sim: BrazeSimulator, app_ids: list[str], path: str, query: dict[str, str]
) -> None:
    assert len(app_ids) == 3
    everything = series(sim.url, path, length=30, **query)
    per_app = [series(sim.url, path, length=30, app_id=a, **query) for a in app_ids]
    assert everything == add(per_app)
    assert all(part != everything for part in per_app)


def test_revenue_of_the_apps_adds_up_to_the_cent(sim: BrazeSimulator, app_ids: list[str]) -> None:
    path = "/purchases/revenue_series"
    everything = series(sim.url, path, length=30)
    per_app = [series(sim.url, path, length=30, app_id=a) for a in app_ids]
    for time, revenue in everything.items():
        assert revenue == pytest.approx(sum(p.get(time, 0.0) for p in per_app), abs=0.011)


def test_all_products_is_the_sum_of_the_products(sim: BrazeSimulator) -> None:
    names = get(sim.url, "/purchases/product_list").json()["products"]
    path = "/purchases/quantity_series"
    assert series(sim.url, path, length=20) == add(
        [series(sim.url, path, length=20, product=n) for n in names]
    )


@pytest.mark.parametrize("path", HOURLY)
@pytest.mark.parametrize(
    ("day", "hours"),
    [("2026-03-29", 24), ("2026-03-31", 13)],  # today: hours 00..12 have happened
)
def test_a_day_is_the_sum_of_its_hours(
    sim: BrazeSimulator, path: str, day: str, hours: int
) -> None:
    query = {"event": "Added to Cart"} if path == "/events/data_series" else {}
    daily = series(sim.url, path, length=1, ending_at=f"{day}T12:00:00Z", **query)
    hourly = series(sim.url, path, length=100, unit="hour", ending_at=f"{day}T23:00:00Z", **query)
    of_day = {t: v for t, v in hourly.items() if t.startswith(day)}
    assert len(of_day) <= hours
    if path == "/sessions/data_series":
        assert len(of_day) == hours
    assert daily == {day: sum(of_day.values())}


def test_a_segment_s_sessions_are_part_of_everyone_s(
    sim: BrazeSimulator, tracked: list[str], app_ids: list[str]
) -> None:
    path = "/sessions/data_series"
    everyone = series(sim.url, path, length=10, app_id=app_ids[0])
    segment = series(sim.url, path, length=10, app_id=app_ids[0], segment_id=tracked[0])
    assert segment.keys() == everyone.keys()
    assert all(0 < segment[t] < everyone[t] for t in everyone)
    # and the segment's all-apps series adds up too
    per_app = [series(sim.url, path, length=10, app_id=a, segment_id=tracked[0]) for a in app_ids]
    assert series(sim.url, path, length=10, segment_id=tracked[0]) == add(per_app)


# --- readings of ending_at, the clock, time formats ---------------------------------------------


@pytest.mark.parametrize(
    ("semantics", "days", "hours"),
    [
        ("inclusive", ["2026-03-18", "2026-03-19", "2026-03-20"], ["08", "09", "10"]),
        ("exclusive", ["2026-03-17", "2026-03-18", "2026-03-19"], ["07", "08", "09"]),
    ],
)
def test_both_readings_of_ending_at(
    ws: Workspace, semantics: str, days: list[str], hours: list[str]
) -> None:
    with BrazeSimulator(ws, day_semantics=semantics) as sim:
        end = "2026-03-20T10:30:00Z"
        for path in ("/kpi/dau/data_series", "/sessions/data_series"):
            assert list(series(sim.url, path, length=3, ending_at=end)) == days
        got = series(sim.url, "/sessions/data_series", length=3, unit="hour", ending_at=end)
        assert list(got) == [f"2026-03-20T{h}:00:00+00:00" for h in hours]


def test_an_offset_moves_ending_at_to_its_utc_day_and_hour(sim: BrazeSimulator) -> None:
    end = "2026-03-20T23:30:00-5:00"  # 2026-03-21T04:30Z, Braze's one-digit offset
    assert list(series(sim.url, "/kpi/dau/data_series", length=1, ending_at=end)) == ["2026-03-21"]
    hourly = series(sim.url, "/sessions/data_series", length=1, unit="hour", ending_at=end)
    assert list(hourly) == ["2026-03-21T04:00:00+00:00"]


def test_no_data_after_the_workspace_s_clock(sim: BrazeSimulator) -> None:
    later = "2026-04-05T00:00:00Z"
    days = series(sim.url, "/sessions/data_series", length=10, ending_at=later)
    assert max(days) == "2026-03-31"
    hours = series(sim.url, "/sessions/data_series", length=5, unit="hour")  # now: 12:00
    assert list(hours) == [f"2026-03-31T{h}:00:00+00:00" for h in ("08", "09", "10", "11", "12")]
    future = series(sim.url, "/sessions/data_series", length=5, unit="hour", ending_at=later)
    assert future == {}


def test_time_formats_and_units_without_activity(sim: BrazeSimulator) -> None:
    rare = 'Rated "5 stars"'
    hours = series(sim.url, "/events/data_series", event=rare, length=100, unit="hour")
    assert all(re.fullmatch(r"2026-03-\d\dT\d\d:00:00\+00:00", t) for t in hours)
    assert 0 < len(hours) < 100  # hours without the event are left out
    assert all(v > 0 for v in hours.values())
    days = series(sim.url, "/kpi/uninstalls/data_series", length=100)
    assert len(days) == 100
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", t) for t in days)


# --- segments ----------------------------------------------------------------------------------


def test_an_untracked_segment_has_no_series(sim: BrazeSimulator) -> None:
    listed = get(sim.url, "/segments/list").json()["segments"]
    untracked = next(s["id"] for s in listed if not s["analytics_tracking_enabled"])
    for path, query in [
        ("/segments/data_series", {}),
        ("/sessions/data_series", {}),
        ("/events/data_series", {"event": "Added to Cart"}),
    ]:
        r = get(sim.url, path, segment_id=untracked, length=1, **query)
        assert r.status_code == 400, path
        assert untracked in r.json()["message"]
        assert "analytics tracking" in r.json()["message"]


def test_a_segment_has_sizes_from_its_creation_day(sim: BrazeSimulator, tracked: list[str]) -> None:
    details = get(sim.url, "/segments/details", segment_id=tracked[0]).json()
    created = date.fromisoformat(details["created_at"][:10])
    end = (created + timedelta(days=5)).isoformat()
    sizes = series(
        sim.url, "/segments/data_series", segment_id=tracked[0], length=10, ending_at=end
    )
    assert list(sizes) == [(created + timedelta(days=i)).isoformat() for i in range(6)]
    assert all(v > 0 for v in sizes.values())


# --- deletions, restatement, faults, determinism ------------------------------------------------


def test_an_event_or_product_deleted_after_listing_answers_400() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7)
    with BrazeSimulator(ws) as sim:
        assert "checkout/complete" in get(sim.url, "/events/list").json()["events"]
        ws.deleted_events.add("checkout/complete")
        ws.deleted_products.add("Bundle & Save")
        r = get(sim.url, "/events/data_series", event="checkout/complete", length=1)
        assert r.status_code == 400
        assert "checkout/complete" in r.json()["message"]
        r = get(sim.url, "/purchases/revenue_series", product="Bundle & Save", length=1)
        assert r.status_code == 400
        assert "Bundle & Save" in r.json()["message"]
        assert "checkout/complete" not in get(sim.url, "/events/list").json()["events"]
        assert "checkout/complete" not in [
            e["name"] for e in get(sim.url, "/events").json()["events"]
        ]
        assert "Bundle & Save" not in get(sim.url, "/purchases/product_list").json()["products"]


@pytest.mark.parametrize(("path", "query"), [(p, q) for p, q in QUERIES if p.startswith("/s")])
def test_restatement_changes_recent_days_only(path: str, query: dict[str, str]) -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7)
    with BrazeSimulator(ws) as sim:
        before = series(sim.url, path, length=100, ending_at="2026-03-31T23:00:00Z", **query)
        ws.restate()
        after = series(sim.url, path, length=100, ending_at="2026-03-31T23:00:00Z", **query)
    recent = date(2026, 3, 25).isoformat()  # restate_days 7: 03-25 .. 03-31 get new numbers
    assert {t: v for t, v in before.items() if t < recent} == {
        t: v for t, v in after.items() if t < recent
    }
    assert {t: v for t, v in before.items() if t >= recent} != {
        t: v for t, v in after.items() if t >= recent
    }


def test_faults_apply_to_the_workspace_endpoints() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7)
    plan = FaultPlan(first_n=1, kinds=("503",), only_ids=("Search & Filter",))
    with BrazeSimulator(ws, faults=plan) as sim:
        query = {"event": "Search & Filter", "length": "1"}
        assert get(sim.url, "/events/data_series", **query).status_code == 503
        assert get(sim.url, "/events/data_series", **query).status_code == 200
        assert get(sim.url, "/events/data_series", event="Added to Cart", length=1).ok
        logged = [e["params"].get("event") for e in sim.requests_log]
    assert logged == ["Search & Filter", "Search & Filter", "Added to Cart"]


def test_faults_can_be_aimed_at_one_path() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7)
    plan = FaultPlan(first_n=1, kinds=("503",), only_paths=("/kpi/mau/data_series",))
    with BrazeSimulator(ws, faults=plan) as sim:
        assert get(sim.url, "/kpi/dau/data_series", length=1).ok
        assert get(sim.url, "/kpi/mau/data_series", length=1).status_code == 503
        assert get(sim.url, "/kpi/mau/data_series", length=1).ok
        assert get(sim.url, "/kpi/mau/data_series", length=2).status_code == 503


@pytest.mark.parametrize(
    "path", ["/segments/list", "/events", "/purchases/product_list", "/kpi/mau/data_series"]
)
def test_a_bad_shape_fault_answers_200_with_a_body_braze_never_sends(path: str) -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7)
    with BrazeSimulator(ws, faults=FaultPlan(first_n=1, kinds=("bad_shape",))) as sim:
        bad = get(sim.url, path, length=1)
        good = get(sim.url, path, length=1)
    assert bad.status_code == good.status_code == 200
    assert bad.json() != good.json()


def test_the_same_seed_gives_the_same_numbers_another_seed_others() -> None:
    def answers(seed: int) -> list[Any]:
        with BrazeSimulator(build_workspace(today=SIM_TODAY, seed=seed)) as sim:
            return [get(sim.url, path, length=20, **q).json() for path, q in QUERIES]

    first = answers(3)
    assert answers(3) == first
    assert answers(4) != first


def test_a_vanished_event_or_product_is_listed_until_its_series_answers_400() -> None:
    ws = build_workspace(today=SIM_TODAY, seed=7)
    ws.vanished_events.add("Search & Filter")
    ws.vanished_products.add("Premium Plan")
    with BrazeSimulator(ws) as sim:
        assert "Search & Filter" in get(sim.url, "/events/list").json()["events"]
        assert "Search & Filter" in [e["name"] for e in get(sim.url, "/events").json()["events"]]
        assert "Premium Plan" in get(sim.url, "/purchases/product_list").json()["products"]
        r = get(sim.url, "/events/data_series", event="Search & Filter", length=1)
        assert r.status_code == 400
        assert "Search & Filter" in r.json()["message"]
        r = get(sim.url, "/purchases/quantity_series", product="Premium Plan", length=1)
        assert r.status_code == 400
        assert "Premium Plan" in r.json()["message"]
        # Deleted since: the listings no longer hold them.
        assert "Search & Filter" not in get(sim.url, "/events/list").json()["events"]
        assert "Search & Filter" not in [
            e["name"] for e in get(sim.url, "/events").json()["events"]
        ]
        assert "Premium Plan" not in get(sim.url, "/purchases/product_list").json()["products"]
