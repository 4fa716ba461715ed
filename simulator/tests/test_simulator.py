"""Tests of the Braze simulator itself, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from braze_simulator import (
    DEFAULT_KEY,
    FAULT_KINDS,
    BrazeSimulator,
    FaultPlan,
    RateLimit,
    Workspace,
    build_workspace,
)

TODAY = date(2024, 6, 30)
SENDS = "/sends/data_series"
CAMPAIGNS = "/campaigns/data_series"
LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def get(
    url: str, path: str, key: str | None = DEFAULT_KEY, timeout: float = 5, **params: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return requests.get(url + path, params=params, headers=headers, timeout=timeout)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def times(response: requests.Response) -> list[str]:
    return [d["time"][:10] for d in response.json()["data"]]


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return build_workspace(today=TODAY, seed=11)


@pytest.fixture(scope="module")
def sim(ws: Workspace):
    with BrazeSimulator(ws) as s:
        yield s


# --- path, auth, permissions -------------------------------------------------------------------


def test_unknown_path_is_404(sim: BrazeSimulator) -> None:
    r = get(sim.url, "/campaigns/nonexistent", campaign_id="camp-0001", length=1)
    assert r.status_code == 404
    assert r.json() == {"message": "Not Found"}
    assert all(h in r.headers for h in LIMIT_HEADERS)


@pytest.mark.parametrize("key", ["not-a-real-key", ""])
def test_invalid_key_is_401_and_echoes_it(sim: BrazeSimulator, key: str) -> None:
    r = get(sim.url, CAMPAIGNS, key=key, campaign_id="camp-0001", length=1)
    assert r.status_code == 401
    assert r.json()["message"] == f"Invalid API key: {key}"
    assert all(h in r.headers for h in LIMIT_HEADERS)


def test_missing_authorization_is_401(sim: BrazeSimulator) -> None:
    r = get(sim.url, CAMPAIGNS, key=None, campaign_id="camp-0001", length=1)
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("key", "path", "permission"),
    [
        ("sim-sends-only", CAMPAIGNS, "campaigns.data_series"),
        ("sim-campaigns-only", SENDS, "sends.data_series"),
    ],
)
def test_key_without_permission_is_403(
    sim: BrazeSimulator, key: str, path: str, permission: str
) -> None:
    r = get(sim.url, path, key=key, campaign_id="api-camp-01", send_id="send-0001", length=1)
    assert r.status_code == 403
    body = r.json()
    assert permission in body["message"]
    assert any(permission in e for e in body["errors"])


@pytest.mark.parametrize(
    ("key", "path"),
    [("sim-sends-only", SENDS), ("sim-campaigns-only", CAMPAIGNS)],
)
def test_key_with_permission_is_200(sim: BrazeSimulator, key: str, path: str) -> None:
    cid = "api-camp-01" if path == SENDS else "camp-0001"
    r = get(sim.url, path, key=key, campaign_id=cid, send_id="send-0001", length=1)
    assert r.status_code == 200


# --- validation --------------------------------------------------------------------------------

SEND_OK = {"campaign_id": "api-camp-01", "send_id": "send-0001", "length": "5"}
CAMP_OK = {"campaign_id": "camp-0001", "length": "5"}


def _without(params: dict[str, str], key: str) -> dict[str, str]:
    return {k: v for k, v in params.items() if k != key}


@pytest.mark.parametrize(
    ("path", "params", "fragment"),
    [
        (CAMPAIGNS, _without(CAMP_OK, "length"), "length"),
        (CAMPAIGNS, {**CAMP_OK, "length": "0"}, "length"),
        (CAMPAIGNS, {**CAMP_OK, "length": "101"}, "length"),
        (CAMPAIGNS, {**CAMP_OK, "length": "-3"}, "length"),
        (CAMPAIGNS, {**CAMP_OK, "length": "7.0"}, "length"),
        (CAMPAIGNS, {**CAMP_OK, "length": "seven"}, "length"),
        (CAMPAIGNS, {**CAMP_OK, "ending_at": "yesterday"}, "ending_at"),
        (CAMPAIGNS, {**CAMP_OK, "ending_at": "2024-13-40"}, "ending_at"),
        (CAMPAIGNS, {**CAMP_OK, "ending_at": "2024-06-30T25:00:00Z"}, "ending_at"),
        (CAMPAIGNS, {**CAMP_OK, "ending_at": "2024-06-30T12:00:00+99:00"}, "ending_at"),
        # An unencoded "+" in a query string arrives as a space.
        (CAMPAIGNS, {**CAMP_OK, "ending_at": "2024-06-30T12:00:00 02:00"}, "ending_at"),
        (CAMPAIGNS, {**CAMP_OK, "ending_at": "0001-01-01"}, "ending_at"),
        (CAMPAIGNS, _without(CAMP_OK, "campaign_id"), "campaign_id must be a string"),
        (CAMPAIGNS, {**CAMP_OK, "campaign_id": "nope"}, "campaign_id must be a string"),
        (CAMPAIGNS, {**CAMP_OK, "campaign_id": "api-camp-01"}, "campaign_id"),
        (SENDS, _without(SEND_OK, "campaign_id"), "campaign_id must be a string"),
        (SENDS, {**SEND_OK, "campaign_id": "camp-0001"}, "campaign_id"),
        (SENDS, _without(SEND_OK, "send_id"), "send_id"),
        (SENDS, {**SEND_OK, "send_id": "send-9999"}, "send_id"),
        (SENDS, {**SEND_OK, "send_id": "send-0002"}, "send_id"),  # belongs to api-camp-02
        (SENDS, {**SEND_OK, "length": "0"}, "length"),
    ],
)
def test_invalid_query_is_400(
    sim: BrazeSimulator, path: str, params: dict[str, str], fragment: str
) -> None:
    r = get(sim.url, path, **params)
    assert r.status_code == 400
    assert fragment in r.json()["message"]


@pytest.mark.parametrize(
    "ending_at",
    [
        "2024-06-20T23:59:59-05:00",
        "2024-06-20T23:59:59-5:00",
        "2024-06-20T23:59:59Z",
        "2024-06-20T23:59:59.123+02:00",
        "2024-06-20T23:59:59+0530",
        "2024-06-20",
    ],
)
def test_ending_at_formats_are_accepted(sim: BrazeSimulator, ending_at: str) -> None:
    r = get(sim.url, CAMPAIGNS, ending_at=ending_at, **CAMP_OK)
    assert r.status_code == 200
    assert r.json()["message"] == "success"


@pytest.mark.parametrize("length", ["1", "100"])
def test_length_bounds_are_inclusive(sim: BrazeSimulator, length: str) -> None:
    assert get(sim.url, CAMPAIGNS, campaign_id="camp-0001", length=length).status_code == 200


# --- day ranges --------------------------------------------------------------------------------


def _day_with_data_and_five_before(ws: Workspace) -> date:
    present = {d["time"] for d in ws.campaign_series("camp-0001", TODAY - timedelta(60), TODAY)}
    return next(
        d
        for d in days(TODAY - timedelta(50), TODAY - timedelta(5))
        if d.isoformat() in present and (d - timedelta(5)).isoformat() in present
    )


def test_inclusive_semantics_end_on_ending_at_day(ws: Workspace) -> None:
    d = _day_with_data_and_five_before(ws)
    with BrazeSimulator(ws, day_semantics="inclusive") as s:
        got = times(get(s.url, CAMPAIGNS, campaign_id="camp-0001", length=5, ending_at=str(d)))
    expected = ws.campaign_series("camp-0001", d - timedelta(4), d)
    assert got == [e["time"] for e in expected]
    assert got[-1] == d.isoformat()
    assert (d - timedelta(5)).isoformat() not in got


def test_exclusive_semantics_end_the_day_before(ws: Workspace) -> None:
    d = _day_with_data_and_five_before(ws)
    with BrazeSimulator(ws, day_semantics="exclusive") as s:
        got = times(get(s.url, CAMPAIGNS, campaign_id="camp-0001", length=5, ending_at=str(d)))
    expected = ws.campaign_series("camp-0001", d - timedelta(5), d - timedelta(1))
    assert got == [e["time"] for e in expected]
    assert got[0] == (d - timedelta(5)).isoformat()
    assert d.isoformat() not in got


def test_ending_at_is_converted_to_utc(sim: BrazeSimulator, ws: Workspace) -> None:
    d = _day_with_data_and_five_before(ws)
    # 23:59:59 at -05:00 is already the next day in UTC.
    local = f"{(d - timedelta(1)).isoformat()}T23:59:59-05:00"
    assert times(get(sim.url, CAMPAIGNS, campaign_id="camp-0001", length=1, ending_at=local)) == [
        d.isoformat()
    ]


def test_series_is_ascending_and_stops_at_today(sim: BrazeSimulator) -> None:
    future = (TODAY + timedelta(days=10)).isoformat()
    got = times(get(sim.url, CAMPAIGNS, campaign_id="camp-0001", length=40, ending_at=future))
    assert got == sorted(got)
    assert got[-1] <= TODAY.isoformat()
    assert got[0] >= (TODAY - timedelta(days=29)).isoformat()


def test_default_ending_at_is_the_simulators_today(sim: BrazeSimulator, ws: Workspace) -> None:
    got = times(get(sim.url, CAMPAIGNS, campaign_id="camp-0001", length=30))
    expected = ws.campaign_series("camp-0001", TODAY - timedelta(29), TODAY)
    assert got == [e["time"] for e in expected]


def test_no_data_before_campaign_first_day(sim: BrazeSimulator, ws: Workspace) -> None:
    camp = ws.campaigns[1]
    got = times(get(sim.url, CAMPAIGNS, campaign_id=camp.campaign_id, length=100))
    assert got[0] == camp.first_day.isoformat()


# --- sends: retention ---------------------------------------------------------------------------


def test_send_past_retention_returns_empty(sim: BrazeSimulator, ws: Workspace) -> None:
    old = ws.sends[2]
    assert old.send_date + timedelta(days=14) < TODAY
    r = get(sim.url, SENDS, campaign_id=old.campaign_id, send_id=old.send_id, length=100)
    assert r.status_code == 200
    assert r.json() == {"data": [], "message": "success"}


def test_send_data_starts_on_send_date_and_expires_after_14_days() -> None:
    ws = build_workspace(today=TODAY, seed=11)
    send = ws.sends[1]
    q = {"campaign_id": send.campaign_id, "send_id": send.send_id, "length": 100}
    with BrazeSimulator(ws) as s:
        first = times(get(s.url, SENDS, **q))
        assert first[0] == send.send_date.isoformat()
        assert first[-1] <= TODAY.isoformat()
        ws.today = send.send_date + timedelta(days=14)
        assert times(get(s.url, SENDS, **q))[-1] <= ws.today.isoformat()
        ws.today = send.send_date + timedelta(days=15)
        assert get(s.url, SENDS, **q).json()["data"] == []


# --- restatement --------------------------------------------------------------------------------


def test_restate_changes_only_recent_days() -> None:
    ws = build_workspace(today=TODAY, seed=11)
    q = {"campaign_id": "camp-0001", "length": 30}
    with BrazeSimulator(ws) as s:
        before = {d["time"]: d for d in get(s.url, CAMPAIGNS, **q).json()["data"]}
        ws.restate()
        after = {d["time"]: d for d in get(s.url, CAMPAIGNS, **q).json()["data"]}
        assert before.keys() == after.keys()
        window_start = (TODAY - timedelta(days=ws.restate_days - 1)).isoformat()
        recent = [t for t in before if t >= window_start]
        assert recent
        for t in before:
            if t >= window_start:
                assert before[t] != after[t], t
            else:
                assert before[t] == after[t], t
        # Restated numbers stick when the clock moves on.
        ws.today = TODAY + timedelta(days=3)
        later = {
            d["time"]: d for d in get(s.url, CAMPAIGNS, ending_at=str(TODAY), **q).json()["data"]
        }
        assert later == after


# --- rate limits --------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "limit"), [(SENDS, "250000"), (CAMPAIGNS, "50000")])
def test_default_rate_limit_headers(sim: BrazeSimulator, path: str, limit: str) -> None:
    r = get(sim.url, path, campaign_id="api-camp-01", send_id="send-0001", length=1)
    bad = get(sim.url, path, key="wrong", campaign_id="x", length=1)
    for resp in (r, bad):
        assert resp.headers["X-RateLimit-Limit"] == limit
        assert 0 <= int(resp.headers["X-RateLimit-Remaining"]) < int(limit)
        assert int(resp.headers["X-RateLimit-Reset"]) >= int(time.time())
    raw_names = list(r.raw.headers.keys())
    assert "X-RateLimit-Remaining" in raw_names


def test_lowercase_rate_limit_headers(ws: Workspace) -> None:
    with BrazeSimulator(ws, lowercase_headers=True) as s:
        r = get(s.url, CAMPAIGNS, **CAMP_OK)
    raw_names = list(r.raw.headers.keys())
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(raw_names)
    assert "X-RateLimit-Remaining" not in raw_names


def test_small_budget_runs_out_then_refills(ws: Workspace) -> None:
    budget = RateLimit(limit=3, period_seconds=1.0)
    with BrazeSimulator(ws, campaigns_rate_limit=budget) as s:
        remaining = [
            get(s.url, CAMPAIGNS, **CAMP_OK).headers["X-RateLimit-Remaining"] for _ in "abc"
        ]
        assert remaining == ["2", "1", "0"]
        over = get(s.url, CAMPAIGNS, **CAMP_OK)
        assert over.status_code == 429
        assert over.headers["X-RateLimit-Remaining"] == "0"
        assert over.headers["X-RateLimit-Limit"] == "3"
        assert "Retry-After" not in over.headers
        # The sends endpoint draws on another pool.
        assert get(s.url, SENDS, **SEND_OK).status_code == 200
        time.sleep(max(0.0, int(over.headers["X-RateLimit-Reset"]) - time.time()) + 0.05)
        again = get(s.url, CAMPAIGNS, **CAMP_OK)
        assert again.status_code == 200
        assert again.headers["X-RateLimit-Remaining"] == "2"


def test_rate_limit_take_is_pure_with_a_clock() -> None:
    now = [1000.0]
    budget = RateLimit(limit=2, period_seconds=60, clock=lambda: now[0])
    assert budget.take() == (True, 1, 1060)
    assert budget.take() == (True, 0, 1060)
    assert budget.take() == (False, 0, 1060)
    now[0] = 1060.0
    assert budget.take() == (True, 1, 1120)


# --- faults -------------------------------------------------------------------------------------


def _faulty(ws: Workspace, kind: str) -> BrazeSimulator:
    return BrazeSimulator(ws, faults=FaultPlan(kinds=(kind,), first_n=1, slow_seconds=1.0))


@pytest.mark.parametrize("kind", ["429", "429_retry_after"])
def test_fault_429(ws: Workspace, kind: str) -> None:
    with _faulty(ws, kind) as s:
        r = get(s.url, CAMPAIGNS, **CAMP_OK)
        assert r.status_code == 429
        assert r.headers["X-RateLimit-Remaining"] == "0"
        assert int(r.headers["X-RateLimit-Reset"]) <= int(time.time()) + 2
        assert ("Retry-After" in r.headers) == (kind == "429_retry_after")
        if kind == "429_retry_after":
            assert r.headers["Retry-After"] == "1"
        assert get(s.url, CAMPAIGNS, **CAMP_OK).status_code == 200
        assert s.stats()["faults"] == {kind: 1}


@pytest.mark.parametrize("kind", ["500", "502", "503", "504"])
def test_fault_server_errors(ws: Workspace, kind: str) -> None:
    with _faulty(ws, kind) as s:
        r = get(s.url, SENDS, **SEND_OK)
        assert r.status_code == int(kind)
        assert isinstance(r.json()["message"], str)
        assert "X-RateLimit-Limit" in r.headers
        assert get(s.url, SENDS, **SEND_OK).status_code == 200


def test_fault_reset(ws: Workspace) -> None:
    with _faulty(ws, "reset") as s:
        with pytest.raises(requests.ConnectionError):
            get(s.url, CAMPAIGNS, **CAMP_OK)
        assert get(s.url, CAMPAIGNS, **CAMP_OK).status_code == 200
        assert s.requests_log[0]["status"] is None
        assert s.stats()["faults"] == {"reset": 1}


def test_fault_truncated(ws: Workspace) -> None:
    with _faulty(ws, "truncated") as s:
        r = get(s.url, CAMPAIGNS, **CAMP_OK)
        full = get(s.url, CAMPAIGNS, **CAMP_OK)
    assert r.status_code == 200
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert full.content.startswith(r.content)
    assert len(r.content) == len(full.content) // 2
    with pytest.raises(requests.JSONDecodeError):
        r.json()


def test_fault_bad_shape(ws: Workspace) -> None:
    with _faulty(ws, "bad_shape") as s:
        r = get(s.url, CAMPAIGNS, **CAMP_OK)
    assert r.status_code == 200
    body = r.json()
    assert not isinstance(body.get("data"), list)


def test_fault_slow(ws: Workspace) -> None:
    with _faulty(ws, "slow") as s:
        with pytest.raises(requests.Timeout):
            get(s.url, CAMPAIGNS, timeout=0.3, **CAMP_OK)
        assert get(s.url, CAMPAIGNS, timeout=0.5, **CAMP_OK).status_code == 200


def test_fault_plan_is_reproducible() -> None:
    keys = [f"/campaigns/data_series?campaign_id=c{i}&length=7" for i in range(50)]

    def sequence(plan: FaultPlan) -> list[str | None]:
        return [plan.fault_for(k, a) for k in keys for a in (1, 2, 3)]

    plan = FaultPlan(rate=0.3, seed=5)
    assert sequence(plan) == sequence(FaultPlan(rate=0.3, seed=5))
    assert sequence(plan) != sequence(FaultPlan(rate=0.3, seed=6))
    drawn = [f for f in sequence(plan) if f]
    assert 0.15 < len(drawn) / 150 < 0.45
    assert set(drawn) <= set(FAULT_KINDS)
    assert all(FaultPlan(first_n=2, kinds=("503",)).fault_for(k, 2) == "503" for k in keys)
    assert all(FaultPlan(first_n=2, kinds=("503",)).fault_for(k, 3) is None for k in keys)
    assert FaultPlan().fault_for(keys[0], 1) is None


def test_fault_sequence_over_http_is_reproducible(ws: Workspace) -> None:
    plan = FaultPlan(rate=0.5, kinds=("500", "503", "429"), seed=3)

    def statuses(s: BrazeSimulator) -> list[int]:
        # Reordered query parameters are the same request (same attempt counter).
        out = []
        for length in (1, 2, 3, 1, 2, 3, 1, 2, 3):
            params = {"length": length, "campaign_id": "camp-0001"}
            if length == 2:
                params = {"campaign_id": "camp-0001", "length": length}
            out.append(get(s.url, CAMPAIGNS, **params).status_code)
        return out

    with BrazeSimulator(ws, faults=plan) as a, BrazeSimulator(ws, faults=plan) as b:
        first = statuses(a)
        assert first == statuses(b)
        assert {500, 503, 429} & set(first)
        assert 200 in first
        a.reset_stats()
        assert statuses(a) == first


# --- concurrency and connections -----------------------------------------------------------------


def test_latency_overlaps_across_threads(ws: Workspace) -> None:
    with BrazeSimulator(ws, latency_ms=300) as s:
        start = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda _: get(s.url, CAMPAIGNS, **CAMP_OK).status_code, range(8)))
        elapsed = time.perf_counter() - start
    assert codes == [200] * 8
    assert 0.3 <= elapsed < 1.5


def test_keep_alive_serves_several_requests_on_one_connection(sim: BrazeSimulator) -> None:
    port = int(sim.url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        for _ in range(3):
            conn.request(
                "GET",
                "/campaigns/data_series?campaign_id=camp-0001&length=3",
                headers={"Authorization": f"Bearer {DEFAULT_KEY}"},
            )
            resp = conn.getresponse()
            assert resp.status == 200
            assert json.loads(resp.read())["message"] == "success"
    finally:
        conn.close()


def test_stats_and_log_hold_no_credentials(ws: Workspace) -> None:
    with BrazeSimulator(ws) as s:
        get(s.url, CAMPAIGNS, **CAMP_OK)
        get(s.url, CAMPAIGNS, key="bad", **CAMP_OK)
        get(s.url, "/nope")
        get(s.url, CAMPAIGNS, api_key="leaked", **CAMP_OK)
        stats = s.stats()
        log = list(s.requests_log)
        s.reset_stats()
        assert s.stats()["requests"] == 0
    assert stats["requests"] == 4
    assert stats["by_status"] == {200: 2, 401: 1, 404: 1}
    assert stats["by_path"] == {CAMPAIGNS: 3, "/nope": 1}
    began, ended = log[0].pop("began"), log[0].pop("ended")
    assert log[0] == {"path": CAMPAIGNS, "params": CAMP_OK, "status": 200}
    # When it arrived and when its answer was ready, in this order, before the next one came.
    assert began <= ended <= log[1]["began"]
    assert "leaked" not in json.dumps(log)
    assert "bad" not in json.dumps(log)


# --- data content ---------------------------------------------------------------------------------


def _walk_numbers(obj: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(obj, dict):
        return [pair for k, v in obj.items() for pair in _walk_numbers(v, k)]
    if isinstance(obj, list):
        return [pair for v in obj for pair in _walk_numbers(v, key)]
    return [(key, obj)] if isinstance(obj, (int, float)) else []


def test_served_days_match_workspace_and_types(sim: BrazeSimulator, ws: Workspace) -> None:
    r = get(sim.url, SENDS, **{**SEND_OK, "length": "100"})
    assert r.json()["data"] == ws.send_series(
        "api-camp-01", "send-0001", TODAY - timedelta(99), TODAY
    )
    for path, params in ((SENDS, SEND_OK), (CAMPAIGNS, CAMP_OK)):
        data = get(sim.url, path, **{**params, "length": "100"}).json()["data"]
        for key, value in _walk_numbers(data):
            if key == "revenue":
                assert isinstance(value, float)
                assert round(value, 2) == value
            else:
                assert type(value) is int, key


def test_small_workspace_covers_every_feature(ws: Workspace) -> None:
    # On a campaign's first day every channel is a list (null and [] come later).
    camp1, camp2 = ws.campaigns[0], ws.campaigns[1]
    (day1,) = ws.campaign_series("camp-0001", camp1.first_day, camp1.first_day)
    (day2,) = ws.campaign_series("camp-0002", camp2.first_day, camp2.first_day)
    assert len(day1["messages"]) > 1  # multi-channel
    assert "line" in day1["messages"]  # channel no doc names
    assert all("machine_amp_open" in v for v in day1["messages"]["email"])
    assert "conversions4" in day1
    assert "conversions3_by_send_time" in day1
    assert any(
        "variation_api_id" not in v and "variation_name" not in v
        for entries in day1["messages"].values()
        for v in entries
    )
    assert all("variation_api_id" in v for v in day1["messages"]["ios_push"])
    # Multivariate with a control group and datetime times.
    assert day2["time"].endswith("T00:00:00+00:00")
    for entries in day2["messages"].values():
        names = [v["variation_name"] for v in entries]
        assert names.count("Control Group") == 1
        assert len(names) >= 3
        control = next(v for v in entries if v["variation_name"] == "Control Group")
        assert isinstance(control["enrolled"], int)
        assert control.get("sent", None) is None
        assert control.get("impressions", None) is None
        assert isinstance(control["variation_api_id"], str)
    # Sends: one live, one recent, one past retention; an undocumented channel on one of them.
    assert [s.send_id for s in ws.sends] == ["send-0001", "send-0002", "send-0003"]
    assert ws.sends[2].send_date < TODAY - timedelta(days=14)
    send_days = ws.send_series("api-camp-02", "send-0002", TODAY - timedelta(30), TODAY)
    assert "conversions3" in send_days[0]["messages"]["email"][0]
    assert "conversions1" not in ws.send_series("api-camp-01", "send-0001", TODAY, TODAY)[0]


def test_sparse_days_and_determinism() -> None:
    a = build_workspace(5, 6, today=TODAY, seed=42)
    b = build_workspace(5, 6, today=TODAY, seed=42)
    c = build_workspace(5, 6, today=TODAY, seed=43)
    first = TODAY - timedelta(days=119)
    series = a.campaign_series("camp-0001", first, TODAY)
    assert series == b.campaign_series("camp-0001", first, TODAY)
    assert series != c.campaign_series("camp-0001", first, TODAY)
    missing = 1 - len(series) / 120
    assert 0.05 < missing < 0.3
    assert a.campaigns == b.campaigns
    assert a.sends == b.sends


def test_build_workspace_many_entities() -> None:
    big = build_workspace(400, 50, today=TODAY, seed=1)
    assert len({s.send_id for s in big.sends}) == 400
    assert len({c.campaign_id for c in big.campaigns}) == 50
    live = [s for s in big.sends if s.send_date >= TODAY - timedelta(days=14)]
    assert len(live) > len(big.sends) / 2
    assert all(TODAY - timedelta(days=30) <= s.send_date <= TODAY for s in big.sends)
    assert 3 <= len({s.campaign_id for s in big.sends}) < 20


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_prints_url_and_serves(tmp_path: Path) -> None:
    config_path = tmp_path / "config.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "braze_simulator",
            "--today",
            TODAY.isoformat(),
            "--sends",
            "4",
            "--write-config",
            str(config_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("BRAZE_SIMULATOR_URL=http://127.0.0.1:")
        url = line.split("=", 1)[1]
        r = get(url, CAMPAIGNS, **CAMP_OK)
        assert r.status_code == 200
        config = json.loads(config_path.read_text())
        assert config["api_url"] == url
        assert config["api_key"] == DEFAULT_KEY
        assert len(config["sends"]) == 4
        assert config["campaign_ids"] == ["camp-0001", "camp-0002"]
        assert config["start_date"] == (TODAY - timedelta(days=20)).isoformat()
        assert config["end_date"] == TODAY.isoformat()
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert out == ""
    assert "braze-simulator" in err


def test_cli_restates_recent_days_periodically() -> None:
    """Run by hand, the simulator can restate recent days between two runs of the tap."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "braze_simulator",
            "--today",
            TODAY.isoformat(),
            "--restate-every",
            "0.5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip().split("=", 1)[1]
        params = {"campaign_id": "camp-0001", "length": "30", "ending_at": TODAY.isoformat()}
        before = get(url, CAMPAIGNS, **params).json()["data"]
        time.sleep(1.2)
        after = get(url, CAMPAIGNS, **params).json()["data"]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    old_days = [d for d in before if d["time"] < (TODAY - timedelta(days=10)).isoformat()]
    assert old_days == [d for d in after if d["time"] in {o["time"] for o in old_days}]
    assert before[-1] != after[-1], "the most recent day keeps its numbers"
    assert "restated the last" in err
