"""Every setting of the tap, each declared once, and the config schema derived from them.

`--about`, the README settings table, the Meltano Hub file and meltano.yml's extractor settings
are generated from :data:`CONFIG_SCHEMA` (scripts/update_readme.py, scripts/plugin_defs.py);
`Settings` takes its defaults and `parse_settings` its parsers from :data:`SPECS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from singer_sdk import typing as th

from tap_braze_sends.braze.units import MAX_WINDOW_DAYS
from tap_braze_sends.connection_values import parse_api_key, parse_api_url
from tap_braze_sends.setting_spec import SettingSpec, allowing_zero, config_schema, int_between
from tap_braze_sends.setting_values import parse_date, parse_seconds, parse_shard
from tap_braze_sends.source_settings import SOURCE_SPECS

MAX_LOOKBACK_DAYS = 3650
"""Ten years: more is a typo (Braze keeps no analytics that old), and dates would overflow."""
MAX_RETRIES = 100
MAX_PARALLEL_REQUESTS = 64
START_OFFSET_DAYS = 14
"""start_date's default: this many days before end_date (or today, if earlier)."""

_API_KEY_HELP = (
    "Braze REST API key. Surrounding whitespace (a secret file's final line break) is "
    "stripped; a key that still holds a space, a control or a non-ASCII character is a "
    "config error. It is sent only over https (or to this machine), never logged. "
    "Permissions, as the selected streams and settings need them: "
    "sends.data_series (sends), campaigns.data_series (campaign analytics), campaigns.list "
    "(all_campaigns, the campaigns stream), campaigns.details (campaign_details, "
    "campaign_variations), canvas.list (all_canvases, the canvases stream), canvas.details "
    "(Canvas details, variants and steps), canvas.data_series (Canvas analytics), "
    "kpi.dau.data_series, kpi.mau.data_series, kpi.new_users.data_series and "
    "kpi.uninstalls.data_series (app_kpis, one per column), sessions.data_series (session "
    "streams), segments.data_series (segment_analytics), segments.list (all_segments, the "
    "segments stream), segments.details (segment_details), events.data_series (custom event "
    "streams), events.get (all_events, the custom_events stream), purchases.quantity_series "
    "and purchases.revenue_series (purchase streams), purchases.product_list (all_products, "
    "the products stream)."
)

SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "api_key",
        "API key",
        th.StringType,
        parse_api_key,
        _API_KEY_HELP,
        default="",
        required=True,
        secret=True,
    ),
    SettingSpec(
        "api_url",
        "API URL",
        th.StringType,
        parse_api_url,
        "REST endpoint of your Braze instance, e.g. https://rest.iad-01.braze.com (no path, "
        "query, fragment or user:password@; https only, plain http to this machine alone).",
        default="",
        required=True,
    ),
    *SOURCE_SPECS,
    SettingSpec(
        "shard",
        "Shard",
        th.StringType,
        parse_shard,
        'This job\'s share of the work, "k/n" (e.g. "2/8"): the partitions whose stable hash '
        "of their ids falls in shard k of n. Default: all. Give each of the n jobs its own "
        "--state-id-suffix.",
    ),
    SettingSpec(
        "start_date",
        "Start date",
        th.DateType,
        parse_date,
        f"First day to extract where no bookmark exists (default: {START_OFFSET_DAYS} days "
        "before today).",
    ),
    SettingSpec(
        "end_date",
        "End date",
        th.DateType,
        parse_date,
        "Last day to extract (default: today, UTC).",
    ),
    SettingSpec(
        "lookback_days",
        "Lookback days",
        th.IntegerType,
        int_between(0, MAX_LOOKBACK_DAYS),
        "Days before the bookmark that each run re-reads, because Braze restates recent "
        "days. >= 0.",
        default=14,
    ),
    SettingSpec(
        "window_days",
        "Window days",
        th.IntegerType,
        int_between(1, MAX_WINDOW_DAYS),
        f"Days per request, 1..{MAX_WINDOW_DAYS}.",
        default=MAX_WINDOW_DAYS,
    ),
    SettingSpec(
        "max_parallel_requests",
        "Max parallel requests",
        th.IntegerType,
        int_between(1, MAX_PARALLEL_REQUESTS),
        f"Requests in flight at once across partitions, 1..{MAX_PARALLEL_REQUESTS} "
        "(1 = sequential). All share Braze's rate budget.",
        default=8,
    ),
    SettingSpec(
        "request_timeout",
        "Request timeout",
        th.NumberType,
        parse_seconds,
        "Seconds a whole response (its headers and its whole body) may take before it is cut "
        "off and retried.",
        default=60.0,
    ),
    SettingSpec(
        "max_retries",
        "Max retries",
        th.IntegerType,
        int_between(0, MAX_RETRIES),
        "Retries of a failed request (5xx, connection errors, timeouts, truncated bodies), "
        "with exponential backoff and jitter.",
        default=8,
    ),
    SettingSpec(
        "retry_initial_wait",
        "Retry initial wait",
        th.NumberType,
        # 0 is allowed: retries without a pause (tests, or a proxy that does its own backoff).
        allowing_zero(parse_seconds),
        "Seconds of the first retry's backoff (jittered up to twice it); each next one "
        "triples (max 60). A pool's retries also go at most 4 a second once 8 have gone "
        "without an answer. 0: no backoff at all.",
        default=0.1,
    ),
    SettingSpec(
        "max_rate_limit_wait",
        "Max rate-limit wait",
        th.NumberType,
        parse_seconds,
        "Longest wait, in seconds, for a Braze rate-limit pool to reset; past it, that "
        "pool's partitions are deferred to the next run (default 900).",
        default=900.0,
    ),
)

SPEC_BY_NAME: dict[str, SettingSpec] = {spec.name: spec for spec in SPECS}

CONFIG_SCHEMA: dict[str, Any] = config_schema(SPECS)


def default_of(name: str) -> Any:
    """The declared default of setting ``name`` (a KeyError for a name never declared)."""
    return SPEC_BY_NAME[name].default


def settings_giving(partitions: Iterable[str]) -> tuple[str, ...]:
    """The declared settings that ask data of any of ``partitions``, in declared order."""
    wanted = frozenset(partitions)
    return tuple(spec.name for spec in SPECS if spec.gives in wanted)


def start_date_default(end_date: dt.date, today: dt.date) -> dt.date:
    return min(end_date, today) - dt.timedelta(days=START_OFFSET_DAYS)
