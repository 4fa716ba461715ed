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

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

JobT = TypeVar("JobT")
ResultT = TypeVar("ResultT")


class OrderedPrefetcher(Generic[JobT, ResultT]):
    """Run ``fetch(job)`` for each job on ``workers`` threads; yield ``(job, result)`` in order.

    With ``workers == 1`` nothing runs ahead: each job is fetched when it is consumed, which is
    the SDK's own sequential behaviour.

    ``early`` maps job positions to those jobs, to be started at once though their results
    are still handed back in order: e.g. the first request to each rate-limit pool, whose
    budget is unknown until a response reports it (pacing.py probes it with one request),
    so that the probes do not wait for each other.
    """

    def __init__(
        self,
        fetch: Callable[[JobT], ResultT],
        jobs: Iterable[JobT],
        *,
        workers: int,
        max_ahead: int | None = None,
        early: Mapping[int, JobT] | None = None,
    ) -> None:
        self._fetch = fetch
        self._jobs = iter(jobs)
        self._workers = workers
        self._max_ahead = max_ahead or 2 * workers
        self._pending: deque[tuple[JobT, Future[ResultT]]] = deque()
        self._pool = (
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="braze-fetch")
            if workers > 1
            else None
        )
        self._position = 0
        self._early: dict[int, Future[ResultT]] = {}
        if self._pool is not None:
            for position, job in sorted((early or {}).items()):
                self._early[position] = self._pool.submit(self._fetch, job)

    def _fill(self) -> None:
        assert self._pool is not None
        while len(self._pending) < self._max_ahead:
            job = next(self._jobs, None)
            if job is None:
                return
            future = self._early.pop(self._position, None)
            if future is None:
                future = self._pool.submit(self._fetch, job)
            self._position += 1
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
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()
        self._early.clear()

    def __enter__(self) -> OrderedPrefetcher[JobT, ResultT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
