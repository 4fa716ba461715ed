"""The simulator's REST API keys and the permissions each one holds."""

from __future__ import annotations

DEFAULT_KEY = "sim-secret-key"
SENDS_ONLY_KEY = "sim-sends-only"
CAMPAIGNS_ONLY_KEY = "sim-campaigns-only"

KEYS: dict[str, set[str]] = {
    DEFAULT_KEY: {"sends.data_series", "campaigns.data_series"},
    SENDS_ONLY_KEY: {"sends.data_series"},
    CAMPAIGNS_ONLY_KEY: {"campaigns.data_series"},
}
