"""One run: every partition's windows fetched on one bounded pool, handed back in plan order.

Workers fetch and flatten; the single consumer (the writer, runtime/writer.py) takes the
results strictly in plan order, so the pool runs ahead across partitions and endpoints while
the output stays exactly what a sequential run writes. Memory is bounded by the pool (2 x
workers results held), not by the number of partitions. While a series' reading of the
``ending_at`` day is unknown, its first request goes alone and the rest of the series is
planned from its answer (exact windows, no guard request per partition).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator, Sequence

from tap_braze_sends.braze.description import ALL, Partition, Request, Series
from tap_braze_sends.errors import BrazeFatalError, BrazeStopped, describe_partition
from tap_braze_sends.runtime.dense import window_result
from tap_braze_sends.runtime.fetch import Fetched, Fetcher
from tap_braze_sends.runtime.gone import GoneItems, discovered_items
from tap_braze_sends.runtime.jobs import Group, WindowJob, WindowResult
from tap_braze_sends.runtime.plan import (
    DayReadings,
    PartitionPlan,
    partition_windows,
    window_days,
)
from tap_braze_sends.runtime.prefetch import OrderedPrefetcher
from tap_braze_sends.runtime.requests_of import answer_days
from tap_braze_sends.runtime.windows import (
    Window,
    last_returned,
    plan_windows,
    returns_any_of,
)
from tap_braze_sends.settings import Settings

logger = logging.getLogger("tap_braze_sends.run")

MAX_PROBES = 3
"""Partitions probed one after another while a series' reading stays unknown (a probe that
returns no edge day proves nothing); after them, guard windows, without waiting."""


class Run:
    """The plan of every selected endpoint's partitions and the pool that fetches them."""

    def __init__(
        self,
        groups: Sequence[Group],
        *,
        settings: Settings,
        fetcher: Fetcher,
        readings: DayReadings | None = None,
        gone: GoneItems | None = None,
    ) -> None:
        self.groups = [group for group in groups if group.streams]
        self.settings = settings
        self.fetcher = fetcher
        self.gone = gone or GoneItems(fetcher, settings)
        self._gone_plans: set[int] = set()
        """Partitions whose discovered item is shown deleted: no more requests for them."""
        self.readings = readings or DayReadings()
        # The first window of each later pool is planned now and started at once, so that
        # each pool's budget probe overlaps the first pool's requests (pacing.py).
        self._early: dict[tuple[int, int], WindowJob] = {}
        self._probes: dict[str, threading.Event] = {}
        self._probe_count: dict[str, int] = {}
        self._failed = threading.Event()
        """Set once a job handed to the writer has failed: the writer will raise its error
        before reaching anything planned from now on, so nothing more is planned."""
        self._lock = threading.Lock()
        self._failed_early: set[int] = set()
        pools: set[str] = set()
        for g_index, group in enumerate(self.groups):
            for p_index, plan in enumerate(group.plans):
                if group.series.pool in pools:
                    break
                windows = partition_windows(plan, self.settings, self.readings)
                if not windows:
                    continue
                if pools:
                    self._early[(g_index, p_index)] = self._first_job(group, plan, windows)
                pools.add(group.series.pool)
                break
        self._early_ids = frozenset(id(job) for job in self._early.values())
        self._waiting_early = set(self._early_ids)
        """Early jobs started but not yet handed to the writer (it reaches them later)."""

    def _first_job(self, group: Group, plan: PartitionPlan, windows: list[Window]) -> WindowJob:
        """A partition's first window; while the series' reading is unknown, its probe."""
        path = group.series.name
        probes = self._probe_count.get(path, 0)
        if self.readings.get(path) is not None or probes >= MAX_PROBES:
            return WindowJob(group, plan, windows[0], last=len(windows) == 1)
        self._probe_count[path] = probes + 1
        probe = self._probes[path] = threading.Event()
        return WindowJob(group, plan, windows[0], last=False, probe=probe)

    def _partition_jobs(
        self, group: Group, plan: PartitionPlan, early: WindowJob | None
    ) -> Iterator[WindowJob]:
        """A partition's requests. The series' first request, while its reading of the
        ``ending_at`` day is unknown, goes alone: the rest of the series is planned from its
        answer (exact windows), and only if it proves nothing under both readings (guards)."""
        path = group.series.name
        if early is None:
            self._await_probe(path)
            windows = partition_windows(plan, self.settings, self.readings)
            if not windows:
                yield WindowJob(group, plan, None, last=True)
                return
            early = self._first_job(group, plan, windows)
        yield early
        if early.last:
            return
        if not self._await_probe(path):
            return  # the run is stopping
        rest = self._rest_after(early, plan)
        if not rest:
            yield WindowJob(group, plan, None, last=True)  # the probe covered it all
        for i, window in enumerate(rest):
            yield WindowJob(group, plan, window, last=i == len(rest) - 1)

    def _rest_after(self, probe: WindowJob, plan: PartitionPlan) -> list[Window]:
        assert probe.window is not None
        reading = self.readings.get(plan.series.name)
        if reading is None:  # the answer proved nothing: the guard plan's other windows
            return partition_windows(plan, self.settings, self.readings)[1:]
        window = probe.window
        return plan_windows(
            last_returned(window, reading) + window.unit.step,
            plan.last_day,
            window_days(plan.series, self.settings),
            reading,
            window.unit,
        )

    def _await_probe(self, path: str) -> bool:
        """Wait for the series' probe, if one is out; False: the run is stopping."""
        probe = self._probes.get(path)
        while probe is not None and not probe.wait(0.05):
            if self.fetcher.stop.is_set():
                return False
        return not self._failed.is_set()

    def jobs(self) -> Iterator[WindowJob]:
        """Every request in plan order, each partition planned when the pool reaches it."""
        for g_index, group in enumerate(self.groups):
            for p_index, plan in enumerate(group.plans):
                if group.done:
                    break
                if self._failed.is_set():
                    return
                early = self._early.get((g_index, p_index))
                for job in self._partition_jobs(group, plan, early):
                    with self._lock:
                        self._waiting_early.discard(id(job))
                        if id(job) in self._failed_early:
                            self._failed.set()
                    yield job

    def results(self) -> Iterator[tuple[WindowJob, WindowResult]]:
        early = list(self._early.values())
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
        try:
            return self._fetch_window(job)
        except BaseException:
            # The run ends when the writer reaches this error: once it is handed over, plan
            # nothing more (a probe would only wait meanwhile).
            with self._lock:
                if id(job) in self._waiting_early:
                    self._failed_early.add(id(job))
                else:
                    self._failed.set()
            raise
        finally:
            if job.probe is not None:
                job.probe.set()

    def _fetch_window(self, job: WindowJob) -> WindowResult:
        now = dt.datetime.now(dt.timezone.utc)
        if job.window is None or not job.group.requests:
            return WindowResult([], now)
        series, window, partition = job.plan.series, job.window, job.plan.partition
        if self.fetcher.stop.is_set():
            raise BrazeStopped(f"not requested: the run is stopping ({series.name})")
        if id(job) not in self._early_ids:  # an early window would time the phase from the start
            self.fetcher.progress.job_started(series.name)
        answers: list[tuple[Request, Fetched]] = []
        for request in job.group.requests:
            if id(job.plan) in self._gone_plans:
                return WindowResult([], now, gone=True)
            fetched = self._fetch_one(job, request, series, window, partition)
            if fetched is None:
                continue
            self.readings.learn(series.name, window, (day for day, _ in fetched.body.days))
            answers.append((request, fetched))
        if id(job.plan) in self._gone_plans:
            return WindowResult([], now, gone=True)
        if not answers:
            return WindowResult([], now)
        return window_result(job.plan, window, self.readings.get(series.name), answers)

    def _fetch_one(
        self, job: WindowJob, request: Request, series: Series, window: Window, partition: Partition
    ) -> Fetched | None:
        who = describe_partition(partition)
        what = (
            f"{request.path}, window {window.first}..{window.ending}: "
            f"length={window.length}, ending_at={window.ending_at()}"
        )
        params = {
            **series.query(partition),
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
                hint=_deselect_hint(job.group, request),
                origin="" if job.plan.discovered else _origin(series, partition),
                series=series.name,
                who=who,
                what=what,
                parse=lambda body: answer_days(series, body, partition),
                still_needed=lambda: self._still_needed(job),
            )
        except BrazeFatalError as exc:
            if not (exc.about_the_item and job.plan.discovered):
                raise
            # Listed a moment ago, rejected now: deleted in between only if Braze or a fresh
            # listing says so; then nothing is read and the bookmark stays (gone.py).
            items = discovered_items(series.partitions, partition, self.settings)
            why = self.gone.why_deleted(items, exc)
            with self._lock:
                self._gone_plans.add(id(job.plan))
            logger.warning(
                "Skipping %s, found by discovery and deleted since (%s): %s", who, why, exc
            )
            return None
        return fetched


def _origin(series: Series, partition: Partition) -> str:
    """Which setting each of the partition's ids comes from (what to fix after a 400)."""
    settings = series.settings_of()
    return "; ".join(
        f"{key} from {settings[key]}"
        for key, value in partition.items()
        if key in settings and value != ALL and "sends" not in settings[key]
    )


def _deselect_hint(group: Group, request: Request) -> str:
    """Which streams (or columns) to deselect to do without ``request``'s permission."""
    streams = ", ".join(stream.name for stream in group.streams)
    if not request.columns or len(group.series.requests) == 1:
        return f" ({streams})"
    columns = ", ".join(sorted(request.columns))
    return f" ({streams}), or only the column {columns}"


def _returns_nothing_needed(job: WindowJob, readings: DayReadings) -> bool:
    """A guard window planned before the reading was known, that the reading now shows
    would bring no day of the range: not worth a request."""
    reading = readings.get(job.plan.series.name)
    return (
        reading is not None
        and job.window is not None
        and not returns_any_of(job.window, reading, job.plan.first_day, job.plan.last_day)
    )
