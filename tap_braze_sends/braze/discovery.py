"""Which discovered campaigns, Canvases and sends get analytics requests, and which job takes
which partition. Pure: the facts come from /campaigns/list and /campaigns/details (or the Canvas
endpoints), read elsewhere.

The rule for skipping (README, "Which campaigns get analytics requests"): a campaign is skipped
only when it cannot have data in the range, i.e.

- it is a draft that never sent (``draft`` and neither ``first_sent`` nor ``last_sent``), or
- it is archived, and its last known activity (the later of ``last_sent`` and ``last_edited``,
  whichever are known) plus its data window plus one day lies more than ``lookback_days``
  before the first day of the range. The data window is the longest conversion window, but
  never under 30 days: opens and clicks keep arriving after the last send whatever the
  conversion events. The one day covers Braze's day boundaries in the workspace's time zone.

Anything unknown means "request it". The rule assumes that an archived campaign sends nothing
after it is archived, and that archiving moves ``last_edited`` (so ``last_edited`` bounds the
last send when details are not read).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from tap_braze_sends.braze.timestamps import parse_timestamp

MIN_DATA_WINDOW = dt.timedelta(days=30)
"""Data keeps arriving at least this long after the last send (Braze's default window)."""
DAY_BOUNDARY_SLACK = dt.timedelta(days=1)
"""A UTC instant falls on the next local day in time zones up to UTC+14."""
SEND_RETENTION_DAYS = 14
"""Braze keeps a send's analytics this many days after the send."""
SEND_EXPIRY_MARGIN_DAYS = 2

DRAFT_NEVER_SENT = "draft that never sent"
ARCHIVED_DORMANT = "archived and dormant"
_SUMMARY_LABELS = {
    DRAFT_NEVER_SENT: ("draft never sent", "drafts never sent"),
    ARCHIVED_DORMANT: ("archived and dormant", "archived and dormant"),
}


@dataclass(frozen=True)
class CampaignFacts:
    """What is known about one campaign (or Canvas); None means unknown.

    From the listing: ``name``, ``last_edited``, and ``listed_as_archived`` (it appeared with
    ``include_archived=true`` but not without it: archived, known without reading details).
    From the details, when read: ``archived``, ``draft``, ``first_sent``, ``last_sent`` (for a
    Canvas: ``first_entry``, ``last_entry``), and the conversion windows in seconds. With
    details read, ``first_sent``/``last_sent`` of None mean it never sent.
    """

    campaign_id: str
    name: str | None = None
    last_edited: dt.datetime | None = None
    listed_as_archived: bool = False
    archived: bool | None = None
    draft: bool | None = None
    first_sent: dt.datetime | None = None
    last_sent: dt.datetime | None = None
    conversion_windows: tuple[int, ...] = ()

    @property
    def is_archived(self) -> bool | None:
        if self.archived is not None:
            return self.archived
        return True if self.listed_as_archived else None

    @property
    def data_window(self) -> dt.timedelta:
        """How long after its last send the campaign's analytics can still change."""
        longest = max(self.conversion_windows, default=0)
        return max(MIN_DATA_WINDOW, dt.timedelta(seconds=longest))


def facts_from_listing(entry: Mapping, *, listed_as_archived: bool = False) -> CampaignFacts:
    """Facts from one entry of /campaigns/list or /canvas/list (``id``, ``name``, ...)."""
    name = entry.get("name")
    return CampaignFacts(
        campaign_id=str(entry["id"]),
        name=name if isinstance(name, str) else None,
        last_edited=parse_timestamp(entry.get("last_edited")),
        listed_as_archived=listed_as_archived,
    )


def with_details(facts: CampaignFacts, body: Mapping) -> CampaignFacts:
    """``facts`` completed from a /campaigns/details (or /canvas/details) body."""
    windows = []
    behaviors = body.get("conversion_behaviors")
    for behavior in behaviors if isinstance(behaviors, list) else ():
        window = behavior.get("window") if isinstance(behavior, Mapping) else None
        if isinstance(window, int | float) and not isinstance(window, bool) and window > 0:
            windows.append(int(window))
    name = body.get("name")
    return replace(
        facts,
        name=name if isinstance(name, str) else facts.name,
        archived=_bool_or_none(body.get("archived")),
        draft=_bool_or_none(body.get("draft")),
        first_sent=parse_timestamp(body.get("first_sent", body.get("first_entry"))),
        last_sent=parse_timestamp(body.get("last_sent", body.get("last_entry"))),
        conversion_windows=tuple(windows),
    )


def _bool_or_none(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def analytics_skip_reason(
    campaign: CampaignFacts, *, first_day: dt.date, lookback_days: int
) -> str | None:
    """None: request its analytics. Else why it cannot have data from ``first_day`` on."""
    if campaign.draft is True and campaign.first_sent is None and campaign.last_sent is None:
        return DRAFT_NEVER_SENT
    if campaign.is_archived is not True:
        return None
    known = [t for t in (campaign.last_sent, campaign.last_edited) if t is not None]
    if not known:
        return None
    try:
        last_activity = max(known).astimezone(dt.timezone.utc)
        last_data_day = (last_activity + campaign.data_window + DAY_BOUNDARY_SLACK).date()
    except OverflowError:
        # A conversion window or a date past datetime's range (year 9999): its data may reach
        # any day, so it is requested rather than skipped.
        return None
    cutoff = first_day - dt.timedelta(days=lookback_days)
    if last_data_day >= cutoff:
        return None
    return (
        f"{ARCHIVED_DORMANT}: last activity {last_activity.date().isoformat()}, "
        f"data ends by {last_data_day.isoformat()}, before {cutoff.isoformat()}"
    )


def summarize_skips(
    reasons: Iterable[str | None], *, noun: tuple[str, str] = ("campaign", "campaigns")
) -> str:
    """One INFO line from one reason per found campaign (None: requested).

    ``"found 250 campaigns, skipping 30: 10 drafts never sent, 20 archived and dormant"``
    """
    reasons = list(reasons)
    found = f"found {_counted(len(reasons), *noun)}"
    kinds = Counter(reason.split(":", 1)[0] for reason in reasons if reason is not None)
    if not kinds:
        return f"{found}, skipping none"
    parts = []
    for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], item[0])):
        singular, plural = _SUMMARY_LABELS.get(kind, (kind, kind))
        parts.append(_counted(count, singular, plural))
    return f"{found}, skipping {sum(kinds.values())}: {', '.join(parts)}"


