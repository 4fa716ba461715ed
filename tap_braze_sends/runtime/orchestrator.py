"""A whole run, as Tap.sync_all owns it: catalogues, then the series of every partition.

1. Each catalogue (campaigns, Canvases) whose streams are selected, or whose discovery is on
   (``all_campaigns``, ``all_canvases``), is listed; changed details are read (dimensions.py).
2. Each series endpoint with a selected stream gets its partitions (partitions.py: listed,
   discovered, not expired, in this shard) and their day ranges from the bookmarks (plan.py).
3. One pool fetches every window; one writer writes records in plan order and STATE after
   what it covers (run.py, sync.py). SIGTERM/SIGINT stop it at once (signals.py).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from singer_sdk import Stream

from tap_braze_sends.braze.catalog import CAMPAIGNS, CANVASES, CatalogFamily
from tap_braze_sends.braze.discovery import CampaignFacts
from tap_braze_sends.braze.endpoints import CAMPAIGNS_SERIES, CANVAS_SERIES, SENDS_SERIES, Partition
from tap_braze_sends.runtime.bookmarks import Bookmarks
from tap_braze_sends.runtime.catalog_reader import read_list
from tap_braze_sends.runtime.fetch import Fetcher
from tap_braze_sends.runtime.output import SingerOutput
from tap_braze_sends.runtime.partitions import series_partitions
from tap_braze_sends.runtime.plan import PartitionPlan, plan_partition
from tap_braze_sends.runtime.progress import Progress
from tap_braze_sends.runtime.signals import stop_on_signals
from tap_braze_sends.runtime.window_pool import Group, Run
from tap_braze_sends.runtime.writer import write_catalog, write_run
from tap_braze_sends.settings import Settings
from tap_braze_sends.streams import BrazeStream, CatalogStream

_DISCOVERY = {CAMPAIGNS.name: CAMPAIGNS_SERIES, CANVASES.name: CANVAS_SERIES}


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def sync_streams(streams: Iterable[Stream], settings: Settings, state: dict[str, Any]) -> None:
    """Sync every selected stream of ``streams`` into Singer messages on stdout."""
    gc.freeze()  # what lives now (SDK, catalog, state) lives all run: stop rescanning it
    streams = list(streams)
    stop = threading.Event()
    progress = Progress()
    fetcher = Fetcher(settings, progress=progress, stop=stop)
    bookmarks = Bookmarks(state)
    output = SingerOutput()
    series = [s for s in streams if isinstance(s, BrazeStream) and s.selected]
    series_paths = {s.endpoint.path for s in series}
    try:
        with stop_on_signals(stop):
            found: dict[str, list[CampaignFacts] | None] = {}
            for family in (CAMPAIGNS, CANVASES):
                found[family.name] = write_catalog(
                    family,
                    _catalog_streams(streams, family, settings),
                    discover=_discovers(family, settings)
                    and _DISCOVERY[family.name].path in series_paths,
                    fetcher=fetcher,
                    output=output,
                    bookmarks=bookmarks,
                    settings=settings,
                )
            groups = plan_groups(series, settings, bookmarks, found)
            run = Run(groups, settings=settings, fetcher=fetcher)
            write_run(run, output=output, bookmarks=bookmarks, progress=progress)
            progress.log_total()
    finally:
        stop.set()
        fetcher.close()


def _discovers(family: CatalogFamily, settings: Settings) -> bool:
    return settings.all_campaigns if family is CAMPAIGNS else settings.all_canvases


def _catalog_streams(
    streams: list[Stream], family: CatalogFamily, settings: Settings
) -> list[CatalogStream]:
    """The family's selected catalogue streams this job writes.

    Only for a family the config asks data of (ids or discovery): a sends-only config never
    needs campaigns.list. With shards, shard 1 writes them all and the others none.
    """
    asked = (
        settings.campaign_ids or settings.all_campaigns
        if family is CAMPAIGNS
        else settings.canvas_ids or settings.all_canvases
    )
    if not asked or (settings.shard is not None and settings.shard[0] != 1):
        return []
    return [
        s for s in streams if isinstance(s, CatalogStream) and s.family is family and s.selected
    ]


def plan_groups(
    series: list[BrazeStream],
    settings: Settings,
    bookmarks: Bookmarks,
    found: Mapping[str, list[CampaignFacts] | None],
) -> list[Group]:
    """Each series endpoint with its selected streams and partition plans, in sync order."""
    today = _today()
    groups: dict[str, Group] = {}
    for stream in series:
        groups.setdefault(stream.endpoint.path, Group(stream.endpoint, [])).streams.append(stream)
    for group in groups.values():
        _plan_group(group, settings, bookmarks, found, today)
    return list(groups.values())


def _plan_group(
    group: Group,
    settings: Settings,
    bookmarks: Bookmarks,
    found: Mapping[str, list[CampaignFacts] | None],
    today: dt.date,
) -> None:
    """Fill in a group's query parameters and the plan of each of its partitions."""
    endpoint = group.endpoint
    names = [stream.name for stream in group.streams]
    group.params = endpoint.extra_params(settings.include_deleted_steps, frozenset(group.roles))

    named = set(settings.campaign_ids if endpoint is CAMPAIGNS_SERIES else settings.canvas_ids)

    def plan(partition: Partition) -> PartitionPlan:
        return plan_partition(
            endpoint,
            partition,
            settings=settings,
            bookmark=bookmarks.earliest(names, partition),
            today=today,
            discovered=endpoint is not SENDS_SERIES and next(iter(partition.values())) not in named,
        )

    family = next((name for name, e in _DISCOVERY.items() if e is endpoint), None)
    partitions = series_partitions(
        endpoint,
        settings,
        discovered=found.get(family) if family else None,
        first_day=lambda partition: plan(partition).first_day,
        first_data_day=lambda partition: bookmarks.first_data_day(names, partition),
        today=today,
    )
    group.plans = [plan(partition) for partition in partitions]


