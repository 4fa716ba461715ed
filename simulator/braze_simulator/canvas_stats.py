"""Daily numbers of a simulated Canvas, as /canvas/data_series reports them (pure).

As for campaigns, a day's numbers come from a seeded hash of (seed, Canvas, day, revision): they
do not depend on which request asked first, and a restatement (Workspace.restate()) gives the
recent days new ones. Days without activity are missing. After its last entry a Canvas keeps
reporting conversions for TRAIL_DAYS days, with no entries and no messages.

Totals add up: a day's entries, conversions and revenue are the sums over its variants.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from braze_simulator.canvas_model import CanvasMessage, CanvasStep, SimCanvas
from braze_simulator.data import Workspace
from braze_simulator.draws import is_sparse
from braze_simulator.hashing import digest
from braze_simulator.metrics import metric_table

TRAIL_DAYS = 3
# Share of a path's users that reach the next step.
_STEP_RETENTION = 0.8

Stats = dict[str, Any]


@dataclass(frozen=True)
class Breakdown:
    """Which optional parts each day carries (the request's include_* flags)."""

    variants: bool = False
    steps: bool = False
    deleted_steps: bool = False


def stats_days(canvas: SimCanvas, first: date, last: date, today: date, seed: int) -> list[date]:
    """The days in [first, last] for which the Canvas has an element, ascending."""
    if canvas.first_entry is None:
        return []
    end = today if canvas.last_entry is None else canvas.last_entry + timedelta(days=TRAIL_DAYS)
    start, stop = max(first, canvas.first_entry), min(last, end, today)
    days = [start + timedelta(days=i) for i in range((stop - start).days + 1)]
    return [d for d in days if d == canvas.first_entry or not is_sparse(seed, canvas.canvas_id, d)]


def canvas_fragments(
    workspace: Workspace, canvas: SimCanvas, first: date, last: date, breakdown: Breakdown
) -> list[str]:
    """The Canvas's day objects in [first, last] as JSON text, for splicing into a body."""
    return [
        day_json(canvas, d, workspace.revision_for(d), workspace.seed, breakdown)
        for d in stats_days(canvas, first, last, workspace.today, workspace.seed)
    ]


def canvas_series(
    workspace: Workspace, canvas: SimCanvas, first: date, last: date, breakdown: Breakdown
) -> list[Stats]:
    """Like canvas_fragments, as fresh dicts."""
    return [json.loads(f) for f in canvas_fragments(workspace, canvas, first, last, breakdown)]


@lru_cache(maxsize=50_000)
def day_json(canvas: SimCanvas, day: date, revision: int, seed: int, breakdown: Breakdown) -> str:
    total, variants, live_steps, deleted_steps = _day(canvas, day, revision, seed)
    obj: Stats = {"time": day.isoformat(), "total_stats": total}
    if breakdown.variants:
        obj["variant_stats"] = variants
    if breakdown.steps:
        obj["step_stats"] = (
            {**live_steps, **deleted_steps} if breakdown.deleted_steps else live_steps
        )
    return json.dumps(obj, separators=(",", ":"))


@lru_cache(maxsize=20_000)
def _day(canvas: SimCanvas, day: date, revision: int, seed: int) -> tuple[Stats, ...]:
    """(total_stats, variant_stats, step_stats of live steps, of deleted steps); do not mutate."""
    cid = canvas.canvas_id
    rng = random.Random(digest(seed, "canvas-day", cid, day.isoformat(), revision))
    volume = random.Random(digest(seed, "canvas-volume", cid)).randint(300, 30_000)
    volume *= rng.uniform(0.6, 1.4)
    last = canvas.last_entry
    days_after_last = (day - last).days if last is not None and day > last else 0
    entering = days_after_last == 0
    fade = 0.5**days_after_last  # conversions still arriving after the last entry

    variants: Stats = {}
    for v in canvas.variants:
        reach = volume * v.share
        entries = int(reach) if entering else 0
        variants[v.variant_id] = {
            "name": v.name,
            **_outcome(rng, reach * fade, entering),
            "entries": entries,
        }
    total = _sum_of(variants.values(), canvas.conversion_events, rng, volume * fade, entering)

    shares = {v.variant_id: v.share for v in canvas.variants}
    live_steps: Stats = {}
    deleted_steps: Stats = {}
    for step in canvas.steps:
        if not step.messages or (step.deleted_on is not None and day >= step.deleted_on):
            continue
        reach = volume * shares[step.variant_id] * _STEP_RETENTION**step.depth
        recipients = int(reach * rng.uniform(0.9, 1.0)) if entering else 0
        messages = (
            {m.channel: [_message_entry(rng, step, m, recipients)] for m in step.messages}
            if entering
            else {}
        )
        stats = {
            "name": step.name,
            **_outcome(rng, reach * fade, entering),
            "unique_recipients": recipients,
            "messages": messages,
        }
        (live_steps if step.deleted_on is None else deleted_steps)[step.step_id] = stats
    return total, variants, live_steps, deleted_steps


def _outcome(rng: random.Random, engaged: float, entering: bool) -> Stats:
    conversions = int(engaged * rng.uniform(0.0, 0.05))
    # By entry time: conversions of users who entered that day, so none once entries stop.
    by_entry = int(conversions * rng.uniform(0.5, 1.0)) if entering else 0
    return {
        "revenue": round(conversions * rng.uniform(5.0, 60.0), 2),
        "conversions": conversions,
        "conversions_by_entry_time": by_entry,
    }


def _sum_of(
    variants: Any, events: int, rng: random.Random, engaged: float, entering: bool
) -> Stats:
    rows = list(variants)
    total: Stats = {
        "revenue": float(round(sum(r["revenue"] for r in rows), 2)),
        "conversions": sum(r["conversions"] for r in rows),
        "conversions_by_entry_time": sum(r["conversions_by_entry_time"] for r in rows),
        "entries": sum(r["entries"] for r in rows),
    }
    for n in range(1, events + 1):
        extra = int(engaged * rng.uniform(0.0, 0.02))
        total[f"conversions{n}"] = extra
        total[f"conversions{n}_by_entry_time"] = (
            int(extra * rng.uniform(0.5, 1.0)) if entering else 0
        )
    return total


def _message_entry(
    rng: random.Random, step: CanvasStep, message: CanvasMessage, recipients: int
) -> Stats:
    # Identified by message variation id; full steps also name it; some steps by name only.
    ident: Stats
    if step.names_only:
        ident = {"variation_name": message.name}
    elif step.step_type == "full":
        ident = {"variation_api_id": message.message_id, "variation_name": message.name}
    else:
        ident = {"variation_api_id": message.message_id}
    channel = message.channel
    table = metric_table(channel)
    return {**ident, **{name: int(recipients * rng.uniform(lo, hi)) for name, lo, hi in table}}
