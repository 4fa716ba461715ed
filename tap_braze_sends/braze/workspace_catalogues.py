"""The workspace catalogues, each described once: segments (/segments/list, details per
segment read), custom events (/events, paged by the ``Link`` cursor) and products
(/purchases/product_list). Their listings also find the partitions of ``all_segments`` (tracked
segments only: the others have no series), ``all_events`` and ``all_products``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.description import CatalogFamily, Row, Table
from tap_braze_sends.braze.flatten.workspace_catalogues import (
    custom_event_rows,
    product_rows,
    segment_details_row,
    segment_list_rows,
)
from tap_braze_sends.braze.schemas import workspace as schemas

SMALL_POOL = "events_products"
"""Braze's pool of 1,000 requests an hour for /events/list, /events, /purchases/product_list
and (its rendered pages say) the two purchase series: spent to zero, it holds only these."""
SMALL_POOL_PER_HOUR = 1_000


def _tracked(entry: Mapping[str, Any]) -> bool:
    return entry.get("analytics_tracking_enabled") is True


def _segment_details_wanted(entry: Mapping[str, Any], settings: Any) -> bool:
    """Details of the segments the config reads: named, or tracked under all_segments."""
    return entry["id"] in settings.segment_ids or (settings.all_segments and _tracked(entry))


def _segment_details(segment_id: str, body: Mapping[str, Any]) -> dict[str, list[Row]]:
    return {"details": [segment_details_row(segment_id, body)]}


def _event_entries(body: object) -> list[Mapping[str, Any]]:
    # custom_event_rows checks the shape first, so each entry is an object with a name.
    return [{**entry, "id": row["event_name"]} for entry, row in _zip(body, custom_event_rows)]


def _product_entries(body: object) -> list[Mapping[str, Any]]:
    return [{"id": row["product"]} for row in product_rows(body)]


def _zip(body: object, rows_of: Any) -> list[tuple[Mapping[str, Any], Row]]:
    rows = rows_of(body)
    return list(zip(body["events"], rows, strict=True))  # type: ignore[index]


SEGMENTS = CatalogFamily(
    name="segments",
    noun=("segment", "segments"),
    list_path="/segments/list",
    list_permission="segments.list",
    details_path="/segments/details",
    details_permission="segments.details",
    items_key="segments",
    id_param="segment_id",
    list_rows=segment_list_rows,
    details_rows=_segment_details,
    details_stream="segment_details",
    tables=(
        Table(
            "list",
            "segments",
            ("segment_id",),
            schemas.SEGMENTS_SCHEMA,
            "Every segment /segments/list returns (archived ones left out): name, "
            "analytics_tracking_enabled, tags.",
            selected_by_default=False,
        ),
        Table(
            "details",
            "segment_details",
            ("segment_id",),
            schemas.SEGMENT_DETAILS_SCHEMA,
            "Per segment read (segment_ids, or tracked ones under all_segments), "
            "/segments/details: description, text_description, tags, teams, dates.",
            selected_by_default=False,
        ),
    ),
    asked_by=("segment_ids", "all_segments"),
    discovered_by="all_segments",
    archivable=False,
    discoverable=_tracked,
    details_wanted=_segment_details_wanted,
)

CUSTOM_EVENTS = CatalogFamily(
    name="custom_events",
    noun=("custom event", "custom events"),
    list_path="/events",
    list_permission="events.get",
    items_key="events",
    id_param="event_name",
    list_rows=custom_event_rows,
    tables=(
        Table(
            "list",
            "custom_events",
            ("event_name",),
            schemas.CUSTOM_EVENTS_SCHEMA,
            "Every custom event /events returns: description, status, "
            "included_in_analytics_report, tags.",
            selected_by_default=False,
        ),
    ),
    asked_by=("event_names", "all_events"),
    discovered_by="all_events",
    pool=SMALL_POOL,
    pool_per_hour=SMALL_POOL_PER_HOUR,
    archivable=False,
    cursor_paged=True,
    entries=_event_entries,
)

PRODUCTS = CatalogFamily(
    name="products",
    noun=("product", "products"),
    list_path="/purchases/product_list",
    list_permission="purchases.product_list",
    items_key="products",
    id_param="product",
    list_rows=product_rows,
    tables=(
        Table(
            "list",
            "products",
            ("product",),
            schemas.PRODUCTS_SCHEMA,
            "Every product /purchases/product_list returns (its name is the key).",
            selected_by_default=False,
        ),
    ),
    asked_by=("products", "all_products"),
    discovered_by="all_products",
    pool=SMALL_POOL,
    pool_per_hour=SMALL_POOL_PER_HOUR,
    archivable=False,
    entries=_product_entries,
)

WORKSPACE_CATALOGUES = (SEGMENTS, CUSTOM_EVENTS, PRODUCTS)
