"""What each dbt mart (transform/) must hold, computed in Python from the simulator: its
model's names, Canvas flows and Canvas day objects, and the records the independent oracles
derive from its series (oracle.py for sends and campaigns, oracle_workspace_sim.py for the
workspace). Never from the tap's tables, and nothing from tap_braze_sends or transform/.

The channel -> metric mapping below is written from transform/README.md's table (a test
checks that the table, this mapping and the package's var agree).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from braze_simulator import Workspace, workspace_canvases
from braze_simulator.canvas_stats import Breakdown, canvas_series
from braze_simulator.catalog import campaign_variations
from braze_simulator.workspace_series import segments

Row = dict[str, Any]
Mart = dict[tuple, Row]

PUSH = ("ios_push", "android_push", "kindle_push", "web_push")
# measure -> channel -> Braze metric; "api_send": /sends/data_series (any channel);
# "other_channels": a channel not named.
CHANNEL_MEASURES: dict[str, dict[str, str]] = {
    "sent": {
        **dict.fromkeys(("email", *PUSH, "webhook", "sms", "whats_app", "content_cards"), "sent"),
        "api_send": "sent",
        "other_channels": "sent",
    },
    "delivered": {
        **dict.fromkeys(("email", "sms", "whats_app"), "delivered"),
        "api_send": "delivered",
        "other_channels": "delivered",
    },
    "opens": {
        "email": "unique_opens",
        **dict.fromkeys(PUSH, "direct_opens"),
        "whats_app": "read",
        "content_cards": "unique_impressions",
        "in_app_message": "impressions",
        "trigger_in_app_message": "impressions",
        "api_send": "direct_opens",
    },
    "clicks": {
        "email": "unique_clicks",
        **dict.fromkeys(PUSH, "body_clicks"),
        "sms": "clicks",
        "content_cards": "unique_clicks",
        "in_app_message": "clicks",
        "trigger_in_app_message": "clicks",
        "api_send": "body_clicks",
    },
    "bounces": {**dict.fromkeys(("email", *PUSH), "bounces"), "api_send": "bounces"},
    "unsubscribes": {"email": "unsubscribes", "sms": "opt_out"},
}
MEASURES = tuple(CHANNEL_MEASURES)
NAMED_CHANNELS = {
    c for m in CHANNEL_MEASURES.values() for c in m if c not in ("api_send", "other_channels")
}
_EVERYTHING = Breakdown(variants=True, steps=True, deleted_steps=True)


def metric_for(measure: str, channel: str, *, send: bool = False) -> str | None:
    by_channel = CHANNEL_MEASURES[measure]
    if send:
        return by_channel.get("api_send")
    if channel in NAMED_CHANNELS:
        return by_channel.get(channel)
    return by_channel.get("other_channels")


def total(values: Iterable[Any]) -> Any:
    """SQL's SUM: None when every value is None (or there is none)."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _measures(rows: list[Row], *, send: bool = False) -> Row:
    return {
        m: total(r.get(metric_for(m, r["channel"], send=send) or "") for r in rows)
        for m in MEASURES
    }


def _group(rows: Iterable[Row], *keys: str) -> dict[tuple, list[Row]]:
    out: dict[tuple, list[Row]] = defaultdict(list)
    for row in rows:
        out[tuple(row[k] for k in keys)].append(row)
    return out


def campaign_marts(ws: Workspace, records: dict[str, list[Row]]) -> dict[str, Mart]:
    """braze__campaign_daily, _channel_daily, _variation_daily and braze__send_daily from the
    oracle's send and campaign records."""
    names = {c.campaign_id: c.name for c in ws.campaigns}
    variation_names = {
        (c.campaign_id, v.api_id): v.name
        for c in ws.campaigns
        for variations in campaign_variations(c, ws.seed).values()
        for v in variations
    }
    messages = [
        {**r, "variation_key": r["variation_api_id"] or r["variation"]}
        for r in records.get("campaign_message_analytics", [])
    ]
    days = {(r["campaign_id"], r["time"]): r for r in records.get("campaign_analytics", [])}
    by_day = _group(messages, "campaign_id", "time")
    daily = {}
    for key in days.keys() | by_day.keys():
        day = days.get(key, {})
        daily[key] = {
            "campaign_name": names.get(key[0]),
            "unique_recipients": day.get("unique_recipients"),
            "conversions": day.get("conversions"),
            "revenue": day.get("revenue"),
            "sent": _measures(by_day.get(key, []))["sent"],
        }
    channel = {
        key: {"campaign_name": names.get(key[0]), **_measures(rows)}
        for key, rows in _group(messages, "campaign_id", "time", "channel").items()
    }
    variation = {
        key: {
            "campaign_name": names.get(key[0]),
            "variation_name": variation_names.get((key[0], key[3]))
            or max((r["variation_name"] for r in rows if r["variation_name"]), default=None),
            **_measures(rows),
        }
        for key, rows in _group(messages, "campaign_id", "time", "channel", "variation_key").items()
    }
    send_keys = {
        (r["campaign_id"], r["send_id"], r["time"]) for r in records.get("send_analytics", [])
    }
    send_rows = _group(records.get("send_message_analytics", []), "campaign_id", "send_id", "time")
    send = {
        key: {"campaign_name": names.get(key[0]), **_measures(send_rows.get(key, []), send=True)}
        for key in send_keys | send_rows.keys()
    }
    return {
        "braze__campaign_daily": daily,
        "braze__campaign_channel_daily": channel,
        "braze__campaign_variation_daily": variation,
        "braze__send_daily": send,
    }