def _counted(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def send_expired(first_data_day: dt.date | None, today: dt.date, lookback_days: int) -> bool:
    """Whether a send's analytics are gone for good, so it need not be requested again.

    Braze keeps them 14 days after the send; the lookback and two days of margin (time zones,
    a send late in its first day) come on top. A send that never returned data is not expired:
    it keeps being requested, and warned about.
    """
    if first_data_day is None:
        return False
    age = (today - first_data_day).days
    return age > SEND_RETENTION_DAYS + lookback_days + SEND_EXPIRY_MARGIN_DAYS


def shard_of(ids: tuple[str, ...], count: int) -> int:
    """The shard (1..count) of a partition, from a hash of its ids that never changes.

    SHA-256 of the ids as a JSON list (unambiguous: ``("a", "b")`` and ``("a,b",)`` differ),
    its first 8 bytes as a big-endian integer, modulo ``count``. Unlike ``hash()``, the same in
    every process and Python version, so a partition stays in its shard from run to run.
    """
    if count < 1:
        msg = f"shard count must be >= 1, got {count}"
        raise ValueError(msg)
    digest = hashlib.sha256(json.dumps(list(ids)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def in_shard(ids: tuple[str, ...], shard: tuple[int, int] | None) -> bool:
    """Whether this job (``shard`` = (k, n), None for all) takes the partition ``ids``."""
    if shard is None:
        return True
    index, count = shard
    return shard_of(ids, count) == index
