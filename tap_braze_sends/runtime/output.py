"""Singer output of a run: SCHEMA, RECORD and STATE lines on stdout, through stream maps.

Records are encoded straight into stdout's buffer and flushed only before a STATE (and at the
end): a flush per record would be a system call per record, and what matters is that every
record a STATE covers is on stdout before that STATE. Stream maps, aliases, filters,
flattening and deselected properties go through singer-sdk's public mapper API; a stream none
of them changes takes a fast path that writes its rows as they are.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

import msgspec
from singer_sdk import Stream
from singer_sdk.exceptions import MapExpressionError, MappingError
from singer_sdk.mapper import RemoveRecordTransform, SameRecordTransform

from tap_braze_sends.braze.description import Row

RowWriter = Callable[[Sequence[Row], dt.datetime], None]

# The SDK's msgspec writer encodes the same way: datetimes as RFC 3339, decimals as numbers.
_ENCODER = msgspec.json.Encoder(decimal_format="number")


class SingerOutput:
    """The run's single writer of Singer messages."""

    def __init__(self, out: BinaryIO | None = None) -> None:
        self._out = out or sys.stdout.buffer
        self._line = bytearray(1024)
        self._last_state: bytes | None = None

    def _write(self, message: dict[str, Any]) -> None:
        line = self._line
        _ENCODER.encode_into(message, line)
        line.extend(b"\n")
        self._out.write(line)

    def flush(self) -> None:
        self._out.flush()

    def schema(self, stream: Stream) -> None:
        bookmark_keys = [stream.replication_key] if stream.replication_key else None
        for mapper in stream.stream_maps:
            if isinstance(mapper, RemoveRecordTransform):
                continue
            self._write(
                {
                    "type": "SCHEMA",
                    "stream": mapper.stream_alias,
                    "schema": mapper.transformed_schema,
                    "key_properties": list(mapper.transformed_key_properties or []),
                    "bookmark_properties": bookmark_keys,
                }
            )
        self.flush()

    def state(self, state: dict[str, Any]) -> None:
        """A STATE line, after everything written so far; a repeat of the last one is skipped."""
        line = _ENCODER.encode({"type": "STATE", "value": state}) + b"\n"
        if line == self._last_state:
            return
        self._out.write(line)
        self._out.flush()
        self._last_state = line

    def row_writer(self, stream: Stream) -> RowWriter:
        """How this stream's rows become RECORD lines (rows are built to the schema already)."""
        maps = stream.stream_maps
        selected = selected_properties(stream)
        if (
            len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and maps[0].stream_alias == stream.name
            and not maps[0].flattening_enabled
            and selected is None
        ):
            name = stream.name

            def write_direct(rows: Sequence[Row], extracted_at: dt.datetime) -> None:
                for row in rows:
                    self._write(
                        {
                            "type": "RECORD",
                            "stream": name,
                            "record": row,
                            "time_extracted": extracted_at,
                        }
                    )

            return write_direct

        def write_mapped(rows: Sequence[Row], extracted_at: dt.datetime) -> None:
            for row in rows:
                record = row if selected is None else {k: row[k] for k in selected if k in row}
                for mapper in maps:
                    mapped = _transformed(mapper, record)
                    if mapped is not None:
                        self._write(
                            {
                                "type": "RECORD",
                                "stream": mapper.stream_alias,
                                "record": mapped,
                                "time_extracted": extracted_at,
                            }
                        )

        return write_mapped


def _transformed(mapper: Any, record: Row) -> Row | None:
    try:
        return mapper.transform(record)
    except MappingError:
        raise
    except Exception as exc:  # a user's expression may raise anything
        # A stream_maps expression that fails on this record (1/0, a missing key): one line
        # naming the setting (exits.one_line_errors), not a traceback; the partition's
        # bookmark is not written, so its records are read again next run.
        msg = f"the map of {mapper.stream_alias} failed on a record ({type(exc).__name__}: {exc})"
        raise MapExpressionError(msg) from None


def selected_properties(stream: Stream) -> list[str] | None:
    """The top-level properties the catalog selects, or None when all of them are."""
    mask = stream.mask
    names = list(stream.schema.get("properties", {}))
    chosen = [name for name in names if mask.get(("properties", name), True)]
    return None if len(chosen) == len(names) else chosen
