"""A tap with two endpoints that exist only in the tests, declared through the package's public
seam (``TapBrazeSends.descriptions``) without a line of the package changed:

- ``/totals/a_series`` and ``/totals/b_series``: one series without partitions whose two
  requests each feed one column (``a``, ``b``) of one table, ``totals``;
- ``/widgets/data_series``: partitioned by a config list (``campaign_ids``, reused as widget
  ids) and fed by a catalogue, ``/widgets/list`` + ``/widgets/details``, when ``all_campaigns``
  is on; tables ``widgets`` (the list) and ``widget_counts`` (the series).

Run as a CLI: ``python tests/described_tap.py --config ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.description import (
    CatalogFamily,
    DayRows,
    Descriptions,
    MalformedBody,
    Request,
    Series,
    Table,
)
from tap_braze_sends.braze.flatten.malformed import series_days
from tap_braze_sends.braze.partition_sources import ConfigIds, NoPartitions
from tap_braze_sends.tap import TapBrazeSends

_DATE = {"type": ["string"], "format": "date"}
_ID = {"type": ["string"]}
_COUNT = {"type": ["integer", "null"]}


def _table_schema(**columns: dict) -> dict:
    return {"type": "object", "additionalProperties": False, "properties": columns}


def _day(raw: Mapping[str, Any]) -> str:
    time = raw.get("time")
    if not isinstance(time, str) or len(time) < 10:
        msg = f"day without a 'time': {raw!r}"
        raise MalformedBody(msg)
    return time[:10]


def flatten_totals(raw: Mapping[str, Any], _partition: Mapping[str, str]) -> DayRows:
    row = {"time": _day(raw)}
    row.update({k: v for k, v in raw.items() if k in ("a", "b")})
    return {"day": [row]}


def flatten_widget_counts(raw: Mapping[str, Any], partition: Mapping[str, str]) -> DayRows:
    return {
        "day": [{"widget_id": partition["widget_id"], "time": _day(raw), "count": raw["count"]}]
    }


def widget_list_rows(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"widget_id": e["id"], "name": e.get("name")} for e in body["widgets"]]


def widget_details_rows(widget_id: str, body: Mapping[str, Any]) -> dict[str, list]:
    return {"details": [{"widget_id": widget_id, "colour": body.get("colour")}]}


WIDGETS = CatalogFamily(
    name="widgets",
    noun=("widget", "widgets"),
    list_path="/widgets/list",
    list_permission="widgets.list",
    details_path="/widgets/details",
    details_permission="widgets.details",
    items_key="widgets",
    id_param="widget_id",
    list_rows=widget_list_rows,
    details_rows=widget_details_rows,
    details_stream="widget_details",
    tables=(
        Table(
            "list",
            "widgets",
            ("widget_id",),
            _table_schema(widget_id=_ID, name={"type": ["string", "null"]}),
            "Every widget /widgets/list returns.",
            selected_by_default=False,
        ),
    ),
    asked_by=("campaign_ids", "all_campaigns"),
    discovered_by="all_campaigns",
)

TOTALS = Series(
    requests=(
        Request("/totals/a_series", "totals.a", columns=frozenset({"a"})),
        Request("/totals/b_series", "totals.b", columns=frozenset({"b"})),
    ),
    pool="default",
    partitions=NoPartitions(),
    days_of=series_days,
    flatten=flatten_totals,
    tables=(
        Table(
            "day",
            "totals",
            ("time",),
            _table_schema(time=_DATE, a=_COUNT, b=_COUNT),
            "Per day: a and b, each from its own request.",
        ),
    ),
)

WIDGET_COUNTS = Series(
    requests=(Request("/widgets/data_series", "widgets.data_series"),),
    pool="widgets",
    partitions=ConfigIds("widget_id", "campaign_ids", catalogue=WIDGETS),
    days_of=series_days,
    flatten=flatten_widget_counts,
    tables=(
        Table(
            "day",
            "widget_counts",
            ("widget_id", "time"),
            _table_schema(widget_id=_ID, time=_DATE, count=_COUNT),
            "Per widget and day: its count.",
        ),
    ),
)


class DescribedTap(TapBrazeSends):
    """tap-braze-sends reading only the two test endpoints."""

    descriptions = Descriptions(catalogues=(WIDGETS,), series=(TOTALS, WIDGET_COUNTS))


if __name__ == "__main__":
    DescribedTap.cli()
