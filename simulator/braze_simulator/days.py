"""Day objects of the two series, as Braze's JSON (pure and cached: no clock, no I/O).

Shapes real bodies carry and the simulator reproduces: entries with both `variation_name` and
`variation_api_id`; control groups with `enrolled` and `null` send metrics; channels that are
`null` or `[]` on some days (never on an entity's first day, so every variation shows up);
push entries with revenue and conversions; a metric that is `null`; an email metric and a
channel ("line") that no doc names.
"""

from __future__ import annotations

import json
import random
from datetime import date
from functools import lru_cache
from typing import Any

from braze_simulator.draws import (
    UNKNOWN_EMAIL_METRIC,
    channel_shape,
    conversions,
    day_totals,
    has_unknown_metric,
    is_sparse,
    metrics,
    null_one_metric,
    share,
)
from braze_simulator.entities import SimCampaign, SimSend
from braze_simulator.hashing import seeded_rng
from braze_simulator.metrics import IN_APP_CHANNELS, IN_APP_METRICS, PUSH_CHANNELS, metric_table
from braze_simulator.variations import Variation, channel_variations

__all__ = ["campaign_day_json", "is_sparse", "send_day_json"]

# /sends/data_series documents one metric list for every channel.
_SEND_COUNTS = (
    "sent",
    "delivered",
    "undelivered",
    "delivery_failed",
    "direct_opens",
    "total_opens",
    "bounces",
    "body_clicks",
)


def _send_entry(rng: random.Random, volume: float, day_index: int, events: int) -> dict[str, Any]:
    # Messages go out on the send day; opens and conversions trail off over the next days.
    sent = int(volume) if day_index == 0 else 0
    bounces = int(sent * rng.uniform(0.0, 0.02))
    delivery_failed = int(sent * rng.uniform(0.0, 0.01))
    engagement = volume * 0.5**day_index
    direct_opens = int(engagement * rng.uniform(0.02, 0.08))
    conv = conversions(rng, engagement, events)
    return {
        "sent": sent,
        "delivered": sent - bounces - delivery_failed,
        "undelivered": bounces + delivery_failed,
        "delivery_failed": delivery_failed,
        "direct_opens": direct_opens,
        "total_opens": direct_opens + int(engagement * rng.uniform(0.0, 0.05)),
        "bounces": bounces,
        "body_clicks": int(engagement * rng.uniform(0.01, 0.04)),
        "revenue": conv.pop("revenue"),
        "unique_recipients": int(engagement * rng.uniform(0.3, 1.0)),
        **conv,
    }


def _control_entry(
    rng: random.Random, count_names: list[str], volume: float, events: int
) -> dict[str, Any]:
    # Enrolled users receive nothing, so send metrics are null; Braze still counts conversions.
    conv = conversions(rng, volume, events)
    return {
        "enrolled": int(volume * rng.uniform(0.05, 0.15)),
        **dict.fromkeys(count_names),
        "unique_recipients": None,
        "revenue": conv.pop("revenue"),
        **conv,
    }


def _identity(variation: Variation, *, with_name: bool) -> dict[str, Any]:
    if with_name or variation.is_control:
        return {"variation_name": variation.name, "variation_api_id": variation.api_id}
    return {"variation_api_id": variation.api_id}


@lru_cache(maxsize=50_000)
def send_day_json(send: SimSend, day: date, revision: int, seed: int) -> str:
    key = f"{send.campaign_id}/{send.send_id}"
    rng = seeded_rng(seed, "send", key, day.isoformat(), revision)
    volume = seeded_rng(seed, "volume", key).randint(2_000, 50_000)
    day_index = (day - send.send_date).days
    events = send.conversion_events
    by_channel = channel_variations(
        seed, send.campaign_id, send.channels, minimum=1, has_control=send.has_control
    )
    messages: dict[str, list[dict[str, Any]] | None] = {}
    all_entries: list[dict[str, Any]] = []
    for channel, variations in by_channel.items():
        shape = None if day_index == 0 else channel_shape(seed, key, day, channel)
        if shape is not None:
            messages[channel] = None if shape == "null" else []
            continue
        parts = sum(not v.is_control for v in variations)
        entries: list[dict[str, Any]] = []
        for v in variations:
            ident = _identity(v, with_name=True)
            if v.is_control:
                engagement = volume * 0.5**day_index
                control = _control_entry(rng, list(_SEND_COUNTS), engagement, events)
                entries.append({**ident, **control})
                continue
            entry = {**ident, **_send_entry(rng, share(rng, volume, parts), day_index, events)}
            null_one_metric(entry, list(_SEND_COUNTS), seed, key, day.isoformat(), v.api_id)
            # The day after the send always, other days now and then.
            if channel == "email" and (day_index == 1 or has_unknown_metric(seed, key, day)):
                entry[UNKNOWN_EMAIL_METRIC] = int(volume * rng.uniform(0.0, 0.01))
            entries.append(entry)
        messages[channel] = entries
        all_entries.extend(entries)
    obj: dict[str, Any] = {"time": day.isoformat(), "messages": messages}
    obj.update(day_totals(rng, all_entries, volume * 0.5**day_index, events))
    return json.dumps(obj, separators=(",", ":"))


