"""A workspace's Canvases: five fixed ones covering every feature, then seeded random ones.

Pure: the Canvases are a function of (how many, epoch, seed), where `epoch` is the day the
workspace was built. Dates count back from it, so moving the workspace's clock later (as tests
do between runs) ages the Canvases instead of rebuilding them. Dashboard edits
(Workspace.edit_canvas) are laid over the derived Canvases on every lookup.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache

from braze_simulator.canvas_model import CanvasPlan, SimCanvas, time_on
from braze_simulator.data import CanvasEdit, Workspace, canvas_id_for
from braze_simulator.hashing import digest

_RANDOM_CHANNELS = (
    "email",
    "ios_push",
    "android_push",
    "sms",
    "webhook",
    "in_app_message",
    "content_cards",
    "whats_app",
)
# The five fixed Canvases' ids, for tests and docs.
ONBOARDING_ID = canvas_id_for(0)  # live; six channels, a control variant, a deleted step
ARCHIVED_ID = canvas_id_for(1)
DRAFT_ID = canvas_id_for(2)  # never entered anyone: no stats
DORMANT_ID = canvas_id_for(3)  # stopped a year ago, not archived
RECEIPTS_ID = canvas_id_for(4)


# --- lookup ---------------------------------------------------------------------------------


def workspace_canvases(workspace: Workspace) -> tuple[SimCanvas, ...]:
    """The workspace's Canvases in creation order (oldest first), with their edits."""
    epoch = workspace.canvas_epoch or workspace.today
    edits = dict(workspace.canvas_edits)  # a snapshot: edits may land while we read
    canvases = build_canvases(workspace.n_canvases, epoch, workspace.seed)
    if not edits:
        return canvases
    return tuple(with_edit(c, edits.get(c.canvas_id)) for c in canvases)


def find_canvas(workspace: Workspace, canvas_id: str) -> SimCanvas | None:
    epoch = workspace.canvas_epoch or workspace.today
    canvas = _by_id(workspace.n_canvases, epoch, workspace.seed).get(canvas_id)
    if canvas is None:
        return None
    return with_edit(canvas, workspace.canvas_edits.get(canvas_id))


def with_edit(canvas: SimCanvas, edit: CanvasEdit | None) -> SimCanvas:
    """The Canvas as the dashboard edit left it (an edit changes neither ids nor numbers)."""
    if edit is None:
        return canvas
    name = canvas.name if edit.name is None else edit.name
    return replace(canvas, name=name, last_edited=edit.last_edited)


@lru_cache(maxsize=64)
def _by_id(n: int, epoch: date, seed: int) -> dict[str, SimCanvas]:
    return {c.canvas_id: c for c in build_canvases(n, epoch, seed)}


# --- building -------------------------------------------------------------------------------


def _onboarding(epoch: date, seed: int) -> SimCanvas:
    # Every step kind, six channels, a control variant, a deleted step, conversion events B..D.
    p = CanvasPlan(seed, ONBOARDING_ID)
    p.step("welcome", "Welcome email", "message", "a", 0, ("email",), ((None, "wait"),))
    p.step("wait", "Wait one day", "delay", "a", 1, (), ((None, "split"),))
    split_paths = (("Yes", "push"), ("No", "sms"))
    p.step("split", "Opened welcome?", "decision_split", "a", 1, (), split_paths)
    push = ("ios_push", "android_push")
    p.step("push", "Push nudge", "message", "a", 2, push, ((None, "crm"),))
    p.step("sms", "SMS reminder", "message", "a", 2, ("sms",), ((None, "crm"),))
    p.step("crm", "Notify CRM", "full", "a", 3, ("webhook",), names_only=True)
    deleted_on = epoch - timedelta(days=3)
    p.step("old-sms", "Old SMS reminder", "message", "a", 2, ("sms",), deleted_on=deleted_on)
    combo = ("email", "in_app_message")
    p.step("combo", "Welcome email and in-app", "full", "b", 0, combo, ((None, "follow"),))
    p.step("follow", "Push follow-up", "message", "b", 1, ("ios_push",))
    return SimCanvas(
        canvas_id=ONBOARDING_ID,
        name="Onboarding journey",
        description="New users, first two weeks",
        tags=("onboarding", "lifecycle"),
        teams=("Growth",),
        created_at=time_on(epoch - timedelta(days=200), seed, 1),
        last_edited=time_on(epoch - timedelta(days=2), seed, 1),
        schedule_type="action_based",
        variants=(
            p.variant("a", "Variant 1", 0.45, ("welcome",)),
            p.variant("b", "Variant 2", 0.45, ("combo",)),
            p.variant("control", "Control", 0.10, ()),
        ),
        steps=tuple(p.steps),
        first_entry=epoch - timedelta(days=180),
        last_entry=None,
        has_post_launch_draft=True,
        conversion_events=3,
    )


