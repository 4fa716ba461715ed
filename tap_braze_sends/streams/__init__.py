"""Every stream of the tap, in the order they are synced."""

from __future__ import annotations

from tap_braze_sends.streams.base import BrazeStream
from tap_braze_sends.streams.series import (
    CampaignAnalyticsStream,
    CampaignMessageAnalyticsStream,
    SendAnalyticsStream,
    SendMessageAnalyticsStream,
)

STREAM_TYPES: tuple[type[BrazeStream], ...] = (
    SendAnalyticsStream,
    SendMessageAnalyticsStream,
    CampaignAnalyticsStream,
    CampaignMessageAnalyticsStream,
)
