"""The workspace flatteners and schemas: Braze bodies in, rows out, checked against the
hand-written golden records (tests/golden/workspace) and odd shapes written here by hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import pytest
from conftest import canonical
from contract import WORKSPACE_STREAMS
from golden_workspace import load_workspace_case
from oracle_workspace import SERIES_STREAMS, partitions, query_params

from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.braze.flatten.malformed import MalformedBody, series_days
from tap_braze_sends.braze.flatten.workspace_catalogues import (
    custom_event_rows,
    event_name_rows,
    product_rows,
    segment_details_row,
    segment_list_rows,
    tracked_segment_ids,
)
from tap_braze_sends.braze.flatten.workspace_series import metric_row, point_of
from tap_braze_sends.braze.schemas import workspace as schemas
from tap_braze_sends.braze.units import DAY, HOUR
from tap_braze_sends.runtime.dense import fill_answer
from tap_braze_sends.runtime.requests_of import merge_row

CASE = load_workspace_case()
SCHEMAS = {
    "segments": schemas.SEGMENTS_SCHEMA,
    "segment_details": schemas.SEGMENT_DETAILS_SCHEMA,
    "segment_analytics": schemas.SEGMENT_ANALYTICS_SCHEMA,
    "app_kpis": schemas.APP_KPIS_SCHEMA,
    "session_analytics": schemas.SESSION_ANALYTICS_SCHEMA,
    "custom_events": schemas.CUSTOM_EVENTS_SCHEMA,
    "custom_event_analytics": schemas.CUSTOM_EVENT_ANALYTICS_SCHEMA,
    "products": schemas.PRODUCTS_SCHEMA,
    "purchase_analytics": schemas.PURCHASE_ANALYTICS_SCHEMA,
    "session_hourly_analytics": schemas.SESSION_HOURLY_ANALYTICS_SCHEMA,
    "custom_event_hourly_analytics": schemas.CUSTOM_EVENT_HOURLY_ANALYTICS_SCHEMA,
    "purchase_hourly_analytics": schemas.PURCHASE_HOURLY_ANALYTICS_SCHEMA,
}


def series_records(stream: str) -> list[dict[str, Any]]:
    """The golden case through the flatteners: each partition's bodies, kept to the case's
    range (first copy of a time), each filled with its zeros over the range (a dense series:
    runtime/dense.py), the rows of one time merged."""
    spec = SERIES_STREAMS[stream]
    series = next(s for s in BRAZE.series if s.tables[0].stream == stream)
    unit = HOUR if spec.hourly else DAY
    if spec.hourly:
        first, last = CASE.first_hour, CASE.last_hour
    else:
        first, last = CASE.start_date, CASE.end_date
    every_unit = [first + i * unit.step for i in range(unit.count(first, last))]
    records = []
    for partition in partitions(stream, CASE.ids):
        by_time: dict[Any, list[dict[str, Any]]] = {}
        for request in series.requests:
            metric, column = schemas.SERIES_METRICS[request.path]
            body = {"data": CASE.held(request.path, query_params(partition), unit.name)}
            seen = set()
            days = []
            for element in series_days(body):
                point = point_of(element["time"], unit)
                if point in seen or not first <= point <= last:
                    continue
                seen.add(point)
                row = metric_row(element, partition, metrics={metric: column}, unit=unit)
                days.append((point, {"series": [row]}))
            for point, rows in fill_answer(series, request, partition, days, every_unit):
                by_time.setdefault(point, []).extend(rows["series"])
        records += [merge_rows(by_time[t]) for t in sorted(by_time)]
    return records


def merge_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from the rows several requests gave for one key and time, as the run merges."""
    merged: dict[str, Any] = {}
    for row in rows:
        merge_row(merged, row)
    return merged


@pytest.mark.parametrize("stream", sorted(SERIES_STREAMS))
def test_series_bodies_flatten_to_the_golden_records(stream: str) -> None:
    assert canonical(series_records(stream)) == canonical(CASE.expected[stream])


def test_catalogue_bodies_flatten_to_the_golden_records() -> None:
    listings = CASE.listings
    assert segment_list_rows(listings["segments_list"]) == CASE.expected["segments"]
    details = [segment_details_row(s, CASE.segment_details[s]) for s in CASE.ids["segment_ids"]]
    assert details == CASE.expected["segment_details"]
    assert custom_event_rows(listings["events"]) == CASE.expected["custom_events"]
    assert product_rows(listings["product_list"]) == CASE.expected["products"]


def test_only_tracked_segments_have_a_series() -> None:
    rows = segment_list_rows(CASE.listings["segments_list"])
    assert tracked_segment_ids(rows) == ["seg-engaged", "seg-lapsed"]  # not seg-news


def test_event_list_names_are_custom_event_rows() -> None:
    rows = event_name_rows(CASE.listings["events_list"])
    assert [r["event_name"] for r in rows] == [
        "Added to Cart",
        'Réservé & "VIP" 50%/off',
        "legacy_tap",
    ]
    for row in rows:
        jsonschema.validate(row, schemas.CUSTOM_EVENTS_SCHEMA)


