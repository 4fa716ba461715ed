"""Entries of the workspace listings and the segment details body (pure: entity in, JSON out)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from braze_simulator.workspace_model import SimEvent, SimSegment


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def series_time(unit: date | datetime) -> str:
    """`time` of a series row: an ISO date for days, ISO 8601 extended for hours."""
    if isinstance(unit, datetime):
        return unit.astimezone(timezone.utc).isoformat(timespec="seconds")
    return unit.isoformat()


def segment_entry(segment: SimSegment) -> dict[str, Any]:
    return {
        "id": segment.segment_id,
        "name": segment.name,
        "analytics_tracking_enabled": segment.analytics_tracking_enabled,
        "tags": list(segment.tags),
    }


def segment_details(segment: SimSegment) -> dict[str, Any]:
    return {
        "created_at": iso(segment.created_at),
        "updated_at": iso(segment.updated_at),
        "name": segment.name,
        "description": segment.description,
        "text_description": segment.text_description,
        "tags": list(segment.tags),
        "teams": list(segment.teams),
        "message": "success",
    }


def event_entry(event: SimEvent) -> dict[str, Any]:
    return {
        "name": event.name,
        "description": event.description,
        "included_in_analytics_report": event.included_in_analytics_report,
        "status": event.status,
        "tag_names": list(event.tag_names),
    }
