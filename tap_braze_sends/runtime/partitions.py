"""Which partitions each series reads this run, from its description's partition source:
listed, discovered, not expired, combined, in this job's shard. One INFO line says what was
found and skipped, and why."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tap_braze_sends.braze.description import Partition, Series
from tap_braze_sends.braze.discovery import (
    CampaignFacts,
    analytics_skip_reason,
    in_shard,
    summarize_skips,
)
from tap_braze_sends.braze.partition_sources import (
    ALL,
    ConfigIds,
    ConfigPairs,
    NoPartitions,
    PartitionSource,
    Product,
)
from tap_braze_sends.settings import Settings

logger = logging.getLogger("tap_braze_sends.partitions")

FirstDay = Callable[[Partition], dt.date]
FirstDataDay = Callable[[Partition], "dt.date | None"]
Found = Mapping[str, "Sequence[CampaignFacts] | None"]
"""What each catalogue's listing found this run, by family name (None: not listed)."""


@dataclass(frozen=True)
class Candidate:
    partition: Partition
    discovered: bool
    """Found by listing, not named in the config: a 400 for it is a warning, not a failure."""


@dataclass(frozen=True)
class _Context:
    series: str
    """The series' name, for the log lines."""
    settings: Settings
    found: Found
    first_day: FirstDay
    first_data_day: FirstDataDay
    today: dt.date


def series_partitions(
    series: Series,
    settings: Settings,
    *,
    found: Found,
    first_day: FirstDay,
    first_data_day: FirstDataDay,
    today: dt.date,
) -> list[Candidate]:
    """The series' partitions, in order: the config's first, then discovered ones."""
    context = _Context(series.name, settings, found, first_day, first_data_day, today)
    candidates = _candidates(series.partitions, context)
    if settings.shard is not None:
        mine = [c for c in candidates if in_shard(tuple(c.partition.values()), settings.shard)]
        logger.info(
            "%s: shard %d/%d takes %d of %d partitions",
            series.name,
            *settings.shard,
            len(mine),
            len(candidates),
        )
        candidates = mine
    return candidates


def _candidates(source: PartitionSource, context: _Context) -> list[Candidate]:
    if isinstance(source, NoPartitions):
        return [Candidate({}, discovered=False)]
    if isinstance(source, ConfigIds):
        return _ids(source, context)
    if isinstance(source, ConfigPairs):
        return _pairs(source, context)
    if isinstance(source, Product):
        return _product([_candidates(s, context) for s in source.sources])
    msg = f"unknown partition source {source!r}"
    raise TypeError(msg)


def _ids(source: ConfigIds, context: _Context) -> list[Candidate]:
    listed: Sequence[str] = getattr(context.settings, source.setting)
    if source.with_all:
        listed = [ALL, *(item for item in listed if item != ALL)]
    candidates = [Candidate({source.field: item}, discovered=False) for item in listed]
    family = source.catalogue
    found = context.found.get(family.name) if family is not None else None
    if family is not None and found is not None:
        candidates += _discovered(source.field, listed, found, context, family.noun)
    return candidates


def _discovered(
    field: str,
    listed: Sequence[str],
    found: Sequence[CampaignFacts],
    context: _Context,
    noun: tuple[str, str],
) -> list[Candidate]:
    already = set(listed)
    reasons: list[str | None] = []
    candidates: list[Candidate] = []
    for facts in found:
        partition = {field: facts.campaign_id}
        reason = (
            None
            if facts.campaign_id in already
            else analytics_skip_reason(
                facts,
                first_day=context.first_day(partition),
                lookback_days=context.settings.lookback_days,
            )
        )
        reasons.append(reason)
        if reason is None and facts.campaign_id not in already:
            already.add(facts.campaign_id)
            candidates.append(Candidate(partition, discovered=True))
    logger.info("Discovery for %s: %s", context.series, summarize_skips(reasons, noun=noun))
    return candidates


def _pairs(source: ConfigPairs, context: _Context) -> list[Candidate]:
    items = getattr(context.settings, source.setting)
    partitions = [{f: getattr(item, f) for f in source.fields} for item in items]
    if source.expired is not None:
        # Measured from the range's last day: a backfill ending in the past is not cut short.
        last_day = min(context.settings.end_date, context.today)
        expired = source.expired
        live = [
            p
            for p in partitions
            if not expired(context.first_data_day(p), last_day, context.settings.lookback_days)
        ]
        if len(live) < len(partitions):
            count = len(partitions) - len(live)
            logger.info(
                "Not requesting %d %s whose analytics Braze no longer keeps (%s)",
                count,
                source.noun[0] if count == 1 else source.noun[1],
                source.expired_note,
            )
        partitions = live
    return [Candidate(p, discovered=False) for p in partitions]


def _product(parts: list[list[Candidate]]) -> list[Candidate]:
    return [
        Candidate(
            {k: v for c in combination for k, v in c.partition.items()},
            discovered=any(c.discovered for c in combination),
        )
        for combination in itertools.product(*parts)
    ]


def ids_missing(source: PartitionSource, settings: Settings) -> tuple[str, ...]:
    """The settings ``source`` needs one of and the config leaves empty (empty tuple: the
    source gives partitions, e.g. ``*`` or a configured id)."""
    if isinstance(source, NoPartitions):
        return ()
    if isinstance(source, ConfigIds):
        switch = source.catalogue.discovered_by if source.catalogue is not None else None
        names = (source.setting, *((switch,) if switch else ()))
        return () if source.with_all or any(getattr(settings, n) for n in names) else names
    if isinstance(source, ConfigPairs):
        names = (source.setting, *source.also_from)
        return () if any(getattr(settings, n) for n in names) else names
    if isinstance(source, Product):
        return tuple(dict.fromkeys(n for s in source.sources for n in ids_missing(s, settings)))
    msg = f"unknown partition source {source!r}"
    raise TypeError(msg)


def nothing_to_extract(needs: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The error when every selected stream needs ids the config does not give, else None.

    ``needs``: each selected stream and the settings it lacks (empty: it has something).
    """
    if not needs or any(not lacking for _, lacking in needs):
        return None
    settings = dict.fromkeys(name for _, lacking in needs for name in lacking)
    streams = ", ".join(stream for stream, _ in needs)
    return (
        f"{' / '.join(settings)}: nothing to extract; the selected streams ({streams}) "
        "need ids or names in one of these settings, or its discovery switch on (or select "
        "a stream that needs none, such as app_kpis)"
    )
