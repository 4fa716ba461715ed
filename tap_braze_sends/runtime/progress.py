"""Progress a person can follow on long runs, logged at INFO on stderr (stdout stays Singer).

One line per endpoint at least every ``LOG_EVERY_SECONDS`` while it is written, with that
endpoint's own counts (its partitions, units read in the series' own unit: days or hours,
records, requests, retries and 429s), its rates and an estimate of the time left; then one
line with the run's totals. Nothing is logged for an endpoint with no partition to sync.

A series' rates are timed over its own phase: from its first regular request (workers fetch a
little ahead of the writer) or from when the writer reached it, whichever came first. The
one window a later pool starts at the beginning of the run, to learn its budget early
(window_pool.py), does not start the clock: it would time the phase from the run's start.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
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
        # Workers fetch ahead of the writer: a series' pace counts from its first regular job.
        self._began: dict[str, float] = {}
        self._total = _Requests()
        # The endpoint being written, and the run's totals.
        self.stream = ""
        self.unit = "day"
        self._stream_started = self._started
        self.partitions_total = 0
        self.partitions_done = 0
        self.units = 0
        self.records = 0
        self.run_units: Counter[str] = Counter()
        self.run_records = 0

    @property
    def requests(self) -> int:
        return self._total.requests

    def start_stream(self, stream: str, partitions: int, unit: str = "day") -> None:
        """The writer reaches a series (``unit``: what its units are, ``day`` or ``hour``)."""
        self.stream = stream
        self.unit = unit
        self._stream_started = time.monotonic()
        self.partitions_total = partitions
        self.partitions_done = 0
        self.units = 0
        self.records = 0
        if partitions:
            logger.info("%s: %d partitions to sync", stream, partitions)

    def job_started(self, series: str) -> None:
        """A worker starts one of the series' regular jobs (not a pool's early window)."""
        with self._lock:
            self._began.setdefault(series, time.monotonic())

    def _count(self, path: str | None, field: str) -> None:
        with self._lock:
            for counts in (self._total, *((self._by_path[path],) if path else ())):
                setattr(counts, field, getattr(counts, field) + 1)

    def count_request(self, path: str | None = None) -> None:
        self._count(path, "requests")

    def count_retry(self, path: str | None = None) -> None:
        self._count(path, "retries")

    def count_rate_limited(self, path: str | None = None) -> None:
        self._count(path, "rate_limited")

    def count_unit(self, records: int) -> None:
        """One unit (a day, or an hour) of the current series written."""
        self.units += 1
        self.records += records
        self.run_units[self.unit] += 1
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
            began = min(self._stream_started, self._began.get(self.stream, now))
        elapsed = max(now - began, 1e-6)
        logger.info(
            "%s: %d/%d partitions done; %s, %d records; %d requests, %d retries, "
            "%d rate-limited; %.1f requests/s, %.0f records/s; %s",
            self.stream,
            self.partitions_done,
            self.partitions_total,
            _units(self.units, self.unit),
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
        # Days and hours apart: an hour is no day (hours only when an hourly series ran).
        units = ", ".join(
            _units(self.run_units[unit], unit)
            for unit in ("day", "hour")
            if unit == "day" or self.run_units[unit]
        )
        logger.info(
            "Run total: %s, %d records; %d requests, %d retries, %d rate-limited in %.1f s",
            units,
            self.run_records,
            self._total.requests,
            self._total.retries,
            self._total.rate_limited,
            elapsed,
        )


def _units(count: int, unit: str) -> str:
    """``"1 day"``, ``"2627 hours"``."""
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _time_left(elapsed: float, done: int, total: int) -> str:
    """``"12 s elapsed, about 30 s left"``: the pace so far, over the partitions left."""
    if done >= total:
        return f"{elapsed:.0f} s elapsed, done"
    if not done:
        return f"{elapsed:.0f} s elapsed"
    return f"{elapsed:.0f} s elapsed, about {elapsed / done * (total - done):.0f} s left"
