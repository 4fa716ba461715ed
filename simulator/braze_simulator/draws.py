"""Seeded number drawing for day objects: metric values, conversions, day totals, and the
shapes real Braze bodies carry (null metrics, null or empty channels, unknown metrics)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from braze_simulator.hashing import chance, digest, unit
from braze_simulator.metrics import Metric

# Share of days that have no element at all in "data" (Braze omits days without activity).
SPARSE_RATE = 0.15
# Shares of (entity, day, channel) whose channel is `null` / `[]` in real bodies.
NULL_CHANNEL_RATE = 0.04
EMPTY_CHANNEL_RATE = 0.04
# Share of entries in which one metric is `null`.
NULL_METRIC_RATE = 0.05
# Share of (entity, day) whose email entries carry a metric no doc names.
UNKNOWN_METRIC_RATE = 0.3
UNKNOWN_EMAIL_METRIC = "amp_clicks"


def is_sparse(seed: int, entity_key: str, day: date) -> bool:
    """Whether this entity has no element for this day (independent of restatements)."""
    return chance(SPARSE_RATE, seed, "sparse", entity_key, day.isoformat())


def channel_shape(seed: int, entity_key: str, day: date, channel: str) -> str | None:
    """ "null", "empty" or None (entries as usual); fixed per day, whatever the revision."""
    x = unit(seed, "channel-shape", entity_key, day.isoformat(), channel)
    if x < NULL_CHANNEL_RATE:
        return "null"
    if x < NULL_CHANNEL_RATE + EMPTY_CHANNEL_RATE:
        return "empty"
    return None


def null_one_metric(entry: dict[str, Any], names: list[str], *key: object) -> None:
    """Sometimes set one of `names` in `entry` to None, as real bodies do."""
    if names and chance(NULL_METRIC_RATE, "null-metric", *key):
        entry[names[digest("null-metric-name", *key) % len(names)]] = None


def has_unknown_metric(seed: int, entity_key: str, day: date) -> bool:
    return chance(UNKNOWN_METRIC_RATE, seed, "unknown-metric", entity_key, day.isoformat())


def metrics(rng: random.Random, table: tuple[Metric, ...], volume: float) -> dict[str, int]:
    return {name: int(volume * rng.uniform(lo, hi)) for name, lo, hi in table}


def conversions(
    rng: random.Random, volume: float, events: int, *, with_revenue: bool = True
) -> dict[str, Any]:
    count = int(volume * rng.uniform(0.0, 0.04))
    out: dict[str, Any] = {}
    if with_revenue:
        out["revenue"] = round(count * rng.uniform(5.0, 60.0), 2)
    out["conversions"] = count
    out["conversions_by_send_time"] = int(count * rng.uniform(0.5, 1.0))
    for n in range(1, events + 1):
        extra = int(volume * rng.uniform(0.0, 0.02))
        out[f"conversions{n}"] = extra
        out[f"conversions{n}_by_send_time"] = int(extra * rng.uniform(0.5, 1.0))
    return out


def day_totals(
    rng: random.Random, entries: list[dict[str, Any]], volume: float, events: int
) -> dict[str, Any]:
    """Day totals: conversion sums over the entries that carry them, else drawn directly."""
    carriers = [v for v in entries if "conversions" in v]
    if carriers:
        totals: dict[str, Any] = {}
        for name in ("conversions", "conversions_by_send_time"):
            totals[name] = sum(v[name] for v in carriers)
        for n in range(1, events + 1):
            for name in (f"conversions{n}", f"conversions{n}_by_send_time"):
                totals[name] = sum(v.get(name) or 0 for v in carriers)
        revenue = round(sum(v.get("revenue") or 0.0 for v in carriers), 2)
    else:
        totals = conversions(rng, volume, events, with_revenue=False)
        revenue = round(totals["conversions"] * rng.uniform(5.0, 60.0), 2)
    totals["unique_recipients"] = int(volume * rng.uniform(0.8, 1.0))
    totals["revenue"] = float(revenue)
    return totals


def share(rng: random.Random, volume: float, parts: int) -> float:
    """One variation's part of the volume, uneven as real audience splits are."""
    return volume / parts * rng.uniform(0.7, 1.3)
