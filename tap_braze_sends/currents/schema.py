"""Avro writer schemas as the streams' JSON schemas, and one schema over all schema ids
(pure).

Every field keeps the name Braze gives it, with the JSON type its Avro type implies: a union
with null is nullable, int and long are integers, float and double numbers, a map an object
of its values, an array an array of its items, a record an object, an enum a string of its
symbols. The top-level `time` (Braze: an int of UTC seconds, [EDS]) is a UTC date-time, as
records.py writes it. Types no Currents schema uses (bytes, fixed, logical types) are refused
by name rather than emitted as something a target would mistype.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tap_braze_sends.currents.errors import CurrentsError, SchemaConflict

JsonSchema = dict[str, Any]

_PRIMITIVES = {
    "null": "null",
    "boolean": "boolean",
    "int": "integer",
    "long": "integer",
    "float": "number",
    "double": "number",
    "string": "string",
}
DATE_TIME: JsonSchema = {"type": ["string"], "format": "date-time"}
# Fields Braze writes as epoch seconds that the streams give as date-times.
TIME_FIELDS = frozenset({"time"})


def _nullable(schema: JsonSchema) -> JsonSchema:
    if "anyOf" in schema:
        members = schema["anyOf"]
        has_null = any(m.get("type") == ["null"] for m in members)
        return schema if has_null else {"anyOf": [*members, {"type": ["null"]}]}
    types = schema["type"]
    return schema if "null" in types else {**schema, "type": [*types, "null"]}


def _type_of(avro: Any, where: str) -> JsonSchema:
    if isinstance(avro, str):
        if avro in _PRIMITIVES:
            return {"type": [_PRIMITIVES[avro]]}
        raise CurrentsError(f"{where}: Avro type {avro!r} is not one Currents writes")
    if isinstance(avro, list):
        members = [m for m in avro if m != "null"]
        if not members:
            return {"type": ["null"]}
        schemas = [_type_of(m, where) for m in members]
        one = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        return _nullable(one) if "null" in avro else one
    if not isinstance(avro, Mapping):
        raise CurrentsError(f"{where}: {avro!r} is not an Avro type")
    if "logicalType" in avro:
        raise CurrentsError(
            f"{where}: Avro logical type {avro['logicalType']!r} is not one Currents writes"
        )
    kind = avro.get("type")
    if kind == "array":
        return {"type": ["array"], "items": _type_of(avro["items"], f"{where}[]")}
    if kind == "map":
        return {"type": ["object"], "additionalProperties": _type_of(avro["values"], where)}
    if kind == "record":
        return {"type": ["object"], "properties": _properties(avro, where)}
    if kind == "enum":
        return {"type": ["string"], "enum": list(avro["symbols"])}
    if isinstance(kind, (str, list, Mapping)) and kind not in ("fixed", "bytes"):
        return _type_of(kind, where)
    raise CurrentsError(f"{where}: Avro type {kind!r} is not one Currents writes")


def _properties(record: Mapping[str, Any], where: str) -> dict[str, JsonSchema]:
    return {f["name"]: _type_of(f["type"], f"{where}.{f['name']}") for f in record["fields"]}


def json_schema(avro_record: Mapping[str, Any], where: str = "schema") -> JsonSchema:
    """The stream schema of one Avro writer schema (a record). `where` names it in errors."""
    if avro_record.get("type") != "record":
        raise CurrentsError(
            f"{where}: a Currents file's schema is a record, not {avro_record.get('type')!r}"
        )
    properties = _properties(avro_record, where)
    for name in TIME_FIELDS & properties.keys():
        t = properties[name]
        base = [x for x in t.get("type", []) if x != "null"]
        if base == ["integer"]:
            properties[name] = _nullable(DATE_TIME) if "null" in t["type"] else DATE_TIME
    return {"type": "object", "properties": properties}


def _without_null(schema: JsonSchema) -> JsonSchema:
    if "anyOf" in schema:
        return {"anyOf": [m for m in schema["anyOf"] if m.get("type") != ["null"]]}
    return {**schema, "type": [t for t in schema["type"] if t != "null"]}


def union_schema(schemas: Iterable[tuple[int, JsonSchema]]) -> JsonSchema:
    """One stream schema over every schema id of an event type: a field some schema lacks
    is nullable (its older records have no value); a field two ids type differently is a
    SchemaConflict naming the field and both ids."""
    seen = sorted(schemas, key=lambda s: s[0])
    if not seen:
        raise CurrentsError("no schema to unite")
    merged: dict[str, JsonSchema] = {}
    first_id: dict[str, int] = {}
    for schema_id, schema in seen:
        for name, field in schema["properties"].items():
            if name not in merged:
                merged[name], first_id[name] = field, schema_id
            elif _without_null(merged[name]) != _without_null(field):
                raise SchemaConflict(
                    f"field {name!r} is {_without_null(merged[name])} in schema id "
                    f"{first_id[name]} and {_without_null(field)} in schema id {schema_id}"
                )
            elif field != merged[name]:
                merged[name] = _nullable(merged[name])
    for name in merged:
        if any(name not in schema["properties"] for _, schema in seen):
            merged[name] = _nullable(merged[name])
    return {"type": "object", "properties": merged}
