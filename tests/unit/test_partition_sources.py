"""Partition sources of a description: none, a config list (with ``*``, with discovery), the
sends' pairs, and the product of several; and several requests feeding one table's columns."""

from __future__ import annotations

import datetime as dt

from tap_braze_sends.braze.catalog import CAMPAIGNS
from tap_braze_sends.braze.description import Request, Series, Table
from tap_braze_sends.braze.discovery import CampaignFacts
from tap_braze_sends.braze.flatten.malformed import series_days
from tap_braze_sends.braze.partition_sources import ConfigIds, NoPartitions, Product
from tap_braze_sends.runtime.partitions import series_partitions
from tap_braze_sends.runtime.requests_of import merge_days, needed_requests
from tap_braze_sends.settings import parse_settings

TODAY = dt.date(2026, 3, 31)
BASE = {"api_key": "k" * 32, "api_url": "https://rest.iad-01.braze.com"}


def series_of(source: object, *requests: Request) -> Series:
    return Series(
        requests=requests or (Request("/x/data_series", "x.data_series"),),
        pool="default",
        partitions=source,  # type: ignore[arg-type]
        days_of=series_days,
        flatten=lambda _day, _partition: {},
        tables=(Table("day", "x", ("time",), {}, "x"),),
    )


def partitions(source: object, found: dict | None = None, **config: object) -> list[tuple]:
    settings = parse_settings({**BASE, **config}, TODAY)
    candidates = series_partitions(
        series_of(source),
        settings,
        found=found or {},
        first_day=lambda _p: dt.date(2026, 3, 1),
        first_data_day=lambda _p: None,
        today=TODAY,
    )
    return [(c.partition, c.discovered) for c in candidates]


def test_no_partitions_is_one_empty_partition() -> None:
    assert partitions(NoPartitions(), campaign_ids=["c"]) == [({}, False)]


def test_no_partitions_goes_to_exactly_one_shard() -> None:
    taken = [partitions(NoPartitions(), campaign_ids=["c"], shard=f"{k}/3") for k in range(1, 4)]
    assert sorted(len(t) for t in taken) == [0, 0, 1]


def test_a_list_with_all_puts_star_first_and_once() -> None:
    source = ConfigIds("app_id", "campaign_ids", with_all=True)
    assert partitions(source, campaign_ids=["a", "*", "b"]) == [
        ({"app_id": "*"}, False),
        ({"app_id": "a"}, False),
        ({"app_id": "b"}, False),
    ]


def test_a_list_is_extended_by_its_catalogue_when_listed() -> None:
    source = ConfigIds("campaign_id", "campaign_ids", catalogue=CAMPAIGNS)
    found = {"campaigns": [CampaignFacts(campaign_id="b"), CampaignFacts(campaign_id="c")]}
    assert partitions(source, found, campaign_ids=["a", "b"]) == [
        ({"campaign_id": "a"}, False),
        ({"campaign_id": "b"}, False),
        ({"campaign_id": "c"}, True),
    ]


def test_a_product_combines_every_source_in_order() -> None:
    source = Product(
        (
            ConfigIds("event", "campaign_ids"),
            ConfigIds("app_id", "canvas_ids", with_all=True),
        )
    )
    assert [p for p, _ in partitions(source, campaign_ids=["e1", "e2"], canvas_ids=["a"])] == [
        {"event": "e1", "app_id": "*"},
        {"event": "e1", "app_id": "a"},
        {"event": "e2", "app_id": "*"},
        {"event": "e2", "app_id": "a"},
    ]
    assert source.fields == ("event", "app_id")


def test_a_product_with_a_discovered_part_is_discovered() -> None:
    source = Product(
        (
            ConfigIds("campaign_id", "campaign_ids", catalogue=CAMPAIGNS),
            ConfigIds("app_id", "canvas_ids", with_all=True),
        )
    )
    found = {"campaigns": [CampaignFacts(campaign_id="d")]}
    assert partitions(source, found, campaign_ids=["c"]) == [
        ({"campaign_id": "c", "app_id": "*"}, False),
        ({"campaign_id": "d", "app_id": "*"}, True),
    ]


A = Request("/kpi/a", "kpi.a", columns=frozenset({"a"}))
B = Request("/kpi/b", "kpi.b", columns=frozenset({"b"}))
WHOLE = Request("/whole", "whole")


def test_only_requests_feeding_a_selected_column_are_sent() -> None:
    series = series_of(NoPartitions(), A, B, WHOLE)
    assert needed_requests(series, ["day"], lambda _r, column: column == "a") == (A, WHOLE)
    assert needed_requests(series, ["day"], lambda _r, _c: True) == (A, B, WHOLE)
    assert needed_requests(series, ["day"], lambda _r, _c: False) == (WHOLE,)


def test_answers_merge_into_one_row_per_key_and_day() -> None:
    d1, d2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
    a = [(d1, {"day": [{"app": "x", "time": "1", "a": 1}]}), (d2, {"day": []})]
    b = [
        (d2, {"day": [{"app": "x", "time": "2", "b": 20}]}),
        (d1, {"day": [{"app": "x", "time": "1", "a": None, "b": 10}]}),
    ]
    merged = merge_days([a, b], {"day": ("app", "time")})
    assert merged == [
        (d1, {"day": [{"app": "x", "time": "1", "a": 1, "b": 10}]}),
        (d2, {"day": [{"app": "x", "time": "2", "b": 20}]}),
    ]


def test_each_answers_extra_metrics_survive_the_merge() -> None:
    """Two KPIs each sent as a float (3.0 fits no integer column) land in their rows'
    extra_metrics: the merged row keeps both, not only the later answer's."""
    d1 = dt.date(2026, 3, 1)
    keys = {"app": "x", "time": "1"}
    dau = [(d1, {"day": [{**keys, "extra_metrics": {"dau": 3.0, "note": "a"}}]})]
    mau = [(d1, {"day": [{**keys, "extra_metrics": {"mau": 4.0}}]})]
    new_users = [(d1, {"day": [{**keys, "new_users": 2, "extra_metrics": None}]})]
    merged = merge_days([dau, mau, new_users], {"day": ("app", "time")})
    assert merged == [
        (
            d1,
            {
                "day": [
                    {**keys, "new_users": 2, "extra_metrics": {"dau": 3.0, "note": "a", "mau": 4.0}}
                ]
            },
        )
    ]
    assert dau[0][1]["day"][0]["extra_metrics"] == {"dau": 3.0, "note": "a"}  # inputs untouched