def _winback(epoch: date, seed: int) -> SimCanvas:
    # Archived two months ago: listed only with include_archived, analytics kept.
    p = CanvasPlan(seed, ARCHIVED_ID)
    p.step("mail", "Winback email", "message", "a", 0, ("email",), ((None, "card"),))
    p.step("card", "Winback card", "message", "a", 1, ("content_cards",))
    p.step("push", "Winback push", "message", "b", 0, ("android_push",))
    return SimCanvas(
        canvas_id=ARCHIVED_ID,
        name="Winback (archived)",
        description="",
        tags=("retention",),
        teams=(),
        created_at=time_on(epoch - timedelta(days=320), seed, 2),
        last_edited=time_on(epoch - timedelta(days=55), seed, 2),
        schedule_type="time_based",
        variants=(
            p.variant("a", "Email path", 0.5, ("mail",)),
            p.variant("b", "Push path", 0.5, ("push",)),
        ),
        steps=tuple(p.steps),
        first_entry=epoch - timedelta(days=300),
        last_entry=epoch - timedelta(days=60),
        archived=True,
        enabled=False,
        conversion_events=1,
    )


def _holiday_draft(epoch: date, seed: int) -> SimCanvas:
    # Never launched: no first or last entry, and no stats on any day.
    p = CanvasPlan(seed, DRAFT_ID)
    p.step("mail", "Holiday teaser", "message", "a", 0, ("email",))
    return SimCanvas(
        canvas_id=DRAFT_ID,
        name="Holiday campaign (draft)",
        description="Not launched yet",
        tags=(),
        teams=("Brand",),
        created_at=time_on(epoch - timedelta(days=6), seed, 3),
        last_edited=time_on(epoch - timedelta(days=1), seed, 3),
        schedule_type="time_based",
        variants=(p.variant("a", "Variant 1", 1.0, ("mail",)),),
        steps=tuple(p.steps),
        first_entry=None,
        last_entry=None,
        draft=True,
        enabled=False,
    )


def _spring_promo(epoch: date, seed: int) -> SimCanvas:
    # Dormant: stopped (not archived) a year ago, so listed by default yet silent for months.
    p = CanvasPlan(seed, DORMANT_ID)
    p.step("push", "Spring sale push", "message", "a", 0, ("ios_push", "android_push"))
    return SimCanvas(
        canvas_id=DORMANT_ID,
        name="Spring promo",
        description="",
        tags=("promo", "seasonal"),
        teams=(),
        created_at=time_on(epoch - timedelta(days=430), seed, 4),
        last_edited=time_on(epoch - timedelta(days=366), seed, 4),
        schedule_type="time_based",
        variants=(p.variant("a", "Variant 1", 1.0, ("push",)),),
        steps=tuple(p.steps),
        first_entry=epoch - timedelta(days=420),
        last_entry=epoch - timedelta(days=365),
        enabled=False,
    )


