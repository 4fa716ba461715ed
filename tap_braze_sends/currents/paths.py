"""Where a Currents file sits, read from its path (pure).

Braze writes ([EDS], [SNF])
    <prefix>/dataexport.<cluster>.<conn>.integration.<id>/event_type=<type>/
      date=<YYYY-MM-DD-HH>/<schema id>/<zone>/dataexport...+<partition>+<offset>.avro
and warns that the naming may change, so the parser keys on the `event_type=` and `date=`
folders and the integer schema id after them, and takes whatever lies between the schema id
and the file as the zone; a path without them is not a Currents file (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

HOUR_FORMAT = "%Y-%m-%d-%H"
_HOUR = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}")
_EVENT_TYPE = re.compile(r"[A-Za-z0-9.]+")
_PARTITION_OFFSET = re.compile(r"\+(?P<partition>\d+)\+(?P<offset>\d+)\.avro$")


@dataclass(frozen=True, order=True)
class ObjectKey:
    """A Currents file: its event type, queued hour (UTC), schema id, and `file`, its path
    below the hour's folder (`<schema id>/<zone>/<name>`), which names it within the hour."""

    event_type: str
    hour: datetime
    schema_id: int
    file: str
    partition: int | None = None
    offset: int | None = None


def parse_hour(text: str) -> datetime | None:
    """`YYYY-MM-DD-HH` as an aware UTC datetime (None: not such an hour)."""
    if not _HOUR.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, HOUR_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def format_hour(hour: datetime) -> str:
    return hour.astimezone(timezone.utc).strftime(HOUR_FORMAT)


def parse_object_path(path: str) -> ObjectKey | None:
    """The ObjectKey of a Currents file's path (with or without bucket and prefix)."""
    parts = path.strip("/").split("/")
    starts = [i for i, p in enumerate(parts) if p.startswith("event_type=")]
    if len(starts) != 1:
        return None
    i = starts[0]
    # event_type=, date=, schema id, then the file (zones between are optional).
    if len(parts) < i + 4 or not parts[-1].endswith(".avro"):
        return None
    event_type = parts[i].removeprefix("event_type=")
    hour = (
        parse_hour(parts[i + 1].removeprefix("date=")) if parts[i + 1].startswith("date=") else None
    )
    schema = parts[i + 2]
    if not _EVENT_TYPE.fullmatch(event_type) or hour is None or not schema.isdigit():
        return None
    found = _PARTITION_OFFSET.search(parts[-1])
    return ObjectKey(
        event_type=event_type,
        hour=hour,
        schema_id=int(schema),
        file="/".join(parts[i + 2 :]),
        partition=int(found["partition"]) if found else None,
        offset=int(found["offset"]) if found else None,
    )


_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def stream_name(event_type: str) -> str:
    """`users.messages.email.Send` -> `currents_users_messages_email_send`: snake case,
    dots as underscores (issue 26's contract)."""
    snake = "_".join(_WORD_BOUNDARY.sub("_", part) for part in event_type.split("."))
    return f"currents_{snake.lower()}"
