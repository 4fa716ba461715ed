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
from collections import deque
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
        self._max_ahead = max_ahead or 2 * workers
        self._pending: deque[tuple[JobT, Future[ResultT]]] = deque()
        self._pool = _DaemonPool(workers) if workers > 1 else None
        self._early: dict[int, tuple[JobT, Future[ResultT]]] = {}
        if self._pool is not None:
            for job in early:
                self._early[id(job)] = (job, self._pool.submit(self._fetch, job))

    def _fill(self) -> None:
        assert self._pool is not None
        while len(self._pending) < self._max_ahead:
            job = next(self._jobs, None)
            if job is None:
                return
            started = self._early.pop(id(job), None)
            future = started[1] if started else self._pool.submit(self._fetch, job)
            self._pending.append((job, future))

    def _next(self) -> tuple[JobT, ResultT] | None:
        if self._pool is None:
            job = next(self._jobs, None)
            return None if job is None else (job, self._fetch(job))
        self._fill()
        if not self._pending:
            return None
        job, future = self._pending.popleft()
        self._fill()
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
        if self._pool is not None:
            self._pool.shutdown()
        self._pending.clear()
        self._early.clear()

    def __enter__(self) -> OrderedPrefetcher[JobT, ResultT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