def _campaign_metrics(
    rng: random.Random, campaign: SimCampaign, channel: str, volume: float, *, sending: bool
) -> dict[str, Any]:
    # After the last send the counts are zero; conversions still arrive.
    counted = volume if sending else 0.0
    if channel in IN_APP_CHANNELS:
        out: dict[str, Any] = metrics(rng, IN_APP_METRICS, counted)
    else:
        out = metrics(rng, metric_table(channel), counted)
        if campaign.quirks and channel == "email":
            out["machine_amp_open"] = int(counted * rng.uniform(0.0, 0.05))
        if channel not in PUSH_CHANNELS:
            return out
    # In-app and (in real bodies) push entries carry revenue and conversions of their own.
    conv = conversions(rng, volume, campaign.conversion_events)
    out["revenue"] = conv.pop("revenue")
    out["unique_recipients"] = int(volume * rng.uniform(0.5, 0.9))
    out.update(conv)
    return out


@lru_cache(maxsize=50_000)
def campaign_day_json(campaign: SimCampaign, day: date, revision: int, seed: int) -> str:
    cid = campaign.campaign_id
    rng = seeded_rng(seed, "campaign", cid, day.isoformat(), revision)
    volume = seeded_rng(seed, "volume", cid).randint(500, 20_000) * rng.uniform(0.6, 1.4)
    sending = campaign.is_sending(day)
    if not sending and campaign.last_day is not None:
        volume *= 0.7 ** (day - campaign.last_day).days  # conversions trail off
    events = campaign.conversion_events
    by_channel = channel_variations(
        seed,
        cid,
        campaign.channels,
        minimum=2 if campaign.multivariate else 1,
        has_control=campaign.has_control,
    )
    anonymous_channel = (
        ("webhook" if "webhook" in campaign.channels else campaign.channels[0])
        if campaign.quirks and campaign.channels
        else None
    )
    unknown_metric = has_unknown_metric(seed, cid, day)
    messages: dict[str, list[dict[str, Any]] | None] = {}
    all_entries: list[dict[str, Any]] = []
    for channel, variations in by_channel.items():
        shape = None if day == campaign.first_day else channel_shape(seed, cid, day, channel)
        if shape is not None:
            messages[channel] = None if shape == "null" else []
            continue
        counts = [name for name, _, _ in metric_table(channel)]
        parts = sum(not v.is_control for v in variations)
        entries: list[dict[str, Any]] = []
        for v in variations:
            if v.is_control:
                continue
            entry = _identity(v, with_name=campaign.multivariate)
            part = share(rng, volume, parts)
            entry.update(_campaign_metrics(rng, campaign, channel, part, sending=sending))
            null_one_metric(entry, counts, seed, cid, day.isoformat(), v.api_id)
            if channel == "email" and unknown_metric:
                entry[UNKNOWN_EMAIL_METRIC] = int(volume * rng.uniform(0.0, 0.01))
            entries.append(entry)
        if channel == anonymous_channel:
            entries.append(_campaign_metrics(rng, campaign, channel, volume / 10, sending=sending))
        for v in variations:
            if v.is_control:
                control = _control_entry(rng, counts, volume, events)
                if not sending:
                    control["enrolled"] = 0
                entries.append({**_identity(v, with_name=True), **control})
        messages[channel] = entries
        all_entries.extend(entries)
    time = f"{day.isoformat()}T00:00:00+00:00" if campaign.datetime_times else day.isoformat()
    obj: dict[str, Any] = {"time": time, "messages": messages}
    obj.update(day_totals(rng, all_entries, volume, events))
    if campaign.quirks:
        obj["conversions4"] = int(volume * rng.uniform(0.0, 0.01))
    return json.dumps(obj, separators=(",", ":"))
