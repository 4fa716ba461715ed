"""The one base stream: requests, errors, retries, pacing, partition state, record output.

What to fetch, and on which threads, is :mod:`tap_braze_sends.sync_run`'s job.

The streams in :mod:`tap_braze_sends.streams` only describe themselves. Each endpoint has a
day-level stream (the SDK syncs it) and a message-level stream declared as its child; one
request feeds both, so selecting both never doubles the requests, and the SDK still runs the
day-level stream (without writing its records) when only the message-level one is selected.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

import backoff
import msgspec
import requests
from requests.adapters import HTTPAdapter
from requests.utils import resolve_proxies
from singer_sdk.authenticators import BearerTokenAuthenticator
from singer_sdk.exceptions import AbortedSyncExceptionBase, RequestedAbortException
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.streams import RESTStream

from tap_braze_sends.errors import (
    BrazeError,
    BrazeGaveUp,
    BrazeRateLimited,
    BrazeStopped,
    BrazeTransientError,
    StateError,
    braze_message,
    describe_partition,
    fatal_error_for,
    redact,
)
from tap_braze_sends.flatten.series import MalformedDayError, Row, flatten_day, parse_day
from tap_braze_sends.output import BufferedMsgSpecWriter
from tap_braze_sends.pacing import (
    AcquireCancelled,
    RateBudgetExceeded,
    read_rate_limit_headers,
    seconds_until_reset,
)
from tap_braze_sends.sync_run import (
    Fetched,
    FetchedDay,
    Partition,
    PartitionPlan,
    SyncRun,
    WindowJob,
    context_states,
    fetch_job,
)
from tap_braze_sends.windows import plan_windows, starting_day

if TYPE_CHECKING:
    from backoff.types import Details

    from tap_braze_sends.progress import Progress
    from tap_braze_sends.settings import Settings
    from tap_braze_sends.tap import TapBrazeSends

TRANSIENT_ERRORS = (
    BrazeTransientError,
    ConnectionResetError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
MAX_BACKOFF_SECONDS = 60.0
_NOT_SYNC_FAILURES = (BrazeError, AbortedSyncExceptionBase, RequestedAbortException)


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
        self._sync_run: SyncRun | None = None
        self._stream_begun = False
        self._direct_records: bool | None = None
        self._extracted_at: dt.datetime | None = None
        self._resolved_proxies: dict[str, str] | None = None
        # Set when the writer stops (error, end): workers then stop waiting and retrying.
        self._stopping = threading.Event()

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

    def _proxies(self, request: requests.PreparedRequest) -> dict[str, str]:
        # Every request goes to the one api_url host, so the proxy environment (HTTPS_PROXY,
        # NO_PROXY, ...) is resolved once; requests would re-read it on every send.
        if self._resolved_proxies is None:
            session = self.requests_session
            self._resolved_proxies = resolve_proxies(request, session.proxies, session.trust_env)
        return self._resolved_proxies

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
        budget.acquire(max_wait=self.settings.max_rate_limit_wait, stop=self._stopping)
        headers = None
        try:
            response = self.requests_session.send(
                prepared_request,
                timeout=self.timeout,
                allow_redirects=False,
                proxies=self._proxies(prepared_request),
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

    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        # The SDK logs "An unhandled error occurred while syncing ..." before re-raising. For
        # an error a person must fix, the tap's one message (TapBrazeSends.invoke) says it
        # all, and a dry run's record limit (--test) is no error at all, so that line goes to
        # DEBUG; any other exception keeps it.
        if level >= logging.ERROR and isinstance(sys.exc_info()[1], _NOT_SYNC_FAILURES):
            level = logging.DEBUG
        super().log(message, *args, level=level, **kwargs)

    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        context = getattr(response.request, "braze_partition", {}) if response.request else {}
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            self._on_rate_limited(response)
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            message = redact(braze_message(response), self.settings.api_key)
            raise BrazeTransientError(f"HTTP {status} from {self.path}: {message}", response)
        if status >= HTTPStatus.MULTIPLE_CHOICES:
            raise fatal_error_for(
                status,
                braze_message=redact(braze_message(response), self.settings.api_key),
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
            raise RateBudgetExceeded(f"HTTP 429 from {self.path} asks to wait", wait, limit)
        # The wait happens in the pool's budget (see request_decorator): every worker of the
        # pool holds, and a stopping run does not sleep it out.
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
            giveup=self._giving_up,
            logger=None,
        )(func)
        # A 429 was turned into a block of the pool's budget (_on_rate_limited); the next
        # attempt's acquire() waits it out, so this decorator only counts the time.
        return backoff.on_exception(
            backoff.constant,
            BrazeRateLimited,
            interval=0,
            jitter=None,
            max_time=self.settings.max_rate_limit_wait,
            on_backoff=self._log_rate_limit_wait,
            giveup=self._giving_up,
            logger=None,
        )(transient)

    def _giving_up(self, _exc: Exception) -> bool:
        return self._stopping.is_set()

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
        partition = details["args"][0].braze_partition if details.get("args") else {}
        exc = details.get("exception")
        self.logger.warning(
            "Braze rate limit (429) for %s (%s): waiting %.1f s for the budget to reset",
            describe_partition(partition),
            self.path,
            getattr(exc, "wait", 0.0),
        )

    def fetch_window(self, job: WindowJob) -> list[FetchedDay]:
        """Fetch one window (runs on a worker thread); the days inside it, flattened."""
        if self._stopping.is_set():
            # The writer has stopped on an error; nobody will read this result.
            raise BrazeStopped(f"not requested: the run is stopping ({self.path})")
        params = {
            **job.partition,
            "length": job.window.length,
            "ending_at": job.window.ending_at(),
        }
        prepared = self.build_prepared_request(
            method="GET", url=self.get_url(None), params=params
        )
        prepared.braze_partition = job.partition  # type: ignore[attr-defined]
        where = (
            f"{describe_partition(job.partition)} ({self.path}, window {job.window.first_day}"
            f"..{job.window.ending_day}: length={job.window.length}, "
            f"ending_at={job.window.ending_at()})"
        )
        limit = self.settings.max_rate_limit_wait
        try:
            response = self.request_decorator(self._request)(prepared, job.partition)
        except AcquireCancelled:
            raise BrazeStopped(f"not requested: the run is stopping ({self.path})") from None
        except (BrazeRateLimited, RateBudgetExceeded) as exc:
            waited = (
                f"still rate limited after waiting max_rate_limit_wait={limit:.0f} s; last: "
                if isinstance(exc, BrazeRateLimited)
                else ""
            )
            msg = (
                f"Giving up on {where}: {waited}{exc}. Rerun later (state is saved), raise "
                "max_rate_limit_wait, or lower max_parallel_requests if other jobs share this "
                "workspace's rate limit."
            )
            raise BrazeGaveUp(msg) from None
        except TRANSIENT_ERRORS as exc:
            msg = (
                f"Giving up on {where} after {self.settings.max_retries + 1} attempts "
                f"(max_retries={self.settings.max_retries}); last cause: "
                f"{type(exc).__name__}: {exc}"
            )
            raise BrazeGaveUp(redact(msg, self.settings.api_key)) from None
        return response.braze_days  # type: ignore[attr-defined, no-any-return]

    # --- Planning and syncing partitions ---------------------------------------------------
    #
    # The SDK syncs the base streams one after another, each partition in order, from one
    # thread that must stay the only writer. At the first get_records call, a SyncRun plans
    # every partition of this and the following streams, in the SDK's order, and fetches
    # their windows on one pool of max_parallel_requests workers; the writer takes results
    # strictly in plan order, so the pool keeps running ahead across partition and stream
    # boundaries while the output stays what a sequential run writes.

    def _selected_streams(self) -> list[BrazeSeriesStream]:
        streams: list[BrazeSeriesStream] = [self] if self.selected else []
        message_stream = self.message_stream
        if message_stream is not None and message_stream.selected:
            streams.append(message_stream)
        return streams

    def _bookmark(self, stream: BrazeSeriesStream, state: Mapping[str, Any]) -> dt.date | None:
        value = state.get("replication_key_value")
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            msg = (
                f"State bookmark for stream '{stream.name}' "
                f"{describe_partition(state.get('context') or {})} is {value!r}, not a date. "
                "Fix or remove that entry of the state."
            )
            raise StateError(msg) from None

    def _plan_partition(
        self,
        partition: Partition,
        today: dt.date,
        states: tuple[tuple[BrazeSeriesStream, dict[str, Any]], ...],
    ) -> PartitionPlan:
        settings = self.settings
        bookmarks = [self._bookmark(stream, state) for stream, state in states]
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
        return PartitionPlan(partition, first_day, last_day, windows, states)

    def _plan_partitions(self, partitions: list[Partition], today: dt.date) -> list[PartitionPlan]:
        selected = self._selected_streams()
        states = [context_states(stream, partitions) for stream in selected]
        return [
            self._plan_partition(
                partition, today, tuple(zip(selected, (s[i] for s in states), strict=True))
            )
            for i, partition in enumerate(partitions)
        ]

    def _synced_streams(self) -> list[BrazeSeriesStream]:
        """The base streams the SDK syncs, in its order (Tap.sync_all walks tap.streams)."""
        return [
            stream
            for stream in self._braze_tap.streams.values()
            if isinstance(stream, BrazeSeriesStream)
            and stream.parent_stream_type is None
            and (stream.selected or stream.has_selected_descendents)
        ]

    def _start_sync(self) -> SyncRun | None:
        """Plan and start fetching this stream and every one the SDK syncs after it."""
        synced = self._synced_streams()
        if self not in synced:
            return None
        streams = synced[synced.index(self) :]
        # Everything alive now (the SDK, the catalog, the state) lives for the whole run:
        # keep the cyclic GC from rescanning it during the run and once more at exit.
        gc.freeze()
        today = dt.datetime.now(dt.timezone.utc).date()
        plans = [
            (stream, stream._plan_partitions(stream._partitions(), today))
            for stream in streams
        ]
        run = SyncRun(plans, workers=self.settings.max_parallel_requests)
        for stream in streams:
            stream._stopping.clear()
            stream._sync_run = run
        return run

    def _finish_sync(self) -> None:
        """Stop the run: workers stop waiting and retrying, then the pool closes."""
        run = self._sync_run
        streams = run.streams if run is not None else [self]
        for stream in streams:
            stream._stopping.set()
            stream._sync_run = None
        if run is not None:
            run.prefetcher.close()
        self._progress.log(force=True)

    def _partitions(self) -> list[Partition]:
        return [{field: p[field] for field in self.partition_fields} for p in self.partitions]

    def _begin_stream(self, run: SyncRun | None) -> None:
        """What comes once before a stream's first record: progress, the message SCHEMA."""
        self._stream_begun = True
        count = run.partition_count(self.name) if run is not None else len(self.partitions)
        self._progress.start_stream(self.name, count)
        message_stream = self.message_stream
        if message_stream is not None and message_stream.selected:
            message_stream._write_schema_message()

    def _fetch_partition(self, plan: PartitionPlan, run: SyncRun | None) -> Iterator[Fetched]:
        taken = run.take(self.name, plan) if run is not None else None
        if taken is not None:
            return taken
        # Asked out of plan order (e.g. the SDK's dry run): fetch this partition on its own.
        return (
            fetch_job((self, WindowJob(plan.partition, window))) for window in plan.windows
        )

    def get_records(self, context: Mapping | None) -> Iterable[dict[str, Any]]:
        if not context:
            return
        run = self._sync_run or self._start_sync()
        if not self._stream_begun:
            self._begin_stream(run)
        partition: Partition = {field: context[field] for field in self.partition_fields}
        plan = run.plans.get((self.name, tuple(partition.values()))) if run else None
        if plan is None:
            plan = self._plan_partitions([partition], dt.datetime.now(dt.timezone.utc).date())[0]
            run = None  # not part of the run's plan: fetched on its own, STATE right after
        message_stream = self.message_stream
        write_message = _record_writer(message_stream) if message_stream else None
        records_per_day = int(self.selected)
        written = 0
        emitted: set[dt.date] = set()
        try:
            for fetched in self._fetch_partition(plan, run):
                self._extracted_at = fetched.extracted_at
                for day in fetched.days:
                    # Days outside the range are the far edge of a window under the other
                    # reading of ending_at (see windows.py); the range gets each day once.
                    if not plan.first_day <= day.day <= plan.last_day or day.day in emitted:
                        continue
                    emitted.add(day.day)
                    records = records_per_day
                    if write_message is not None:
                        for row in day.message_rows:
                            write_message(row, fetched.extracted_at)
                        records += len(day.message_rows)
                    self._progress.count_day(records)
                    written += records
                    yield day.day_row
            self._complete_partition(plan, had_data=bool(emitted), records=written, run=run)
        except BaseException:
            # Partitions finished before the failure keep their STATE; the rest stops.
            try:
                if self._sync_run is not None and self._sync_run.state_pending:
                    self._write_tap_state()
            finally:
                self._finish_sync()
            raise

    def _complete_partition(
        self, plan: PartitionPlan, *, had_data: bool, records: int, run: SyncRun | None
    ) -> None:
        """Move the bookmarks of a finished partition, then emit STATE (after its records)."""
        if not had_data and plan.windows and self.no_data_hint:
            self.logger.warning(
                "No data for %s between %s and %s. %s",
                describe_partition(plan.partition),
                plan.first_day,
                plan.last_day,
                self.no_data_hint,
            )
        for stream, state in plan.states:
            state.pop("progress_markers", None)
            previous = self._bookmark(stream, state)
            if previous is None or previous < plan.last_day:
                state["replication_key"] = self.replication_key
                state["replication_key_value"] = plan.last_day.isoformat()
            stream.state_manager.is_flushed = False
        self._progress.partition_done()
        if run is None:  # fetched on its own (out of plan order): nothing to pace
            self._write_tap_state()
            return
        stream_done = run.stream_done(self.name)
        if run.state_due(records, stream_done=stream_done, tap_state=self.tap_state):
            self._write_tap_state()
        if run.done:
            self._finish_sync()
        elif stream_done:
            self._stream_begun = False
            self._progress.log(force=True)

    def _write_tap_state(self) -> None:
        if self.selected:
            self._write_state_message()
        elif (message_stream := self.message_stream) is not None and message_stream.selected:
            message_stream._write_state_message()
        if self._sync_run is not None:
            self._sync_run.state_written()

    # --- The per-record path -----------------------------------------------------------------

    @property
    def _writes_records_directly(self) -> bool:
        """Whether the SDK's per-record steps would leave this stream's records unchanged.

        They are: drop deselected properties, conform types (level NONE here: a no-op), apply
        stream maps and flattening, build a RecordMessage and its dict. With no map, alias,
        filter, flattening or deselected property, the record is written as is, in the very
        bytes the SDK's msgspec writer would produce.
        """
        if self._direct_records is None:
            maps = self.stream_maps
            self._direct_records = (
                isinstance(self._tap.message_writer, BufferedMsgSpecWriter)
                and len(maps) == 1
                and type(maps[0]) is SameRecordTransform
                and maps[0].stream_alias == self.name
                and not maps[0].flattening_enabled
                and all(self.mask.values())
                and self.TYPE_CONFORMANCE_LEVEL == TypeConformanceLevel.NONE
                and self._stream_version is None
            )
        return self._direct_records

    def _write_record_message(self, record: dict) -> None:
        if self._writes_records_directly:
            writer: BufferedMsgSpecWriter = self._tap.message_writer  # type: ignore[assignment]
            writer.write_record(self.name, record, self._extracted_at or utc_now())
        else:
            super()._write_record_message(record)


def _record_writer(stream: BrazeSeriesStream) -> Callable[[Row, dt.datetime], None] | None:
    """How get_records writes a message-level row: directly when nothing would change it."""
    if not stream.selected:
        return None
    if stream._writes_records_directly:
        writer: BufferedMsgSpecWriter = stream._tap.message_writer  # type: ignore[assignment]
        return partial(writer.write_record, stream.name)
    return lambda row, _extracted: stream._write_record_message(row)
