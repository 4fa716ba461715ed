"""One run: every partition's windows fetched on one bounded pool, handed back in plan order.

Workers fetch and flatten; the single consumer (the writer, runtime/writer.py) takes the
results strictly in plan order, so the pool runs ahead across partitions and endpoints while
the output stays exactly what a sequential run writes. Memory is bounded by the pool (2 x
workers requests held), not by the number of partitions. Each request of a window is a job
of its own (window_requests.py): a window's requests go side by side, and the writer gets
the window once all of them are in. While a series' reading of the ``ending_at`` day is
unknown, its first window goes alone (a probe) and the rest of the series is planned from its
answers (exact windows, no guard request per partition); if they prove nothing, the probing
partition's other windows go before the next partition probes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence

from tap_braze_sends.errors import BrazeFatalError, BrazeStopped, describe_partition
from tap_braze_sends.runtime.fetch import Fetched, Fetcher
from tap_braze_sends.runtime.gone import GoneItems, discovered_items
from tap_braze_sends.runtime.jobs import Group, Probe, WindowJob, WindowResult
from tap_braze_sends.runtime.plan import (
    DayReadings,
    PartitionPlan,
    partition_windows,
    window_days,
)
from tap_braze_sends.runtime.prefetch import OrderedPrefetcher
from tap_braze_sends.runtime.spent_pool import PoolSpent
from tap_braze_sends.runtime.window_requests import (
    RequestJob,
    fetch_request,
    request_jobs,
    requests_per_window,
    whole_windows,
)
from tap_braze_sends.runtime.windows import Window, last_returned, plan_windows, returns_any_of
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
        self._deferred: dict[int, PoolSpent] = {}
        """Partitions (plan ids) their pool could not admit: nothing more is asked for them."""
        """Partitions whose discovered item is shown deleted: no more requests for them."""
        self.readings = readings or DayReadings()
        # The first window of each later pool is planned now and started at once, so that
        # each pool's budget probe overlaps the first pool's requests (pacing.py).
        self._early: dict[tuple[int, int], WindowJob] = {}
        self._probes: dict[str, Probe] = {}
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
        self._early_requests = {id(job): request_jobs(job) for job in self._early.values()}
        """The request jobs of each early window: started at once, yielded again in order."""

    def _first_job(self, group: Group, plan: PartitionPlan, windows: list[Window]) -> WindowJob:
        """A partition's first window; while the series' reading is unknown, its probe."""
        path = group.series.name
        probes = self._probe_count.get(path, 0)
        if self.readings.get(path) is not None or probes >= MAX_PROBES:
            return WindowJob(group, plan, windows[0], last=len(windows) == 1)
        self._probe_count[path] = probes + 1
        probe = self._probes[path] = Probe(requests_per_window(group))
        return WindowJob(group, plan, windows[0], last=False, probe=probe)

    def _partition_jobs(
        self, group: Group, plan: PartitionPlan, early: WindowJob | None
    ) -> Iterator[WindowJob]:
        """A partition's windows. The series' first window, while its reading of the
        ``ending_at`` day is unknown, goes alone: the rest of the series is planned from its
        answers (exact windows), and only if they prove nothing under both readings (guards).
        The probing partition's other windows then go first, and the next partition waits for
        them too: the window past ``last`` that the guard adds (it alone shows the exclusive
        reading when the day before ``first`` had no activity) is often the one that tells."""
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
        probe = None
        if early.probe is not None and self.readings.get(path) is None and rest:
            probe = self._probes[path] = Probe(len(rest) * requests_per_window(group))
        for i, window in enumerate(rest):
            yield WindowJob(group, plan, window, last=i == len(rest) - 1, probe=probe)

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

    def jobs(self) -> Iterator[RequestJob]:
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
                    yield from self._early_requests.pop(id(job), None) or request_jobs(job)

    def results(self) -> Iterator[tuple[WindowJob, WindowResult]]:
        """Each window in plan order, once all of its requests are in."""
        early = [part for parts in self._early_requests.values() for part in parts]
        prefetcher: OrderedPrefetcher[RequestJob, Fetched | None] = OrderedPrefetcher(
            self.fetch,
            self.jobs(),
            workers=self.settings.max_parallel_requests,
            early=early,
        )
        try:
            yield from whole_windows(
                prefetcher, gone=self._is_gone, deferred=self._deferred.get, readings=self.readings
            )
        finally:
            self.fetcher.stop.set()
            prefetcher.close()

    def fetch(self, part: RequestJob) -> Fetched | None:
        """Runs on a worker thread: one request of a window, its days flattened."""
        job = part.job
        try:
            return self._fetch_request(part)
        except PoolSpent as exc:
            # That pool's trouble alone: the partition is deferred (deferral.py), the run and
            # every other pool go on.
            with self._lock:
                self._deferred.setdefault(id(job.plan), exc)
            return None
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
                job.probe.answered()

    def _fetch_request(self, part: RequestJob) -> Fetched | None:
        job = part.job
        if part.request is None or job.window is None:
            return None
        series = job.plan.series
        if self.fetcher.stop.is_set():
            raise BrazeStopped(f"not requested: the run is stopping ({series.name})")
        if id(job) not in self._early_ids:  # an early window would time the phase from the start
            self.fetcher.progress.job_started(series.name)
        if id(job.plan) in self._gone_plans or id(job.plan) in self._deferred:
            return None  # shown deleted, or deferred, by another of its requests
        try:
            answer = fetch_request(self.fetcher, part, lambda: self._still_needed(job))
        except BrazeFatalError as exc:
            if not (exc.about_the_item and job.plan.discovered):
                raise
            self._skip_deleted(job, exc)
            return None
        if answer is not None:
            self.readings.learn(series.name, job.window, (day for day, _ in answer.body.days))
            if job.probe is not None and self.readings.get(series.name) is not None:
                job.probe.release()  # the series' other partitions may go now
        return answer

    def _skip_deleted(self, job: WindowJob, exc: BrazeFatalError) -> None:
        """Listed a moment ago, rejected now: deleted in between only if Braze or a fresh
        listing says so (else ``exc`` stands); then nothing is read and the bookmark stays
        (gone.py)."""
        series, partition = job.plan.series, job.plan.partition
        items = discovered_items(series.partitions, partition, self.settings)
        why = self.gone.why_deleted(items, exc)
        with self._lock:
            self._gone_plans.add(id(job.plan))
        logger.warning(
            "Skipping %s, found by discovery and deleted since (%s): %s",
            describe_partition(partition),
            why,
            exc,
        )

    def _is_gone(self, job: WindowJob) -> bool:
        with self._lock:
            return id(job.plan) in self._gone_plans

    def _still_needed(self, job: WindowJob) -> bool:
        return not _returns_nothing_needed(job, self.readings)


def _returns_nothing_needed(job: WindowJob, readings: DayReadings) -> bool:
    """A guard window planned before the reading was known, that the reading now shows
    would bring no day of the range: not worth a request."""
    reading = readings.get(job.plan.series.name)
    return (
        reading is not None
        and job.window is not None
        and not returns_any_of(job.window, reading, job.plan.first_day, job.plan.last_day)
    )
