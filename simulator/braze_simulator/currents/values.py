"""Seeded values for Currents events: each field's value from a hash of what it describes,
so a bucket is the same in every process (braze_simulator.hashing)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from braze_simulator.currents.event_types import EventType, Field
from braze_simulator.hashing import chance, digest, stable_uuid, unit

# Share of optional fields left null (Braze leaves many unset: no Canvas on a campaign send).
NULL_RATE = 0.25
# Share of events whose `time` is hours older than their `date=` hour: SDK events queued by
# a device that was offline ([EDS]: `date` is the hour the event was queued, not its time).
OFFLINE_RATE = 0.05
PLATFORMS = ("ios", "android", "web", "kindle", "tvos", "roku")
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "UTC")
# Few campaigns and Canvases, so that events of different types join on their ids.
CAMPAIGNS = 4
CANVASES = 3


def _string(field: str, seed: int, key: str) -> str:
    pick = digest(seed, key, field)
    if field == "platform":
        return PLATFORMS[pick % len(PLATFORMS)]
    if field == "timezone":
        return ZONES[pick % len(ZONES)]
    if field in ("properties", "conversion_behavior", "message_extras"):
        return json.dumps({"plan": ("gold", "silver")[pick % 2], "n": pick % 7})
    if field.startswith("campaign_") or field == "message_variation_id":
        return f"{field}-{pick % CAMPAIGNS}"
    if field.startswith("canvas_"):
        return f"{field}-{pick % CANVASES}"
    if field == "email_address":
        return f"user{pick % 1000}@example.com"
    if field == "currency":
        return ("USD", "EUR")[pick % 2]
    return f"{field}-{pick % 97}"


def _value(avro_type: object, field: str, seed: int, key: str) -> Any:
    pick = digest(seed, key, field, "v")
    if avro_type == "string":
        return _string(field, seed, key)
    if avro_type in ("int", "long"):
        return pick % 10
    if avro_type == "double":
        return round(unit(seed, key, field) * 100, 2)
    if avro_type == "boolean":
        return pick % 2 == 0
    if isinstance(avro_type, dict) and avro_type.get("type") == "array":
        return [f"https://cdn.example.com/{pick % 50}/{i}.jpg" for i in range(pick % 3)]
    raise ValueError(f"no simulated value for Avro type {avro_type!r} ({field})")


def event_time(seed: int, key: str, hour: datetime) -> int:
    """Seconds since the epoch: inside the queued hour, or hours before it (offline devices)."""
    at = hour + timedelta(seconds=int(unit(seed, key, "second") * 3600))
    if chance(OFFLINE_RATE, seed, key, "offline"):
        at -= timedelta(hours=1 + digest(seed, key, "late-by") % 48)
    return int(at.replace(tzinfo=timezone.utc).timestamp())


def make_event(
    event_type: EventType, fields: tuple[Field, ...], hour: datetime, seed: int, n: int
) -> dict[str, Any]:
    """Event number `n` of this type queued in `hour`: a value for every field of `fields`."""
    key = f"{event_type.name}|{hour:%Y-%m-%d-%H}|{n}"
    event: dict[str, Any] = {}
    for name, avro_type, required in fields:
        if name == "id":
            event[name] = stable_uuid(seed, key)
        elif name == "user_id":
            event[name] = f"braze-{digest(seed, key, 'user') % 500:04d}"
        elif name == "time":
            event[name] = event_time(seed, key, hour)
        elif not required and chance(NULL_RATE, seed, key, name, "null"):
            event[name] = None
        else:
            event[name] = _value(avro_type, name, seed, key)
    return event
