"""Schemas of the campaign dimension streams: ``campaigns`` (/campaigns/list),
``campaign_details`` and ``campaign_variations`` (/campaigns/details)."""

from __future__ import annotations

from types import MappingProxyType

from tap_braze_sends.braze.schemas.build import required
from tap_braze_sends.braze.schemas.column_kinds import (
    FLAG,
    OBJECT,
    OBJECTS,
    TEXT,
    TEXTS,
    TIMESTAMP,
    dimension_schema,
)

_ID = required("string")

CAMPAIGN_LIST_FIELDS = MappingProxyType(
    {"name": TEXT, "tags": TEXTS, "last_edited": TIMESTAMP, "is_api_campaign": FLAG}
)
"""Typed columns of one /campaigns/list entry (besides ``id``, the key ``campaign_id``)."""

CAMPAIGN_DETAILS_FIELDS = MappingProxyType(
    {
        "name": TEXT,
        "description": TEXT,
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
        "archived": FLAG,
        "draft": FLAG,
        "enabled": FLAG,
        "has_post_launch_draft": FLAG,
        "schedule_type": TEXT,
        "channels": TEXTS,
        "first_sent": TIMESTAMP,
        "last_sent": TIMESTAMP,
        "tags": TEXTS,
        "teams": TEXTS,
        "conversion_behaviors": OBJECTS,
    }
)
"""Typed columns of a /campaigns/details body (its ``messages`` are campaign_variations)."""

CAMPAIGN_VARIATION_FIELDS = MappingProxyType(
    {"channel": TEXT, "name": TEXT, "type": TEXT, "message": OBJECT}
)
"""``message`` holds the variation's channel-specific fields (subject, body, alert, url...)."""

CAMPAIGNS_SCHEMA = dimension_schema({"campaign_id": _ID}, CAMPAIGN_LIST_FIELDS)
CAMPAIGN_DETAILS_SCHEMA = dimension_schema({"campaign_id": _ID}, CAMPAIGN_DETAILS_FIELDS)
CAMPAIGN_VARIATIONS_SCHEMA = dimension_schema(
    {"campaign_id": _ID, "variation_api_id": _ID}, CAMPAIGN_VARIATION_FIELDS
)
