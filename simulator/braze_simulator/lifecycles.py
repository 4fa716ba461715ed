"""Campaign lifecycles and dashboard metadata for build_workspace (pure, seeded).

A workspace of several hundred campaigns is mostly live ones, plus (with a CampaignMix)
archived ones (some archived days ago and still converting, some long gone), drafts that never
sent, and dormant ones that last sent about a year ago.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone

from braze_simulator.entities import ConversionBehavior, SimCampaign
from braze_simulator.hashing import seeded_rng

DAY = 86_400


@dataclass(frozen=True)
class CampaignMix:
    """Shares of the generated campaigns (beyond the two fixed ones) per lifecycle; the rest
    are live (a fifth of those stopped, unarchived, in the last two months)."""

    archived: float = 0.0
    drafts: float = 0.0
    dormant: float = 0.0

    def __post_init__(self) -> None:
        shares = (self.archived, self.drafts, self.dormant)
        if any(s < 0 for s in shares) or sum(shares) > 1:
            raise ValueError("shares must be >= 0 and add up to at most 1")


CATALOG_MIX = CampaignMix(archived=0.15, drafts=0.08, dormant=0.12)
"""A realistic mix for discovery tests: about 1 in 7 archived, 1 in 12 drafts, 1 in 8 dormant."""

LIFECYCLES = ("live", "stopped", "archived_recent", "archived_old", "draft", "dormant")

_THEMES = (
    "Welcome",
    "Spring Sale",
    "Cart Reminder",
    "Win Back",
    "Weekly Digest",
    "Price Drop",
    "Onboarding",
    "Loyalty",
    "Flash Deal",
    "Survey",
)
_TAGS = ("onboarding", "promo", "retention", "newsletter", "transactional", "seasonal", "beta")
_TEAMS = ("Growth", "Lifecycle", "CRM")
_SCHEDULES = ("time_based", "time_based", "action_based")
_WINDOWS = (1 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY)
_BEHAVIORS: tuple[tuple[str, tuple[str, object] | None], ...] = (
    ("Makes Any Purchase", None),
    ("Performs Custom Event", ("custom_event_name", "Completed Checkout")),
    ("Opens Email", None),
    ("Clicks Email", None),
    ("Starts Session", ("app_ids", None)),
    ("Makes Specific Purchase", ("product", "Feline Body Armor")),
    ("Upgrades App", ("app_ids", ("12345", "67890"))),
)


def lifecycle_for(index: int, seed: int, mix: CampaignMix) -> str:
    draw = seeded_rng(seed, "lifecycle", index).random()
    if draw < mix.archived:
        recent = seeded_rng(seed, "archived", index).random() < 0.5
        return "archived_recent" if recent else "archived_old"
    if draw < mix.archived + mix.drafts:
        return "draft"
    if draw < mix.archived + mix.drafts + mix.dormant:
        return "dormant"
    return "stopped" if seeded_rng(seed, "stopped", index).random() < 0.2 else "live"


def apply_lifecycle(campaign: SimCampaign, kind: str, today: date, seed: int) -> SimCampaign:
    """Set first/last send day, draft, archived and enabled for a lifecycle."""
    rng = seeded_rng(seed, "lifecycle-days", campaign.campaign_id)

    def ago(lo: int, hi: int) -> date:
        return today - timedelta(days=rng.randint(lo, hi))

    if kind == "live":
        return campaign
    if kind == "stopped":
        last = ago(1, 60)
        return replace(
            campaign, first_day=min(campaign.first_day, last), last_day=last, enabled=False
        )
    if kind == "draft":
        return replace(campaign, first_day=ago(0, 90), draft=True, enabled=False)
    if kind == "archived_recent":  # archived days ago: conversions still arriving
        last = ago(1, 10)
        first = last - timedelta(days=rng.randint(5, 120))
        return replace(campaign, first_day=first, last_day=last, archived=True, enabled=False)
    if kind == "archived_old":
        last = ago(90, 500)
        first = last - timedelta(days=rng.randint(5, 200))
        return replace(campaign, first_day=first, last_day=last, archived=True, enabled=False)
    if kind == "dormant":  # last sent about a year ago; never archived
        last = ago(330, 400)
        first = last - timedelta(days=rng.randint(10, 200))
        return replace(campaign, first_day=first, last_day=last, enabled=rng.random() < 0.5)
    raise ValueError(f"unknown lifecycle {kind!r}")


def conversion_behaviors(campaign_id: str, count: int, seed: int) -> tuple[ConversionBehavior, ...]:
    """`count` behaviours (A = conversions, B = conversions1, ...) with seeded windows."""
    rng = seeded_rng(seed, "behaviors", campaign_id)
    out = []
    for _ in range(count):
        kind, detail = _BEHAVIORS[rng.randrange(len(_BEHAVIORS))]
        out.append(ConversionBehavior(kind, rng.choice(_WINDOWS), detail))
    return tuple(out)


def _at(day: date, rng_seconds: int) -> datetime:
    return datetime.combine(day, time(0), timezone.utc) + timedelta(seconds=rng_seconds)


def with_metadata(campaign: SimCampaign, index: int, today: date, seed: int) -> SimCampaign:
    """Name, tags, teams, schedule type, creation and last-edit times, conversion behaviours."""
    rng = seeded_rng(seed, "metadata", campaign.campaign_id)
    send_hour = rng.randint(6, 20)
    created = _at(campaign.first_day - timedelta(days=rng.randint(1, 20)), rng.randrange(DAY))
    # Generated edits happen before today: an edit "later today" belongs to edit_campaign().
    latest = datetime.combine(today, time(0), timezone.utc) - timedelta(seconds=1)
    earliest_edit = created
    if campaign.archived and campaign.last_day is not None:
        # Archiving is an edit, after the last send.
        earliest_edit = max(created, _at(campaign.last_day, send_hour * 3600 + 60))
    span = max(0.0, (latest - earliest_edit).total_seconds())
    edited = earliest_edit + timedelta(seconds=int(span * rng.random()))
    is_api = rng.random() < 0.1
    schedule = "api_triggered" if is_api else rng.choice(_SCHEDULES)
    return replace(
        campaign,
        name=f"{rng.choice(_THEMES)} {index + 1:04d}",
        tags=tuple(sorted(rng.sample(_TAGS, rng.randint(0, 3)))),
        teams=tuple(sorted(rng.sample(_TEAMS, rng.randint(0, 2)))),
        description="" if rng.random() < 0.3 else f"Simulated campaign number {index + 1}",
        created_at=created,
        last_edited=edited,
        send_hour=send_hour,
        is_api_campaign=is_api,
        schedule_type=schedule,
        has_post_launch_draft=campaign.enabled and rng.random() < 0.05,
        conversion_behaviors=conversion_behaviors(
            campaign.campaign_id, campaign.conversion_events + 1, seed
        ),
    )
