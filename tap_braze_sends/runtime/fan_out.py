"""The fan-out a config asks for, counted before any request (pure, nothing materialized).

A product of id lists grows fast: 100 apps x 100 breakdown segments x 100 events are
1,020,100 partitions of one series, which took minutes and gigabytes to plan before the first
request, and a state with an entry per partition in every STATE message. The run is refused at
once instead, naming the count, when a series has more than :data:`MAX_PARTITIONS`
partitions, or a pool more requests than Braze serves it in :data:`MAX_POOL_HOURS` (no daily
schedule can be served). The counts are lower bounds (the config's ids only, before discovery
adds any; sends before expiry removes any; one window a partition once the state has
bookmarks), so a run that fits is never refused.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tap_braze_sends.braze.partition_sources import (
    ALL,
    ConfigIds,
    ConfigPairs,
    NoPartitions,
    PartitionSource,
    Product,
)
from tap_braze_sends.braze.pools import per_hour
from tap_braze_sends.braze.units import UNITS
from tap_braze_sends.runtime.jobs import Group
from tap_braze_sends.runtime.plan import plan_partition, window_days
from tap_braze_sends.settings import Settings

if TYPE_CHECKING:
    from tap_braze_sends.streams import SeriesStream

MAX_PARTITIONS = 200_000
"""Partitions of one series in a run: each one's bookmark is in every STATE message (200,000
are ~25 MB of JSON each time), and twice the 100,000 sends the README says a run serves."""

MAX_POOL_HOURS = 24
"""A run needing more than a day of a pool's whole budget cannot be served before the next
daily run, and would hold every other client of the workspace off that pool meanwhile."""


@dataclass(frozen=True)
class Count:
    partitions: int
    factors: tuple[tuple[str, int], ...]
    """(setting, how many it gives) per factor of a product, for the error."""


def count_partitions(source: PartitionSource, settings: Settings) -> Count:
    """At least how many partitions ``source`` gives under ``settings``."""
    if isinstance(source, NoPartitions):
        return Count(1, ())
    if isinstance(source, ConfigIds):
        listed = set(getattr(settings, source.setting))
        n = len(listed | {ALL}) if source.with_all else len(listed)
        return Count(n, ((source.setting, n),))
    if isinstance(source, ConfigPairs):
        n = 0 if source.expired is not None else len(getattr(settings, source.setting))
        return Count(n, ((source.setting, n),))
    if isinstance(source, Product):
        parts = [count_partitions(s, settings) for s in source.sources]
        factors = tuple(f for p in parts for f in p.factors)
        return Count(math.prod(p.partitions for p in parts), factors)
    msg = f"unknown partition source {source!r}"
    raise TypeError(msg)


def refusal(
    streams: Sequence[SeriesStream],
    settings: Settings,
    state: Mapping[str, Any],
    now: dt.datetime,
) -> str | None:
    """The error for a run too big to serve (see the module), else None. ``streams``: the
    selected series streams the config asks data of; ``state``: the run's input state."""
    groups: dict[str, Group] = {}
    for stream in streams:
        groups.setdefault(stream.series.name, Group(stream.series, [])).streams.append(stream)
    shards = settings.shard[1] if settings.shard is not None else 1
    by_pool: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for group in groups.values():
        group.prepare(settings)
        series = group.series
        count = count_partitions(series.partitions, settings)
        partitions = count.partitions // shards
        windows = _windows_each(group, settings, state, now)
        requests = partitions * windows * len(group.requests)
        tables = ", ".join(stream.name for stream in group.streams)
        budget = per_hour(series.pool)
        if partitions > MAX_PARTITIONS:
            factors = " x ".join(f"{n:,} from {setting}" for setting, n in count.factors)
            return (
                f"{tables}: {partitions:,} partitions ({factors}), at least {requests:,} "
                f"requests to Braze's {series.pool} pool, which serves {budget:,} an hour; a run "
                f"takes at most {MAX_PARTITIONS:,} partitions a series (each one's bookmark is "
                "in every STATE). Nothing was requested: list fewer ids (each combination of "
                "them is a partition)"
            )
        by_pool[series.pool].append((tables, requests))
    for pool, asked in by_pool.items():
        total, budget = sum(n for _, n in asked), per_hour(pool)
        if total > MAX_POOL_HOURS * budget:
            each = "; ".join(f"{tables} {n:,}" for tables, n in asked)
            return (
                f"This run needs at least {total:,} requests to Braze's {pool} pool ({each}), "
                f"which serves {budget:,} an hour: more than {MAX_POOL_HOURS} hours of the "
                "workspace's whole budget. Nothing was requested: list fewer ids, start later "
                "(start_date), deselect hourly streams, or split the run with shard"
            )
    return None


def _windows_each(
    group: Group, settings: Settings, state: Mapping[str, Any], now: dt.datetime
) -> int:
    """Windows a partition needs at least: a bookmark-less one's from start_date while no
    stream of the series has bookmarks in the state; else one."""
    bookmarks = state.get("bookmarks")
    if isinstance(bookmarks, Mapping) and any(
        isinstance(entry := bookmarks.get(stream.name), Mapping) and entry.get("partitions")
        for stream in group.streams
    ):
        return 1
    plan = plan_partition(group.series, {}, settings=settings, bookmark=None, now=now)
    units = UNITS[group.series.unit].count(plan.first_day, plan.last_day)
    return math.ceil(units / window_days(group.series, settings))
