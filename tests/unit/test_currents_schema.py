"""Avro writer schemas -> stream JSON schemas, and their union over schema ids. Property:
every record fastavro reads from a file of a random schema, as the stream writes it,
validates against the JSON schema of the file's writer schema; values of another type don't."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import fastavro
import jsonschema
import pytest
from braze_simulator.currents import EVENT_TYPES, CurrentsBucket, write_hours
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap_braze_sends.currents.errors import CurrentsError, SchemaConflict
from tap_braze_sends.currents.records import to_record
from tap_braze_sends.currents.schema import json_schema, union_schema

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")

# The JSON type each Avro type must give, written out from the Avro spec and issue 26.
EXPECTED = {
    "string": {"type": ["string"]},
    "int": {"type": ["integer"]},
    "long": {"type": ["integer"]},
    "float": {"type": ["number"]},
    "double": {"type": ["number"]},
    "boolean": {"type": ["boolean"]},
    ("null", "string"): {"type": ["string", "null"]},
    ("null", "long"): {"type": ["integer", "null"]},
    ("array", "string"): {"type": ["array"], "items": {"type": ["string"]}},
    ("map", "double"): {"type": ["object"], "additionalProperties": {"type": ["number"]}},
}


def _avro(spec: Any) -> Any:
    if isinstance(spec, str):
        return spec
    if spec[0] == "null":
        return ["null", spec[1]]
    if spec[0] == "array":
        return {"type": "array", "items": spec[1]}
    return {"type": "map", "values": spec[1]}


@pytest.mark.parametrize("spec", list(EXPECTED))
def test_each_avro_type_maps_to_its_json_type(spec: Any) -> None:
    record = {"type": "record", "name": "r", "fields": [{"name": "f", "type": _avro(spec)}]}
    assert json_schema(record)["properties"]["f"] == EXPECTED[spec]


def test_time_is_a_utc_date_time_in_schema_and_record() -> None:
    record = {
        "type": "record",
        "name": "r",
        "fields": [{"name": "time", "type": "int"}, {"name": "other_time", "type": "int"}],
    }
    props = json_schema(record)["properties"]
    assert props["time"] == {"type": ["string"], "format": "date-time"}
    assert props["other_time"] == {"type": ["integer"]}
    # 1764547200 is 2025-12-01T00:00:00Z (date -u -d @1764547200).
    assert to_record({"time": 1764547200, "other_time": 5}) == {
        "time": "2025-12-01T00:00:00+00:00",
        "other_time": 5,
    }


@pytest.mark.parametrize(
    "bad",
    [
        "bytes",
        {"type": "fixed", "name": "x", "size": 4},
        {"type": "long", "logicalType": "timestamp-millis"},
        "uuid",
    ],
)
def test_a_type_currents_never_writes_is_refused_by_field_name(bad: Any) -> None:
    record = {"type": "record", "name": "r", "fields": [{"name": "weird", "type": bad}]}
    with pytest.raises(CurrentsError, match=r"schema\.weird"):
        json_schema(record)


# Random Avro schemas and records that fit them.
NAMES = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).filter(
    lambda n: not n.startswith("_")
)
PRIMITIVE = st.sampled_from(["string", "int", "long", "float", "double", "boolean"])


def _type(depth: int) -> st.SearchStrategy[Any]:
    base = PRIMITIVE
    if depth == 0:
        return base
    inner = _type(depth - 1)
    return st.one_of(
        base,
        st.builds(lambda t: ["null", t], inner),
        st.builds(lambda t: {"type": "array", "items": t}, inner),
        st.builds(lambda t: {"type": "map", "values": t}, inner),
    )


def _value(avro: Any) -> st.SearchStrategy[Any]:
    if avro == "string":
        return st.text(max_size=5)
    if avro == "int":
        return st.integers(-(2**31), 2**31 - 1)
    if avro == "long":
        return st.integers(-(2**63), 2**63 - 1)
    if avro in ("float", "double"):
        return st.floats(-1e6, 1e6, width=32 if avro == "float" else 64)
    if avro == "boolean":
        return st.booleans()
    if isinstance(avro, list):
        return st.one_of(st.none(), _value(avro[1]))
    if avro["type"] == "array":
        return st.lists(_value(avro["items"]), max_size=3)
    return st.dictionaries(st.text(max_size=3), _value(avro["values"]), max_size=3)


@st.composite
def schemas_and_records(draw: st.DrawFn) -> tuple[dict, list[dict]]:
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    fields = [{"name": n, "type": draw(_type(2))} for n in names]
    if draw(st.booleans()):
        fields.append({"name": "time", "type": draw(st.sampled_from(["int", ["null", "int"]]))})
    schema = {"type": "record", "name": "e", "fields": fields}
    records = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    f["name"]: _value(f["type"])
                    if f["name"] != "time"
                    else st.integers(0, 2**31 - 1)
                    for f in fields
                }
            ),
            min_size=1,
            max_size=4,
        )
    )
    return schema, records


def _round_trip(schema: dict, records: list[dict]) -> tuple[dict, list[dict]]:
    buf = io.BytesIO()
    fastavro.writer(buf, fastavro.parse_schema(schema), records)
    buf.seek(0)
    reader = fastavro.reader(buf)
    return reader.writer_schema, list(reader)


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(schemas_and_records())
def test_every_record_read_validates_against_its_writer_schemas_json_schema(case) -> None:
    schema, records = case
    writer_schema, read = _round_trip(schema, records)
    validator = jsonschema.Draft7Validator(json_schema(writer_schema))
    for record in read:
        out = to_record(record)
        validator.validate(out)
        if isinstance(out.get("time"), str):
            assert RFC3339_UTC.fullmatch(out["time"])
        # A value of another JSON type in a non-null field is rejected.
        for f in writer_schema["fields"]:
            if out[f["name"]] is not None and f["name"] != "time":
                wrong = "text" if not isinstance(out[f["name"]], str) else 1
                assert not validator.is_valid({**out, f["name"]: wrong})


def test_the_simulators_files_validate_against_the_union_of_their_schema_ids(
    tmp_path: Path,
) -> None:
    bucket = CurrentsBucket(tmp_path)
    write_hours(bucket, datetime(2026, 12, 1), 3)
    for t in EVENT_TYPES:
        files = [f for f in bucket.written if f.event_type == t.name]
        read = []
        for f in files:
            with (tmp_path / f.key).open("rb") as fo:
                reader = fastavro.reader(fo)
                read.append((f.schema_id, reader.writer_schema, list(reader)))
        union = union_schema([(i, json_schema(s)) for i, s, _ in read])
        assert set(union["properties"]) == {n for n, _, _ in t.fields + t.added_later}
        validator = jsonschema.Draft7Validator(union)
        for _, _, records in read:
            for r in records:
                validator.validate(to_record(r))


def _record(*fields: tuple[str, Any]) -> dict:
    return json_schema(
        {"type": "record", "name": "r", "fields": [{"name": n, "type": t} for n, t in fields]}
    )


def test_a_field_added_later_is_nullable_in_the_union_and_others_keep_their_type() -> None:
    old = _record(("id", "string"), ("n", "int"))
    new = _record(
        ("id", "string"),
        ("n", "int"),
        ("from_domain", ["null", "string"]),
        ("required_later", "string"),
    )
    for order in ([(4, old), (9, new)], [(9, new), (4, old)]):
        union = union_schema(order)["properties"]
        assert union["id"] == {"type": ["string"]}
        assert union["n"] == {"type": ["integer"]}
        assert union["from_domain"] == {"type": ["string", "null"]}
        assert union["required_later"] == {"type": ["string", "null"]}


def test_a_field_whose_type_changes_is_a_conflict_naming_it_and_both_ids() -> None:
    old = _record(("id", "string"), ("price", "double"))
    new = _record(("id", "string"), ("price", ["null", "string"]))
    with pytest.raises(SchemaConflict, match=r"'price'.* schema id 4 .* schema id 9"):
        union_schema([(9, new), (4, old)])
