"""A Currents bucket on disk in Braze's layout ([EDS], [SNF], [FAQ]):

    <prefix>/dataexport.<cluster>.<S3|AzureBlob|GCS>.integration.<integration id>/
      event_type=<type>/date=<YYYY-MM-DD-HH>/<schema id>/<zone>/
        dataexport.<cluster>.<conn>.integration.<integration id>+<partition>+<offset>.avro

Each file is an Avro object container file carrying its writer schema. Schema ids are global
across event types and go up by one per change ([FAQ]); offsets are per partition and grow
with the events written, so the files of one hour differ at least in offset.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import fastavro

from braze_simulator.currents.event_types import BY_NAME, EVENT_TYPES, EventType, avro_schema
from braze_simulator.currents.values import make_event
from braze_simulator.hashing import digest

CONNECTIONS = ("S3", "AzureBlob", "GCS")
PARTITIONS = 4


@dataclass(frozen=True)
class Layout:
    """What names a connector's folder; Braze's own values are internal (`prod-01` ...)."""

    prefix: str = "currents"
    cluster: str = "prod-01"
    connection: str = "S3"
    integration_id: str = "5f1a2b3c4d5e6f7a8b9c0d1e"
    zone: str = "0"

    @property
    def connector(self) -> str:
        return f"dataexport.{self.cluster}.{self.connection}.integration.{self.integration_id}"

    def object_key(
        self, event_type: str, hour: datetime, schema_id: int, partition: int, offset: int
    ) -> str:
        folder = "/".join(
            p
            for p in (
                self.prefix,
                self.connector,
                f"event_type={event_type}",
                f"date={hour:%Y-%m-%d-%H}",
                str(schema_id),
                self.zone,
            )
            if p
        )
        return f"{folder}/{self.connector}+{partition}+{offset:010d}.avro"


def schema_ids() -> dict[tuple[str, bool], int]:
    """Every (event type, evolved) -> its schema id: the first schemas 1..N in glossary order,
    then one id per later change, so an evolved type's id jumps past the others' ([FAQ])."""
    ids = {(t.name, False): i + 1 for i, t in enumerate(EVENT_TYPES)}
    evolving = [t for t in EVENT_TYPES if t.added_later]
    ids.update({(t.name, True): len(EVENT_TYPES) + 1 + i for i, t in enumerate(evolving)})
    return ids


@dataclass(frozen=True)
class WrittenFile:
    """One file as written: its key under the bucket root and the events in it."""

    key: str
    event_type: str
    hour: datetime
    schema_id: int
    events: tuple[dict[str, Any], ...]


@dataclass
class CurrentsBucket:
    """Writes Currents files under `root` (a local folder standing for the bucket)."""

    root: Path
    layout: Layout = field(default_factory=Layout)
    seed: int = 26
    codec: str = "deflate"
    written: list[WrittenFile] = field(default_factory=list)
    _offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    _ids: dict[tuple[str, bool], int] = field(default_factory=schema_ids)

    def events(
        self, event_type: str, hour: datetime, numbers: Iterable[int], *, evolved: bool = False
    ) -> list[dict[str, Any]]:
        """Events `numbers` of a type in an hour; the same number is the same event (same
        `id`), so writing a number twice is a duplicate across files."""
        t = BY_NAME[event_type]
        fields = t.fields + (t.added_later if evolved else ())
        return [make_event(t, fields, hour, self.seed, n) for n in numbers]

    def write(
        self,
        event_type: str,
        hour: datetime,
        events: list[dict[str, Any]],
        *,
        evolved: bool = False,
    ) -> WrittenFile:
        """One Avro file of these events; Braze never writes an empty file ([EDS])."""
        if not events:
            raise ValueError("Braze writes no empty Currents file")
        t: EventType = BY_NAME[event_type]
        schema_id = self._ids[(event_type, evolved)]
        partition = digest(self.seed, event_type, hour, len(self.written)) % PARTITIONS
        offset = self._offsets.get((event_type, partition), 0)
        self._offsets[(event_type, partition)] = offset + len(events)
        key = self.layout.object_key(event_type, hour, schema_id, partition, offset)
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = fastavro.parse_schema(avro_schema(t, evolved=evolved))
        with path.open("wb") as out:
            fastavro.writer(out, schema, events, codec=self.codec)
        written = WrittenFile(key, event_type, hour, schema_id, tuple(events))
        self.written.append(written)
        return written

    def write_truncated(self, event_type: str, hour: datetime, numbers: Iterable[int]) -> str:
        """A file cut short, as a write interrupted on GCS can leave behind ([GCS]): written
        whole, then truncated; not in `written` (its events are not delivered by it)."""
        written = self.write(event_type, hour, self.events(event_type, hour, numbers))
        self.written.remove(written)
        path = self.root / written.key
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * 2 // 3])
        return written.key


def distinct_events(files: Iterable[WrittenFile]) -> dict[str, dict[str, dict[str, Any]]]:
    """Event type -> id -> event: what an exactly-once reader emits for these files."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for f in files:
        for e in f.events:
            out.setdefault(f.event_type, {})[e["id"]] = e
    return out
