"""What the writer keeps about the partition it is writing, and the warnings it owes a
person: one line per kind of warning per partition (or per series), with a count, never one
per element or per partition that shares it."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tap_braze_sends.braze.units import Point
from tap_braze_sends.errors import describe_partition
from tap_braze_sends.runtime.jobs import WindowJob, WindowResult
from tap_braze_sends.runtime.plan import PartitionPlan
from tap_braze_sends.runtime.spent_pool import PoolSpent

logger = logging.getLogger("tap_braze_sends.sync")

SHOWN = 5
"""Partitions (or units) a warning names before it only counts the rest."""


@dataclass
class PartitionTally:
    """One partition as its windows' results arrive, in plan order."""

    plan: PartitionPlan
    emitted: set[Point] = field(default_factory=set)
    """The units of its range written (each once)."""
    written: int = 0
    requested: bool = False
    served: dt.datetime | None = None
    """Braze's clock at the earliest answer (None: no answer yet)."""
    gone: bool = False
    """Its discovered item was shown deleted (gone.py): nothing read, nothing to fill."""
    repeated: Counter[Point] = field(default_factory=Counter)
    first_returned: Point | None = None
    """The earliest unit Braze returned (its zeros aside): the partition's first data day."""
    deferred: PoolSpent | None = None
    """Its pool could not admit one of its windows (deferral.py): its bookmark stays."""

    def add(self, job: WindowJob, result: WindowResult) -> None:
        self.requested = self.requested or job.window is not None
        self.deferred = self.deferred or result.deferred
        self.gone = self.gone or result.gone
        self.repeated.update(result.repeated)
        self.first_returned = _earliest(self.first_returned, result.first_returned)
        self.served = _earliest(self.served, result.served_at)

    def log_repeats(self) -> None:
        """The one line about the units Braze sent more than once in a response."""
        if not self.repeated:
            return
        unit = self.plan.series.unit
        shown = ", ".join(
            f"{point.isoformat()} ({copies + 1} copies)"
            for point, copies in sorted(self.repeated.items())[:SHOWN]
        )
        logger.warning(
            "Braze sent %d %s more than once in one response for %s (%s; %d extra copies): "
            "%s%s; the first copy of each is kept",
            len(self.repeated),
            unit if len(self.repeated) == 1 else f"{unit}s",
            describe_partition(self.plan.partition),
            self.plan.series.name,
            sum(self.repeated.values()),
            shown,
            _more(len(self.repeated)),
        )


@dataclass
class NoData:
    """A series' partitions that were read and returned nothing, said in one line."""

    plans: list[PartitionPlan] = field(default_factory=list)
    count: int = 0

    def add(self, plan: PartitionPlan) -> None:
        self.count += 1
        if len(self.plans) < SHOWN:
            self.plans.append(plan)

    def log(self, series: str, partitions: int, hint: str) -> None:
        if not self.count:
            return
        shown = "; ".join(
            f"{describe_partition(p.partition)} between {p.first_day} and {p.last_day}"
            for p in self.plans
        )
        logger.warning(
            "No data for %d of %d partitions of %s: %s%s. %s",
            self.count,
            partitions,
            series,
            shown,
            _more(self.count),
            hint,
        )


def _earliest(known: Any, new: Any) -> Any:
    """The earlier of two points (dates or instants), either of which may be None."""
    return new if known is None else known if new is None else min(known, new)


def _more(count: int) -> str:
    return f" and {count - SHOWN} more" if count > SHOWN else ""
