"""The order a run reads its series and partitions in (runtime/deferral.read_order): pool by
pool, the largest hourly budget first, and within a pool what a spent pool deferred longest
ago first; otherwise the order stays as planned."""

from __future__ import annotations

import datetime as dt

from tap_braze_sends.braze.description import Series
from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.braze.pools import per_hour
from tap_braze_sends.runtime.deferral import read_order
from tap_braze_sends.runtime.jobs import Group
from tap_braze_sends.runtime.plan import PartitionPlan

DAY = dt.date(2026, 3, 31)


def series_named(name: str) -> Series:
    return next(s for s in BRAZE.series if s.name == name)


def group(name: str, products: list[str]) -> Group:
    series = series_named(name)
    plans = [PartitionPlan(series, {"product": p, "app_id": "*"}, DAY, DAY) for p in products]
    return Group(series, [], plans)


def test_pools_go_largest_budget_first_and_what_waited_longest_first_within_one() -> None:
    daily = group("/purchases/{quantity,revenue}_series", ["a", "b", "c", "d"])
    hourly = group("/purchases/{quantity,revenue}_series (hour)", ["a", "b", "c"])
    sessions = Group(series_named("/sessions/data_series"), [], [])
    marks = {
        (id(daily), "c"): "2026-12-08T02:00:00.000001+00:00",
        (id(daily), "a"): "2026-12-08T03:00:00.000001+00:00",
        (id(hourly), "b"): "2026-12-08T01:00:00.000001+00:00",
    }

    ordered = read_order(
        [daily, hourly, sessions],
        lambda g, plan: marks.get((id(g), plan.partition["product"])),
    )

    assert per_hour(sessions.series.pool) > per_hour(daily.series.pool)
    # The default pool first; then the purchase series holding the oldest mark (hourly's b).
    assert ordered == [sessions, hourly, daily]
    # Deferred partitions first, oldest first; the others as planned.
    assert [p.partition["product"] for p in hourly.plans] == ["b", "a", "c"]
    assert [p.partition["product"] for p in daily.plans] == ["c", "a", "b", "d"]


def test_without_marks_the_planned_order_stays_within_each_pool() -> None:
    daily = group("/purchases/{quantity,revenue}_series", ["a", "b"])
    hourly = group("/purchases/{quantity,revenue}_series (hour)", ["a", "b"])
    ordered = read_order([hourly, daily], lambda g, plan: None)
    assert ordered == [hourly, daily]
    assert [p.partition["product"] for p in daily.plans] == ["a", "b"]
