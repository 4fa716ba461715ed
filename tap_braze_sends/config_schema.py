"""The tap's config schema: the one declaration of every setting.

`--about`, the README settings table, the Meltano Hub file and meltano.yml's extractor settings
are all generated from it (scripts/update_readme.py, scripts/plugin_defs.py). Validation of the
values lives in :mod:`tap_braze_sends.settings`.
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_braze_sends.runtime.windows import MAX_WINDOW_DAYS
from tap_braze_sends.settings import (
    DEFAULT_ALL_CAMPAIGNS,
    DEFAULT_ALL_CANVASES,
    DEFAULT_INCLUDE_ARCHIVED,
    DEFAULT_INCLUDE_DELETED_STEPS,
    DEFAULT_LOOKBACK_DAYS,
    DEFAULT_MAX_PARALLEL_REQUESTS,
    DEFAULT_MAX_RATE_LIMIT_WAIT,
    DEFAULT_MAX_RETRIES,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_RETRY_INITIAL_WAIT,
    DEFAULT_WINDOW_DAYS,
    MAX_PARALLEL_REQUESTS,
)

_API_KEY_HELP = (
    "Braze REST API key. Surrounding whitespace (a secret file's final line break) is "
    "stripped; a key that still holds a space, a control or a non-ASCII character is a "
    "config error. It is sent only over https (or to this machine), never logged. "
    "Permissions, as the selected streams and settings need them: "
    "sends.data_series (sends), campaigns.data_series (campaign analytics), campaigns.list "
    "(all_campaigns, the campaigns stream), campaigns.details (campaign_details, "
    "campaign_variations), canvas.list (all_canvases, the canvases stream), canvas.details "
    "(Canvas details, variants and steps), canvas.data_series (Canvas analytics)."
)

CONFIG_SCHEMA: dict = th.PropertiesList(
    th.Property(
        "api_key",
        th.StringType,
        required=True,
        secret=True,
        title="API key",
        description=_API_KEY_HELP,
    ),
    th.Property(
        "api_url",
        th.StringType,
        required=True,
        title="API URL",
        description="REST endpoint of your Braze instance, e.g. "
        "https://rest.iad-01.braze.com (no path, query, fragment or user:password@; "
        "https only, plain http to this machine alone).",
    ),
    th.Property(
        "sends",
        th.ArrayType(
            th.ObjectType(
                th.Property("campaign_id", th.StringType, required=True),
                th.Property("send_id", th.StringType, required=True),
            )
        ),
        default=[],
        title="Sends",
        description="API-campaign sends to extract, each {campaign_id, send_id}.",
    ),
    th.Property(
        "sends_file",
        th.StringType,
        title="Sends file",
        description="Path to a file of more sends to extract, read at the start of each run: "
        "a CSV with the header campaign_id,send_id, or JSON lines "
        '({"campaign_id": ..., "send_id": ...} per line). Merged with sends.',
    ),
    th.Property(
        "campaign_ids",
        th.ArrayType(th.StringType),
        default=[],
        title="Campaign IDs",
        description="Campaign API identifiers to extract.",
    ),
    th.Property(
        "all_campaigns",
        th.BooleanType,
        default=DEFAULT_ALL_CAMPAIGNS,
        title="All campaigns",
        description="Also extract every campaign that /campaigns/list returns (together with "
        "campaign_ids, without duplicates). Campaigns that cannot have data in the range "
        "(drafts never sent, archived and dormant) get no analytics requests.",
    ),
    th.Property(
        "include_archived",
        th.BooleanType,
        default=DEFAULT_INCLUDE_ARCHIVED,
        title="Include archived",
        description="Whether archived campaigns and Canvases count when listing them: they "
        "keep their data and keep converting for a while after their last send.",
    ),
    th.Property(
        "canvas_ids",
        th.ArrayType(th.StringType),
        default=[],
        title="Canvas IDs",
        description="Canvas API identifiers to extract.",
    ),
    th.Property(
        "all_canvases",
        th.BooleanType,
        default=DEFAULT_ALL_CANVASES,
        title="All Canvases",
        description="Also extract every Canvas that /canvas/list returns (together with "
        "canvas_ids, without duplicates).",
    ),
    th.Property(
        "include_deleted_steps",
        th.BooleanType,
        default=DEFAULT_INCLUDE_DELETED_STEPS,
        title="Include deleted steps",
        description="Ask /canvas/data_series for the stats of deleted Canvas steps too "
        "(include_deleted_step_data), so that step rows add up to the Canvas totals.",
    ),
    th.Property(
        "shard",
        th.StringType,
        title="Shard",
        description='This job\'s share of the work, "k/n" (e.g. "2/8"): the partitions whose '
        "stable hash of their ids falls in shard k of n. Default: all. Give each of the n "
        "jobs its own --state-id-suffix.",
    ),
    th.Property(
        "start_date",
        th.DateType,
        title="Start date",
        description="First day to extract where no bookmark exists "
        "(default: 14 days before today).",
    ),
    th.Property(
        "end_date",
        th.DateType,
        title="End date",
        description="Last day to extract (default: today, UTC).",
    ),
    th.Property(
        "lookback_days",
        th.IntegerType,
        default=DEFAULT_LOOKBACK_DAYS,
        title="Lookback days",
        description="Days before the bookmark that each run re-reads, because Braze "
        "restates recent days. >= 0.",
    ),
    th.Property(
        "window_days",
        th.IntegerType,
        default=DEFAULT_WINDOW_DAYS,
        title="Window days",
        description=f"Days per request, 1..{MAX_WINDOW_DAYS}.",
    ),
    th.Property(
        "max_parallel_requests",
        th.IntegerType,
        default=DEFAULT_MAX_PARALLEL_REQUESTS,
        title="Max parallel requests",
        description="Requests in flight at once across partitions, 1.."
        f"{MAX_PARALLEL_REQUESTS} (1 = sequential). All share Braze's rate budget.",
    ),
    th.Property(
        "request_timeout",
        th.NumberType,
        default=DEFAULT_REQUEST_TIMEOUT,
        title="Request timeout",
        description="Seconds a whole response (its headers and its whole body) may take "
        "before it is cut off and retried.",
    ),
    th.Property(
        "max_retries",
        th.IntegerType,
        default=DEFAULT_MAX_RETRIES,
        title="Max retries",
        description="Retries of a failed request (5xx, connection errors, timeouts, "
        "truncated bodies), with exponential backoff and jitter.",
    ),
    th.Property(
        "retry_initial_wait",
        th.NumberType,
        default=DEFAULT_RETRY_INITIAL_WAIT,
        title="Retry initial wait",
        description="Seconds of the first retry's backoff; each next one doubles (max 60).",
    ),
    th.Property(
        "max_rate_limit_wait",
        th.NumberType,
        default=DEFAULT_MAX_RATE_LIMIT_WAIT,
        title="Max rate-limit wait",
        description="Longest wait, in seconds, for Braze's rate limit to reset before "
        "the run fails (default 900).",
    ),
).to_dict()
