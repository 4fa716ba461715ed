"""What the tap knows about each Braze catalogue: the list and details endpoints of campaigns
and Canvases, and how their bodies become rows (pure flatteners in flatten/)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tap_braze_sends.braze.description import CatalogFamily, MalformedBody, Row, Table
from tap_braze_sends.braze.flatten.campaign_catalog import campaign_details_rows, campaign_list_rows
from tap_braze_sends.braze.flatten.canvas_catalog import (
    canvas_details_rows,
    canvas_list_rows,
    check_canvas_details,
)
from tap_braze_sends.braze.schemas.campaign_catalog import (
    CAMPAIGN_DETAILS_SCHEMA,
    CAMPAIGN_VARIATIONS_SCHEMA,
    CAMPAIGNS_SCHEMA,
)
from tap_braze_sends.braze.schemas.canvas import (
    CANVAS_DETAILS_SCHEMA,
    CANVAS_STEPS_SCHEMA,
    CANVAS_VARIANTS_SCHEMA,
    CANVASES_SCHEMA,
)

RoleRows = dict[str, list[Row]]


def _campaign_details(campaign_id: str, body: Mapping[str, Any]) -> RoleRows:
    # Braze always names the campaign: a nameless 200 (a cut or proxied body) is retried,
    # not read as details that would null the row until the campaign's next edit.
    if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
        msg = f"campaign details body without a string 'name': {body!r:.200}"
        raise MalformedBody(msg)
    details, variations = campaign_details_rows(campaign_id, body)
    return {"details": [details], "variations": variations}


def _canvas_details(canvas_id: str, body: Mapping[str, Any]) -> RoleRows:
    details, variants, steps = canvas_details_rows(canvas_id, check_canvas_details(body))
    return {"details": [details], "variants": variants, "steps": steps}


CAMPAIGNS = CatalogFamily(
    name="campaigns",
    noun=("campaign", "campaigns"),
    list_path="/campaigns/list",
    list_permission="campaigns.list",
    details_path="/campaigns/details",
    details_permission="campaigns.details",
    items_key="campaigns",
    id_param="campaign_id",
    # Braze's example of the 400 for an invalid campaign id (braze-api.md, "Errors").
    unknown_id_message="campaign_id must be a string of the campaign api identifier",
    list_rows=campaign_list_rows,
    details_rows=_campaign_details,
    details_stream="campaign_details",
    tables=(
        Table(
            "list",
            "campaigns",
            ("campaign_id",),
            CAMPAIGNS_SCHEMA,
            "Every campaign /campaigns/list returns: name, tags, last_edited, is_api_campaign.",
            selected_by_default=False,
        ),
        Table(
            "details",
            "campaign_details",
            ("campaign_id",),
            CAMPAIGN_DETAILS_SCHEMA,
            "Per campaign, /campaigns/details: dates, state, channels, conversion behaviours, ...",
            selected_by_default=False,
        ),
        Table(
            "variations",
            "campaign_variations",
            ("campaign_id", "variation_api_id"),
            CAMPAIGN_VARIATIONS_SCHEMA,
            "Per campaign message variation (the details' ``messages``): channel, name, type, ...",
            selected_by_default=False,
        ),
    ),
    asked_by=("campaign_ids", "all_campaigns"),
    discovered_by="all_campaigns",
)

CANVASES = CatalogFamily(
    name="canvases",
    noun=("Canvas", "Canvases"),
    list_path="/canvas/list",
    list_permission="canvas.list",
    details_path="/canvas/details",
    details_permission="canvas.details",
    items_key="canvases",
    id_param="canvas_id",
    list_rows=canvas_list_rows,
    details_rows=_canvas_details,
    details_stream="canvas_details",
    tables=(
        Table(
            "list",
            "canvases",
            ("canvas_id",),
            CANVASES_SCHEMA,
            "Every Canvas /canvas/list returns: name, tags, last_edited.",
            selected_by_default=False,
        ),
        Table(
            "details",
            "canvas_details",
            ("canvas_id",),
            CANVAS_DETAILS_SCHEMA,
            "Per Canvas, /canvas/details: dates, state, channels, tags, teams, description.",
            selected_by_default=False,
        ),
        Table(
            "variants",
            "canvas_variants",
            ("canvas_id", "variant_id"),
            CANVAS_VARIANTS_SCHEMA,
            "Per Canvas variant (the details' ``variants``): name, first_step_ids.",
            selected_by_default=False,
        ),
        Table(
            "steps",
            "canvas_steps",
            ("canvas_id", "step_id"),
            CANVAS_STEPS_SCHEMA,
            "Per Canvas step (the details' ``steps``): name, type, channels, paths, messages.",
            selected_by_default=False,
        ),
    ),
    asked_by=("canvas_ids", "all_canvases"),
    discovered_by="all_canvases",
)


def list_entries(body: object, family: CatalogFamily) -> list[Mapping[str, Any]]:
    """The raw entries of one list page (each with a string ``id``)."""
    entries = body.get(family.items_key) if isinstance(body, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries
    ):
        msg = f"no '{family.items_key}' list of entries with an 'id'"
        raise MalformedBody(msg)
    return entries
