"""Pure flattening of /canvas/list and /canvas/details bodies into dimension rows.

Each field the schema names gets its column when the value has the column's type (timestamps
rewritten as RFC 3339, see :mod:`tap_braze_sends.braze.timestamps`); every other field, and
a value not of its column's type, goes to the row's ``extra_fields`` object under its own name.
Every column is present in every row (null when Braze sent no value), so that an upsert clears
a field Braze stopped sending. The envelope's status ``message`` ("success") is not data and is
not kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.flatten.dimension_rows import typed_row
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.flatten.series_rows import Row
from tap_braze_sends.braze.flatten.unknown import EXTRA_FIELDS, add_extra
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_DETAILS_FIELDS,
    CANVAS_LIST_FIELDS,
    CANVAS_STEP_FIELDS,
    CANVAS_VARIANT_FIELDS,
)

_ENVELOPE = "message"


def _has_id(entry: object) -> bool:
    return isinstance(entry, Mapping) and isinstance(entry.get("id"), str) and entry["id"] != ""


def canvas_list_rows(body: Mapping[str, Any]) -> list[Row]:
    """The ``canvases`` rows of one /canvas/list page ``{"canvases": [...]}`` (``id`` ->
    ``canvas_id``). A body without a list of objects with a string ``id`` raises
    ``MalformedBody``: an entry without an id can be no row."""
    canvases = body.get("canvases") if isinstance(body, Mapping) else None
    if not isinstance(canvases, list):
        msg = "Canvas list body has no 'canvases' list"
        raise MalformedBody(msg)
    rows = []
    for entry in canvases:
        if not _has_id(entry):
            msg = f"Canvas list entry without a string 'id': {entry!r:.200}"
            raise MalformedBody(msg)
        keys = {"canvas_id": entry["id"]}
        rows.append(typed_row(keys, entry, CANVAS_LIST_FIELDS, skip=("id",)))
    return rows


def _child_rows(
    parent: Row,
    items: object,
    what: str,
    key_column: str,
    fields: Mapping[str, str],
) -> list[Row]:
    """Rows of ``variants`` or ``steps``; what can be no row goes to the parent's extras."""
    if items is None:
        return []
    if not isinstance(items, list):
        add_extra(parent, what, items, EXTRA_FIELDS)
        return []
    rows: list[Row] = []
    seen: set[str] = set()
    strays: list = []
    for item in items:
        # No id, or an id already taken (a primary key must stay unique): kept, not a row.
        if not _has_id(item) or item["id"] in seen:
            strays.append(item)
            continue
        seen.add(item["id"])
        keys = {"canvas_id": parent["canvas_id"], key_column: item["id"]}
        rows.append(typed_row(keys, item, fields, skip=("id",)))
    if strays:
        add_extra(parent, what, strays, EXTRA_FIELDS)
    return rows


def check_canvas_details(body: object) -> Mapping[str, Any]:
    """``body`` if it is a /canvas/details body: an object naming its Canvas (Braze always
    sends ``name``). Else ``MalformedBody``, so that the request is retried: a
    nameless body (e.g. only ``{"message": "success"}``) read as details would null the
    Canvas's row and mark its details read until its next edit."""
    if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
        msg = f"Canvas details body without a string 'name': {body!r:.200}"
        raise MalformedBody(msg)
    return body


def canvas_details_rows(
    canvas_id: str, body: Mapping[str, Any]
) -> tuple[Row, list[Row], list[Row]]:
    """The ``canvas_details`` row, ``canvas_variants`` rows and ``canvas_steps`` rows of one
    /canvas/details body. A body that is not an object raises ``MalformedBody``."""
    if not isinstance(body, Mapping):
        msg = f"Canvas details body is not an object: {body!r:.200}"
        raise MalformedBody(msg)
    skip = ("variants", "steps", _ENVELOPE)
    details = typed_row({"canvas_id": canvas_id}, body, CANVAS_DETAILS_FIELDS, skip=skip)
    variants = _child_rows(
        details, body.get("variants"), "variants", "variant_id", CANVAS_VARIANT_FIELDS
    )
    steps = _child_rows(details, body.get("steps"), "steps", "step_id", CANVAS_STEP_FIELDS)
    return details, variants, steps
