"""Every stream of the tap, in the order they are synced: catalogues first, then series."""

from __future__ import annotations

from singer_sdk import Stream

from tap_braze_sends.streams.base import BrazeStream
from tap_braze_sends.streams.canvas import (
    CanvasAnalyticsStream,
    CanvasStepAnalyticsStream,
    CanvasStepMessageAnalyticsStream,
    CanvasVariantAnalyticsStream,
)
from tap_braze_sends.streams.catalog import (
    CampaignDetailsStream,
    CampaignsStream,
    CampaignVariationsStream,
    CanvasDetailsStream,
    CanvasesStream,
    CanvasStepsStream,
    CanvasVariantsStream,
    CatalogStream,
)
from tap_braze_sends.streams.series import (
    CampaignAnalyticsStream,
    CampaignMessageAnalyticsStream,
    SendAnalyticsStream,
    SendMessageAnalyticsStream,
)

SERIES_STREAM_TYPES: tuple[type[BrazeStream], ...] = (
    SendAnalyticsStream,
    SendMessageAnalyticsStream,
    CampaignAnalyticsStream,
    CampaignMessageAnalyticsStream,
    CanvasAnalyticsStream,
    CanvasVariantAnalyticsStream,
    CanvasStepAnalyticsStream,
    CanvasStepMessageAnalyticsStream,
)
CATALOG_STREAM_TYPES: tuple[type[CatalogStream], ...] = (
    CampaignsStream,
    CampaignDetailsStream,
    CampaignVariationsStream,
    CanvasesStream,
    CanvasDetailsStream,
    CanvasVariantsStream,
    CanvasStepsStream,
)
STREAM_TYPES: tuple[type[Stream], ...] = (*CATALOG_STREAM_TYPES, *SERIES_STREAM_TYPES)

__all__ = [
    "CATALOG_STREAM_TYPES",
    "SERIES_STREAM_TYPES",
    "STREAM_TYPES",
    "BrazeStream",
    "CatalogStream",
]
