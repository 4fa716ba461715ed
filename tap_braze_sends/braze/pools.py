"""Braze's rate-limit pools and the budget it documents for each (/work/shared/braze-api.md):
what a run's planned requests are measured against before any is sent."""

from __future__ import annotations

from tap_braze_sends.braze.workspace_catalogues import SMALL_POOL, SMALL_POOL_PER_HOUR

POOL_PER_HOUR = {
    "default": 250_000,
    "campaign_analytics": 50_000 * 60,  # 50,000 a minute
    SMALL_POOL: SMALL_POOL_PER_HOUR,
}
"""Requests an hour per pool name (``Series.pool``); a pool not named here has the default's."""


def per_hour(pool: str) -> int:
    return POOL_PER_HOUR.get(pool, POOL_PER_HOUR["default"])
