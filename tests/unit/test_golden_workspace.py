"""The workspace golden case (tests/golden/workspace): the hand-written records follow issue 15's
contract, the independent oracle (oracle_workspace.py) maps the case's Braze bodies to exactly
those records, and the golden server answers like Braze under both readings of `ending_at`.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from conftest import canonical
from contract import WORKSPACE_STREAMS
from golden_braze import GOLDEN_KEY, READINGS
from golden_workspace import WorkspaceCase, load_workspace_case, serve_golden_workspace
from oracle_workspace import (
    ALL,
    SERIES_STREAMS,
    custom_events_records,
    partitions,
    products_records,
    query_params,
    segment_details_record,
    segments_records,
    series_records,
)

CASE = load_workspace_case()
AWKWARD_EVENT = 'Réservé & "VIP" 50%/off'
AWKWARD_PRODUCT = 'T-Shirt (M/L) & "Socks" 100% €'


def oracle_series(case: WorkspaceCase, stream: str) -> list[dict[str, Any]]:
    spec = SERIES_STREAMS[stream]
    unit = "hour" if spec.hourly else "day"
    if spec.hourly:
        first, last = case.first_hour.isoformat(), case.last_hour.isoformat()
    else:
        first, last = case.start_date.isoformat(), case.end_date.isoformat()
    records = []
    for partition in partitions(stream, case.ids):
        params = query_params(partition)
        bodies = {}
        for source in spec.sources:
            held = case.held(source.path, params, unit)
            assert held is not None, (stream, partition, source.path)
            bodies[source.path] = held
        records += series_records(stream, partition, bodies, first, last)
    return records


@pytest.mark.parametrize("stream", sorted(WORKSPACE_STREAMS))
def test_expected_records_follow_the_contract(stream: str) -> None:
    keys, columns = WORKSPACE_STREAMS[stream]
    records = CASE.expected[stream]
    assert records, stream
    extra = "extra_metrics" if stream in SERIES_STREAMS else "extra_fields"
    allowed = {*keys, *columns} | ({extra} if stream != "products" else set())
    for record in records:
        assert set(record) <= allowed, record
        assert all(record[k] is not None for k in keys), record  # key columns are never null
    assert len({tuple(r[k] for k in keys) for r in records}) == len(records)


@pytest.mark.parametrize("stream", sorted(SERIES_STREAMS))
def test_the_oracle_maps_the_case_to_the_golden_records(stream: str) -> None:
    assert canonical(oracle_series(CASE, stream)) == canonical(CASE.expected[stream])


def test_the_oracle_maps_the_catalogues_to_the_golden_records() -> None:
    listings = CASE.listings
    assert segments_records(listings["segments_list"]) == CASE.expected["segments"]
    details = [
        segment_details_record(sid, CASE.segment_details[sid]) for sid in CASE.ids["segment_ids"]
    ]
    assert details == CASE.expected["segment_details"]
    assert custom_events_records(listings["events"]) == CASE.expected["custom_events"]
    assert products_records(listings["product_list"]) == CASE.expected["products"]


def test_the_case_covers_what_the_brief_asks() -> None:
    expected = CASE.expected
    series = [r for s in SERIES_STREAMS for r in expected[s]]
    assert any(r.get("app_id") == ALL for r in series)
    assert any(r.get("app_id") not in (None, ALL) for r in series)
    assert any(r.get("segment_id") not in (None, ALL) for r in expected["session_analytics"])
    assert any(r.get("extra_metrics") for r in series)
    assert any(None in r.values() and r["extra_metrics"] is None for r in series)  # a null metric
    assert {"mau"} - set(next(r for r in expected["app_kpis"] if "mau" not in r)) == {"mau"}
    hours = {r["time"][11:13] for r in expected["session_hourly_analytics"]}
    assert hours == {"22", "23", "00"}  # three hours across midnight, nothing outside
    assert any(r.get("event_name") == AWKWARD_EVENT for r in expected["custom_event_analytics"])
    assert any(r.get("product") == AWKWARD_PRODUCT for r in expected["purchase_analytics"])


def get(braze: Any, path: str, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {GOLDEN_KEY}"}
    return requests.get(braze.url + path, params=params, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("reading", "day_end", "hour_end"),
    [
        ("inclusive", "2026-03-02T23:59:59Z", "2026-03-03T00:30:00Z"),
        ("exclusive", "2026-03-03T00:00:00Z", "2026-03-03T01:00:00Z"),
    ],
)
def test_the_golden_server_answers_under_both_readings(
    reading: str, day_end: str, hour_end: str
) -> None:
    assert reading in READINGS
    with serve_golden_workspace(CASE, reading) as braze:
        days = get(braze, "/kpi/dau/data_series", length=2, ending_at=day_end).json()["data"]
        assert [d["time"] for d in days] == ["2026-03-01", "2026-03-02"]
        hours = get(braze, "/sessions/data_series", length=3, unit="hour", ending_at=hour_end)
        assert [h["sessions"] for h in hours.json()["data"]] == [900, 950, 700]
        # Awkward names travel URL-encoded and come back as held.
        r = get(braze, "/events/data_series", event=AWKWARD_EVENT, length=2, ending_at=day_end)
        assert [d["count"] for d in r.json()["data"]] == [41, 43]
        r = get(
            braze, "/purchases/revenue_series", product=AWKWARD_PRODUCT, length=2, ending_at=day_end
        )
        assert r.headers["X-RateLimit-Limit"] == "1000"
        assert r.json()["data"] == [{"time": "2026-03-01", "revenue": 99.8}]
        untracked = get(braze, "/sessions/data_series", segment_id="seg-news", length=1)
        assert untracked.status_code == 400
        assert get(braze, "/kpi/dau/data_series", app_id="app-nope", length=1).status_code == 400
