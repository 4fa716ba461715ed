"""The send and campaign series streams: a day-level and a message-level stream per endpoint."""

from __future__ import annotations

from tap_braze_sends.braze.endpoints import CAMPAIGNS_SERIES, SENDS_SERIES
from tap_braze_sends.braze.schemas.campaign_series import (
    CAMPAIGN_DAY_SCHEMA,
    CAMPAIGN_MESSAGE_SCHEMA,
    SEND_DAY_SCHEMA,
    SEND_MESSAGE_SCHEMA,
)
from tap_braze_sends.streams.base import BrazeStream

_MESSAGE_KEYS = ("time", "channel", "variation")


class SendAnalyticsStream(BrazeStream):
    """Per API-campaign send and day: the day totals of /sends/data_series."""

    name = "send_analytics"
    endpoint = SENDS_SERIES
    role = "day"
    primary_keys = ("campaign_id", "send_id", "time")
    schema = SEND_DAY_SCHEMA


class SendMessageAnalyticsStream(BrazeStream):
    """Per send, day, channel and variation: that variation's metrics."""

    name = "send_message_analytics"
    endpoint = SENDS_SERIES
    role = "message"
    primary_keys = ("campaign_id", "send_id", *_MESSAGE_KEYS)
    schema = SEND_MESSAGE_SCHEMA


class CampaignAnalyticsStream(BrazeStream):
    """Per campaign and day: the day totals of /campaigns/data_series."""

    name = "campaign_analytics"
    endpoint = CAMPAIGNS_SERIES
    role = "day"
    primary_keys = ("campaign_id", "time")
    schema = CAMPAIGN_DAY_SCHEMA


class CampaignMessageAnalyticsStream(BrazeStream):
    """Per campaign, day, channel and variation: that variation's metrics."""

    name = "campaign_message_analytics"
    endpoint = CAMPAIGNS_SERIES
    role = "message"
    primary_keys = ("campaign_id", *_MESSAGE_KEYS)
    schema = CAMPAIGN_MESSAGE_SCHEMA
