"""The simulated entities: API-campaign sends and campaigns (frozen: they key the day cache)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
class SimCampaign:
    campaign_id: str
    channels: tuple[str, ...]
    multivariate: bool
    has_control: bool
    first_day: date
    datetime_times: bool = False
    # Extensions: extra conversion events (0..3) and "quirks": email gets machine_amp_open,
    # each day gets an undocumented "conversions4", and one channel list gets an entry with
    # neither variation_api_id nor variation_name.
    conversion_events: int = 0
    quirks: bool = False

