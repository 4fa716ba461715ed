"""One run: every partition's windows fetched on one bounded pool, handed back in plan order.

Workers fetch and flatten; the single consumer (the writer of
:mod:`tap_braze_sends.runtime.writer`, or a stream's own ``get_records`` in the SDK's dry run)
takes the results strictly in plan order, so the pool runs ahead across partitions and endpoints
while the output stays exactly what a sequential run writes. Memory is bounded by the pool (2 x
workers results held), not by the number of partitions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tap_braze_sends.braze.description import DayRows, Partition, Request, Series
from tap_braze_sends.braze.flatten.campaign_series import parse_day
from tap_braze_sends.errors import BrazeFatalError, BrazeStopped, describe_partition
from tap_braze_sends.runtime.fetch import Fetcher
from tap_braze_sends.runtime.plan import DayReadings, PartitionPlan, partition_windows
from tap_braze_sends.runtime.prefetch import OrderedPrefetcher
from tap_braze_sends.runtime.requests_of import merge_days, needed_requests
from tap_braze_sends.runtime.windows import Window, returns_any_of
from tap_braze_sends.settings import Settings

if TYPE_CHECKING:
    from tap_braze_sends.streams import SeriesStream

logger = logging.getLogger("tap_braze_sends.run")


@dataclass
class Group:
    """One series, the selected streams that read it (in the tap's order), its partitions."""

    series: Series
    streams: list[SeriesStream]
    plans: list[PartitionPlan] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    """Query parameters of every request beyond ids and window (e.g. Canvas breakdowns)."""
    requests: tuple[Request, ...] = ()
    """The series' requests a selected column needs."""
    done: bool = False
    """Set by the writer when a dry run has all of this series' records: no more requests."""

    @property
    def roles(self) -> list[str]:
        return [stream.role for stream in self.streams]

    def prepare(self, settings: Settings) -> None:
        """The query parameters and requests that this run's selection asks for."""
        self.params = self.series.extra_params(settings, frozenset(self.roles))
        by_role = {stream.role: stream for stream in self.streams}
        self.requests = needed_requests(
            self.series,
            self.roles,
            lambda role, column: by_role[role].column_selected(column),
        )


@dataclass(frozen=True, slots=True)
class WindowJob:
    group: Group
    plan: PartitionPlan
    window: Window | None
    """None: the partition has nothing to read (its range is empty)."""
    last: bool
    """The partition's last window: once written, the partition is complete."""


@dataclass(frozen=True, slots=True)
class WindowResult:
    days: list[tuple[dt.date, DayRows]]
    extracted_at: dt.datetime


class Run:
    """The plan of every selected endpoint's partitions and the pool that fetches them."""

    def __init__(
        self,
        groups: Sequence[Group],
        *,
        settings: Settings,
        fetcher: Fetcher,
        readings: DayReadings | None = None,
    ) -> None:
        self.groups = [group for group in groups if group.streams]
        self.settings = settings
        self.fetcher = fetcher
        self.readings = readings or DayReadings()
        # The first window of each later pool is planned now and started at once, so that
        # each pool's budget probe overlaps the first pool's requests (pacing.py).
        self._early: dict[tuple[int, int], list[WindowJob]] = {}
        pools: set[str] = set()
        for g_index, group in enumerate(self.groups):
            for p_index, plan in enumerate(group.plans):
                if group.series.pool in pools:
                    break
                jobs = self._jobs_of(group, plan)
                if jobs[0].window is None:
                    continue
                if pools:
                    self._early[(g_index, p_index)] = jobs
                pools.add(group.series.pool)
                break

    def _jobs_of(self, group: Group, plan: PartitionPlan) -> list[WindowJob]:
        windows = partition_windows(plan, self.settings, self.readings)
        if not windows:
            return [WindowJob(group, plan, None, last=True)]
        return [
            WindowJob(group, plan, window, last=i == len(windows) - 1)
            for i, window in enumerate(windows)
        ]

    def jobs(self) -> Iterator[WindowJob]:
        """Every request in plan order, each partition planned when the pool reaches it."""
        for g_index, group in enumerate(self.groups):
            for p_index, plan in enumerate(group.plans):
                if group.done:
                    break
                early = self._early.get((g_index, p_index))
                yield from early if early is not None else self._jobs_of(group, plan)

    def results(self) -> Iterator[tuple[WindowJob, WindowResult]]:
        early = [job for jobs in self._early.values() for job in jobs[:1]]
        prefetcher: OrderedPrefetcher[WindowJob, WindowResult] = OrderedPrefetcher(
            self.fetch,
            self.jobs(),
            workers=self.settings.max_parallel_requests,
            early=early,
        )
        try:
            yield from prefetcher
        finally:
            self.fetcher.stop.set()
            prefetcher.close()

    def _still_needed(self, job: WindowJob) -> bool:
        return not _returns_nothing_needed(job, self.readings)

    def fetch(self, job: WindowJob) -> WindowResult:
        """Runs on a worker thread: one window's days, flattened into each role's rows (the
        answers of a series' several requests merged on each table's key)."""
        now = dt.datetime.now(dt.timezone.utc)
        if job.window is None or not job.group.requests:
            return WindowResult([], now)
        series, window, partition = job.plan.series, job.window, job.plan.partition
        if self.fetcher.stop.is_set():
            raise BrazeStopped(f"not requested: the run is stopping ({series.path})")
        answers: list[list[tuple[dt.date, DayRows]]] = []
        extracted_at = now
        for request in job.group.requests:
            answer = self._fetch_one(job, request, series, window, partition)
            if answer is None:
                continue
            days, extracted_at = answer
            self.readings.learn(series.path, window, (day for day, _ in days))
            answers.append(days)
        if not answers:
            return WindowResult([], now)
        keys = {table.role: table.primary_keys for table in series.tables}
        return WindowResult(merge_days(answers, keys), extracted_at)

    def _fetch_one(
        self, job: WindowJob, request: Request, series: Series, window: Window, partition: Partition
    ) -> tuple[list[tuple[dt.date, DayRows]], dt.datetime] | None:
        who = describe_partition(partition)
        what = (
            f"{request.path}, window {window.first}..{window.ending}: "
            f"length={window.length}, ending_at={window.ending_at()}"
        )
        params = {
            **partition,
            "length": window.length,
            "ending_at": window.ending_at(),
            **job.group.params,
            **request.params,
        }
        try:
            fetched = self.fetcher.get_json(
                request.path,
                params,
                pool=series.pool,
                permission=request.permission,
                who=who,
                what=what,
                parse=lambda body: _flatten(series, body, partition, f"{who} ({what})"),
                still_needed=lambda: self._still_needed(job),
            )
        except BrazeFatalError as exc:
            if not (exc.about_the_item and job.plan.discovered):
                raise
            # Listed a moment ago, rejected now (deleted in between): nothing to read. An id
            # the config names is the user's to fix, and still fails the run.
            logger.warning("Skipping %s, found by discovery: %s", who, exc)
            return None
        if fetched is None:
            return None
        return fetched.body, fetched.extracted_at


def _returns_nothing_needed(job: WindowJob, readings: DayReadings) -> bool:
    """A guard window planned before the reading was known, that the reading now shows
    would bring no day of the range: not worth a request."""
    reading = readings.get(job.plan.series.path)
    return (
        reading is not None
        and job.window is not None
        and not returns_any_of(job.window, reading, job.plan.first_day, job.plan.last_day)
    )


def _flatten(
    series: Series, body: object, partition: Partition, where: str
) -> list[tuple[dt.date, DayRows]]:
    """Each day of a body, flattened; a day repeated within the body keeps its first copy."""
    out: list[tuple[dt.date, DayRows]] = []
    seen: set[dt.date] = set()
    for raw in series.days_of(body):
        day = parse_day(raw.get("time"))
        if day in seen:
            logger.warning(
                "Braze returned %s twice in one response for %s; keeping the first copy",
                day,
                where,
            )
            continue
        seen.add(day)
        out.append((day, series.flatten(raw, partition)))
    return out
