"""build_workspace: a reproducible simulated workspace of sends, campaigns and Canvases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

from braze_simulator.data import SEND_RETENTION_DAYS, Workspace
from braze_simulator.entities import ConversionBehavior, SimCampaign, SimSend
from braze_simulator.hashing import seeded_rng
from braze_simulator.lifecycles import (
    DAY,
    CampaignMix,
    apply_lifecycle,
    lifecycle_for,
    with_metadata,
)
from braze_simulator.metrics import CHANNEL_POOL


def _fixed_campaigns(today: date) -> list[SimCampaign]:
    # The first two cover every feature between them, so the smallest workspace tests it all.
    return [
        SimCampaign(
            campaign_id="camp-0001",
            channels=(
                "ios_push",
                "android_push",
                "email",
                "webhook",
                "sms",
                "whats_app",
                "content_cards",
                "line",
            ),
            multivariate=False,
            has_control=False,
            first_day=today - timedelta(days=120),
            conversion_events=3,
            quirks=True,
            name="Welcome Series",
            tags=("multichannel", "onboarding"),
            teams=("Growth",),
            description="Every channel, every quirk",
            created_at=_at(today - timedelta(days=123), hours=10.25),
            last_edited=_at(today - timedelta(days=118), hours=16.5),
            send_hour=9,
            conversion_behaviors=(
                ConversionBehavior("Makes Any Purchase", 3 * DAY),
                ConversionBehavior(
                    "Performs Custom Event", 7 * DAY, ("custom_event_name", "Signup")
                ),
                ConversionBehavior("Opens Email", 1 * DAY),
                ConversionBehavior("Clicks Email", 1 * DAY),
            ),
        ),
        SimCampaign(
            campaign_id="camp-0002",
            channels=("trigger_in_app_message", "in_app_message", "web_push"),
            multivariate=True,
            has_control=True,
            first_day=today - timedelta(days=10),
            datetime_times=True,
            conversion_events=1,
            name="In-App Upsell",
            tags=("upsell",),
            created_at=_at(today - timedelta(days=11), hours=8),
            last_edited=_at(today - timedelta(days=11), hours=11.75),
            send_hour=12,
            has_post_launch_draft=True,
            schedule_type="action_based",
            conversion_behaviors=(
                ConversionBehavior("Makes Any Purchase", 30 * DAY),
                ConversionBehavior("Starts Session", 1 * DAY, ("app_ids", None)),
            ),
        ),
    ]


def _at(day: date, *, hours: float) -> datetime:
    return datetime.combine(day, time(0), timezone.utc) + timedelta(hours=hours)


def _random_campaign(index: int, today: date, seed: int) -> SimCampaign:
    rng = seeded_rng(seed, "build-campaign", index)
    channels = tuple(rng.sample(CHANNEL_POOL, rng.randint(1, 4)))
    campaign = SimCampaign(
        campaign_id=f"camp-{index + 1:04d}",
        channels=channels,
        multivariate=rng.random() < 0.3,
        has_control=rng.random() < 0.3,
        first_day=today - timedelta(days=rng.randint(3, 150)),
        datetime_times=rng.random() < 0.05,
        conversion_events=rng.choice((0, 0, 1, 2, 3)),
    )
    if rng.random() < 0.05:  # now and then a channel no doc names
        campaign = replace(campaign, channels=(*channels, "line"))
    return campaign


# (channels, conversion events, control group) of the first API campaigns.
_API_CAMPAIGN_PROFILES: tuple[tuple[tuple[str, ...], int, bool], ...] = (
    (("ios_push", "android_push"), 0, False),
    (("email",), 3, True),
    (("webhook", "line"), 1, False),  # "line": a channel no doc names
)


def _api_campaign_profile(index: int, seed: int) -> tuple[tuple[str, ...], int, bool]:
    if index < len(_API_CAMPAIGN_PROFILES):
        return _API_CAMPAIGN_PROFILES[index]
    rng = seeded_rng(seed, "build-api-campaign", index)
    channels = tuple(rng.sample(CHANNEL_POOL[:7], rng.randint(1, 3)))
    return channels, rng.choice((0, 1, 3)), rng.random() < 0.2


def _send_days_ago(index: int, seed: int) -> int:
    # First three: a recent send (inside the restate window), an older live one, and one past
    # retention. After that mostly live sends, about a quarter past retention.
    if index < 3:
        return (1, 8, 20)[index]
    rng = seeded_rng(seed, "build-send", index)
    if rng.random() < 0.75:
        return rng.randint(0, SEND_RETENTION_DAYS)
    return rng.randint(SEND_RETENTION_DAYS + 1, 30)


def _generated_campaign(index: int, today: date, seed: int, mix: CampaignMix) -> SimCampaign:
    campaign = _random_campaign(index, today, seed)
    campaign = apply_lifecycle(campaign, lifecycle_for(index, seed, mix), today, seed)
    return with_metadata(campaign, index, today, seed)


def build_workspace(
    n_sends: int = 3,
    n_campaigns: int = 2,
    *,
    today: date | None = None,
    seed: int = 0,
    mix: CampaignMix | None = None,
    n_canvases: int = 5,
    n_apps: int = 3,
    n_segments: int = 4,
    n_events: int = 7,
    n_products: int = 5,
) -> Workspace:
    """A reproducible workspace; `today` defaults to the real UTC date.

    The first two campaigns are fixed (camp-0001, camp-0002: live, every quirk between them).
    Without `mix` every other campaign is live too; with one (e.g. CATALOG_MIX) they are
    archived, drafts or dormant in those shares. Canvases are derived from (n_canvases, today,
    seed) by canvas_data; the first five are fixed ones covering every Canvas feature. Apps,
    segments, custom events and products are derived likewise (workspace_model); the first
    4 segments, 7 events and 5 products are fixed ones with every awkward case.
    """
    today = today or datetime.now(timezone.utc).date()
    mix = mix or CampaignMix()
    campaigns = _fixed_campaigns(today)[:n_campaigns]
    campaigns += [
        _generated_campaign(i, today, seed, mix) for i in range(len(campaigns), n_campaigns)
    ]
    n_api = min(99, 3 + n_sends // 100)
    sends = []
    for i in range(n_sends):
        api_index = i % n_api
        channels, events, has_control = _api_campaign_profile(api_index, seed)
        sends.append(
            SimSend(
                campaign_id=f"api-camp-{api_index + 1:02d}",
                send_id=f"send-{i + 1:04d}",
                send_date=today - timedelta(days=_send_days_ago(i, seed)),
                channels=channels,
                conversion_events=events,
                has_control=has_control,
            )
        )
    return Workspace(
        sends=sends,
        campaigns=campaigns,
        today=today,
        seed=seed,
        n_canvases=n_canvases,
        canvas_epoch=today,
        n_apps=n_apps,
        n_segments=n_segments,
        n_events=n_events,
        n_products=n_products,
        series_epoch=today,
    )