def step_positions(canvas: Any) -> dict[str, int]:
    """Live step id -> the length of the shortest path to it from a variant's first step
    (1 for a first step) over the flow's links (next_paths), by breadth-first search."""
    live = {s.step_id: s for s in canvas.live_steps}
    frontier = {i for v in canvas.variants for i in v.first_step_ids if i in live}
    positions: dict[str, int] = {}
    level = 1
    while frontier:
        for step_id in frontier:
            positions[step_id] = level
        frontier = {
            nxt for i in frontier for _, nxt in live[i].next_paths if nxt in live
        } - positions.keys()
        level += 1
    return positions


def canvas_marts(
    ws: Workspace, canvas_ids: list[str], first: dt.date, last: dt.date
) -> dict[str, Mart]:
    """braze__canvas_variant_daily and braze__canvas_step_daily from the model's Canvases and
    their day objects."""
    variants: Mart = {}
    steps: Mart = {}
    for canvas in workspace_canvases(ws):
        if canvas.canvas_id not in canvas_ids:
            continue
        variant_names = {v.variant_id: v.name for v in canvas.variants}
        live = {s.step_id: s.name for s in canvas.live_steps}
        positions = step_positions(canvas)
        for day in canvas_series(ws, canvas, first, last, _EVERYTHING):
            time = str(day["time"])[:10]
            for variant_id, stats in day["variant_stats"].items():
                entries, conversions = stats.get("entries"), stats.get("conversions")
                variants[(canvas.canvas_id, variant_id, time)] = {
                    "canvas_name": canvas.name,
                    "variant_name": variant_names.get(variant_id, stats.get("name")),
                    "entries": entries,
                    "conversions": conversions,
                    "revenue": stats.get("revenue"),
                    "conversion_rate": conversions / entries
                    if entries and conversions is not None
                    else None,
                }
            for step_id, stats in day["step_stats"].items():
                entries = [
                    {**e, "channel": channel}
                    for channel, listed in (stats.get("messages") or {}).items()
                    for e in listed or []
                ]
                steps[(canvas.canvas_id, step_id, time)] = {
                    "canvas_name": canvas.name,
                    "step_name": live.get(step_id, stats.get("name")),
                    "step_position": positions.get(step_id),
                    "unique_recipients": stats.get("unique_recipients"),
                    "conversions": stats.get("conversions"),
                    "revenue": stats.get("revenue"),
                    "sent": _measures(entries)["sent"] if entries else None,
                    "deleted": step_id not in live,
                }
    return {"braze__canvas_variant_daily": variants, "braze__canvas_step_daily": steps}


def workspace_marts(ws: Workspace, records: dict[str, list[Row]]) -> dict[str, Mart]:
    """braze__app_daily, _custom_event_daily, _purchase_daily and _segment_daily from the
    workspace oracle's records."""
    kpis = {(r["app_id"], r["time"]): r for r in records.get("app_kpis", [])}
    sessions = {
        (r["app_id"], r["time"]): r["sessions"]
        for r in records.get("session_analytics", [])
        if r["segment_id"] == "*"
    }
    app = {}
    for key in kpis.keys() | sessions.keys():
        k = kpis.get(key, {})
        dau, mau = k.get("dau"), k.get("mau")
        app[key] = {
            "dau": dau,
            "mau": mau,
            "stickiness": dau / mau if mau and dau is not None else None,
            "new_users": k.get("new_users"),
            "uninstalls": k.get("uninstalls"),
            "sessions": sessions.get(key),
        }
    events = {
        (r["event_name"], r["app_id"], r["time"]): {"count": r["count"]}
        for r in records.get("custom_event_analytics", [])
        if r["segment_id"] == "*"
    }
    purchases = {
        (r["product"], r["app_id"], r["time"]): {"quantity": r["quantity"], "revenue": r["revenue"]}
        for r in records.get("purchase_analytics", [])
    }
    names = {s.segment_id: s.name for s in segments(ws)}
    sizes = {(r["segment_id"], r["time"]): r["size"] for r in records.get("segment_analytics", [])}
    segment = {}
    for (segment_id, time), size in sizes.items():
        before = sizes.get(
            (segment_id, (dt.date.fromisoformat(time) - dt.timedelta(days=1)).isoformat())
        )
        segment[(segment_id, time)] = {
            "segment_name": names.get(segment_id),
            "size": size,
            "size_change": size - before if size is not None and before is not None else None,
        }
    return {
        "braze__app_daily": app,
        "braze__custom_event_daily": events,
        "braze__purchase_daily": purchases,
        "braze__segment_daily": segment,
    }
