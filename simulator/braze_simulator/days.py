"""Day objects of the two series, as Braze's JSON (pure and cached: no clock, no I/O)."""

from __future__ import annotations

import json
import random
from datetime import date
from functools import lru_cache
from typing import Any

from braze_simulator.entities import SimCampaign, SimSend
from braze_simulator.hashing import chance, digest, seeded_rng, stable_uuid
from braze_simulator.metrics import (
    CHANNEL_METRICS,
    CONTROL_GROUP,
    GENERIC_METRICS,
    IN_APP_CHANNELS,
    IN_APP_METRICS,
    Metric,
)

# Share of days that have no element at all in "data" (Braze omits days without activity).
SPARSE_RATE = 0.15


def is_sparse(seed: int, entity_key: str, day: date) -> bool:
    """Whether this entity has no element for this day (independent of restatements)."""
    return chance(SPARSE_RATE, seed, "sparse", entity_key, day.isoformat())


def _metrics(rng: random.Random, table: tuple[Metric, ...], volume: float) -> dict[str, int]:
    return {name: int(volume * rng.uniform(lo, hi)) for name, lo, hi in table}


def _conversions(
    rng: random.Random, volume: float, events: int, *, with_revenue: bool = True
) -> dict[str, Any]:
    conversions = int(volume * rng.uniform(0.0, 0.04))
    out: dict[str, Any] = {}
    if with_revenue:
        out["revenue"] = round(conversions * rng.uniform(5.0, 60.0), 2)
    out["conversions"] = conversions
    out["conversions_by_send_time"] = int(conversions * rng.uniform(0.5, 1.0))
    for n in range(1, events + 1):
        extra = int(volume * rng.uniform(0.0, 0.02))
        out[f"conversions{n}"] = extra
        out[f"conversions{n}_by_send_time"] = int(extra * rng.uniform(0.5, 1.0))
    return out


def _day_totals(
    rng: random.Random, variations: list[dict[str, Any]], volume: float, events: int
) -> dict[str, Any]:
    """Day totals: conversion sums over the variations that carry them, else drawn directly."""
    carriers = [v for v in variations if "conversions" in v]
    if carriers:
        totals: dict[str, Any] = {}
        for name in ("conversions", "conversions_by_send_time"):
            totals[name] = sum(v[name] for v in carriers)
        for n in range(1, events + 1):
            for name in (f"conversions{n}", f"conversions{n}_by_send_time"):
                totals[name] = sum(v.get(name, 0) for v in carriers)
        revenue = round(sum(v.get("revenue", 0.0) for v in carriers), 2)
    else:
        totals = _conversions(rng, volume, events, with_revenue=False)
        revenue = round(totals["conversions"] * rng.uniform(5.0, 60.0), 2)
    totals["unique_recipients"] = int(volume * rng.uniform(0.8, 1.0))
    totals["revenue"] = float(revenue)
    return totals


