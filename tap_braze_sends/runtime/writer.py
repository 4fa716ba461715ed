"""The single writer of a run: catalogue records, then series records in plan order, bookmarks
after them, STATE on cadence."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterator, Sequence

from tap_braze_sends.braze.description import CatalogFamily, DayRows
from tap_braze_sends.braze.discovery import CampaignFacts
from tap_braze_sends.braze.units import UNITS, Point
from tap_braze_sends.runtime.bookmarks import Bookmarks, StateCadence
from tap_braze_sends.runtime.catalog_reader import WhyDeleted, read_catalog
from tap_braze_sends.runtime.deferral import Deferrals
from tap_braze_sends.runtime.dense import missing_days
from tap_braze_sends.runtime.fetch import Fetcher
from tap_braze_sends.runtime.jobs import Group, WindowJob, WindowResult
from tap_braze_sends.runtime.output import Row, RowWriter, SingerOutput
from tap_braze_sends.runtime.progress import Progress
from tap_braze_sends.runtime.tally import NoData, PartitionTally
from tap_braze_sends.runtime.window_pool import Run
from tap_braze_sends.settings import Settings
from tap_braze_sends.streams import CatalogStream, DescribedStream

logger = logging.getLogger("tap_braze_sends.sync")


class _StreamSink:
    """Where one stream's rows go: its RECORD writer, its SDK record counter, its limit."""

    def __init__(
        self, stream: DescribedStream, writer: RowWriter, counter: object, limit: int | None
    ) -> None:
        self.role = stream.role
        self.write = writer
        self.counter = counter
        self.limit = limit
        """The dry run's cap on this stream's records (None: no cap)."""
        self.count = 0
        self.truncated = False
        """Rows were dropped at the cap: what was read is not all written."""

    @property
    def full(self) -> bool:
        return self.limit is not None and self.count >= self.limit

    def take(self, rows: list[Row], extracted_at: dt.datetime) -> int:
        if self.limit is not None and len(rows) > self.limit - self.count:
            rows = rows[: max(0, self.limit - self.count)]
            self.truncated = True
        if rows:
            self.write(rows, extracted_at)
            self.count += len(rows)
            self.counter.increment(len(rows))  # type: ignore[attr-defined]
        return len(rows)


def write_run(
    run: Run,
    *,
    output: SingerOutput,
    bookmarks: Bookmarks,
    progress: Progress,
    deferrals: Deferrals,
    record_limit: int | None = None,
) -> None:
    """Write every selected stream's records, and the STATE after what each one covers;
    note in ``deferrals`` the partitions a spent pool deferred (their closing line is the
    caller's).

    On any failure (or a signal, raised here as an exception), the STATE of the partitions
    finished so far goes out before the error propagates: nothing extracted is lost. With a
    ``record_limit`` (the dry run), a series whose streams all have their records is read no
    further, and a partition with rows left out keeps its bookmark.
    """
    cadence = StateCadence()
    with contextlib.ExitStack() as counters:
        sinks: dict[str, list[_StreamSink]] = {}
        for group in run.groups:
            for stream in group.streams:
                output.schema(stream)
            sinks[group.series.name] = [
                _StreamSink(
                    stream,
                    output.row_writer(stream),
                    counters.enter_context(stream.get_record_counter()),
                    record_limit,
                )
                for stream in group.streams
            ]
        try:
            for group, results in _by_group(run):
                progress.start_stream(group.series.name, len(group.plans), group.series.unit)
                _write_group(
                    group,
                    results,
                    sinks[group.series.name],
                    output=output,
                    bookmarks=bookmarks,
                    progress=progress,
                    cadence=cadence,
                    deferrals=deferrals,
                )
                progress.log(force=True)
        except BaseException:
            if cadence.pending or deferrals:
                output.state(bookmarks.state)
            output.flush()
            raise
    output.state(bookmarks.state)
    output.flush()


def _by_group(run: Run) -> Iterator[tuple[Group, Iterator[tuple[WindowJob, WindowResult]]]]:
    """The run's ordered results, split where one endpoint's partitions end."""
    results = run.results()
    pending: tuple[WindowJob, WindowResult] | None = None

    def of_group(group: Group, earlier: set[int]) -> Iterator[tuple[WindowJob, WindowResult]]:
        nonlocal pending
        while True:
            item = pending if pending is not None else next(results, None)
            pending = None
            if item is None:
                return
            if id(item[0].group) in earlier:
                continue  # fetched before its group was cut short (a dry run's cap)
            if item[0].group is not group:
                pending = item
                return
            yield item

    try:
        earlier: set[int] = set()
        for group in run.groups:
            yield group, of_group(group, earlier)
            earlier.add(id(group))
    finally:
        results.close()


