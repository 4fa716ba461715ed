"""Pure flattening of /campaigns/list and /campaigns/details bodies into the rows of the
``campaigns``, ``campaign_details`` and ``campaign_variations`` streams.

Timestamps become RFC 3339 with an offset (UTC when Braze gives none); message bodies stay
strings, as Braze sent them. See :mod:`tap_braze_sends.braze.flatten.dimension_rows` for where a
value that fits no column goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.flatten.dimension_rows import Row, typed_row
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.flatten.unknown import EXTRA_FIELDS, add_extra
from tap_braze_sends.braze.schemas.campaign_catalog import (
    CAMPAIGN_DETAILS_FIELDS,
    CAMPAIGN_LIST_FIELDS,
    CAMPAIGN_VARIATION_FIELDS,
)

__all__ = ["Row", "campaign_details_rows", "campaign_list_rows"]

_STATUS = "message"  # "success": about the response, not the campaign
_VARIATION_COLUMNS = tuple(f for f in CAMPAIGN_VARIATION_FIELDS if f != "message")


def campaign_list_rows(body: Mapping[str, Any]) -> list[Row]:
    """One ``campaigns`` row per entry of a /campaigns/list page, in Braze's order."""
    entries = body.get("campaigns")
    if not isinstance(entries, list):
        msg = f"/campaigns/list body has no 'campaigns' list: keys {sorted(body)}"
        raise MalformedBody(msg)
    rows = []
    for index, entry in enumerate(entries):
        campaign_id = entry.get("id") if isinstance(entry, Mapping) else None
        if not isinstance(campaign_id, str) or not campaign_id:
            msg = f"/campaigns/list entry {index} has no campaign id: {entry!r}"
            raise MalformedBody(msg)
        keys = {"campaign_id": campaign_id}
        rows.append(typed_row(keys, entry, CAMPAIGN_LIST_FIELDS, skip=("id",)))
    return rows


def campaign_details_rows(campaign_id: str, body: Mapping[str, Any]) -> tuple[Row, list[Row]]:
    """The ``campaign_details`` row and the ``campaign_variations`` rows of one campaign.

    A variation row's ``type`` is Braze's ``type`` field: ``"control"`` for a control group,
    a channel's own type where it has one (an in-app message's ``"survey"``, a webhook's body
    content type), else null. Its other channel-specific fields (subject, body, alert, url,
    extras...) are the ``message`` object; a control group's is null.
    """
    keys = {"campaign_id": campaign_id}
    details = typed_row(keys, body, CAMPAIGN_DETAILS_FIELDS, skip=(_STATUS, "messages"))
    messages = body.get("messages")
    if messages is None:
        return details, []
    if not isinstance(messages, Mapping):
        add_extra(details, "messages", messages, EXTRA_FIELDS)
        return details, []
    variations = []
    strays = {}
    for variation_api_id, entry in messages.items():
        if not isinstance(entry, Mapping):
            strays[variation_api_id] = entry
            continue
        variation_keys = {**keys, "variation_api_id": str(variation_api_id)}
        columns = {name: entry[name] for name in _VARIATION_COLUMNS if name in entry}
        rest = {name: value for name, value in entry.items() if name not in columns}
        columns["message"] = rest or None
        variations.append(typed_row(variation_keys, columns, CAMPAIGN_VARIATION_FIELDS))
    if strays:
        add_extra(details, "messages", strays, EXTRA_FIELDS)
    return details, variations
