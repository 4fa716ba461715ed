"""Braze Currents to a bucket: Avro files in Braze's layout for the documented event types,
with duplicates across files, late files, a schema that gains a field and a truncated file."""

from braze_simulator.currents.bucket import (
    CONNECTIONS,
    CurrentsBucket,
    Layout,
    WrittenFile,
    distinct_events,
    schema_ids,
)
from braze_simulator.currents.event_types import BY_NAME, EVENT_TYPES, EventType, avro_schema
from braze_simulator.currents.scenario import Scenario, write_hours, write_late_file

__all__ = [
    "BY_NAME",
    "CONNECTIONS",
    "EVENT_TYPES",
    "CurrentsBucket",
    "EventType",
    "Layout",
    "Scenario",
    "WrittenFile",
    "avro_schema",
    "distinct_events",
    "schema_ids",
    "write_hours",
    "write_late_file",
]
