"""One run's sync plan: every partition's windows, fetched on one shared pool, in order.

The SDK syncs the base streams one after another, each partition in order, from one thread
that must stay the only writer. A :class:`SyncRun` plans every partition of the streams still
to sync, in the SDK's order, and fetches their windows on one pool of
``max_parallel_requests`` workers; the writer takes results strictly in plan order, so the
pool runs ahead across partition and stream boundaries while the output stays exactly what a
sequential run writes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tap_braze_sends.flatten.series import Row
from tap_braze_sends.prefetch import OrderedPrefetcher
from tap_braze_sends.windows import Window

if TYPE_CHECKING:
    from tap_braze_sends.client import BrazeSeriesStream

Partition = dict[str, str]


@dataclass(frozen=True, slots=True)
class WindowJob:
    """One request of the sync plan."""

    partition: Partition
    window: Window


@dataclass(frozen=True, slots=True)
class PartitionPlan:
    partition: Partition
    first_day: dt.date
    last_day: dt.date
    windows: tuple[Window, ...]
    states: tuple[tuple[BrazeSeriesStream, dict[str, Any]], ...]
    """Each selected stream and its state entry for this partition (the SDK's own dict)."""


@dataclass(frozen=True, slots=True)
class FetchedDay:
    day: dt.date
    day_row: Row
    message_rows: list[Row]


@dataclass(frozen=True, slots=True)
class Fetched:
    """One window's days, and when its response arrived (its records' time_extracted)."""

    days: list[FetchedDay]
    extracted_at: dt.datetime


FetchJob = tuple["BrazeSeriesStream", WindowJob]


def context_key(context: Mapping[str, Any]) -> frozenset:
    return frozenset(context.items())


def context_states(stream: BrazeSeriesStream, partitions: list[Partition]) -> list[dict]:
    """Each partition's writeable state entry of ``stream``, found in one pass.

    The SDK's get_context_state scans the stream's partition list on every call, so planning
    n partitions through it costs O(n^2): minutes at a few thousand partitions. Entries are the
    SDK's own dicts (bookmarks.<stream>.partitions[i]), so the SDK writes what we set.
    """
    entries = stream.stream_state.setdefault("partitions", [])
    index: dict[frozenset, dict] = {}
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("context"), dict):
            index.setdefault(context_key(entry["context"]), entry)
    states = []
    for partition in partitions:
        key = context_key(partition)
        if key not in index:
            index[key] = {"context": dict(partition)}
            entries.append(index[key])
        states.append(index[key])
    return states


def first_job_per_pool(
    plans: list[tuple[BrazeSeriesStream, list[PartitionPlan]]],
) -> dict[int, FetchJob]:
    """The first request of each rate-limit pool after the first, by position in the plan.

    A pool's budget is probed with one request before any other goes out (pacing.py): fetched
    early, a later stream's probe overlaps the first stream's requests instead of stalling
    the pool when the writer reaches that stream.
    """
    early: dict[int, FetchJob] = {}
    pools: set[str] = set()
    position = 0
    for stream, stream_plans in plans:
        first = next((p for p in stream_plans if p.windows), None)
        if first is not None and stream.rate_limit_pool not in pools:
            if pools:
                early[position] = (stream, WindowJob(first.partition, first.windows[0]))
            pools.add(stream.rate_limit_pool)
        position += sum(len(p.windows) for p in stream_plans)
    return early


def fetch_job(job: FetchJob) -> Fetched:
    """Runs on a worker thread: one window, stamped with when its response arrived."""
    stream, window_job = job
    days = stream.fetch_window(window_job)
    return Fetched(days, dt.datetime.now(dt.timezone.utc))


class SyncRun:
    """One run's plan for every base stream still to sync, fetched on one shared pool."""

    STATE_EVERY_SECONDS = 30.0
    """At least this often a finished partition's STATE goes out, whatever its cost."""
    RECORDS_PER_PARTITION = 10
    """What a finished partition counts for, in records, toward the next STATE."""

    def __init__(
        self,
        plans: list[tuple[BrazeSeriesStream, list[PartitionPlan]]],
        *,
        workers: int,
    ) -> None:
        self.streams = [stream for stream, _ in plans]
        self.plans: dict[tuple[str, tuple[str, ...]], PartitionPlan] = {}
        self._order: list[tuple[str, tuple[str, ...]]] = []
        self._counts = {stream.name: len(stream_plans) for stream, stream_plans in plans}
        self._last_of_stream: dict[str, int] = {}
        for stream, stream_plans in plans:
            for plan in stream_plans:
                key = (stream.name, tuple(plan.partition.values()))
                self.plans[key] = plan
                self._order.append(key)
            self._last_of_stream[stream.name] = len(self._order)
        self._next = 0
        jobs = (
            (stream, WindowJob(plan.partition, window))
            for stream, stream_plans in plans
            for plan in stream_plans
            for window in plan.windows
        )
        self.prefetcher: OrderedPrefetcher[FetchJob, Fetched] = OrderedPrefetcher(
            fetch_job, jobs, workers=workers, early=first_job_per_pool(plans)
        )
        self._records_since_state = 0
        self._partitions_since_state = 0
        self._state_at = time.monotonic()

    def partition_count(self, stream: str) -> int:
        return self._counts.get(stream, 0)

    def take(self, stream: str, plan: PartitionPlan) -> Iterator[Fetched] | None:
        """The partition's windows, in order, if it is the next in plan order; else None."""
        key = (stream, tuple(plan.partition.values()))
        if self._next >= len(self._order) or self._order[self._next] != key:
            return None
        self._next += 1
        return (fetched for _job, fetched in self.prefetcher.take(len(plan.windows)))

    def stream_done(self, stream: str) -> bool:
        return self._next >= self._last_of_stream.get(stream, 0)

    @property
    def done(self) -> bool:
        return self._next >= len(self._order)

    @property
    def state_pending(self) -> bool:
        return self._partitions_since_state > 0

    def state_due(self, records: int, *, stream_done: bool, tap_state: Mapping) -> bool:
        """Whether a finished partition's STATE goes out now.

        A STATE holds every partition's bookmark, so one per partition costs O(partitions^2)
        in all: gigabytes of STATE at a few thousand partitions. A STATE is due once the
        records (and partitions) written since the last one outweigh its entries, so STATE
        output stays proportional to record output; also every STATE_EVERY_SECONDS, and at the
        end of each stream. Each STATE still comes after all records of what it covers.
        """
        self._records_since_state += records
        self._partitions_since_state += 1
        entries = sum(
            len(stream_state.get("partitions") or ())
            for stream_state in (tap_state.get("bookmarks") or {}).values()
            if isinstance(stream_state, Mapping)
        )
        work = self._records_since_state + self.RECORDS_PER_PARTITION * self._partitions_since_state
        return (
            stream_done
            or work >= entries
            or time.monotonic() - self._state_at >= self.STATE_EVERY_SECONDS
        )

    def state_written(self) -> None:
        self._records_since_state = 0
        self._partitions_since_state = 0
        self._state_at = time.monotonic()