def _write_group(
    group: Group,
    results: Iterator[tuple[WindowJob, WindowResult]],
    sinks: list[_StreamSink],
    *,
    output: SingerOutput,
    bookmarks: Bookmarks,
    progress: Progress,
    cadence: StateCadence,
    deferrals: Deferrals,
) -> None:
    part: PartitionTally | None = None
    no_data = NoData()
    last_plan = group.plans[-1] if group.plans else None
    for job, result in results:
        if part is None or job.plan is not part.plan:
            part = PartitionTally(job.plan)
        part.add(job, result)
        _write_days(part, result.days, result.extracted_at, sinks, progress)
        if all(sink.full for sink in sinks):
            group.done = True  # the dry run has its records: no more requests for this series
            break
        if not job.last:
            continue
        if part.deferred is not None:  # its bookmark stays; it goes first next run
            deferrals.defer(group, part.plan, part.deferred)
            continue
        if part.gone:  # deleted (its WARNING said so): nothing was read, its bookmark stays
            progress.partition_done()
            continue
        plan = part.plan
        if not part.emitted and part.requested and plan.series.no_data_hint:
            no_data.add(plan)
        if part.served is not None:
            # Units no window returned (a dense series' edges under an unknown reading).
            missing = missing_days(plan, group.requests, part.emitted, part.served)
            _write_days(part, missing, result.extracted_at, sinks, progress)
        part.log_repeats()
        if any(sink.truncated for sink in sinks):
            continue  # a dry run left rows of this partition out: its bookmark stays
        for stream in group.streams:
            bookmarks.advance(stream.name, plan.partition, plan.last_day, UNITS[plan.series.unit])
            if part.first_returned is not None:
                bookmarks.note_first_data_day(stream.name, plan.partition, part.first_returned)
        progress.partition_done()
        if cadence.partition_done(
            part.written, entries=bookmarks.entry_count(), last_of_group=plan is last_plan
        ):
            output.state(bookmarks.state)
            cadence.written()
    no_data.log(group.series.name, len(group.plans), group.series.no_data_hint or "")


def _write_days(
    part: PartitionTally,
    days: list[tuple[Point, DayRows]],
    extracted_at: dt.datetime,
    sinks: list[_StreamSink],
    progress: Progress,
) -> None:
    for day, rows in days:
        # Days outside the range are the far edge of a window under the other reading of
        # ending_at (windows.py); each day of the range is written once.
        if not part.plan.covers(day) or day in part.emitted:
            continue
        part.emitted.add(day)
        records = sum(sink.take(rows.get(sink.role, []), extracted_at) for sink in sinks)
        progress.count_unit(records)
        part.written += records


def write_catalog(
    family: CatalogFamily,
    streams: Sequence[CatalogStream],
    *,
    discover: bool,
    fetcher: Fetcher,
    output: SingerOutput,
    bookmarks: Bookmarks,
    settings: Settings,
    record_limit: int | None = None,
    why_deleted: WhyDeleted | None = None,
) -> list[CampaignFacts] | None:
    """Write a catalogue's selected streams; return what discovery needs (None: not asked).

    Nothing is requested when no stream of it is written and discovery is off, so a key
    without the list permission works as long as neither needs it.
    """
    if not streams and not discover:
        return None
    with contextlib.ExitStack() as counters:
        sinks: dict[str, list[_StreamSink]] = {}
        for stream in streams:
            output.schema(stream)
            counter = counters.enter_context(stream.get_record_counter())
            sinks.setdefault(stream.role, []).append(
                _StreamSink(stream, output.row_writer(stream), counter, record_limit)
            )

        def sink(role: str, rows: list[Row], extracted_at: dt.datetime) -> None:
            for stream_sink in sinks.get(role, ()):
                stream_sink.take(rows, extracted_at)

        read_details = any(stream.reads_details for stream in streams)
        try:
            read = read_catalog(
                fetcher,
                family,
                include_archived=settings.include_archived,
                bookmarks=bookmarks,
                read_details=read_details,
                sink=sink if streams else None,
                workers=settings.max_parallel_requests,
                # Without details, only a second listing tells discovery what is archived.
                mark_archived=discover and not read_details,
                details_wanted=lambda entry: family.details_wanted(entry, settings),
                why_deleted=why_deleted,
                enough=lambda: (
                    record_limit is not None
                    and all(s.full for role in sinks.values() for s in role)
                ),
            )
        finally:
            output.state(bookmarks.state)
    if not read_details:
        logger.info("%s: %d listed", family.name, read.listed)
    elif read.details_requests:
        logger.info(
            "%s: %d listed, details read for %d new or edited",
            family.name,
            read.listed,
            read.details_requests,
        )
    else:
        logger.info(
            "%s: %d listed, none new or edited since their details", family.name, read.listed
        )
    return read.facts if discover else None
