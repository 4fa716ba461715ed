"""An Avro record as a stream's record (pure): `time`, epoch seconds in the file, as the
RFC 3339 UTC date-time its schema declares (schema.py); every other value as fastavro reads
it (strings, numbers, booleans, lists, dicts are JSON already)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from tap_braze_sends.currents.schema import TIME_FIELDS


def epoch_to_rfc3339(seconds: int) -> str:
    """UTC seconds since the epoch as `YYYY-MM-DDTHH:MM:SS+00:00`, the form every other
    date-time of the tap takes (braze/timestamps.py)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()


def to_record(avro_record: dict[str, Any]) -> dict[str, Any]:
    """The stream record of one Avro record (a new dict; the reader's is left alone)."""
    record = dict(avro_record)
    for name in TIME_FIELDS:
        value = record.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            record[name] = epoch_to_rfc3339(value)
    return record
