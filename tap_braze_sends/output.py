"""Singer output: the SDK's msgspec writer, without a flush per record or a copy per STATE."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.helpers._state import StateWriter
from singer_sdk.singerlib import RecordMessage, StateMessage


class BufferedMsgSpecWriter(MsgSpecWriter):
    """Writes records into stdout's buffer and flushes on every other message.

    A flush per record is a system call per record. Flushing before each STATE keeps the
    guarantee that matters: every record a STATE covers is on stdout before that STATE.
    """

    def __init__(self) -> None:
        super().__init__()
        self._line = bytearray(1024)

    def write_message(self, message: Any) -> None:
        out = sys.stdout.buffer
        if isinstance(message, StateMessage):
            out.write(self.encode_state(message.value))
        else:
            out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()

    def write_record(self, stream: str, record: dict[str, Any], extracted: dt.datetime) -> None:
        """Write one RECORD exactly as the SDK's path would, minus its per-record objects.

        For streams whose records no stream map, flattening or property selection changes
        (see ``BrazeSeriesStream._writes_records_directly``).
        """
        sys.stdout.buffer.write(
            self._encode(
                {"type": "RECORD", "stream": stream, "record": record, "time_extracted": extracted}
            )
        )

    def encode_state(self, state: Any) -> bytes:
        """A STATE line. (The SDK's to_dict() deep-copies the whole state via asdict().)

        A fresh buffer, not the records' one: the SDK writes a last STATE from its SIGTERM
        handler, which may interrupt a record between encoding and writing.
        """
        return encoder.encode({"type": "STATE", "value": state}) + b"\n"

    def write_line(self, line: bytes | bytearray) -> None:
        """Write one encoded non-RECORD line and flush: what it covers is on stdout."""
        out = sys.stdout.buffer
        out.write(line)
        out.flush()

    def _encode(self, message: dict[str, Any]) -> bytearray:
        # The SDK's encoder (same output: datetimes, decimals), into one reused buffer.
        line = self._line
        encoder.encode_into(message, line)
        line.extend(b"\n")
        return line


class EncodedStateWriter(StateWriter):
    """The SDK's STATE deduplication, comparing encoded lines instead of deep copies.

    The SDK keeps a deep copy of the last state to skip repeats; with thousands of partitions
    that copy, made per STATE, costs more than the records between two STATEs. The line the
    writer encodes anyway is a cheaper snapshot: equal bytes mean an equal state.
    """

    def __init__(self, message_writer: Any) -> None:
        super().__init__(message_writer)
        self._writer = message_writer
        self._last_line: bytes | None = None

    def write_state(self, state: Any) -> None:
        if not isinstance(self._writer, BufferedMsgSpecWriter):
            super().write_state(state)
            return
        line = self._writer.encode_state(state)
        if line != self._last_line:
            self._writer.write_line(line)
            self._last_line = line
