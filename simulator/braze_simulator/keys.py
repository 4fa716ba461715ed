"""The simulator's REST API keys and the permissions each one holds."""

from __future__ import annotations

CAMPAIGN_PERMISSIONS = frozenset(
    {"sends.data_series", "campaigns.data_series", "campaigns.list", "campaigns.details"}
)
CANVAS_PERMISSIONS = frozenset({"canvas.list", "canvas.details", "canvas.data_series"})
KPI_PERMISSIONS = frozenset(
    {
        "kpi.dau.data_series",
        "kpi.mau.data_series",
        "kpi.new_users.data_series",
        "kpi.uninstalls.data_series",
    }
)
WORKSPACE_PERMISSIONS = KPI_PERMISSIONS | frozenset(
    {
        "segments.list",
        "segments.details",
        "segments.data_series",
        "sessions.data_series",
        "events.list",
        "events.get",
        "events.data_series",
        "purchases.product_list",
        "purchases.quantity_series",
        "purchases.revenue_series",
    }
)
ALL_PERMISSIONS = CAMPAIGN_PERMISSIONS | CANVAS_PERMISSIONS | WORKSPACE_PERMISSIONS

DEFAULT_KEY = "sim-secret-key"
SENDS_ONLY_KEY = "sim-sends-only"
CAMPAIGNS_ONLY_KEY = "sim-campaigns-only"
# Keys with every permission but one: the tap's discovery must name what is missing.
NO_SENDS_SERIES_KEY = "sim-no-sends-data-series"
NO_CAMPAIGNS_SERIES_KEY = "sim-no-campaigns-data-series"
NO_LIST_KEY = "sim-no-campaigns-list"
NO_DETAILS_KEY = "sim-no-campaigns-details"
KEY_WITHOUT_CANVAS_LIST = "sim-no-canvas-list"
KEY_WITHOUT_CANVAS_DETAILS = "sim-no-canvas-details"
KEY_WITHOUT_CANVAS_DATA_SERIES = "sim-no-canvas-data-series"
KEY_LACKING: dict[str, str] = {
    "sends.data_series": NO_SENDS_SERIES_KEY,
    "campaigns.data_series": NO_CAMPAIGNS_SERIES_KEY,
    "campaigns.list": NO_LIST_KEY,
    "campaigns.details": NO_DETAILS_KEY,
    "canvas.list": KEY_WITHOUT_CANVAS_LIST,
    "canvas.details": KEY_WITHOUT_CANVAS_DETAILS,
    "canvas.data_series": KEY_WITHOUT_CANVAS_DATA_SERIES,
    # e.g. "sim-no-kpi-new-users-data-series" for a key without "kpi.new_users.data_series".
    **{p: "sim-no-" + p.replace(".", "-").replace("_", "-") for p in sorted(WORKSPACE_PERMISSIONS)},
}
# A key for the workspace series alone: what a team that reads only its KPIs would create.
WORKSPACE_ONLY_KEY = "sim-workspace-only"


def keys_lacking_one(full_permissions: frozenset[str]) -> dict[str, set[str]]:
    """One key per permission of the full set, holding all of them but that one."""
    return {KEY_LACKING[missing]: set(full_permissions - {missing}) for missing in full_permissions}


KEYS: dict[str, set[str]] = {
    DEFAULT_KEY: set(ALL_PERMISSIONS),
    SENDS_ONLY_KEY: {"sends.data_series"},
    CAMPAIGNS_ONLY_KEY: {"campaigns.data_series"},
    WORKSPACE_ONLY_KEY: set(WORKSPACE_PERMISSIONS),
    **keys_lacking_one(ALL_PERMISSIONS),
}
