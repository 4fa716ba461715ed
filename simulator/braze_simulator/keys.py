"""The simulator's REST API keys and the permissions each one holds."""

from __future__ import annotations

CAMPAIGN_PERMISSIONS = frozenset(
    {"sends.data_series", "campaigns.data_series", "campaigns.list", "campaigns.details"}
)

DEFAULT_KEY = "sim-secret-key"
SENDS_ONLY_KEY = "sim-sends-only"
CAMPAIGNS_ONLY_KEY = "sim-campaigns-only"
NO_LIST_KEY = "sim-no-campaigns-list"
NO_DETAILS_KEY = "sim-no-campaigns-details"

KEYS: dict[str, set[str]] = {
    DEFAULT_KEY: set(CAMPAIGN_PERMISSIONS),
    SENDS_ONLY_KEY: {"sends.data_series"},
    CAMPAIGNS_ONLY_KEY: {"campaigns.data_series"},
    # Everything but one catalogue permission: the tap's discovery must name what is missing.
    NO_LIST_KEY: set(CAMPAIGN_PERMISSIONS - {"campaigns.list"}),
    NO_DETAILS_KEY: set(CAMPAIGN_PERMISSIONS - {"campaigns.details"}),
}
