"""Singer output: the SDK's msgspec writer, without a flush per record."""

from __future__ import annotations

import sys

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage


class BufferedMsgSpecWriter(MsgSpecWriter):
    """Writes records into stdout's buffer and flushes on every other message.

    A flush per record is a system call per record. Flushing before each STATE keeps the
    guarantee that matters: every record a STATE covers is on stdout before that STATE.
    """

    def write_message(self, message: RecordMessage) -> None:  # type: ignore[override]
        out = sys.stdout.buffer
        out.write(self.format_message(message))
        if not isinstance(message, RecordMessage):
            out.flush()
