"""The four streams. Each only describes itself; :mod:`tap_braze_sends.client` does the work."""

from __future__ import annotations

from tap_braze_sends.client import BrazeSeriesStream
from tap_braze_sends.schemas.series import (
    CAMPAIGN_DAY_SCHEMA,
    CAMPAIGN_MESSAGE_SCHEMA,
    SEND_DAY_SCHEMA,
    SEND_MESSAGE_SCHEMA,
)

_MESSAGE_KEYS = ("time", "channel", "variation")


class SendAnalyticsStream(BrazeSeriesStream):
    """Per API-campaign send and day: the day totals of /sends/data_series."""

    name = "send_analytics"
    path = "/sends/data_series"
    primary_keys = ("campaign_id", "send_id", "time")
    schema = SEND_DAY_SCHEMA
    partition_fields = ("campaign_id", "send_id")
    rate_limit_pool = "default"
    no_data_hint = (
        "Braze keeps send analytics only 14 days after the send; check the send id and the "
        "dates (start_date, end_date)."
    )


class SendMessageAnalyticsStream(BrazeSeriesStream):
    """Per send, day, channel and variation: that variation's metrics."""

    name = "send_message_analytics"
    path = SendAnalyticsStream.path
    primary_keys = ("campaign_id", "send_id", *_MESSAGE_KEYS)
    schema = SEND_MESSAGE_SCHEMA
    partition_fields = SendAnalyticsStream.partition_fields
    rate_limit_pool = SendAnalyticsStream.rate_limit_pool
    parent_stream_type = SendAnalyticsStream


class CampaignAnalyticsStream(BrazeSeriesStream):
    """Per campaign and day: the day totals of /campaigns/data_series."""

    name = "campaign_analytics"
    path = "/campaigns/data_series"
    primary_keys = ("campaign_id", "time")
    schema = CAMPAIGN_DAY_SCHEMA
    partition_fields = ("campaign_id",)
    rate_limit_pool = "campaign_analytics"


class CampaignMessageAnalyticsStream(BrazeSeriesStream):
    """Per campaign, day, channel and variation: that variation's metrics."""

    name = "campaign_message_analytics"
    path = CampaignAnalyticsStream.path
    primary_keys = ("campaign_id", *_MESSAGE_KEYS)
    schema = CAMPAIGN_MESSAGE_SCHEMA
    partition_fields = CampaignAnalyticsStream.partition_fields
    rate_limit_pool = CampaignAnalyticsStream.rate_limit_pool
    parent_stream_type = CampaignAnalyticsStream


STREAM_TYPES = (
    SendAnalyticsStream,
    SendMessageAnalyticsStream,
    CampaignAnalyticsStream,
    CampaignMessageAnalyticsStream,
)
