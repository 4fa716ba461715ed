"""Pure conversion of a Braze object (a list entry, a details body) into a dimension row.

Each field named in the stream's field table gets its typed column when its value has the
column's kind; a value that does not fit (a timestamp Braze wrote in a form this tap cannot
read, a tag list holding a number) leaves the column null and is kept, untouched, in the row's
``extra_fields`` object, beside every field that has no column. Nothing Braze returns is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from tap_braze_sends.braze.description import Row
from tap_braze_sends.braze.schemas.column_kinds import FLAG, OBJECT, OBJECTS, TEXT, TEXTS, TIMESTAMP
from tap_braze_sends.braze.timestamps import normalize_timestamp

_MISFIT = object()


def _text(value: object) -> object:
    return value if isinstance(value, str) else _MISFIT


def _timestamp(value: object) -> object:
    normalized = normalize_timestamp(value)
    return _MISFIT if normalized is None else normalized


def _flag(value: object) -> object:
    return value if isinstance(value, bool) else _MISFIT


def _texts(value: object) -> object:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return _MISFIT


def _objects(value: object) -> object:
    if isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
        return [dict(item) for item in value]
    return _MISFIT


def _object(value: object) -> object:
    return dict(value) if isinstance(value, Mapping) else _MISFIT


_CONVERT: dict[str, Callable[[object], object]] = {
    TEXT: _text,
    TIMESTAMP: _timestamp,
    FLAG: _flag,
    TEXTS: _texts,
    OBJECTS: _objects,
    OBJECT: _object,
}


def typed_row(
    keys: Mapping[str, str],
    source: Mapping[str, Any],
    fields: Mapping[str, str],
    *,
    skip: Collection[str] = (),
) -> Row:
    """``keys``, then one column per field of ``fields`` (name -> kind), then ``extra_fields``
    with every other field of ``source`` except those in ``skip`` (read elsewhere)."""
    row: Row = dict(keys)
    extras: dict[str, Any] = {}
    for name, kind in fields.items():
        value = source.get(name)
        converted = None if value is None else _CONVERT[kind](value)
        if converted is _MISFIT:
            extras[name] = value
            converted = None
        row[name] = converted
    for name, value in source.items():
        if name not in fields and name not in skip:
            extras[name] = value
    row["extra_fields"] = extras or None
    return row
