"""Which partitions each series endpoint reads this run: listed, discovered, not expired, in
this job's shard. One INFO line says what was found and skipped, and why."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from tap_braze_sends.braze.discovery import (
    CampaignFacts,
    analytics_skip_reason,
    in_shard,
    send_expired,
    summarize_skips,
)
from tap_braze_sends.braze.endpoints import (
    CAMPAIGNS_SERIES,
    SENDS_SERIES,
    Partition,
    SeriesEndpoint,
)
from tap_braze_sends.settings import Settings

logger = logging.getLogger("tap_braze_sends.partitions")

FirstDay = Callable[[Partition], dt.date]
FirstDataDay = Callable[[Partition], "dt.date | None"]


def series_partitions(
    endpoint: SeriesEndpoint,
    settings: Settings,
    *,
    discovered: Sequence[CampaignFacts] | None,
    first_day: FirstDay,
    first_data_day: FirstDataDay,
    today: dt.date,
) -> list[Partition]:
    """The endpoint's partitions, in order: the config's first, then discovered ones."""
    if endpoint is SENDS_SERIES:
        partitions = _live_sends(settings, first_data_day, today)
    else:
        field = endpoint.partition_fields[0]
        listed = settings.campaign_ids if endpoint is CAMPAIGNS_SERIES else settings.canvas_ids
        partitions = [{field: item_id} for item_id in listed]
        if discovered is not None:
            partitions += _discovered(field, listed, discovered, settings, first_day)
    if settings.shard is not None:
        mine = [p for p in partitions if in_shard(tuple(p.values()), settings.shard)]
        logger.info(
            "%s: shard %d/%d takes %d of %d partitions",
            endpoint.path,
            *settings.shard,
            len(mine),
            len(partitions),
        )
        partitions = mine
    return partitions


def _live_sends(
    settings: Settings, first_data_day: FirstDataDay, today: dt.date
) -> list[Partition]:
    sends = [{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in settings.sends]
    # Measured from the range's last day: a backfill ending in the past is not cut short.
    last_day = min(settings.end_date, today)
    live = [
        p for p in sends if not send_expired(first_data_day(p), last_day, settings.lookback_days)
    ]
    if len(live) < len(sends):
        expired = len(sends) - len(live)
        logger.info(
            "Not requesting %d %s whose analytics Braze no longer keeps (first data more than "
            "14 + lookback_days + 2 days ago)",
            expired,
            "send" if expired == 1 else "sends",
        )
    return live


def _discovered(
    field: str,
    listed: Sequence[str],
    found: Sequence[CampaignFacts],
    settings: Settings,
    first_day: FirstDay,
) -> list[Partition]:
    already = set(listed)
    reasons: list[str | None] = []
    partitions: list[Partition] = []
    for facts in found:
        partition = {field: facts.campaign_id}
        reason = (
            None
            if facts.campaign_id in already
            else analytics_skip_reason(
                facts, first_day=first_day(partition), lookback_days=settings.lookback_days
            )
        )
        reasons.append(reason)
        if reason is None and facts.campaign_id not in already:
            already.add(facts.campaign_id)
            partitions.append(partition)
    noun = ("campaign", "campaigns") if field == "campaign_id" else ("Canvas", "Canvases")
    logger.info("Discovery: %s", summarize_skips(reasons, noun=noun))
    return partitions
