"""A Currents bucket with what a reader must survive: several files per hour, the same
events in more than one file (at-least-once delivery, [EDS]), a type whose schema gains an
optional field (a new schema id, [CHG]), and files that land late for an old hour."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from braze_simulator.currents.bucket import CurrentsBucket, WrittenFile
from braze_simulator.currents.event_types import BY_NAME, EVENT_TYPES

# Files per hour and events per file: small, a test's bucket (Braze: up to 15,000 a file).
FILES_PER_HOUR = 2
EVENTS_PER_FILE = 12
# Events of an hour's first file that its next file repeats.
DUPLICATES = 3


@dataclass(frozen=True)
class Scenario:
    bucket: CurrentsBucket
    first_hour: datetime
    hours: int

    @property
    def files(self) -> list[WrittenFile]:
        return list(self.bucket.written)


def write_hours(
    bucket: CurrentsBucket,
    first_hour: datetime,
    hours: int,
    event_types: Sequence[str] | None = None,
    *,
    files_per_hour: int = FILES_PER_HOUR,
    events_per_file: int = EVENTS_PER_FILE,
) -> Scenario:
    """Every type's files for `hours` hours from `first_hour`. Each file after an hour's
    first repeats DUPLICATES events of the file before it. A type with a later field writes
    its last hour in the evolved schema (its earlier hours keep the old schema id)."""
    names = list(event_types) if event_types is not None else [t.name for t in EVENT_TYPES]
    for name in names:
        evolving = bool(BY_NAME[name].added_later)
        for h in range(hours):
            hour = first_hour + timedelta(hours=h)
            evolved = evolving and h == hours - 1 and hours > 1
            start = 0
            for _ in range(files_per_hour):
                numbers = range(start, start + events_per_file)
                bucket.write(
                    name, hour, bucket.events(name, hour, numbers, evolved=evolved), evolved=evolved
                )
                start += events_per_file - DUPLICATES
    return Scenario(bucket, first_hour, hours)


def write_late_file(
    bucket: CurrentsBucket, event_type: str, hour: datetime, *, events: int = 5
) -> WrittenFile:
    """A file that lands after a reader has read `hour`: new events of that hour (numbers
    past every earlier file's) and one repeat of the hour's first event."""
    first_new = (
        10_000
        + sum(1 for f in bucket.written if f.event_type == event_type and f.hour == hour) * events
    )
    numbers = [0, *range(first_new, first_new + events)]
    return bucket.write(event_type, hour, bucket.events(event_type, hour, numbers))
