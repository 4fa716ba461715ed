"""The Currents streams a listing holds: one per event type, its schema the union of the
writer schemas of every schema id seen, each read from one file's header (--discover reads
no event)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import fsspec

from tap_braze_sends.currents.errors import CurrentsError, SchemaConflict
from tap_braze_sends.currents.files import read_header
from tap_braze_sends.currents.listing import ListedFile
from tap_braze_sends.currents.paths import stream_name
from tap_braze_sends.currents.schema import JsonSchema, json_schema, union_schema

PRIMARY_KEY = ("id",)


@dataclass(frozen=True)
class CurrentsStream:
    event_type: str
    name: str
    schema: JsonSchema
    schema_ids: tuple[int, ...]


def one_file_per_schema(files: Iterable[ListedFile]) -> dict[tuple[str, int], ListedFile]:
    """(event type, schema id) -> the newest file of it: a schema id names one schema, so
    one header is enough ([FAQ]: every change advances the id)."""
    newest: dict[tuple[str, int], ListedFile] = {}
    for f in files:
        slot = (f.key.event_type, f.key.schema_id)
        if slot not in newest or f.key > newest[slot].key:
            newest[slot] = f
    return newest


def discover(fs: fsspec.AbstractFileSystem, files: Iterable[ListedFile]) -> list[CurrentsStream]:
    """The streams of these files, in stream-name order."""
    by_type: dict[str, list[tuple[int, JsonSchema]]] = {}
    for (event_type, schema_id), f in sorted(one_file_per_schema(files).items()):
        schema = json_schema(read_header(fs, f.path), where=f.path)
        by_type.setdefault(event_type, []).append((schema_id, schema))
    streams: dict[str, CurrentsStream] = {}
    for event_type, schemas in by_type.items():
        try:
            union = union_schema(schemas)
        except SchemaConflict as exc:
            raise SchemaConflict(f"event type {event_type}: {exc}") from None
        name = stream_name(event_type)
        if name in streams:
            # Event types that differ only in case ("Send", "send") would share a table.
            raise CurrentsError(
                f"event types {streams[name].event_type} and {event_type} both make stream {name}"
            )
        streams[name] = CurrentsStream(event_type, name, union, tuple(i for i, _ in schemas))
    return [streams[n] for n in sorted(streams)]