def _receipts(epoch: date, seed: int) -> SimCanvas:
    # Single variant, two channels in one step, no extra conversion events.
    p = CanvasPlan(seed, RECEIPTS_ID)
    p.step("receipt", "Receipt", "message", "a", 0, ("email", "sms"), ((None, "hook"),))
    p.step("hook", "Ledger webhook", "message", "a", 1, ("webhook",))
    return SimCanvas(
        canvas_id=RECEIPTS_ID,
        name="Order receipts",
        description="API-triggered receipts",
        tags=("transactional",),
        teams=("Ops",),
        created_at=time_on(epoch - timedelta(days=100), seed, 5),
        last_edited=time_on(epoch - timedelta(days=40), seed, 5),
        schedule_type="api_triggered",
        variants=(p.variant("a", "Variant 1", 1.0, ("receipt",)),),
        steps=tuple(p.steps),
        first_entry=epoch - timedelta(days=95),
        last_entry=None,
    )


_FIXED = (_onboarding, _winback, _holiday_draft, _spring_promo, _receipts)


def _random_lifecycle(rng: random.Random, epoch: date, created: date) -> dict[str, object]:
    """Entry dates and status: mostly live, some archived, drafts and dormant ones."""
    first = created + timedelta(days=rng.randint(0, 10))
    life = rng.random()
    if life < 0.10:
        last = max(first, epoch - timedelta(days=rng.randint(1, 30)))
        return {"first_entry": first, "last_entry": last, "archived": True, "enabled": False}
    if life < 0.15:
        return {"first_entry": None, "last_entry": None, "draft": True, "enabled": False}
    if life < 0.25:
        last = max(first, epoch - timedelta(days=rng.randint(200, 400)))
        return {"first_entry": first, "last_entry": last, "enabled": False}
    return {"first_entry": first, "last_entry": None}


def _random_canvas(index: int, epoch: date, seed: int) -> SimCanvas:
    rng = random.Random(digest(seed, "build-canvas", index))
    canvas_id = canvas_id_for(index)
    p = CanvasPlan(seed, canvas_id)
    has_control = rng.random() < 0.2
    n_paths = rng.choice((1, 1, 2, 2, 3))
    share = (0.9 if has_control else 1.0) / n_paths
    variants = []
    for v in range(n_paths):
        length = rng.randint(1, 4)
        for depth in range(length):
            nxt = ((None, f"{v}/{depth + 1}"),) if depth + 1 < length else ()
            channels = tuple(rng.sample(_RANDOM_CHANNELS, rng.choice((1, 1, 2))))
            kind = "full" if rng.random() < 0.2 else "message"
            p.step(f"{v}/{depth}", f"Step {depth + 1}", kind, str(v), depth, channels, nxt)
        variants.append(p.variant(str(v), f"Variant {v + 1}", share, (f"{v}/0",)))
    if has_control:
        variants.append(p.variant("control", "Control", 0.1, ()))
    created = epoch - timedelta(days=rng.randint(20, 400))
    edited = min(epoch, created + timedelta(days=rng.randint(0, 30)))
    return SimCanvas(
        canvas_id=canvas_id,
        name=f"Canvas {index + 1}",
        description="",
        tags=tuple(rng.sample(("promo", "lifecycle", "retention"), rng.randint(0, 2))),
        teams=(),
        created_at=time_on(created, seed, canvas_id),
        last_edited=time_on(edited, seed, canvas_id, "edit"),
        schedule_type=rng.choice(("time_based", "action_based", "api_triggered")),
        variants=tuple(variants),
        steps=tuple(p.steps),
        has_post_launch_draft=rng.random() < 0.1,
        conversion_events=rng.choice((0, 0, 1, 2, 3)),
        **_random_lifecycle(rng, epoch, created),  # type: ignore[arg-type]
    )


@lru_cache(maxsize=64)
def build_canvases(n: int, epoch: date, seed: int) -> tuple[SimCanvas, ...]:
    """`n` Canvases (the five fixed ones first), sorted by creation time."""
    canvases = [build(epoch, seed) for build in _FIXED[:n]]
    canvases += [_random_canvas(i, epoch, seed) for i in range(len(canvases), n)]
    return tuple(sorted(canvases, key=lambda c: (c.created_at, c.canvas_id)))
