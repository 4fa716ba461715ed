"""The settings that say what to extract: which sends, campaigns, Canvases, apps, segments,
custom events and products. Each names the partitions it gives (``gives``), so that the
"nothing to extract" check can tell which streams a config asks data of.
"""

from __future__ import annotations

from singer_sdk import typing as th

from tap_braze_sends.connection_values import parse_sends
from tap_braze_sends.setting_spec import SettingSpec, id_list, name_list
from tap_braze_sends.setting_values import parse_bool, parse_path

_IDS = th.ArrayType(th.StringType)
_NAME_HELP = (
    "kept exactly as Braze shows it (spaces, &, /, %, quotes and any script; only surrounding "
    'whitespace is dropped; "*" alone is reserved). From an environment variable (--config ENV '
    "or Meltano): a JSON list, or the names separated by commas"
)

SOURCE_SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "sends",
        "Sends",
        th.ArrayType(
            th.ObjectType(
                th.Property("campaign_id", th.StringType, required=True),
                th.Property("send_id", th.StringType, required=True),
            )
        ),
        parse_sends,
        "API-campaign sends to extract, each {campaign_id, send_id}.",
        default=(),
        gives="send",
    ),
    SettingSpec(
        "sends_file",
        "Sends file",
        th.StringType,
        parse_path,
        "Path to a file of more sends to extract, read at the start of each run: a CSV with "
        'the header campaign_id,send_id, or JSON lines ({"campaign_id": ..., "send_id": ...} '
        "per line). Merged with sends.",
        gives="send",
    ),
    SettingSpec(
        "campaign_ids",
        "Campaign IDs",
        _IDS,
        id_list("campaign id"),
        "Campaign API identifiers to extract.",
        default=(),
        gives="campaign",
    ),
    SettingSpec(
        "all_campaigns",
        "All campaigns",
        th.BooleanType,
        parse_bool,
        "Also extract every campaign that /campaigns/list returns (together with "
        "campaign_ids, without duplicates). Campaigns that cannot have data in the range "
        "(drafts never sent, archived and dormant) get no analytics requests.",
        default=False,
        gives="campaign",
    ),
    SettingSpec(
        "include_archived",
        "Include archived",
        th.BooleanType,
        parse_bool,
        "Whether archived campaigns and Canvases count when listing them: they keep their "
        "data and keep converting for a while after their last send.",
        default=True,
    ),
    SettingSpec(
        "canvas_ids",
        "Canvas IDs",
        _IDS,
        id_list("Canvas id"),
        "Canvas API identifiers to extract.",
        default=(),
        gives="canvas",
    ),
    SettingSpec(
        "all_canvases",
        "All Canvases",
        th.BooleanType,
        parse_bool,
        "Also extract every Canvas that /canvas/list returns (together with canvas_ids, "
        "without duplicates).",
        default=False,
        gives="canvas",
    ),
    SettingSpec(
        "include_deleted_steps",
        "Include deleted steps",
        th.BooleanType,
        parse_bool,
        "Ask /canvas/data_series for the stats of deleted Canvas steps too "
        "(include_deleted_step_data), so that step rows add up to the Canvas totals.",
        default=True,
    ),
    SettingSpec(
        "app_ids",
        "App IDs",
        _IDS,
        id_list("app id", "it is the app_id of the rows over all apps, which are always read"),
        "App API identifiers (API Keys page) to break the workspace series down by: KPIs, "
        "sessions, custom events and purchases are also read per app. The series over all "
        'apps is always read; its rows carry app_id "*".',
        default=(),
        gives="app",
    ),
    SettingSpec(
        "segment_ids",
        "Segment IDs",
        _IDS,
        id_list("segment id", "set all_segments to true to read every analytics-tracked segment"),
        "Segment API identifiers whose daily size series to read. Each must have analytics "
        "tracking on (Braze has no series for the others).",
        default=(),
        gives="segment",
    ),
    SettingSpec(
        "all_segments",
        "All segments",
        th.BooleanType,
        parse_bool,
        "Also read every analytics-tracked segment that /segments/list returns (together "
        "with segment_ids, without duplicates).",
        default=False,
        gives="segment",
    ),
    SettingSpec(
        "breakdown_segment_ids",
        "Breakdown segment IDs",
        _IDS,
        id_list(
            "segment id", "it is the segment_id of the rows over all users, which are always read"
        ),
        "Analytics-tracked segments by which sessions and custom events are also read. The "
        'series over all users is always read; its rows carry segment_id "*".',
        default=(),
        gives="breakdown_segment",
    ),
    SettingSpec(
        "event_names",
        "Event names",
        _IDS,
        name_list("event name", "set all_events to true to read every custom event"),
        f"Custom events to read, by name, {_NAME_HELP}.",
        default=(),
        gives="event",
    ),
    SettingSpec(
        "all_events",
        "All events",
        th.BooleanType,
        parse_bool,
        "Also read every custom event that Braze lists (together with event_names, without "
        "duplicates).",
        default=False,
        gives="event",
    ),
    SettingSpec(
        "products",
        "Products",
        _IDS,
        name_list(
            "product name",
            "it is the product of the rows over all products, which are always read; set "
            "all_products to true to read every product one by one",
        ),
        f"Products to read purchases of, one by one, by name, {_NAME_HELP}. Purchases over all "
        'products are always read; their rows carry product "*".',
        default=(),
        gives="product",
    ),
    SettingSpec(
        "all_products",
        "All products",
        th.BooleanType,
        parse_bool,
        "Also read every product that /purchases/product_list returns (together with "
        "products, without duplicates).",
        default=False,
        gives="product",
    ),
)
