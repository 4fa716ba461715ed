"""The one base stream: requests, errors, retries, pacing, concurrency, state.

The streams in :mod:`tap_braze_sends.streams` only describe themselves. Each endpoint has a
day-level stream (the SDK syncs it) and a message-level stream declared as its child; one
request feeds both, so selecting both never doubles the requests, and the SDK still runs the
day-level stream (without writing its records) when only the message-level one is selected.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

import backoff
import msgspec
import requests
from requests.adapters import HTTPAdapter
from singer_sdk.authenticators import BearerTokenAuthenticator
from singer_sdk.helpers._typing import TypeConformanceLevel
from singer_sdk.streams import RESTStream

from tap_braze_sends.errors import (
    BrazeGaveUp,
    BrazeRateLimited,
    BrazeTransientError,
    StateError,
    describe_partition,
    fatal_error_for,
    redact,
)
from tap_braze_sends.pacing import read_rate_limit_headers, seconds_until_reset
from tap_braze_sends.prefetch import OrderedPrefetcher
from tap_braze_sends.rows import MalformedDayError, Row, flatten_day, parse_day
from tap_braze_sends.windows import Window, plan_windows, starting_day

if TYPE_CHECKING:
    from backoff.types import Details

    from tap_braze_sends.progress import Progress
    from tap_braze_sends.settings import Settings
    from tap_braze_sends.tap import TapBrazeSends

Partition = dict[str, str]

TRANSIENT_ERRORS = (
    BrazeTransientError,
    ConnectionResetError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
MAX_BACKOFF_SECONDS = 60.0


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


@dataclass(frozen=True, slots=True)
class FetchedDay:
    day: dt.date
    day_row: Row
    message_rows: list[Row]


def _braze_message(response: requests.Response) -> str:
    try:
        body = msgspec.json.decode(response.content)
    except msgspec.DecodeError:
        return response.text[:300]
    if isinstance(body, dict):
        parts = [str(body.get("message") or "")]
        if body.get("errors"):
            parts.append(str(body["errors"]))
        return " ".join(p for p in parts if p)
    return str(body)[:300]


class BrazeSeriesStream(RESTStream):
    """Base for the four streams: one Braze ``data_series`` endpoint, partitioned by id."""

    partition_fields: ClassVar[tuple[str, ...]]
    """Config keys that identify a partition (and are the leading primary-key columns)."""
    rate_limit_pool: ClassVar[str]
    """Braze rate-limit pool of the endpoint (shared by every stream that calls it)."""
    no_data_hint: ClassVar[str] = ""
    """Why a partition may legitimately return no data; shown in its warning."""

    replication_key = "time"
    is_sorted = False
    # Rows are built to the schema already (see rows.py); conforming them again per record
    # would only cost time.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prefetcher: OrderedPrefetcher[WindowJob, list[FetchedDay]] | None = None
        self._plans: dict[tuple[str, ...], PartitionPlan] = {}
        self._plan_order: list[tuple[str, ...]] = []
        self._next_plan = 0

    # --- What the SDK asks of every REST stream -------------------------------------------

    @property
    def _braze_tap(self) -> TapBrazeSends:
        return self._tap  # type: ignore[return-value]

    @property
    def settings(self) -> Settings:
        return self._braze_tap.settings

    @property
    def url_base(self) -> str:
        return self.settings.api_url

    @property
    def authenticator(self) -> BearerTokenAuthenticator:
        return BearerTokenAuthenticator(token=self.settings.api_key)

    @property
    def timeout(self) -> float:  # type: ignore[override]
        return self.settings.request_timeout

    @property
    def requests_session(self) -> requests.Session:
        if not self._requests_session:
            session = requests.Session()
            # One pooled connection per worker, so concurrent requests reuse sockets.
            size = max(10, self.settings.max_parallel_requests)
            session.mount("http://", HTTPAdapter(pool_connections=2, pool_maxsize=size))
            session.mount("https://", HTTPAdapter(pool_connections=2, pool_maxsize=size))
            self._requests_session = session
        return self._requests_session

    def get_new_paginator(self) -> None:
        return None

    def parse_response(self, response: requests.Response) -> Iterable[dict]:
        return response.braze_days  # type: ignore[attr-defined, no-any-return]

    @property
    def partitions(self) -> list[dict]:
        return self._braze_tap.partitions_for(self.partition_fields)

    @property
    def message_stream(self) -> BrazeSeriesStream | None:
        """The message-level stream fed by this day-level stream's requests."""
        children = self.child_streams or []
        return children[0] if children else None  # type: ignore[return-value]

    def generate_child_contexts(
        self, record: dict, context: Mapping | None
    ) -> Iterator[dict]:
        # The message stream gets its rows straight from the shared request (see
        # get_records), never through a per-record child sync.
        return iter(())

    def _increment_stream_state(self, latest_record: dict, *, context: Any = None) -> None:
        # Bookmarks are per partition and mean "days read through"; they move once a
        # partition is complete (_complete_partition), never per record.
        return

    # --- Requests: one place for pacing, errors and retries ---------------------------------

    @property
    def _progress(self) -> Progress:
        return self._braze_tap.progress

    def _request(
        self, prepared_request: requests.PreparedRequest, context: Mapping | None
    ) -> requests.Response:
        budget = self._braze_tap.rate_budget(self.rate_limit_pool)
        budget.acquire()
        headers = None
        try:
            response = self.requests_session.send(
                prepared_request, timeout=self.timeout, allow_redirects=False
            )
            headers = read_rate_limit_headers(response.headers)
        finally:
            budget.release(headers)
        self._progress.count_request()
        self._write_request_duration_log(
            endpoint=self.path, response=response, context=context, extra_tags=None
        )
        self.validate_response(response)
        return response

    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        context = getattr(response.request, "braze_partition", {}) if response.request else {}
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self._on_rate_limited(response)
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            message = redact(_braze_message(response), self.settings.api_key)
            raise BrazeTransientError(f"HTTP {status} from {self.path}: {message}", response)
        if status >= HTTPStatus.MULTIPLE_CHOICES:
            raise fatal_error_for(
                status,
                braze_message=redact(_braze_message(response), self.settings.api_key),
                path=self.path,
                api_url=self.settings.api_url,
                partition=context,
            )
        response.braze_days = self._parse_days(response)  # type: ignore[attr-defined]

    def _on_rate_limited(self, response: requests.Response) -> None:
        headers = read_rate_limit_headers(response.headers)
        wait = seconds_until_reset(headers, time.time())
        self._progress.count_rate_limited()
        if wait is None:
            # No hint from Braze: treat as transient, with exponential backoff.
            msg = f"HTTP 429 from {self.path} without Retry-After or X-RateLimit-Reset"
            raise BrazeTransientError(msg, response)
        limit = self.settings.max_rate_limit_wait
        if wait > limit:
            msg = (
                f"Braze rate limit (429) on {self.path} asks to wait {wait:.0f} s, longer than "
                f"max_rate_limit_wait={limit:.0f} s. Rerun later (state is saved), or raise "
                "max_rate_limit_wait, or lower max_parallel_requests if other jobs share "
                "this workspace's budget."
            )
            raise BrazeGaveUp(msg)
        self._braze_tap.rate_budget(self.rate_limit_pool).block_for(wait)
        raise BrazeRateLimited(f"HTTP 429 from {self.path}; waiting {wait:.1f} s", wait)

    def _parse_days(self, response: requests.Response) -> list[FetchedDay]:
        partition: Partition = getattr(response.request, "braze_partition", {})
        try:
            body = msgspec.json.decode(response.content)
        except msgspec.DecodeError as exc:
            msg = f"invalid JSON body from {self.path} ({len(response.content)} bytes): {exc}"
            raise BrazeTransientError(msg, response) from exc
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            msg = f"unexpected body from {self.path}: no 'data' list of day objects"
            raise BrazeTransientError(msg, response)
        try:
            return [
                FetchedDay(parse_day(day.get("time")), *flatten_day(day, partition))
                for day in data
            ]
        except MalformedDayError as exc:
            raise BrazeTransientError(f"{exc} in body from {self.path}", response) from exc

    def request_decorator(self, func: Callable) -> Callable:
        transient = backoff.on_exception(
            backoff.expo,
            TRANSIENT_ERRORS,
            max_tries=self.settings.max_retries + 1,
            max_value=MAX_BACKOFF_SECONDS,
            factor=self._braze_tap.retry_initial_wait,
            jitter=backoff.full_jitter,
            on_backoff=self._log_retry,
            logger=None,
        )(func)
        return backoff.on_exception(
            backoff.runtime,
            BrazeRateLimited,
            value=lambda exc: exc.wait,
            jitter=None,
            max_time=self.settings.max_rate_limit_wait,
            on_backoff=self._log_rate_limit_wait,
            logger=None,
        )(transient)

    def _log_retry(self, details: Details) -> None:
        self._progress.count_retry()
        exc = details.get("exception")
        partition = details["args"][0].braze_partition if details.get("args") else {}
        self.logger.warning(
            "Retrying %s (%s) in %.1f s after attempt %d of %d: %s",
            describe_partition(partition),
            self.path,
            details.get("wait") or 0.0,
            details["tries"],
            self.settings.max_retries + 1,
            redact(f"{type(exc).__name__}: {exc}", self.settings.api_key),
        )

    def _log_rate_limit_wait(self, details: Details) -> None:
        self.logger.warning(
            "Braze rate limit (429) on %s: waiting %.1f s for the budget to reset",
            self.path,
            details.get("wait") or 0.0,
        )

    def fetch_window(self, job: WindowJob) -> list[FetchedDay]:
        """Fetch one window (runs on a worker thread); the days inside it, flattened."""
        params = {
            **job.partition,
            "length": job.window.length,
            "ending_at": job.window.ending_at(),
        }
        prepared = self.build_prepared_request(
            method="GET", url=self.get_url(None), params=params
        )
        prepared.braze_partition = job.partition  # type: ignore[attr-defined]
        try:
            response = self.request_decorator(self._request)(prepared, job.partition)
        except BrazeRateLimited as exc:
            msg = (
                f"Giving up on {describe_partition(job.partition)} ({self.path}): still rate "
                f"limited after waiting max_rate_limit_wait={self.settings.max_rate_limit_wait:.0f}"
                f" s; last: {exc}. Rerun later (state is saved) or raise max_rate_limit_wait."
            )
            raise BrazeGaveUp(msg) from None
        except TRANSIENT_ERRORS as exc:
            msg = (
                f"Giving up on {describe_partition(job.partition)} ({self.path}, window of "
                f"{job.window.length} days ending {job.window.ending_day}) after "
                f"{self.settings.max_retries + 1} attempts; last cause: {type(exc).__name__}: "
                f"{exc}"
            )
            raise BrazeGaveUp(redact(msg, self.settings.api_key)) from None
        return response.braze_days  # type: ignore[attr-defined, no-any-return]

    # --- Planning and syncing partitions ---------------------------------------------------

    def _selected_streams(self) -> list[BrazeSeriesStream]:
        streams: list[BrazeSeriesStream] = [self] if self.selected else []
        message_stream = self.message_stream
        if message_stream is not None and message_stream.selected:
            streams.append(message_stream)
        return streams

    def _bookmark(self, stream: BrazeSeriesStream, partition: Partition) -> dt.date | None:
        value = stream.get_context_state(partition).get("replication_key_value")
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            msg = (
                f"State bookmark for stream '{stream.name}' {describe_partition(partition)} is "
                f"{value!r}, not a date. Fix or remove that entry of the state."
            )
            raise StateError(msg) from None

    def _plan_partition(self, partition: Partition, today: dt.date) -> PartitionPlan:
        settings = self.settings
        bookmarks = [self._bookmark(s, partition) for s in self._selected_streams()]
        # Read from the earliest need of any selected stream, so none of them misses a day.
        bookmark = None if None in bookmarks or not bookmarks else min(bookmarks)
        first_day = starting_day(
            start_date=settings.start_date,
            bookmark=bookmark,
            lookback_days=settings.lookback_days,
            today=today,
        )
        last_day = min(settings.end_date, today)
        windows = tuple(plan_windows(first_day, last_day, settings.window_days))
        return PartitionPlan(partition, first_day, last_day, windows)

    def _start_sync(self) -> None:
        today = dt.datetime.now(dt.timezone.utc).date()
        plans = [self._plan_partition(p, today) for p in self.partitions]
        self._plans = {tuple(p.partition.values()): p for p in plans}
        self._plan_order = [tuple(p.partition.values()) for p in plans]
        self._next_plan = 0
        jobs = (WindowJob(p.partition, w) for p in plans for w in p.windows)
        self._prefetcher = OrderedPrefetcher(
            self.fetch_window, jobs, workers=self.settings.max_parallel_requests
        )
        self._progress.start_stream(self.name, len(plans))
        message_stream = self.message_stream
        if message_stream is not None and message_stream.selected:
            message_stream._write_schema_message()  # noqa: SLF001 - written before its records

    def _finish_sync(self) -> None:
        if self._prefetcher is not None:
            self._prefetcher.close()
        self._prefetcher = None
        self._progress.log(force=True)

    def _fetch_partition(self, plan: PartitionPlan) -> Iterator[tuple[WindowJob, list[FetchedDay]]]:
        key = tuple(plan.partition.values())
        in_order = (
            self._prefetcher is not None
            and self._next_plan < len(self._plan_order)
            and self._plan_order[self._next_plan] == key
        )
        if in_order:
            self._next_plan += 1
            assert self._prefetcher is not None
            return self._prefetcher.take(len(plan.windows))
        # Asked out of plan order (e.g. the SDK's dry run): fetch this partition on its own.
        return ((job, self.fetch_window(job)) for job in (WindowJob(plan.partition, w) for w in plan.windows))

    def get_records(self, context: Mapping | None) -> Iterable[dict[str, Any]]:
        if not context:
            return
        if self._prefetcher is None:
            self._start_sync()
        partition: Partition = {field: context[field] for field in self.partition_fields}
        plan = self._plans.get(tuple(partition.values())) or self._plan_partition(
            partition, dt.datetime.now(dt.timezone.utc).date()
        )
        message_stream = self.message_stream
        write_messages = message_stream is not None and message_stream.selected
        day_records = int(self.selected)
        emitted: set[dt.date] = set()
        try:
            for _job, days in self._fetch_partition(plan):
                for fetched in days:
                    # Days outside the range are the far edge of a window under the other
                    # reading of ending_at (see windows.py); the range gets each day once.
                    if not plan.first_day <= fetched.day <= plan.last_day or fetched.day in emitted:
                        continue
                    emitted.add(fetched.day)
                    if write_messages:
                        assert message_stream is not None
                        for row in fetched.message_rows:
                            message_stream._write_record_message(row)  # noqa: SLF001
                    self._progress.count_day(
                        day_records + (len(fetched.message_rows) if write_messages else 0)
                    )
                    yield fetched.day_row
        except BaseException:
            self._finish_sync()
            raise
        self._complete_partition(plan, had_data=bool(emitted))
        if self._next_plan >= len(self._plan_order):
            self._finish_sync()

    def _complete_partition(self, plan: PartitionPlan, *, had_data: bool) -> None:
        """Move the bookmarks of a finished partition, then emit STATE (after its records)."""
        if not had_data and plan.windows and self.no_data_hint:
            self.logger.warning(
                "No data for %s between %s and %s. %s",
                describe_partition(plan.partition),
                plan.first_day,
                plan.last_day,
                self.no_data_hint,
            )
        for stream in self._selected_streams():
            state = stream.get_context_state(plan.partition)
            state.pop("progress_markers", None)
            previous = self._bookmark(stream, plan.partition)
            if previous is None or previous < plan.last_day:
                state["replication_key"] = self.replication_key
                state["replication_key_value"] = plan.last_day.isoformat()
            stream.state_manager.is_flushed = False
        self._progress.partition_done()
        if self.selected:
            self._write_state_message()
        elif (message_stream := self.message_stream) is not None and message_stream.selected:
            message_stream._write_state_message()  # noqa: SLF001
