"""Column kinds of the dimension streams (campaigns, Canvases: names, tags, settings) and their
JSON schemas. The flatteners (:mod:`tap_braze_sends.braze.flatten.dimension_rows`) read the same
table, so a column's type is declared once."""

from __future__ import annotations

from types import MappingProxyType

from tap_braze_sends.braze.schemas.build import nullable

TEXT = "text"
TIMESTAMP = "timestamp"
"""An ISO-8601 instant, written as RFC 3339 with its offset."""
FLAG = "flag"
TEXTS = "texts"
"""A list of strings (tags, channels, teams)."""
OBJECTS = "objects"
"""A list of objects kept as Braze sent them (conversion behaviours, next paths)."""
OBJECT = "object"
"""One object kept as Braze sent it (a message's channel-specific fields)."""

_ANY_OBJECT = {"type": "object", "additionalProperties": True}

KIND_SCHEMAS = MappingProxyType(
    {
        TEXT: nullable("string"),
        TIMESTAMP: nullable("string", format="date-time"),
        FLAG: nullable("boolean"),
        TEXTS: nullable("array", items={"type": "string"}),
        # No `items`: warehouse targets then load the list as one JSON value (PostgreSQL
        # jsonb, DuckDB JSON, Snowflake VARIANT) rather than an array of JSON values (jsonb[]),
        # which few tools read.
        OBJECTS: {
            "type": ["array", "null"],
            "description": "A list of objects, as Braze sent it (one JSON value).",
        },
        OBJECT: {"type": ["object", "null"], "additionalProperties": True},
    }
)

EXTRA_FIELDS = {
    "type": ["object", "null"],
    "additionalProperties": True,
    "description": "Fields Braze returned that have no typed column, or whose value did not "
    "fit its column's type (kept as Braze sent them; the column is then null).",
}


def dimension_schema(key_columns: dict[str, dict], fields: MappingProxyType | dict) -> dict:
    """Key columns, one typed column per field (name -> kind), then ``extra_fields``."""
    properties = dict(key_columns)
    for name, kind in fields.items():
        properties[name] = KIND_SCHEMAS[kind]
    properties["extra_fields"] = EXTRA_FIELDS
    return {"type": "object", "additionalProperties": False, "properties": properties}
