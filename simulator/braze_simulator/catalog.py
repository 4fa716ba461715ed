"""Bodies of GET /campaigns/list and GET /campaigns/details (pure: campaign in, JSON out).

`messages` in the details is built from the same variations as the analytics series
(:mod:`braze_simulator.variations`), so its keys are exactly the `variation_api_id` values
the campaign's /campaigns/data_series entries carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from braze_simulator.entities import SimCampaign
from braze_simulator.metrics import IN_APP_CHANNELS, PUSH_CHANNELS
from braze_simulator.variations import Variation, channel_variations

PAGE_SIZE = 100


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 with an explicit offset, as Braze writes timestamps."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def list_entry(campaign: SimCampaign) -> dict[str, Any]:
    return {
        "id": campaign.campaign_id,
        "last_edited": iso(campaign.edited),
        "name": campaign.display_name,
        "is_api_campaign": campaign.is_api_campaign,
        "tags": list(campaign.tags),
    }


def list_body(ordered: list[SimCampaign], page: int) -> dict[str, Any]:
    """One page of the listing; a page shorter than PAGE_SIZE is the last."""
    chosen = ordered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    return {"campaigns": [list_entry(c) for c in chosen], "message": "success"}


def campaign_variations(campaign: SimCampaign, seed: int) -> Mapping[str, list[Variation]]:
    """The campaign's variations per channel, as its analytics series has them."""
    return channel_variations(
        seed,
        campaign.campaign_id,
        campaign.channels,
        minimum=2 if campaign.multivariate else 1,
        has_control=campaign.has_control,
    )


def message_fields(campaign: SimCampaign, variation: Variation) -> dict[str, Any]:
    """One entry of `messages`: channel, name and the channel's own fields."""
    channel = variation.channel
    if variation.is_control:
        return {"channel": channel, "type": "control"}
    label = f"{campaign.display_name}: {variation.name}"
    base: dict[str, Any] = {"channel": channel, "name": variation.name}
    if channel in PUSH_CHANNELS:
        return {
            **base,
            "alert": f"{label} is here",
            "extras": {},
            "title": campaign.display_name,
            "action": None,
            "image_url": None,
            "large_image_url": None,
        }
    if channel == "email":
        return {
            **base,
            "extras": [],
            "subject": label,
            "body": f"<html><body><h1>{label}</h1><p>Hello {{{{first_name}}}}</p></body></html>",
            "from": "Sim Brand <news@example.com>",
            "reply_to": "support@example.com",
            "title": label,
            "amp_body": None,
            "preheader": f"About {campaign.display_name}",
            "custom_plain_text": "",
            "should_inline_css": True,
            "should_whitespace_header": False,
            "email_headers": [],
        }
    if channel == "webhook":
        return {
            **base,
            "url": "https://hooks.example.com/braze",
            "body": '{"campaign": "' + campaign.campaign_id + '"}',
            "type": "application/json",
            "headers": {"X-Source": "braze"},
            "method": "POST",
        }
    if channel == "sms":
        return {
            **base,
            "body": f"{label}. Reply STOP to opt out",
            "from": ["+15555550100"],
            "subscription_group_id": "sg-sms-0001",
        }
    if channel == "whats_app":
        return {
            **base,
            "subscription_group_id": "sg-wa-0001",
            "from": ["+15555550101"],
            "template_name": "promo_template",
            "template_language_code": "en",
            "header_variables": [],
            "body_variables": ["{{first_name}}"],
            "button_variables": [],
        }
    if channel in IN_APP_CHANNELS:
        # Braze's in-app messages carry a `type` of their own (e.g. "survey"), as controls do.
        return {**base, "type": "modal", "data": {"pages": [{"header": {"text": label}}]}}
    return {**base, "extras": {}}  # content cards and channels no doc names


def details_body(campaign: SimCampaign, seed: int, today: date) -> dict[str, Any]:
    messages = {
        v.api_id: message_fields(campaign, v)
        for variations in campaign_variations(campaign, seed).values()
        for v in variations
    }
    return {
        "created_at": iso(campaign.created),
        "updated_at": iso(campaign.edited),
        "archived": campaign.archived,
        "draft": campaign.draft,
        "enabled": campaign.enabled,
        "has_post_launch_draft": campaign.has_post_launch_draft,
        "name": campaign.display_name,
        "description": campaign.description,
        "schedule_type": campaign.schedule_type,
        "channels": list(campaign.channels),
        "first_sent": iso(campaign.first_sent()),
        "last_sent": iso(campaign.last_sent(today)),
        "tags": list(campaign.tags),
        "teams": list(campaign.teams),
        "messages": messages,
        "conversion_behaviors": [b.as_json() for b in campaign.conversion_behaviors],
        "message": "success",
    }