def listed_partitions(stream: BrazeStream, settings: Settings) -> list[Partition]:
    """A stream's partitions for the SDK's own per-stream sync (its dry run): no discovery."""
    return series_partitions(
        stream.endpoint,
        replace(settings, all_campaigns=False, all_canvases=False),
        discovered=None,
        first_day=lambda _p: settings.start_date,
        first_data_day=lambda _p: None,
        today=_today(),
    )


def dry_run_rows(
    stream: BrazeStream, partition: Mapping[str, Any], settings: Settings
) -> Iterator[dict[str, Any]]:
    """One partition's rows of one stream, one request at a time (the SDK's dry run)."""
    if not partition:
        return  # the config lists no partition of this endpoint (the SDK then passes {})
    settings = replace(settings, max_parallel_requests=1)
    fetcher = Fetcher(settings, progress=Progress(), stop=threading.Event())
    endpoint = stream.endpoint
    plan = plan_partition(
        endpoint,
        {field: partition[field] for field in endpoint.partition_fields},
        settings=settings,
        bookmark=None,
        today=_today(),
    )
    group = Group(endpoint, [stream], [plan])
    group.params = endpoint.extra_params(settings.include_deleted_steps, frozenset(group.roles))
    try:
        for job, result in Run([group], settings=settings, fetcher=fetcher).results():
            for day, rows in result.days:
                if job.plan.covers(day):
                    yield from rows.get(stream.role, [])
    finally:
        fetcher.close()


def catalog_dry_run_rows(stream: CatalogStream, settings: Settings) -> Iterator[dict[str, Any]]:
    """A catalogue stream's rows for the SDK's dry run, lazily: the SDK stops after a few
    records, so a details stream requests one item's details at a time, not the workspace's."""
    fetcher = Fetcher(settings, progress=Progress(), stop=threading.Event())
    family = stream.family
    try:
        listed = read_list(fetcher, family, include_archived=settings.include_archived)
        for entry, rows, _extracted_at in listed:
            if stream.role == "list":
                yield from rows
                continue
            item_id = str(entry["id"])
            fetched = fetcher.get_json(
                family.details_path,
                {family.id_param: item_id},
                pool=family.pool,
                who=f"{family.id_param}={item_id!r}",
                what=family.details_path,
                parse=lambda body, item_id=item_id: family.details_rows(item_id, body),
            )
            yield from fetched.body.get(stream.role, [])
    finally:
        fetcher.close()
