"""Pure flattening of the workspace catalogues: /segments/list, /segments/details, /events,
/events/list and /purchases/product_list, into rows of ``segments``, ``segment_details``,
``custom_events`` and ``products``.

Segments and events follow the dimension rules
(:mod:`tap_braze_sends.braze.flatten.dimension_rows`): typed columns, everything else in
``extra_fields``. A body without its list, or an entry that names nothing, is
:class:`MalformedBody`: there is no row to key.
"""

from __future__ import annotations

from collections.abc import Mapping

from tap_braze_sends.braze.flatten.dimension_rows import Row, typed_row
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.schemas.workspace import (
    CUSTOM_EVENT_FIELDS,
    EVENT_TAGS_FIELD,
    SEGMENT_DETAILS_FIELDS,
    SEGMENT_LIST_FIELDS,
)

_STATUS = "message"  # "success": about the response, not the item
_EVENT_FIELDS = {
    (EVENT_TAGS_FIELD if name == "tags" else name): kind
    for name, kind in CUSTOM_EVENT_FIELDS.items()
}


def _entries(body: object, path: str, key: str) -> list:
    entries = body.get(key) if isinstance(body, Mapping) else None
    if not isinstance(entries, list):
        shape = sorted(body) if isinstance(body, Mapping) else type(body).__name__
        msg = f"{path} body has no '{key}' list: {shape}"
        raise MalformedBody(msg)
    return entries


def _text(value: object, what: str, path: str, index: int) -> str:
    """A key column's value: a non-empty string, kept exactly (spaces, quotes, non-ASCII)."""
    if not isinstance(value, str) or not value:
        msg = f"{path} entry {index} has no {what}: {value!r:.200}"
        raise MalformedBody(msg)
    return value


def _field(entry: object, field: str, path: str, index: int) -> str:
    if not isinstance(entry, Mapping):
        msg = f"{path} entry {index} is not an object: {entry!r:.200}"
        raise MalformedBody(msg)
    return _text(entry.get(field), field, path, index)


def segment_list_rows(body: object) -> list[Row]:
    """One ``segments`` row per entry of a /segments/list page, in Braze's order."""
    rows = []
    for index, entry in enumerate(_entries(body, "/segments/list", "segments")):
        keys = {"segment_id": _field(entry, "id", "/segments/list", index)}
        rows.append(typed_row(keys, entry, SEGMENT_LIST_FIELDS, skip=("id",)))
    return rows


def tracked_segment_ids(rows: list[Row]) -> list[str]:
    """The segments of ``segments`` rows that have a series: analytics tracking on."""
    return [row["segment_id"] for row in rows if row.get("analytics_tracking_enabled") is True]


def segment_details_row(segment_id: str, body: object) -> Row:
    """The ``segment_details`` row of one /segments/details body."""
    if not isinstance(body, Mapping):
        msg = f"/segments/details body is a {type(body).__name__}, not an object"
        raise MalformedBody(msg)
    keys = {"segment_id": segment_id}
    return typed_row(keys, body, SEGMENT_DETAILS_FIELDS, skip=(_STATUS,))


def custom_event_rows(body: object) -> list[Row]:
    """One ``custom_events`` row per entry of an /events page (its ``tag_names`` in ``tags``)."""
    rows = []
    for index, entry in enumerate(_entries(body, "/events", "events")):
        keys = {"event_name": _field(entry, "name", "/events", index)}
        row = typed_row(keys, entry, _EVENT_FIELDS, skip=("name",))
        row["tags"] = row.pop(EVENT_TAGS_FIELD)
        rows.append(row)
    return rows


def event_name_rows(body: object) -> list[Row]:
    """A ``custom_events`` row per name of an /events/list page: the name alone is known."""
    return [
        {"event_name": _text(name, "name", "/events/list", index), "extra_fields": None}
        for index, name in enumerate(_entries(body, "/events/list", "events"))
    ]


def product_rows(body: object) -> list[Row]:
    """One ``products`` row per name of a /purchases/product_list page."""
    return [
        {"product": _text(name, "name", "/purchases/product_list", index)}
        for index, name in enumerate(_entries(body, "/purchases/product_list", "products"))
    ]


__all__ = [
    "MalformedBody",
    "Row",
    "custom_event_rows",
    "event_name_rows",
    "product_rows",
    "segment_details_row",
    "segment_list_rows",
    "tracked_segment_ids",
]
