"""The simulated entities: API-campaign sends and campaigns (frozen: they key the day cache).

A campaign's analytics run from its first send day to its last send plus its longest
conversion window (conversions keep arriving after the send); a draft never sent and has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

# Braze attributes conversions this long after a send when a campaign names no behaviour.
DEFAULT_CONVERSION_WINDOW_SECONDS = 30 * 86_400


@dataclass(frozen=True)
class SimSend:
    campaign_id: str
    send_id: str
    send_date: date
    # Extensions (defaulted, so the documented constructor still works): the API campaign's
    # channels, how many extra conversion events (conversions1..3) it tracks, and whether it
    # holds out a control group.
    channels: tuple[str, ...] = ("ios_push", "android_push")
    conversion_events: int = 0
    has_control: bool = False


@dataclass(frozen=True)
class ConversionBehavior:
    """One conversion event of a campaign (A, B, C, D in order), as /campaigns/details has it."""

    type: str
    window_seconds: int
    # The behaviour-specific field, e.g. ("custom_event_name", "Used Feline Body Armor");
    # a list value is given as a tuple (the campaign must stay hashable).
    detail: tuple[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "window": self.window_seconds}
        if self.detail is not None:
            name, value = self.detail
            out[name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclass(frozen=True)
class SimCampaign:
    campaign_id: str
    channels: tuple[str, ...]
    multivariate: bool
    has_control: bool
    first_day: date
    """The first send day: the first day with data."""
    datetime_times: bool = False
    # Extensions: extra conversion events (0..3) and "quirks": email gets machine_amp_open,
    # each day gets an undocumented "conversions4", and one channel list gets an entry with
    # neither variation_api_id nor variation_name.
    conversion_events: int = 0
    quirks: bool = False
    # Lifecycle: the last send day (None: still sending), drafts that never sent.
    last_day: date | None = None
    draft: bool = False
    send_hour: int = 9
    conversion_behaviors: tuple[ConversionBehavior, ...] = ()
    # What /campaigns/list and /campaigns/details show (unset: derived, see the properties).
    name: str = ""
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None
    last_edited: datetime | None = None
    is_api_campaign: bool = False
    archived: bool = False
    enabled: bool = True
    has_post_launch_draft: bool = False
    teams: tuple[str, ...] = ()
    description: str = ""
    schedule_type: str = "time_based"

    @property
    def display_name(self) -> str:
        return self.name or f"Campaign {self.campaign_id}"

    @property
    def created(self) -> datetime:
        if self.created_at is not None:
            return self.created_at
        return datetime.combine(self.first_day - timedelta(days=7), time(9), timezone.utc)

    @property
    def edited(self) -> datetime:
        return self.last_edited if self.last_edited is not None else self.created

    @property
    def longest_conversion_window_seconds(self) -> int:
        windows = [b.window_seconds for b in self.conversion_behaviors]
        return max(windows, default=DEFAULT_CONVERSION_WINDOW_SECONDS)

    def first_sent(self) -> datetime | None:
        if self.draft:
            return None
        return datetime.combine(self.first_day, time(self.send_hour), timezone.utc)

    def last_sent(self, today: date) -> datetime | None:
        """The last send; a campaign still sending last sent today."""
        if self.draft:
            return None
        day = min(self.last_day or today, today)
        return datetime.combine(day, time(self.send_hour), timezone.utc)

    def data_days(self, today: date) -> tuple[date, date] | None:
        """(first, last) day that can have data as of `today`, or None (never sent)."""
        last_sent = self.last_sent(today)
        if last_sent is None:
            return None
        window = timedelta(seconds=self.longest_conversion_window_seconds)
        return self.first_day, min(today, (last_sent + window).date())

    def is_sending(self, day: date) -> bool:
        """Whether messages go out on `day` (after the last send only conversions arrive)."""
        return not self.draft and (self.last_day is None or day <= self.last_day)
