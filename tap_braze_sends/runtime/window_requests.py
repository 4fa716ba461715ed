"""One window's requests as jobs of their own, and their answers merged back into the window.

A series may need several requests per window (app_kpis: one per KPI; purchases: quantity and
revenue). Each is a :class:`RequestJob` on the run's one bounded pool, so the requests of a
window are in flight side by side (within ``max_parallel_requests`` and the pool's budget) and
one that fails retries on its own worker, holding neither the window's other requests nor
other partitions. The writer still gets whole windows, in plan order: :func:`whole_windows`
merges a window's answers (dense.window_result) once its last request is in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from tap_braze_sends.braze.description import Partition, Request, Series
from tap_braze_sends.braze.partition_sources import ALL
from tap_braze_sends.errors import describe_partition
from tap_braze_sends.runtime.body import BodyLimit
from tap_braze_sends.runtime.dense import window_result
from tap_braze_sends.runtime.fetch import Fetched, Fetcher
from tap_braze_sends.runtime.jobs import Group, WindowJob, WindowResult
from tap_braze_sends.runtime.plan import DayReadings
from tap_braze_sends.runtime.requests_of import answer_days
from tap_braze_sends.runtime.spent_pool import PoolSpent


@dataclass(frozen=True, slots=True, eq=False)
class RequestJob:
    """One request of a window (``request`` None: the window sends none, e.g. an empty
    range); ``last``: the window's last, after which its answers are complete."""

    job: WindowJob
    request: Request | None
    last: bool


def requests_per_window(group: Group) -> int:
    """How many request jobs each of the group's windows is (at least one, even if empty)."""
    return len(group.requests) or 1


def request_jobs(job: WindowJob) -> tuple[RequestJob, ...]:
    """The window's request jobs, in the series' order."""
    requests = job.group.requests if job.window is not None else ()
    if not requests:
        return (RequestJob(job, None, last=True),)
    return tuple(
        RequestJob(job, request, last=i == len(requests) - 1) for i, request in enumerate(requests)
    )


def whole_windows(
    answered: Iterable[tuple[RequestJob, Fetched | None]],
    *,
    gone: Callable[[WindowJob], bool],
    deferred: Callable[[int], PoolSpent | None],
    readings: DayReadings,
) -> Iterator[tuple[WindowJob, WindowResult]]:
    """Each window once all of its requests are in (they come in plan order; None: not sent,
    or an item deleted since discovery), merged by dense.window_result. A window whose
    partition is ``gone`` (its discovered item shown deleted), or ``deferred`` (by its plan's
    id: its pool could not admit a request of it), brings nothing."""
    answers: list[tuple[Request, Fetched]] = []
    for part, fetched in answered:
        if fetched is not None and part.request is not None:
            answers.append((part.request, fetched))
        if not part.last:
            continue
        job = part.job
        spent = deferred(id(job.plan))
        if spent is not None:
            yield job, WindowResult([], _now(), deferred=spent)
        elif gone(job):
            yield job, WindowResult([], _now(), gone=True)
        elif not answers or job.window is None:
            yield job, WindowResult([], _now())
        else:
            reading = readings.get(job.plan.series.name)
            yield job, window_result(job.plan, job.window, reading, answers)
        answers = []


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def fetch_request(
    fetcher: Fetcher, part: RequestJob, still_needed: Callable[[], bool]
) -> Fetched | None:
    """Send one request of a window (with its retries); its body flattened into days
    (requests_of.Answer). None: not sent (no longer needed)."""
    job, request = part.job, part.request
    assert request is not None
    assert job.window is not None
    series, window, partition = job.plan.series, job.window, job.plan.partition
    who = describe_partition(partition)
    what = (
        f"{request.path}, window {window.first}..{window.ending}: "
        f"length={window.length}, ending_at={window.ending_at()}"
    )
    params = {
        **series.query(partition),
        "length": window.length,
        "ending_at": window.ending_at(),
        **job.group.params,
        **request.params,
    }
    return fetcher.get_json(
        request.path,
        params,
        pool=series.pool,
        permission=request.permission,
        hint=_deselect_hint(job.group, request),
        origin="" if job.plan.discovered else _origin(series, partition),
        series=series.name,
        who=who,
        what=what,
        parse=lambda body: answer_days(series, body, partition),
        still_needed=still_needed,
        limit=BodyLimit.for_units(window.length, window.unit.name),
    )


def _origin(series: Series, partition: Partition) -> str:
    """Which setting each of the partition's ids comes from (what to fix after a 400)."""
    settings = series.settings_of()
    return "; ".join(
        f"{key} from {settings[key]}"
        for key, value in partition.items()
        if key in settings and value != ALL and "sends" not in settings[key]
    )


def _deselect_hint(group: Group, request: Request) -> str:
    """Which streams (or columns) to deselect to do without ``request``'s permission."""
    streams = ", ".join(stream.name for stream in group.streams)
    if not request.columns or len(group.series.requests) == 1:
        return f" ({streams})"
    columns = ", ".join(sorted(request.columns))
    return f" ({streams}), or only the column {columns}"