def _send_variation(
    rng: random.Random, name: str, volume: float, day_index: int, events: int
) -> dict[str, Any]:
    # Messages go out on the send day; opens and conversions trail off over the next days.
    sent = int(volume) if day_index == 0 else 0
    bounces = int(sent * rng.uniform(0.0, 0.02))
    delivery_failed = int(sent * rng.uniform(0.0, 0.01))
    engagement = volume * 0.5**day_index
    direct_opens = int(engagement * rng.uniform(0.02, 0.08))
    conv = _conversions(rng, engagement, events)
    return {
        "variation_name": name,
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


def _share(rng: random.Random, volume: float, parts: int) -> float:
    """One variation's part of the volume, uneven as real audience splits are."""
    return volume / parts * rng.uniform(0.7, 1.3)


def _variation_names(seed: int, entity_id: str, minimum: int = 1) -> list[str]:
    count = minimum + digest(seed, "variations", entity_id) % (4 - minimum)
    return [f"Variant {i}" for i in range(1, count + 1)]


@lru_cache(maxsize=50_000)
def send_day_json(send: SimSend, day: date, revision: int, seed: int) -> str:
    key = f"{send.campaign_id}/{send.send_id}"
    rng = seeded_rng(seed, "send", key, day.isoformat(), revision)
    volume = seeded_rng(seed, "volume", key).randint(2_000, 50_000)
    day_index = (day - send.send_date).days
    names = _variation_names(seed, send.campaign_id)
    events = send.conversion_events
    messages: dict[str, list[dict[str, Any]]] = {}
    all_variations: list[dict[str, Any]] = []
    for channel in send.channels:
        entries = [
            _send_variation(rng, name, _share(rng, volume, len(names)), day_index, events)
            for name in names
        ]
        messages[channel] = entries
        all_variations.extend(entries)
    obj: dict[str, Any] = {"time": day.isoformat(), "messages": messages}
    obj.update(_day_totals(rng, all_variations, volume * 0.5**day_index, events))
    return json.dumps(obj, separators=(",", ":"))


def _campaign_variation(
    rng: random.Random, campaign: SimCampaign, channel: str, volume: float
) -> dict[str, Any]:
    if channel in IN_APP_CHANNELS:
        out: dict[str, Any] = _metrics(rng, IN_APP_METRICS, volume)
        conv = _conversions(rng, volume, campaign.conversion_events)
        out["revenue"] = conv.pop("revenue")
        out["unique_recipients"] = int(volume * rng.uniform(0.5, 0.9))
        out.update(conv)
        return out
    out = _metrics(rng, CHANNEL_METRICS.get(channel, GENERIC_METRICS), volume)
    if campaign.quirks and channel == "email":
        out["machine_amp_open"] = int(volume * rng.uniform(0.0, 0.05))
    return out


def _control_group(rng: random.Random, volume: float) -> dict[str, Any]:
    # Enrolled users receive nothing, so no send metrics; Braze still counts their conversions.
    conv = _conversions(rng, volume, 0)
    return {
        "variation_name": CONTROL_GROUP,
        "enrolled": int(volume * rng.uniform(0.05, 0.15)),
        "revenue": conv["revenue"],
        "conversions": conv["conversions"],
        "conversions_by_send_time": conv["conversions_by_send_time"],
    }


@lru_cache(maxsize=50_000)
def campaign_day_json(campaign: SimCampaign, day: date, revision: int, seed: int) -> str:
    cid = campaign.campaign_id
    rng = seeded_rng(seed, "campaign", cid, day.isoformat(), revision)
    volume = seeded_rng(seed, "volume", cid).randint(500, 20_000) * rng.uniform(0.6, 1.4)
    names = _variation_names(seed, cid, minimum=2 if campaign.multivariate else 1)
    anonymous_channel = (
        ("webhook" if "webhook" in campaign.channels else campaign.channels[0])
        if campaign.quirks and campaign.channels
        else None
    )
    messages: dict[str, list[dict[str, Any]]] = {}
    all_variations: list[dict[str, Any]] = []
    for channel in campaign.channels:
        entries: list[dict[str, Any]] = []
        for i, name in enumerate(names):
            ident = (
                {"variation_name": name}
                if campaign.multivariate
                else {"variation_api_id": stable_uuid(seed, cid, "variation", i)}
            )
            metrics = _campaign_variation(rng, campaign, channel, _share(rng, volume, len(names)))
            entries.append({**ident, **metrics})
        if channel == anonymous_channel:
            entries.append(_campaign_variation(rng, campaign, channel, volume / 10))
        if campaign.has_control:
            entries.append(_control_group(rng, volume))
        messages[channel] = entries
        all_variations.extend(entries)
    time = f"{day.isoformat()}T00:00:00+00:00" if campaign.datetime_times else day.isoformat()
    obj: dict[str, Any] = {"time": time, "messages": messages}
    obj.update(_day_totals(rng, all_variations, volume, campaign.conversion_events))
    if campaign.quirks:
        obj["conversions4"] = int(volume * rng.uniform(0.0, 0.01))
    return json.dumps(obj, separators=(",", ":"))


# --- workspace builder ---------------------------------------------------------------------
