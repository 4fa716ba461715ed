"""Schemas of the eight Canvas streams (/canvas/list, /canvas/details, /canvas/data_series).

The metric tuples and field kinds below are the single list both the schemas and the Canvas
flatteners (:mod:`tap_braze_sends.braze.flatten.canvas_series`) read: a name gets a typed column
here, and anything Braze returns beyond them lands in ``extra_metrics`` (series) or ``extra_fields``
(list and details), never dropped.
"""

from __future__ import annotations

from types import MappingProxyType

from tap_braze_sends.braze.schemas.build import metric_schema, nullable, required
from tap_braze_sends.braze.schemas.column_kinds import EXTRA_FIELDS
from tap_braze_sends.braze.schemas.metrics import MESSAGE_METRICS

_ENTRY_CONVERSIONS = (
    "conversions",
    "conversions_by_entry_time",
    "conversions1",
    "conversions1_by_entry_time",
    "conversions2",
    "conversions2_by_entry_time",
    "conversions3",
    "conversions3_by_entry_time",
)

CANVAS_TOTAL_METRICS: tuple[str, ...] = ("entries", "revenue", *_ENTRY_CONVERSIONS)
"""A day's ``total_stats`` (the docs name four; public schemas add conversions1..3)."""

CANVAS_VARIANT_METRICS: tuple[str, ...] = CANVAS_TOTAL_METRICS
"""One variant's stats in ``variant_stats`` (besides its ``name``)."""

CANVAS_STEP_METRICS: tuple[str, ...] = ("revenue", *_ENTRY_CONVERSIONS, "unique_recipients")
"""One step's stats in ``step_stats`` (besides its ``name`` and ``messages``)."""

# Kinds of the list and details fields: each maps to a JSON-schema fragment below, and the
# flattener checks a value against its kind before putting it in the column.
STRING = "string"
BOOLEAN = "boolean"
TIMESTAMP = "date-time"
STRINGS = "array of strings"
OBJECT = "object"
PATHS = "array of paths"

CANVAS_LIST_FIELDS = MappingProxyType({"name": STRING, "tags": STRINGS, "last_edited": TIMESTAMP})
CANVAS_DETAILS_FIELDS = MappingProxyType(
    {
        "name": STRING,
        "description": STRING,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "archived": BOOLEAN,
        "draft": BOOLEAN,
        "enabled": BOOLEAN,
        "has_post_launch_draft": BOOLEAN,
        "schedule_type": STRING,
        "first_entry": TIMESTAMP,
        "last_entry": TIMESTAMP,
        "channels": STRINGS,
        "tags": STRINGS,
        "teams": STRINGS,
    }
)
CANVAS_VARIANT_FIELDS = MappingProxyType({"name": STRING, "first_step_ids": STRINGS})
CANVAS_STEP_FIELDS = MappingProxyType(
    {
        "name": STRING,
        "type": STRING,
        "channels": STRINGS,
        "next_step_ids": STRINGS,
        "next_paths": PATHS,
        "messages": OBJECT,
    }
)

_ID = required("string")
_TIME = required("string", format="date")
_ANY_OBJECT = {"type": ["object", "null"], "additionalProperties": True}
_FRAGMENTS = MappingProxyType(
    {
        STRING: nullable("string"),
        BOOLEAN: nullable("boolean"),
        TIMESTAMP: nullable("string", format="date-time"),
        STRINGS: {"type": ["array", "null"], "items": required("string")},
        OBJECT: _ANY_OBJECT,
        # No `items`, so that warehouses load the list as one JSON value (not jsonb[]).
        PATHS: {
            "type": ["array", "null"],
            "description": "The step's paths, as Braze sent them: [{name, next_step_id}, ...] "
            "(one JSON value).",
        },
    }
)


def _dimension_schema(keys: dict[str, dict], fields: MappingProxyType) -> dict:
    properties = dict(keys)
    properties.update({name: _FRAGMENTS[kind] for name, kind in fields.items()})
    properties["extra_fields"] = EXTRA_FIELDS
    return {"type": "object", "additionalProperties": False, "properties": properties}


CANVASES_SCHEMA = _dimension_schema({"canvas_id": _ID}, CANVAS_LIST_FIELDS)
CANVAS_DETAILS_SCHEMA = _dimension_schema({"canvas_id": _ID}, CANVAS_DETAILS_FIELDS)
CANVAS_VARIANTS_SCHEMA = _dimension_schema(
    {"canvas_id": _ID, "variant_id": _ID}, CANVAS_VARIANT_FIELDS
)
CANVAS_STEPS_SCHEMA = _dimension_schema({"canvas_id": _ID, "step_id": _ID}, CANVAS_STEP_FIELDS)

CANVAS_ANALYTICS_SCHEMA = metric_schema({"canvas_id": _ID, "time": _TIME}, CANVAS_TOTAL_METRICS)
CANVAS_VARIANT_ANALYTICS_SCHEMA = metric_schema(
    {"canvas_id": _ID, "time": _TIME, "variant_id": _ID, "variant_name": nullable("string")},
    CANVAS_VARIANT_METRICS,
)
# No `deleted` column: Braze marks no step as deleted (include_deleted_step_data only adds
# the stats of deleted steps, shaped like any other). A deleted step is the one whose step_id
# has no row in canvas_steps (/canvas/details lists live steps only).
CANVAS_STEP_ANALYTICS_SCHEMA = metric_schema(
    {"canvas_id": _ID, "time": _TIME, "step_id": _ID, "step_name": nullable("string")},
    CANVAS_STEP_METRICS,
)
CANVAS_STEP_MESSAGE_ANALYTICS_SCHEMA = metric_schema(
    {
        "canvas_id": _ID,
        "time": _TIME,
        "step_id": _ID,
        "channel": required("string"),
        # The entry's position in Braze's list for the step and channel (Braze documents no
        # identifier for it); the ids some bodies carry are the two columns after it.
        "message_index": required("integer"),
        "variation_api_id": nullable("string"),
        "variation_name": nullable("string"),
    },
    MESSAGE_METRICS,
)

CANVAS_KEYS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "canvases": ("canvas_id",),
        "canvas_details": ("canvas_id",),
        "canvas_variants": ("canvas_id", "variant_id"),
        "canvas_steps": ("canvas_id", "step_id"),
        "canvas_analytics": ("canvas_id", "time"),
        "canvas_variant_analytics": ("canvas_id", "time", "variant_id"),
        "canvas_step_analytics": ("canvas_id", "time", "step_id"),
        "canvas_step_message_analytics": (
            "canvas_id",
            "time",
            "step_id",
            "channel",
            "message_index",
        ),
    }
)
"""Stream name -> primary key, as issue 10 names them."""