# --- schemas ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", sorted(WORKSPACE_STREAMS))
def test_schemas_hold_the_contracts_columns_and_validate_the_golden_records(stream: str) -> None:
    keys, columns = WORKSPACE_STREAMS[stream]
    schema = SCHEMAS[stream]
    extra = {"extra_metrics"} if stream in SERIES_STREAMS else {"extra_fields"}
    if stream == "products":
        extra = set()
    assert set(schema["properties"]) == {*keys, *columns, *extra}
    for key in keys:
        assert "null" not in schema["properties"][key]["type"], (stream, key)
    for record in CASE.expected[stream]:
        jsonschema.validate(record, schema)


def test_time_is_a_date_daily_and_a_date_time_hourly() -> None:
    for stream, spec in SERIES_STREAMS.items():
        fmt = SCHEMAS[stream]["properties"]["time"]["format"]
        assert fmt == ("date-time" if spec.hourly else "date"), stream


def test_metric_types() -> None:
    properties = schemas.PURCHASE_ANALYTICS_SCHEMA["properties"]
    assert properties["revenue"]["type"] == ["number", "null"]
    assert properties["quantity"]["type"] == ["integer", "null"]
    for name in ("dau", "mau", "new_users", "uninstalls"):
        assert schemas.APP_KPIS_SCHEMA["properties"][name]["type"] == ["integer", "null"]


# --- odd shapes, by hand --------------------------------------------------------------------------

KPI = {"metrics": {"dau": "dau"}}
QUANTITY = {"metrics": {"purchase_quantity": "quantity", "revenue": "revenue"}}


def test_a_value_of_the_wrong_type_goes_to_extra_metrics() -> None:
    keys = {"app_id": "*"}
    row = metric_row({"time": "2026-03-01", "dau": 12.5}, keys, **KPI, unit=DAY)
    assert row == {"app_id": "*", "time": "2026-03-01", "extra_metrics": {"dau": 12.5}}
    row = metric_row({"time": "2026-03-01", "dau": True}, keys, **KPI, unit=DAY)
    assert row["extra_metrics"] == {"dau": True}
    assert "dau" not in row
    row = metric_row({"time": "2026-03-01", "dau": "12"}, keys, **KPI, unit=DAY)
    assert row["extra_metrics"] == {"dau": "12"}


def test_null_is_the_columns_value_and_a_missing_metric_no_column() -> None:
    keys = {"product": "*", "app_id": "*"}
    assert metric_row(
        {"time": "2026-03-01", "purchase_quantity": None}, keys, **QUANTITY, unit=DAY
    ) == {
        **keys,
        "time": "2026-03-01",
        "quantity": None,
        "extra_metrics": None,
    }
    assert metric_row({"time": "2026-03-01"}, keys, **QUANTITY, unit=DAY) == {
        **keys,
        "time": "2026-03-01",
        "extra_metrics": None,
    }


def test_revenue_keeps_an_integer_as_braze_sent_it() -> None:
    row = metric_row(
        {"time": "2026-03-01", "revenue": 7}, {}, metrics={"revenue": "revenue"}, unit=DAY
    )
    assert row["revenue"] == 7
    assert isinstance(row["revenue"], int)


@pytest.mark.parametrize(
    ("raw", "hour"),
    [
        ("2026-03-02T22:00:00Z", "2026-03-02T22:00:00+00:00"),
        ("2026-03-02T22:00:00+00:00", "2026-03-02T22:00:00+00:00"),
        ("2026-03-02T19:00:00-05:00", "2026-03-03T00:00:00+00:00"),
        ("2026-03-02T19:00:00-5:00", "2026-03-03T00:00:00+00:00"),
        ("2026-03-03T05:30:00+05:30", "2026-03-03T00:00:00+00:00"),
        ("2026-03-02T22:00:00.000Z", "2026-03-02T22:00:00+00:00"),
        ("2026-03-02T22:00:00", "2026-03-02T22:00:00+00:00"),  # no offset: UTC
    ],
)
def test_an_hourly_time_is_its_hours_start_in_utc(raw: str, hour: str) -> None:
    row = metric_row({"time": raw, "sessions": 1}, {}, metrics={"sessions": "sessions"}, unit=HOUR)
    assert row["time"] == hour
    assert point_of(raw, HOUR) == dt.datetime.fromisoformat(hour)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-02T10:30:00Z",
        "2026-03-02T22:45:10.250Z",
        "2026-03-02T22:00:01+00:00",
        "2026-03-02T22:00:00.5Z",
        "2026-03-03T05:00:00+05:30",  # on the hour where written, 23:30 in UTC
    ],
)
def test_an_hourly_time_off_the_hour_is_malformed(raw: str) -> None:
    """Braze's hourly series are hourly buckets: an element at 10:30 is not Braze's shape, and
    placed in its hour it would replace that hour's own value (issue 22)."""
    with pytest.raises(MalformedBody, match="not the start of an hour in UTC"):
        point_of(raw, HOUR)


