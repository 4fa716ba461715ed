"""Progress a person can follow on long runs, logged at INFO on stderr (stdout stays Singer)."""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("tap_braze_sends.progress")

LOG_EVERY_SECONDS = 10.0


class Progress:
    """Thread-safe counters of one run; workers count requests, the writer counts the rest."""

    def __init__(self, *, log_every: float = LOG_EVERY_SECONDS) -> None:
        self._lock = threading.Lock()
        self._log_every = log_every
        self._last_log = time.monotonic()
        self._started = time.monotonic()
        self.stream = ""
        self.partitions_total = 0
        self.partitions_done = 0
        self.days = 0
        self.records = 0
        self.requests = 0
        self.retries = 0
        self.rate_limited = 0

    def start_stream(self, stream: str, partitions: int) -> None:
        self.stream = stream
        self.partitions_total = partitions
        self.partitions_done = 0
        logger.info("%s: %d partitions to sync", stream, partitions)

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def count_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def count_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def count_day(self, records: int) -> None:
        self.days += 1
        self.records += records

    def partition_done(self) -> None:
        self.partitions_done += 1
        self.log()

    def log(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_log < self._log_every:
            return
        self._last_log = now
        logger.info(
            "%s: %d/%d partitions done; %d days, %d records so far; %d requests, %d retries, "
            "%d rate-limited (%.0f s elapsed)",
            self.stream,
            self.partitions_done,
            self.partitions_total,
            self.days,
            self.records,
            self.requests,
            self.retries,
            self.rate_limited,
            now - self._started,
        )
