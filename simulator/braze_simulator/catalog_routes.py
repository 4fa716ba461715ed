"""GET /campaigns/list and GET /campaigns/details: query validation and answers.

Both draw on Braze's default rate-limit pool (shared with /sends/data_series).
"""

from __future__ import annotations

import re

from braze_simulator.catalog import details_body, list_body
from braze_simulator.query import BadRequest, parse_datetime
from braze_simulator.routing import DEFAULT_POOL, Answer, Route, RouteRequest, json_body

LIST_PATH = "/campaigns/list"
DETAILS_PATH = "/campaigns/details"
EDITED_AFTER_PARAM = "last_edit.time[gt]"
_PAGE = re.compile(r"[0-9]{1,9}")
_BOOLEANS = {"true": True, "false": False}


def _page(params: dict[str, str]) -> int:
    raw = params.get("page", "0")
    if not _PAGE.fullmatch(raw):
        raise BadRequest(f"page must be a non-negative integer, got {raw!r}")
    return int(raw)


def _include_archived(params: dict[str, str]) -> bool:
    raw = params.get("include_archived", "false")
    if raw.lower() not in _BOOLEANS:
        raise BadRequest(f"include_archived must be true or false, got {raw!r}")
    return _BOOLEANS[raw.lower()]


def _descending(params: dict[str, str]) -> bool:
    raw = params.get("sort_direction", "asc")
    if raw not in ("asc", "desc"):
        raise BadRequest(f"sort_direction must be asc or desc, got {raw!r}")
    return raw == "desc"


def _prepare_list(request: RouteRequest) -> Answer:
    params = request.params
    page = _page(params)
    include_archived = _include_archived(params)
    descending = _descending(params)
    raw_after = params.get(EDITED_AFTER_PARAM)
    edited_after = None if raw_after is None else parse_datetime(raw_after, EDITED_AFTER_PARAM)
    ws = request.workspace

    def answer() -> bytes:
        ordered = ws.list_campaigns(
            include_archived=include_archived, descending=descending, edited_after=edited_after
        )
        return json_body(list_body(ordered, page))

    return answer


def _prepare_details(request: RouteRequest) -> Answer:
    ws = request.workspace
    campaign = ws.find_campaign(request.params.get("campaign_id", ""))
    if campaign is None:
        raise BadRequest("campaign_id must be a string of the campaign api identifier")
    return lambda: json_body(details_body(campaign, ws.seed, ws.today))


# Bodies that parse as JSON but are not what the endpoint promises ("bad_shape" fault).
_LIST_BAD_SHAPES = (
    {"message": "success"},
    {"campaigns": None, "message": "success"},
    {"campaigns": {"id": "unexpected"}, "message": "success"},
)
_DETAILS_BAD_SHAPES = (
    {"message": "success"},
    {"messages": [], "message": "success"},
    {"name": None, "messages": None, "message": "success"},
)

CATALOG_ROUTES: dict[str, Route] = {
    LIST_PATH: Route("campaigns.list", DEFAULT_POOL, _prepare_list, _LIST_BAD_SHAPES),
    DETAILS_PATH: Route("campaigns.details", DEFAULT_POOL, _prepare_details, _DETAILS_BAD_SHAPES),
}
