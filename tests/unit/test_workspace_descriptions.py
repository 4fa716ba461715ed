"""The workspace descriptions: partitions, query parameters, permissions, pools, units, and the
"nothing to extract" rule, read off the descriptions without a network."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from contract import WORKSPACE_STREAMS

from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.braze.workspace_catalogues import SMALL_POOL
from tap_braze_sends.errors import BrazeTransientError
from tap_braze_sends.runtime.answers import Asked, next_cursor
from tap_braze_sends.runtime.paging import ListingError
from tap_braze_sends.runtime.partitions import ids_missing, nothing_to_extract
from tap_braze_sends.settings import parse_settings

TODAY = dt.date(2026, 3, 31)
SERIES = {t.stream: s for s in BRAZE.series for t in s.tables}
FAMILIES = {t.stream: f for f in BRAZE.catalogues for t in f.tables}


def settings(**config: object):
    return parse_settings(
        {"api_key": "k", "api_url": "https://rest.iad-01.braze.com", **config}, TODAY
    )


def test_every_workspace_stream_is_described_with_the_contracts_key() -> None:
    for stream, (keys, _columns) in WORKSPACE_STREAMS.items():
        description = SERIES.get(stream) or FAMILIES[stream]
        table = next(t for t in description.tables if t.stream == stream)
        assert table.primary_keys == keys, stream
        assert table.selected_by_default == (stream in SERIES and "hourly" not in stream)


def test_permissions_are_brazes_names() -> None:
    permissions = {r.path: r.permission for s in BRAZE.series for r in s.requests}
    assert permissions["/kpi/new_users/data_series"] == "kpi.new_users.data_series"
    assert permissions["/segments/data_series"] == "segments.data_series"
    assert permissions["/sessions/data_series"] == "sessions.data_series"
    assert permissions["/events/data_series"] == "events.data_series"
    assert permissions["/purchases/revenue_series"] == "purchases.revenue_series"
    assert FAMILIES["custom_events"].list_permission == "events.get"
    assert FAMILIES["products"].list_permission == "purchases.product_list"
    assert FAMILIES["segment_details"].details_permission == "segments.details"


def test_the_small_pool_holds_the_listings_and_the_purchase_series_only() -> None:
    small = {s.path for s in BRAZE.series if s.pool == SMALL_POOL}
    assert small == {"/purchases/quantity_series"}
    assert {f.list_path for f in BRAZE.catalogues if f.pool == SMALL_POOL} == {
        "/events",
        "/purchases/product_list",
    }


def test_one_request_per_column_of_app_kpis_and_purchases() -> None:
    columns = {r.path: r.columns for r in SERIES["app_kpis"].requests}
    assert columns == {
        "/kpi/dau/data_series": {"dau"},
        "/kpi/mau/data_series": {"mau"},
        "/kpi/new_users/data_series": {"new_users"},
        "/kpi/uninstalls/data_series": {"uninstalls"},
    }
    assert {r.path: r.columns for r in SERIES["purchase_hourly_analytics"].requests} == {
        "/purchases/quantity_series": {"quantity"},
        "/purchases/revenue_series": {"revenue"},
    }


def test_units_and_the_unit_parameter() -> None:
    for stream in ("session", "custom_event", "purchase"):
        daily, hourly = SERIES[f"{stream}_analytics"], SERIES[f"{stream}_hourly_analytics"]
        assert (daily.unit, hourly.unit) == ("day", "hour")
        assert {r.params.get("unit") for r in daily.requests} == {"day"}
        assert {r.params.get("unit") for r in hourly.requests} == {"hour"}
        assert daily.name != hourly.name  # each unit learns its own reading


def test_all_is_no_query_parameter_and_an_event_is_sent_as_event() -> None:
    events = SERIES["custom_event_analytics"]
    partition = {"event_name": 'Rated "5 stars" & 50%/off', "app_id": "*", "segment_id": "s1"}
    assert events.query(partition) == {"event": 'Rated "5 stars" & 50%/off', "segment_id": "s1"}
    assert SERIES["app_kpis"].query({"app_id": "*"}) == {}
    assert SERIES["purchase_analytics"].query({"product": "*", "app_id": "a"}) == {"app_id": "a"}


def test_settings_of_each_key_column() -> None:
    assert SERIES["session_analytics"].settings_of() == {
        "app_id": "app_ids",
        "segment_id": "breakdown_segment_ids",
    }
    assert SERIES["segment_analytics"].settings_of() == {"segment_id": "segment_ids"}


@pytest.mark.parametrize(
    ("stream", "config", "missing"),
    [
        ("app_kpis", {}, ()),
        ("session_analytics", {}, ()),
        ("purchase_analytics", {}, ()),
        ("segment_analytics", {}, ("segment_ids", "all_segments")),
        ("segment_analytics", {"all_segments": True}, ()),
        ("custom_event_analytics", {}, ("event_names", "all_events")),
        ("custom_event_hourly_analytics", {"event_names": ["e"]}, ()),
        ("send_analytics", {}, ("sends", "sends_file")),
        ("campaign_analytics", {"all_campaigns": True}, ()),
    ],
)
def test_ids_missing(stream: str, config: dict, missing: tuple[str, ...]) -> None:
    assert ids_missing(SERIES[stream].partitions, settings(**config)) == missing


def test_nothing_to_extract_only_when_every_selected_stream_lacks_ids() -> None:
    lacking = [("custom_event_analytics", ("event_names", "all_events"))]
    message = nothing_to_extract(lacking)
    assert message is not None
    assert message.startswith("event_names / all_events: nothing to extract")
    assert nothing_to_extract([*lacking, ("app_kpis", ())]) is None
    assert nothing_to_extract([]) is None


def response_with(link: str | None) -> requests.Response:
    response = requests.Response()
    if link is not None:
        response.headers["Link"] = link
    return response


EVENTS_PAGE = Asked("/events", "/events page 3")


def test_the_next_cursor_is_read_from_the_link_header_and_only_the_cursor() -> None:
    # The host of the next URL is never used: the cursor goes to api_url.
    link = '<https://elsewhere.example/events?cursor=c2tpcDo1MA%3D%3D>; rel="next"'
    assert next_cursor(response_with(link), EVENTS_PAGE, api_key="k") == "c2tpcDo1MA=="
    prev = '<https://x/events?cursor=a>; rel="prev"'
    assert next_cursor(response_with(prev), EVENTS_PAGE, api_key="k") is None
    assert next_cursor(response_with(None), EVENTS_PAGE, api_key="k") is None


@pytest.mark.parametrize(
    "url", ["https://x/events?page=2", "https://x/events?cursor=", "https://x/events?after=a", ""]
)
def test_a_next_page_without_a_cursor_is_an_error_not_the_end(url: str) -> None:
    with pytest.raises(ListingError, match="/events page 3: the Link header names a next page"):
        next_cursor(response_with(f'<{url}>; rel="next"'), EVENTS_PAGE, api_key="k")


def test_a_next_link_that_is_no_url_is_transient_not_a_crash() -> None:
    link = '<http://[::1/events?cursor=x>; rel="next"'
    with pytest.raises(BrazeTransientError, match="unreadable Link header from /events"):
        next_cursor(response_with(link), EVENTS_PAGE, api_key="k")
