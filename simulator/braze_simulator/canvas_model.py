"""The shape of a simulated Canvas: variants, steps, messages (pure data, no numbers).

Ids are UUIDs derived from (seed, Canvas id, key), so the same workspace always has the same
ids. canvas_data.py builds a workspace's Canvases from these; canvas_stats.py gives their days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from braze_simulator.hashing import digest

# Step types that carry messages; Braze lists only these in a step's `next_step_ids`.
MESSAGE_STEP_TYPES = frozenset({"message", "full"})


@dataclass(frozen=True)
class CanvasMessage:
    message_id: str  # the message variation id: key of a step's `messages` in /canvas/details
    channel: str
    name: str


@dataclass(frozen=True)
class CanvasStep:
    step_id: str
    name: str
    step_type: str  # "message", "full", "delay", "decision_split", "audience_paths"
    variant_id: str  # the variant whose path the step is on
    depth: int  # steps before it on that path: each one loses some users
    messages: tuple[CanvasMessage, ...] = ()
    next_paths: tuple[tuple[str | None, str], ...] = ()  # (path name or None, next step id)
    # A deleted step is gone from /canvas/details; its stats exist for days before this one.
    deleted_on: date | None = None
    # Its step_stats message entries carry variation_name only (no variation_api_id).
    names_only: bool = False

    @property
    def channels(self) -> list[str]:
        return [m.channel for m in self.messages]


@dataclass(frozen=True)
class CanvasVariant:
    variant_id: str
    name: str
    share: float  # of the Canvas's entries
    first_step_ids: tuple[str, ...]


@dataclass(frozen=True)
class SimCanvas:
    canvas_id: str
    name: str
    description: str
    tags: tuple[str, ...]
    teams: tuple[str, ...]
    created_at: datetime
    last_edited: datetime
    schedule_type: str
    variants: tuple[CanvasVariant, ...]
    steps: tuple[CanvasStep, ...]
    first_entry: date | None  # None: never entered anyone
    last_entry: date | None  # None: still entering users (its last entry is "today")
    archived: bool = False
    draft: bool = False
    enabled: bool = True
    has_post_launch_draft: bool = False
    conversion_events: int = 0  # extra conversion events: conversions1..3 in total_stats

    @property
    def live_steps(self) -> tuple[CanvasStep, ...]:
        return tuple(s for s in self.steps if s.deleted_on is None)

    @property
    def channels(self) -> list[str]:
        seen = dict.fromkeys(c for s in self.live_steps for c in s.channels)
        return list(seen)

    def next_step_ids(self, step: CanvasStep) -> list[str]:
        kinds = {s.step_id: s.step_type for s in self.steps}
        return [i for _, i in step.next_paths if kinds.get(i) in MESSAGE_STEP_TYPES]


# --- building helpers -------------------------------------------------------------------------


def stable_uuid(*parts: object) -> str:
    return str(uuid.UUID(int=(digest(*parts, "hi") << 64) | digest(*parts, "lo")))


def time_on(day: date, seed: int, *parts: object) -> datetime:
    """A stable time of day on `day`, in UTC."""
    seconds = digest(seed, "time-of-day", *parts) % 86_400
    return datetime.combine(day, time(), timezone.utc) + timedelta(seconds=seconds)


class CanvasPlan:
    """Collects one Canvas's steps; ids are derived from (seed, canvas id, key)."""

    def __init__(self, seed: int, canvas_id: str) -> None:
        self.seed = seed
        self.canvas_id = canvas_id
        self.steps: list[CanvasStep] = []

    def id(self, kind: str, key: str) -> str:
        return stable_uuid(self.seed, self.canvas_id, kind, key)

    def step(
        self,
        key: str,
        name: str,
        step_type: str,
        variant: str,
        depth: int,
        channels: tuple[str, ...] = (),
        next_paths: tuple[tuple[str | None, str], ...] = (),
        *,
        deleted_on: date | None = None,
        names_only: bool = False,
    ) -> None:
        messages = tuple(
            CanvasMessage(self.id("message", f"{key}/{c}"), c, f"{name} - {c}") for c in channels
        )
        self.steps.append(
            CanvasStep(
                step_id=self.id("step", key),
                name=name,
                step_type=step_type,
                variant_id=self.id("variant", variant),
                depth=depth,
                messages=messages,
                next_paths=tuple((label, self.id("step", to)) for label, to in next_paths),
                deleted_on=deleted_on,
                names_only=names_only,
            )
        )

    def variant(self, key: str, name: str, share: float, first: tuple[str, ...]) -> CanvasVariant:
        first_ids = tuple(self.id("step", k) for k in first)
        return CanvasVariant(self.id("variant", key), name, share, first_ids)


# --- message content (channel-specific fields, as /campaigns/details documents them) ---------


def message_fields(message: CanvasMessage) -> dict[str, object]:
    """The message as /canvas/details shows it under its variation id."""
    out: dict[str, object] = {"channel": message.channel, "name": message.name}
    channel = message.channel
    if channel == "email":
        out.update(
            subject=f"{message.name}",
            body="<html><body>Hi {{first_name}}</body></html>",
            **{"from": "Example <hello@example.com>"},
            reply_to="help@example.com",
            title=message.name,
            extras={},
        )
    elif channel.endswith("_push"):
        out.update(alert=f"{message.name}: open the app", title=message.name, extras={})
    elif channel == "sms":
        out.update(
            body="Reply STOP to opt out",
            **{"from": ["+15555550100"]},
            subscription_group_id=stable_uuid("subscription-group", message.message_id),
        )
    elif channel == "webhook":
        out.update(
            url="https://example.com/hooks/braze",
            body='{"user":"{{user_id}}"}',
            type="application/json",
            headers={"X-Source": "braze"},
            method="POST",
        )
    elif channel == "in_app_message":
        out.update(type="modal", data={"header": message.name})
    else:
        out["extras"] = {}
    return out
