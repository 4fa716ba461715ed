"""A whole run, as Tap.sync_all (and the SDK's dry run) owns it: catalogues, then the series
of every partition.

1. Each catalogue whose streams are selected, or whose discovery feeds a selected series'
   partitions, is listed; changed details are read (catalog_reader.py).
2. Each series with a selected stream gets its partitions (partitions.py: from its
   description's source; listed, discovered, not expired, in this shard) and their day ranges
   from the bookmarks (plan.py).
3. One pool fetches every window; one writer writes records in plan order and STATE after
   what it covers (window_pool.py, writer.py). SIGTERM/SIGINT stop it at once (signals.py).

The dry run (``--test``, the SDK's built-in tests) is the same run with a record limit per
stream, one request at a time: it stops reading a series or a catalogue's details once each of
its streams has its records.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from singer_sdk import Stream

from tap_braze_sends.braze.description import CatalogFamily, Descriptions
from tap_braze_sends.braze.discovery import CampaignFacts
from tap_braze_sends.braze.partition_sources import catalogues_of
from tap_braze_sends.braze.units import DAY, UNITS, Point
from tap_braze_sends.errors import BrazeError
from tap_braze_sends.runtime.bookmarks import Bookmarks
from tap_braze_sends.runtime.deferral import Deferrals, read_order
from tap_braze_sends.runtime.fan_out import refusal
from tap_braze_sends.runtime.fetch import Fetcher
from tap_braze_sends.runtime.gone import GoneItems
from tap_braze_sends.runtime.jobs import Group
from tap_braze_sends.runtime.output import SingerOutput
from tap_braze_sends.runtime.partitions import ids_missing, nothing_to_extract, series_partitions
from tap_braze_sends.runtime.plan import PartitionPlan, plan_partition
from tap_braze_sends.runtime.progress import Progress
from tap_braze_sends.runtime.signals import stop_on_signals
from tap_braze_sends.runtime.window_pool import Run
from tap_braze_sends.runtime.writer import write_catalog, write_run
from tap_braze_sends.settings import Settings
from tap_braze_sends.streams import CatalogStream, SeriesStream


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def sync_streams(
    streams: Iterable[Stream],
    settings: Settings,
    state: dict[str, Any],
    descriptions: Descriptions,
    *,
    record_limit: int | None = None,
) -> None:
    """Sync every selected stream of ``streams`` into Singer messages on stdout.

    ``record_limit``: the dry run's cap on each stream's records (None: a real run).
    """
    if record_limit is not None:
        settings = replace(settings, max_parallel_requests=1)
    gc.freeze()  # what lives now (SDK, catalog, state) lives all run: stop rescanning it
    streams = list(streams)
    stop = threading.Event()
    progress = Progress()
    fetcher = Fetcher(settings, progress=progress, stop=stop)
    bookmarks = Bookmarks(state)
    output = SingerOutput()
    series = [s for s in streams if isinstance(s, SeriesStream) and s.selected]
    catalogue = [s for s in streams if isinstance(s, CatalogStream) and s.selected]
    problem = nothing_to_extract(
        [
            (s.name, ids_missing(s.series.partitions, settings))
            for s in series
            if _asked(s, settings)
        ]
        + [(s.name, _catalogue_lacks(s.family, settings)) for s in catalogue]
    )
    if problem is None:
        problem = refusal([s for s in series if _asked(s, settings)], settings, state, _now())
    if problem is not None:
        raise BrazeError(problem)
    gone = GoneItems(fetcher, settings)  # one run's fresh listings, for series and details
    try:
        with stop_on_signals(stop):
            found: dict[str, list[CampaignFacts] | None] = {}
            for stream in catalogue:
                if _catalogue_lacks(stream.family, settings):
                    output.schema(stream)  # its table, empty: the config asks none of its data
            deferrals = Deferrals(bookmarks)
            for family in descriptions.catalogues:
                found[family.name] = None
                # A listing whose pool is spent is that pool's trouble alone: the run goes on
                # without it (what it would discover waits for the next run; named last).
                with deferrals.listing(family.name):
                    found[family.name] = write_catalog(
                        family,
                        _catalog_streams(catalogue, family, settings),
                        discover=_discovers(
                            family, [s for s in series if _asked(s, settings)], settings
                        ),
                        fetcher=fetcher,
                        output=output,
                        bookmarks=bookmarks,
                        settings=settings,
                        record_limit=record_limit,
                        why_deleted=gone.why_deleted,
                    )
            groups = plan_groups(series, settings, bookmarks, found)
            run = Run(groups, settings=settings, fetcher=fetcher, gone=gone)
            write_run(
                run,
                output=output,
                bookmarks=bookmarks,
                progress=progress,
                deferrals=deferrals,
                record_limit=record_limit,
            )
            progress.log_total()
            deferrals.close()  # the closing line, last
    finally:
        stop.set()
        fetcher.close()


def _discovers(family: CatalogFamily, series: Sequence[SeriesStream], settings: Settings) -> bool:
    """Whether the family's listing adds partitions this run: its switch is on and a
    selected series takes partitions from it."""
    setting = family.discovered_by
    return bool(
        setting
        and getattr(settings, setting)
        and any(family in catalogues_of(s.series.partitions) for s in series)
    )


def _catalogue_lacks(family: CatalogFamily, settings: Settings) -> tuple[str, ...]:
    asked = not family.asked_by or any(getattr(settings, s) for s in family.asked_by)
    return () if asked else family.asked_by


def _catalog_streams(
    streams: Sequence[CatalogStream], family: CatalogFamily, settings: Settings
) -> list[CatalogStream]:
    """The family's selected catalogue streams this job writes.

    Only for a family the config asks data of (ids or discovery): a sends-only config never
    needs campaigns.list. With shards, shard 1 writes them all and the others none.
    """
    if _catalogue_lacks(family, settings) or (
        settings.shard is not None and settings.shard[0] != 1
    ):
        return []
    return [s for s in streams if s.family is family]


def plan_groups(
    series: list[SeriesStream],
    settings: Settings,
    bookmarks: Bookmarks,
    found: Mapping[str, list[CampaignFacts] | None],
) -> list[Group]:
    """Each series with its selected streams and partition plans, in the order they are
    read: pool by pool, what a spent pool deferred last time first (deferral.py)."""
    now = _now()
    groups: dict[str, Group] = {}
    for stream in series:
        key = stream.series.name  # a path read daily and hourly is two series
        groups.setdefault(key, Group(stream.series, [])).streams.append(stream)
    for group in groups.values():
        group.prepare(settings)
        # A series the config does not ask for (the workspace series of a config made for
        # sends, campaigns or Canvases) gets its SCHEMA (its table) but no request, even when
        # a catalog selects it (Meltano's `*.*`).
        if _asked(group.streams[0], settings):
            _plan_group(group, settings, bookmarks, found, now)
    return read_order(
        list(groups.values()),
        lambda group, plan: bookmarks.deferred_since(
            [stream.name for stream in group.streams], plan.partition
        ),
    )


def _asked(stream: SeriesStream, settings: Settings) -> bool:
    return stream.series.asked is None or stream.series.asked(settings)


def _plan_group(
    group: Group,
    settings: Settings,
    bookmarks: Bookmarks,
    found: Mapping[str, list[CampaignFacts] | None],
    now: dt.datetime,
) -> None:
    """Fill in the plan of each of a group's partitions."""
    names = [stream.name for stream in group.streams]
    unit = UNITS[group.series.unit]

    def plan(
        partition: dict[str, str], discovered: bool = False, *, read: bool = True
    ) -> PartitionPlan:
        return plan_partition(
            group.series,
            partition,
            settings=settings,
            bookmark=bookmarks.earliest(names, partition, unit, add=read),
            now=now,
            discovered=discovered,
        )

    candidates = series_partitions(
        group.series,
        settings,
        found=found,
        # For the skip rule only: a discovered id may be one part of a product partition,
        # which the run does not read as such (its state gains no entry).
        first_day=lambda partition: DAY.point_of(_start_of(plan(partition, read=False).first_day)),
        first_data_day=lambda partition: bookmarks.first_data_day(names, partition),
        today=now.date(),
    )
    group.plans = [plan(c.partition, c.discovered) for c in candidates]


def _start_of(point: Point) -> dt.datetime:
    """The instant a day or an hour starts (UTC)."""
    if isinstance(point, dt.datetime):
        return point
    return dt.datetime(point.year, point.month, point.day, tzinfo=dt.timezone.utc)
