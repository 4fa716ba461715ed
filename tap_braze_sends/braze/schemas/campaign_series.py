"""Schemas of the send and campaign series streams (/sends/data_series, /campaigns/data_series)."""

from __future__ import annotations

from tap_braze_sends.braze.schemas.build import metric_schema, nullable, required
from tap_braze_sends.braze.schemas.metrics import DAY_TOTAL_METRICS, MESSAGE_METRICS

_ID = required("string")
_TIME = required("string", format="date")
_MESSAGE_KEYS = {
    "channel": required("string"),
    "variation": required("string"),
    "variation_api_id": nullable("string"),
    "variation_name": nullable("string"),
}

SEND_DAY_SCHEMA = metric_schema(
    {"campaign_id": _ID, "send_id": _ID, "time": _TIME}, DAY_TOTAL_METRICS
)
SEND_MESSAGE_SCHEMA = metric_schema(
    {"campaign_id": _ID, "send_id": _ID, "time": _TIME, **_MESSAGE_KEYS}, MESSAGE_METRICS
)
CAMPAIGN_DAY_SCHEMA = metric_schema({"campaign_id": _ID, "time": _TIME}, DAY_TOTAL_METRICS)
CAMPAIGN_MESSAGE_SCHEMA = metric_schema(
    {"campaign_id": _ID, "time": _TIME, **_MESSAGE_KEYS}, MESSAGE_METRICS
)
