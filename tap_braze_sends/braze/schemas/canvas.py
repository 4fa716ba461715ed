"""Schemas of the eight Canvas streams (/canvas/list, /canvas/details, /canvas/data_series).

The metric tuples and field kinds below are the single list both the schemas and the Canvas
flatteners (:mod:`tap_braze_sends.braze.flatten.canvas_series`) read: a name gets a typed column
here, and anything Braze returns beyond them lands in ``extra_metrics`` (series) or ``extra_fields``
(list and details), never dropped.
"""

from __future__ import annotations

from types import MappingProxyType

from tap_braze_sends.braze.schemas.build import metric_schema, nullable, required
from tap_braze_sends.braze.schemas.column_kinds import (
    FLAG,
    OBJECT,
    OBJECTS,
    TEXT,
    TEXTS,
    TIMESTAMP,
    dimension_schema,
)
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
CANVAS_LIST_FIELDS = MappingProxyType({"name": TEXT, "tags": TEXTS, "last_edited": TIMESTAMP})
CANVAS_DETAILS_FIELDS = MappingProxyType(
    {
        "name": TEXT,
        "description": TEXT,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "archived": FLAG,
        "draft": FLAG,
        "enabled": FLAG,
        "has_post_launch_draft": FLAG,
        "schedule_type": TEXT,
        "first_entry": TIMESTAMP,
        "last_entry": TIMESTAMP,
        "channels": TEXTS,
        "tags": TEXTS,
        "teams": TEXTS,
    }
)
CANVAS_VARIANT_FIELDS = MappingProxyType({"name": TEXT, "first_step_ids": TEXTS})
CANVAS_STEP_FIELDS = MappingProxyType(
    {
        "name": TEXT,
        "type": TEXT,
        "channels": TEXTS,
        "next_step_ids": TEXTS,
        "next_paths": OBJECTS,
        "messages": OBJECT,
    }
)

_ID = required("string")
_TIME = required("string", format="date")
CANVASES_SCHEMA = dimension_schema({"canvas_id": _ID}, CANVAS_LIST_FIELDS)
CANVAS_DETAILS_SCHEMA = dimension_schema({"canvas_id": _ID}, CANVAS_DETAILS_FIELDS)
CANVAS_VARIANTS_SCHEMA = dimension_schema(
    {"canvas_id": _ID, "variant_id": _ID}, CANVAS_VARIANT_FIELDS
)
CANVAS_STEPS_SCHEMA = dimension_schema({"canvas_id": _ID, "step_id": _ID}, CANVAS_STEP_FIELDS)

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
