"""Partitions a rate-limit pool could not admit: kept for the next run, named in one closing
line, and read first next time.

A window whose pool cannot admit it within ``max_rate_limit_wait`` (spent_pool.PoolSpent) defers
its partition: its bookmark stays, its state entries gain ``deferred_since`` (when it was first
deferred; kept until the partition is read whole), and the run goes on with every other pool.

Order of a run (:func:`read_order`): pool by pool, the largest hourly budget first
(braze/pools.py), so that a small pool's wait for its reset holds no other pool's requests
(the writer takes results in plan order); within a pool, the series holding the oldest mark
first, and in each series its deferred partitions first, oldest mark first. The pool's budget
therefore goes first to the partition that has waited longest, so every partition is read in
turn however small the pool: none starves. The mark is kept in the state, not derived from
bookmarks: a daily and an hourly bookmark do not compare, and a partition never read has
none.

A run that deferred partitions exits 0 (README, Troubleshooting): nothing is lost, the next
run resumes them first, and a rerun now cannot get more of Braze's budget. A partition that
has waited longer than :data:`STARVED_AFTER`, though, means the pool cannot serve this config
between runs: after everything else is written, the run fails naming it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from tap_braze_sends.braze.pools import per_hour
from tap_braze_sends.errors import BrazeError
from tap_braze_sends.runtime.bookmarks import Bookmarks
from tap_braze_sends.runtime.jobs import Group
from tap_braze_sends.runtime.plan import PartitionPlan
from tap_braze_sends.runtime.spent_pool import PoolSpent

logger = logging.getLogger("tap_braze_sends.sync")

STARVED_AFTER = dt.timedelta(hours=24)
"""A partition deferred for longer than this fails the run (after all else is written)."""

Mark = Callable[[Group, PartitionPlan], str | None]
"""A partition's ``deferred_since`` mark (None: not deferred)."""


def _waited_first(mark: str | None) -> tuple[int, str]:
    return (0, mark) if mark else (1, "")


def read_order(groups: Sequence[Group], mark: Mark) -> list[Group]:
    """The groups in the order a run reads them, each group's plans reordered in place:
    pool by pool, the largest hourly budget first, and within a pool what waited longest
    first. Otherwise the order stays as it was (a stable sort)."""
    oldest: dict[int, tuple[int, str]] = {}
    for group in groups:
        marks = {id(plan): _waited_first(mark(group, plan)) for plan in group.plans}
        group.plans.sort(key=lambda plan: marks[id(plan)])
        oldest[id(group)] = min(marks.values(), default=_waited_first(None))

    def rank(group: Group) -> tuple[int, tuple[int, str]]:
        return (-per_hour(group.series.pool), oldest[id(group)])

    return sorted(groups, key=rank)


@dataclass
class _Pool:
    why: str
    reset_at: float | None
    partitions: Counter[str] = field(default_factory=Counter)
    """Deferred partitions per series, named by its streams."""
    listings: list[str] = field(default_factory=list)
    """Catalogues not listed: what they would discover waits for the next run."""
    oldest: str | None = None


class Deferrals:
    """The partitions this run deferred, per pool; the writer notes each one."""

    def __init__(self, bookmarks: Bookmarks) -> None:
        self._bookmarks = bookmarks
        # To the microsecond: runs a second apart must not tie (the order goes by it).
        self._since = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        self._pools: dict[str, _Pool] = {}

    def __bool__(self) -> bool:
        return bool(self._pools)

    def _pool(self, spent: PoolSpent) -> _Pool:
        pool = self._pools.get(spent.pool)
        if pool is None:
            pool = self._pools[spent.pool] = _Pool(spent.why, spent.reset_at)
            logger.info(
                "Deferring %s and the later requests to Braze's '%s' rate limit to the next "
                "run: %s. Other pools go on",
                spent.where,
                spent.pool,
                spent.why,
            )
        if spent.reset_at is not None:
            pool.reset_at = max(pool.reset_at or 0.0, spent.reset_at)
        return pool

    @contextlib.contextmanager
    def listing(self, catalogue: str) -> Iterator[None]:
        """A catalogue's listing: a spent pool skips it (and the partitions it would
        discover) for this run, named in the closing line; any other error stands."""
        try:
            yield
        except PoolSpent as spent:
            self._pool(spent).listings.append(catalogue)

    def defer(self, group: Group, plan: PartitionPlan, spent: PoolSpent) -> None:
        """The partition keeps its bookmarks; its entries remember since when it waits."""
        names = [stream.name for stream in group.streams]
        for name in names:
            self._bookmarks.defer(name, plan.partition, self._since)
        pool = self._pool(spent)
        pool.partitions[", ".join(names)] += 1
        since = self._bookmarks.deferred_since(names, plan.partition)
        if since is not None and (pool.oldest is None or since < pool.oldest):
            pool.oldest = since

    def closing_line(self) -> str | None:
        """One line: how many partitions were deferred, of which streams, when each pool
        resets. None when none was."""
        if not self._pools:
            return None
        parts = []
        for name, pool in self._pools.items():
            streams = ", ".join(f"{s} ({n})" for s, n in pool.partitions.items())
            count = pool.partitions.total()
            noun = "partition" if count == 1 else "partitions"
            deferred = [f"the {c} listing (and what it discovers)" for c in pool.listings]
            if count:
                deferred.append(f"{count} {noun} of {streams}")
            parts.append(
                f"{', '.join(deferred)}: Braze's '{name}' rate limit resets {_when(pool.reset_at)}"
            )
        return (
            "Deferred to the next run, their bookmarks kept: "
            + "; ".join(parts)
            + ". They go first in the next run."
        )

    def close(self) -> None:
        """Log the closing line; fail the run if a deferred partition has starved."""
        line = self.closing_line()
        if line is None:
            return
        logger.warning("%s", line)
        now = dt.datetime.now(dt.timezone.utc)
        for name, pool in self._pools.items():
            since = _instant(pool.oldest)
            if since is not None and now - since > STARVED_AFTER:
                raise BrazeError(
                    f"Partitions of {', '.join(pool.partitions)} have waited for Braze's "
                    f"'{name}' rate limit since {pool.oldest} (more than "
                    f"{STARVED_AFTER.total_seconds() / 3600:.0f} h): the pool cannot serve what "
                    "this config asks of it between runs. Read fewer of these partitions (fewer "
                    "ids, a smaller lookback_days, fewer streams selected) or raise "
                    "max_rate_limit_wait so that a run waits for the reset. The state is saved."
                )


def _when(reset_at: float | None) -> str:
    if reset_at is None:
        return "at a time it did not say"
    when = dt.datetime.fromtimestamp(reset_at, dt.timezone.utc)
    seconds = max(0.0, reset_at - time.time())
    left = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
    return f"at {when:%Y-%m-%d %H:%M:%S} UTC (in {left})"


def _instant(mark: str | None) -> dt.datetime | None:
    if mark is None:
        return None
    try:
        when = dt.datetime.fromisoformat(mark)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)
