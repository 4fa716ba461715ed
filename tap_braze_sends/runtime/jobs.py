"""What a run is made of: each series with its selected streams and partition plans
(:class:`Group`), one request window of a partition (:class:`WindowJob`), its flattened
answer (:class:`WindowResult`), and the answers a series' planning waits for while its
reading of the ``ending_at`` day is unknown (:class:`Probe`)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tap_braze_sends.braze.description import DayRows, Request, Series
from tap_braze_sends.braze.units import Point
from tap_braze_sends.runtime.plan import PartitionPlan
from tap_braze_sends.runtime.requests_of import needed_requests
from tap_braze_sends.runtime.spent_pool import PoolSpent
from tap_braze_sends.runtime.windows import Window
from tap_braze_sends.settings import Settings

if TYPE_CHECKING:
    from tap_braze_sends.streams import SeriesStream


@dataclass
class Group:
    """One series, the selected streams that read it (in the tap's order), its partitions."""

    series: Series
    streams: list[SeriesStream]
    plans: list[PartitionPlan] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)
    """Query parameters of every request beyond ids and window (e.g. Canvas breakdowns)."""
    requests: tuple[Request, ...] = ()
    """The series' requests a selected column needs."""
    done: bool = False
    """Set by the writer when a dry run has all of this series' records: no more requests."""

    @property
    def roles(self) -> list[str]:
        return [stream.role for stream in self.streams]

    def prepare(self, settings: Settings) -> None:
        """The query parameters and requests that this run's selection asks for."""
        self.params = self.series.extra_params(settings, frozenset(self.roles))
        by_role = {stream.role: stream for stream in self.streams}
        self.requests = needed_requests(
            self.series,
            self.roles,
            lambda role, column: by_role[role].column_selected(column),
        )


class Probe:
    """The requests a series' later partitions wait for while its reading of the ``ending_at``
    day is unknown: done once all of them are in, or as soon as one has shown the reading."""

    def __init__(self, requests: int) -> None:
        self._left = requests
        self._lock = threading.Lock()
        self._done = threading.Event()

    def answered(self) -> None:
        """One of its requests is in (answered, or failed for good)."""
        with self._lock:
            self._left -= 1
            if self._left <= 0:
                self._done.set()

    def release(self) -> None:
        """The reading is known: nothing more to wait for."""
        self._done.set()

    def wait(self, timeout: float) -> bool:
        return self._done.wait(timeout)


@dataclass(frozen=True, slots=True)
class WindowJob:
    group: Group
    plan: PartitionPlan
    window: Window | None
    """None: the partition has nothing to read (its range is empty)."""
    last: bool
    """The partition's last window: once written, the partition is complete."""
    probe: Probe | None = None
    """While the series' reading of the ``ending_at`` day is unknown: what the rest of the
    series waits for, of which this window's requests are part."""


@dataclass(frozen=True, slots=True)
class WindowResult:
    days: list[tuple[dt.date, DayRows]]
    extracted_at: dt.datetime
    gone: bool = False
    """Braze rejected the partition's discovered item, which is shown deleted (runtime/gone.py):
    nothing was read, so its bookmark stays."""
    served_at: dt.datetime | None = None
    """Braze's clock when it answered (the earliest of the window's answers); None: no
    answer. A dense series is filled only up to the unit it falls in (dense.py)."""
    repeated: Counter[Point] = field(default_factory=Counter)
    """Extra copies of a unit within one answer (dropped), for the partition's one line."""
    first_returned: Point | None = None
    """The earliest unit of the range Braze itself returned (a dense series' zeros aside)."""
    deferred: PoolSpent | None = None
    """Set when the window's pool could not admit it: the partition is deferred."""
