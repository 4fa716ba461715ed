"""Progress a person can follow on long runs, logged at INFO on stderr (stdout stays Singer).

One line per endpoint at least every ``LOG_EVERY_SECONDS`` while it is written, with that
endpoint's own counts (its partitions, days, records, requests, retries and 429s), its rates
and an estimate of the time left; then one line with the run's totals. Nothing is logged for
an endpoint with no partition to sync.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

logger = logging.getLogger("tap_braze_sends.progress")

LOG_EVERY_SECONDS = 10.0


@dataclass
class _Requests:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


class Progress:
    """Thread-safe counters of one run; workers count requests, the writer counts the rest."""

    def __init__(self, *, log_every: float = LOG_EVERY_SECONDS) -> None:
        self._lock = threading.Lock()
        self._log_every = log_every
        self._started = time.monotonic()
        self._last_log = self._started
        self._by_path: defaultdict[str, _Requests] = defaultdict(_Requests)
        # Workers fetch ahead of the writer: an endpoint's pace counts from its first request.
        self._first_request: dict[str, float] = {}
        self._total = _Requests()
        # The endpoint being written, and the run's totals.
        self.stream = ""
        self._stream_started = self._started
        self.partitions_total = 0
        self.partitions_done = 0
        self.days = 0
        self.records = 0
        self.run_days = 0
        self.run_records = 0

    @property
    def requests(self) -> int:
        return self._total.requests

    def start_stream(self, stream: str, partitions: int) -> None:
        self.stream = stream
        self._stream_started = time.monotonic()
        self.partitions_total = partitions
        self.partitions_done = 0
        self.days = 0
        self.records = 0
        if partitions:
            logger.info("%s: %d partitions to sync", stream, partitions)

    def _count(self, path: str | None, field: str) -> None:
        with self._lock:
            if path:
                self._first_request.setdefault(path, time.monotonic())
            for counts in (self._total, *((self._by_path[path],) if path else ())):
                setattr(counts, field, getattr(counts, field) + 1)

    def count_request(self, path: str | None = None) -> None:
        self._count(path, "requests")

    def count_retry(self, path: str | None = None) -> None:
        self._count(path, "retries")

    def count_rate_limited(self, path: str | None = None) -> None:
        self._count(path, "rate_limited")

    def count_day(self, records: int) -> None:
        self.days += 1
        self.records += records
        self.run_days += 1
        self.run_records += records

    def partition_done(self) -> None:
        self.partitions_done += 1
        self.log()

    def log(self, *, force: bool = False) -> None:
        """The current endpoint's line (at most every log_every seconds unless forced)."""
        now = time.monotonic()
        if not self.partitions_total or (not force and now - self._last_log < self._log_every):
            return
        self._last_log = now
        with self._lock:
            own = _Requests(**vars(self._by_path[self.stream]))
            began = min(self._stream_started, self._first_request.get(self.stream, now))
        elapsed = max(now - began, 1e-6)
        logger.info(
            "%s: %d/%d partitions done; %d days, %d records; %d requests, %d retries, "
            "%d rate-limited; %.1f requests/s, %.0f records/s; %s",
            self.stream,
            self.partitions_done,
            self.partitions_total,
            self.days,
            self.records,
            own.requests,
            own.retries,
            own.rate_limited,
            own.requests / elapsed,
            self.records / elapsed,
            _time_left(elapsed, self.partitions_done, self.partitions_total),
        )

    def log_total(self) -> None:
        """The run's totals: every endpoint, the catalogues' list and details requests too."""
        elapsed = time.monotonic() - self._started
        logger.info(
            "Run total: %d days, %d records; %d requests, %d retries, %d rate-limited in %.1f s",
            self.run_days,
            self.run_records,
            self._total.requests,
            self._total.retries,
            self._total.rate_limited,
            elapsed,
        )


def _time_left(elapsed: float, done: int, total: int) -> str:
    """``"12 s elapsed, about 30 s left"``: the pace so far, over the partitions left."""
    if done >= total:
        return f"{elapsed:.0f} s elapsed, done"
    if not done:
        return f"{elapsed:.0f} s elapsed"
    return f"{elapsed:.0f} s elapsed, about {elapsed / done * (total - done):.0f} s left"