def test_a_daily_time_is_its_date() -> None:
    assert point_of("2026-03-02", DAY) == dt.date(2026, 3, 2)
    assert point_of("2026-03-02T00:00:00Z", DAY) == dt.date(2026, 3, 2)


@pytest.mark.parametrize("raw", [None, "", "yesterday", 20260302, "2026-13-02"])
@pytest.mark.parametrize("unit", [DAY, HOUR])
def test_an_element_without_a_readable_time_is_a_malformed_body(raw: object, unit: Any) -> None:
    with pytest.raises(MalformedBody, match="time"):
        metric_row({"time": raw, "count": 1}, {}, metrics={"count": "count"}, unit=unit)


def test_an_hour_that_does_not_exist_is_a_malformed_body() -> None:
    # The day parser reads the date part alone; an hourly series needs the whole instant.
    with pytest.raises(MalformedBody, match="time"):
        point_of("2026-03-02T25:00", HOUR)


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
def test_an_hour_whose_utc_instant_is_past_datetimes_range_is_a_malformed_body(raw: str) -> None:
    """Legal ISO 8601 whose UTC hour is in year 0 or 10000: no hour to place it in (it raised
    OverflowError, reported as a bug in the tap)."""
    with pytest.raises(MalformedBody, match="no UTC hour"):
        point_of(raw, HOUR)
    assert point_of(raw, DAY) == dt.date.fromisoformat(raw[:10])  # a day is its date part


@pytest.mark.parametrize(
    "body", [None, [], {"message": "success"}, {"data": {}}, {"data": [1, 2]}, {"data": [None]}]
)
def test_a_series_body_without_a_list_of_objects_is_malformed(body: object) -> None:
    with pytest.raises(MalformedBody):
        series_days(body)


def test_merge_keeps_each_requests_column_and_all_extras() -> None:
    keys = {"app_id": "app-ios", "time": "2026-03-02"}
    merged = merge_rows(
        [
            {**keys, "dau": 5, "extra_metrics": None},
            {**keys, "mau": 30, "extra_metrics": {"mau_method": "rolling_30"}},
            {**keys, "extra_metrics": {"note": 1}},
        ]
    )
    assert merged == {
        **keys,
        "dau": 5,
        "mau": 30,
        "extra_metrics": {"mau_method": "rolling_30", "note": 1},
    }
    assert merge_rows([{**keys, "extra_metrics": None}]) == {**keys, "extra_metrics": None}


@pytest.mark.parametrize(
    ("flatten", "body"),
    [
        (segment_list_rows, {"message": "success"}),
        (segment_list_rows, {"segments": {"id": "x"}}),
        (segment_list_rows, {"segments": [{"name": "no id"}]}),
        (segment_list_rows, {"segments": ["seg-1"]}),
        (segment_list_rows, []),
        (custom_event_rows, {"events": [{"description": "no name"}]}),
        (custom_event_rows, {"events": ["Added to Cart"]}),
        (event_name_rows, {"events": [{"name": "an object"}]}),
        (event_name_rows, {"events": [""]}),
        (product_rows, {"products": [None]}),
        (product_rows, {"products": "sku-1"}),
        (product_rows, None),
    ],
)
def test_a_catalogue_body_that_names_nothing_is_malformed(flatten: Any, body: object) -> None:
    with pytest.raises(MalformedBody):
        flatten(body)


def test_segment_details_of_a_non_object_is_malformed() -> None:
    with pytest.raises(MalformedBody):
        segment_details_row("seg-1", ["not", "an", "object"])


def test_catalogue_fields_that_fit_no_column_are_kept_in_extra_fields() -> None:
    [row] = segment_list_rows(
        {"segments": [{"id": "s", "name": 7, "analytics_tracking_enabled": "yes", "tags": None}]}
    )
    assert row == {
        "segment_id": "s",
        "name": None,
        "analytics_tracking_enabled": None,
        "tags": None,
        "extra_fields": {"name": 7, "analytics_tracking_enabled": "yes"},
    }
    [event] = custom_event_rows({"events": [{"name": "e", "tag_names": "promo", "tags": ["x"]}]})
    assert event["tags"] is None
    assert event["extra_fields"] == {"tag_names": "promo", "tags": ["x"]}
    details = segment_details_row("s", {"message": "success", "created_at": "2026-01-05 10:30 UTC"})
    assert details["created_at"] == "2026-01-05T10:30:00+00:00"
    assert details["extra_fields"] is None


def test_one_flattener_serves_every_request_of_a_series() -> None:
    # quantity_series and revenue_series share the series' metric table: each element places
    # the metric it carries; a key named like a column but not Braze's metric is an extra.
    keys = {"product": "*", "app_id": "*"}
    day = {"time": "2026-03-01"}
    assert metric_row({**day, "purchase_quantity": 3}, keys, **QUANTITY, unit=DAY)["quantity"] == 3
    row = metric_row({**day, "revenue": 9.5, "quantity": 1}, keys, **QUANTITY, unit=DAY)
    assert row == {**keys, **day, "revenue": 9.5, "extra_metrics": {"quantity": 1}}
