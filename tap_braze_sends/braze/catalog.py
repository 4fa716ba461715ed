"""What the tap knows about each Braze catalogue: the list and details endpoints of campaigns
and Canvases, and how their bodies become rows (pure flatteners in flatten/)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tap_braze_sends.braze.flatten.campaign_catalog import campaign_details_rows, campaign_list_rows
from tap_braze_sends.braze.flatten.canvas_catalog import (
    canvas_details_rows,
    canvas_list_rows,
    check_canvas_details,
)

Row = dict[str, Any]
RoleRows = dict[str, list[Row]]


@dataclass(frozen=True)
class CatalogFamily:
    """One Braze catalogue: its list endpoint, its details endpoint, the id that joins them."""

    name: str
    list_path: str
    details_path: str
    items_key: str
    """The list body's key holding the entries (``campaigns``, ``canvases``)."""
    id_param: str
    """The id's column and query parameter (``campaign_id``, ``canvas_id``)."""
    list_rows: Callable[[Mapping[str, Any]], list[Row]]
    details_rows: Callable[[str, Mapping[str, Any]], RoleRows]
    details_stream: str
    """The stream whose state entries remember each item's last details read."""
    pool: str = "default"


def _campaign_details(campaign_id: str, body: Mapping[str, Any]) -> RoleRows:
    # Braze always names the campaign: a nameless 200 (a cut or proxied body) is retried,
    # not read as details that would null the row until the campaign's next edit.
    if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
        msg = f"campaign details body without a string 'name': {body!r:.200}"
        raise ValueError(msg)
    details, variations = campaign_details_rows(campaign_id, body)
    return {"details": [details], "variations": variations}


def _canvas_details(canvas_id: str, body: Mapping[str, Any]) -> RoleRows:
    details, variants, steps = canvas_details_rows(canvas_id, check_canvas_details(body))
    return {"details": [details], "variants": variants, "steps": steps}


CAMPAIGNS = CatalogFamily(
    name="campaigns",
    list_path="/campaigns/list",
    details_path="/campaigns/details",
    items_key="campaigns",
    id_param="campaign_id",
    list_rows=campaign_list_rows,
    details_rows=_campaign_details,
    details_stream="campaign_details",
)

CANVASES = CatalogFamily(
    name="canvases",
    list_path="/canvas/list",
    details_path="/canvas/details",
    items_key="canvases",
    id_param="canvas_id",
    list_rows=canvas_list_rows,
    details_rows=_canvas_details,
    details_stream="canvas_details",
)


def list_entries(body: object, family: CatalogFamily) -> list[Mapping[str, Any]]:
    """The raw entries of one list page (each with a string ``id``)."""
    entries = body.get(family.items_key) if isinstance(body, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries
    ):
        msg = f"no '{family.items_key}' list of entries with an 'id'"
        raise ValueError(msg)
    return entries
