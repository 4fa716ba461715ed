"""Fetch many requests concurrently while handing results back in plan order.

singer-sdk syncs partitions one after another from a single thread, and that thread must stay
the only writer of Singer messages. This module lets it keep doing so: the requests of all
partitions run on a bounded pool, and the writer takes their results strictly in plan order,
so a partition's records, then its STATE, come out exactly as in a sequential run.

Memory stays bounded: at most ``max_ahead`` requests (plus the few ``early`` ones) are
submitted but not yet consumed, whatever the number of partitions or days; and never more than
``workers`` run at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Generic, TypeVar

JobT = TypeVar("JobT")
ResultT = TypeVar("ResultT")


class OrderedPrefetcher(Generic[JobT, ResultT]):
    """Run ``fetch(job)`` for each job on ``workers`` threads; yield ``(job, result)`` in order.

    With ``workers == 1`` nothing runs ahead: each job is fetched when it is consumed, which is
    the SDK's own sequential behaviour.

    ``early`` jobs are started at once, though their results are still handed back in order
    when ``jobs`` yields the very same job objects: e.g. the first request to each rate-limit
    pool, whose budget is unknown until a response reports it (pacing.py probes it with one
    request), so that the probes do not wait for each other.
    """

    def __init__(
        self,
        fetch: Callable[[JobT], ResultT],
        jobs: Iterable[JobT],
        *,
        workers: int,
        max_ahead: int | None = None,
        early: Iterable[JobT] = (),
    ) -> None:
        self._fetch = fetch
        self._jobs = iter(jobs)
        self._workers = workers
        self._pool = _DaemonPool(workers) if workers > 1 else None
        self._early: dict[int, tuple[JobT, Future[ResultT]]] = {}
        # Submitted, in plan order, for the consumer; a slot per job not yet consumed.
        self._submitted: queue.SimpleQueue[tuple[JobT, Future[ResultT]] | _End] = (
            queue.SimpleQueue()
        )
        self._slots = threading.Semaphore(max_ahead or 2 * workers)
        self._closed = threading.Event()
        if self._pool is not None:
            for job in early:
                self._early[id(job)] = (job, self._pool.submit(self._fetch, job))
            # The plan is read on a thread of its own: planning may wait (for a series'
            # probe, whose pool may be waiting for its reset), and the consumer must go on
            # taking what is already fetched meanwhile, not wait with it.
            threading.Thread(target=self._feed, name="braze-plan", daemon=True).start()

    def _feed(self) -> None:
        assert self._pool is not None
        try:
            for job in self._jobs:
                while not self._slots.acquire(timeout=_SLOT_WAIT_SECONDS):
                    if self._closed.is_set():
                        return
                if self._closed.is_set():
                    return
                started = self._early.pop(id(job), None)
                future = started[1] if started else self._pool.submit(self._fetch, job)
                self._submitted.put((job, future))
        except BaseException as exc:  # a planning error: the consumer raises it in order
            self._submitted.put(_End(exc))
        else:
            self._submitted.put(_End(None))

    def _next(self) -> tuple[JobT, ResultT] | None:
        if self._pool is None:
            job = next(self._jobs, None)
            return None if job is None else (job, self._fetch(job))
        item = self._submitted.get()
        if isinstance(item, _End):
            self._submitted.put(item)  # every later call ends too
            if item.error is not None:
                raise item.error
            return None
        self._slots.release()
        job, future = item
        return job, future.result()

    def __iter__(self) -> Iterator[tuple[JobT, ResultT]]:
        """Every job's result, in plan order."""
        while (item := self._next()) is not None:
            yield item

    def take(self, count: int) -> Iterator[tuple[JobT, ResultT]]:
        """Consume the next ``count`` results, in plan order."""
        for _ in range(count):
            item = self._next()
            if item is None:
                msg = "fewer planned jobs than the consumer asked for"
                raise RuntimeError(msg)
            yield item

    def close(self) -> None:
        """Stop: cancel what has not started, and wait for what has."""
        self._closed.set()
        if self._pool is not None:
            self._pool.shutdown()
        self._early.clear()

    def __enter__(self) -> OrderedPrefetcher[JobT, ResultT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SLOT_WAIT_SECONDS = 0.1
"""How often the plan's thread, waiting for the consumer, checks that the run goes on."""


class _End:
    """The end of the plan: its error (re-raised by the consumer), or None."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class _DaemonPool:
    """A fixed pool of daemon threads.

    Unlike ThreadPoolExecutor's workers, which the interpreter joins at exit, a daemon worker
    stuck in a socket read (up to request_timeout) cannot hold up a run that was told to
    stop: the run writes its STATE and exits at once.
    """

    def __init__(self, workers: int) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"braze-fetch-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[JobT], ResultT], job: JobT) -> Future[ResultT]:
        future: Future[ResultT] = Future()
        self._jobs.put((future, fn, job))
        return future

    def _work(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            future, fn, job = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(job))
            except BaseException as exc:  # handed to the consumer, which decides
                future.set_exception(exc)

    def shutdown(self) -> None:
        """Cancel what has not started; running jobs finish on their own (daemon threads)."""
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)
