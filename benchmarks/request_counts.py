"""The benchmarks counted in requests (issues 8 and 10), read from the simulator's request log.

4. Requests per partition: campaigns, ``window_days`` 100, a 100-day and a 250-day backfill,
   under both readings of the ``ending_at`` day, against ceil(days / 100) per partition plus
   at most one for the series: its probe (until an answer shows the reading, the probing
   partition is planned with the guard, one more day; the rest wait for it).
5. Budget-bound: campaigns under a 10-requests-per-5-s budget, under both readings of the
   ``ending_at`` day; requests against ceil(100/100) per campaign plus one (the request sent
   while the reading is unknown; the rest of the endpoint waits for its answer); wall time
   against the floor
   ``answered requests / (10 / 5 s)`` and against the fixed-window minimum (a whole budget
   may go at once: ``(ceil(N / 10) - 1) x 5 s``), the share of each reset window spent, the
   429s per window, and the windows used against those the requests need.
6. Canvas: 50 Canvases x 100 days, all four Canvas analytics streams selected; requests per
   Canvas against ceil(100 / 14) (plus at most one), and records per second.

The simulator runs in this process (its request log and rate limits are objects); the tap is
still the CLI in a child process, so nothing here shares its accounting.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from braze_simulator.faults import RateLimit
from harness import Row, run_tap, selecting_catalog, served, tap_records, verdict

CAMPAIGNS_PATH = "/campaigns/data_series"
READINGS = ("inclusive", "exclusive")
CANVAS_PATH = "/canvas/data_series"
WINDOW_DAYS = 100
CANVAS_WINDOW_DAYS = 14
BUDGET = (10, 5.0)  # requests per seconds
BUDGET_USE_GOAL = 0.90  # of each full reset window
CANVAS_STREAMS = (
    "canvas_analytics",
    "canvas_variant_analytics",
    "canvas_step_analytics",
    "canvas_step_message_analytics",
)


def backfill(config: dict[str, Any], days: int) -> dict[str, Any]:
    """The config reading the ``days`` days up to its end_date (both ends included)."""
    end = dt.date.fromisoformat(config["end_date"])
    start = end - dt.timedelta(days=days - 1)
    return {**config, "start_date": start.isoformat(), "window_days": WINDOW_DAYS}


@dataclass(frozen=True)
class PerPartition:
    counts: list[int]
    rate_limited: int

    @property
    def mean(self) -> float:
        return sum(self.counts) / len(self.counts)

    def describe(self) -> str:
        return f"{self.mean:.2f} (min {min(self.counts)}, max {max(self.counts)})"


def per_partition(log: list[dict[str, Any]], path: str, field_name: str) -> PerPartition:
    """Answered requests per partition id, and the 429s, from the simulator's request log."""
    answered: Counter[str] = Counter()
    rate_limited = 0
    for entry in log:
        if entry["path"] != path:
            continue
        if entry["status"] == 429:
            rate_limited += 1
        else:
            answered[entry["params"][field_name]] += 1
    return PerPartition(sorted(answered.values()), rate_limited)


def bench_requests(workdir: Path, campaigns: int) -> list[Row]:
    return [row for reading in READINGS for row in _bench_requests(workdir, campaigns, reading)]


def _bench_requests(workdir: Path, campaigns: int, reading: str) -> list[Row]:
    rows = []
    with served(campaigns=campaigns, day_semantics=reading) as (sim, config):
        for days in (100, 250):
            sim.reset_stats()
            run_tap(workdir, backfill(config, days), f"requests{days}-{reading}")
            counts = per_partition(sim.requests_log, CAMPAIGNS_PATH, "campaign_id")
            exact = math.ceil(days / WINDOW_DAYS)
            extra = sum(counts.counts) - exact * len(counts.counts)
            # The one request that may go beyond the exact plan: the series' probe of its
            # reading of the ending_at day (the probing partition's guard window).
            holds = extra <= 1 and len(counts.counts) == campaigns
            print(
                f"requests ({reading} ending_at): {len(counts.counts)} campaigns x {days} days: "
                f"{sum(counts.counts)} requests, per partition {counts.describe()} vs "
                f"ceil({days}/{WINDOW_DAYS}) = {exact}; {extra} beyond it; "
                f"{counts.rate_limited} 429s: {verdict(holds)}",
                flush=True,
            )
            rows.append(
                Row(
                    f"Requests per partition, {reading} ending_at: {len(counts.counts)} "
                    f"campaigns, {days}-day backfill, window_days {WINDOW_DAYS}",
                    f"{sum(counts.counts)} requests, {counts.describe()} per partition",
                    f"{counts.mean / exact:.2f}x ceil({days}/{WINDOW_DAYS}) = {exact}; "
                    f"{extra} beyond it",
                    f"ceil(days/{WINDOW_DAYS}) per partition, plus at most one probe per series",
                    holds,
                )
            )
    return rows


@dataclass
class LoggedRateLimit(RateLimit):
    """The simulator's fixed-window budget, noting each take: (allowed, window's reset)."""

    takes: list[tuple[bool, int]] = field(default_factory=list, init=False, repr=False)
    _log_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def take(self) -> tuple[bool, int, int]:
        allowed, remaining, reset = super().take()
        with self._log_lock:
            self.takes.append((allowed, reset))
        return allowed, remaining, reset

    def windows(self) -> list[tuple[int, int]]:
        """(answered, refused) per reset window, in time order."""
        per: dict[int, list[int]] = {}
        for allowed, reset in self.takes:
            per.setdefault(reset, [0, 0])[0 if allowed else 1] += 1
        return [(a, r) for _, (a, r) in sorted(per.items())]


def bench_budget(workdir: Path, campaigns: int) -> list[Row]:
    return [row for reading in READINGS for row in _bench_budget(workdir, campaigns, reading)]


def _bench_budget(workdir: Path, campaigns: int, reading: str) -> list[Row]:
    limit, period = BUDGET
    budget = LoggedRateLimit(limit, period)
    with served(campaigns=campaigns, campaigns_rate_limit=budget, day_semantics=reading) as (
        sim,
        config,
    ):
        measured = run_tap(workdir, backfill(config, 100), f"budget-{reading}")
        counts = per_partition(sim.requests_log, CAMPAIGNS_PATH, "campaign_id")
    answered = sum(counts.counts)
    # ceil(100/100) per campaign, plus at most one for the endpoint: the request sent while
    # the reading of the ending_at day was unknown.
    cost_cap = len(counts.counts) * math.ceil(100 / WINDOW_DAYS) + 1
    floor = answered / (limit / period)
    # A fixed window lets a whole budget go at once: N requests need ceil(N / limit) windows,
    # the last one starting (ceil(N / limit) - 1) periods after the first request.
    needed = math.ceil(answered / limit)
    minimum = (needed - 1) * period
    windows = budget.windows()
    # The last window holds what was left over; every earlier one should be spent.
    least_used = min((a / limit for a, _ in windows[:-1]), default=1.0)
    most_refused = max((r for _, r in windows), default=0)
    holds = (
        answered <= cost_cap
        and least_used >= BUDGET_USE_GOAL
        and most_refused <= 1
        and len(windows) <= needed
    )
    print(
        f"budget ({reading} ending_at): {len(counts.counts)} campaigns x 100 days under "
        f"{limit} requests per {period:g} s: {answered + counts.rate_limited} requests "
        f"({answered} answered, cap {cost_cap}; {counts.rate_limited} 429s); wall "
        f"{measured.wall:.2f} s; floor {floor:.2f} s -> "
        f"{measured.wall / floor:.2f}x; fixed-window minimum {minimum:.1f} s -> "
        f"{measured.wall / minimum if minimum else float('nan'):.2f}x; "
        f"{len(windows)} reset windows (need {needed}) used {[a for a, _ in windows]}, "
        f"429s per window {[r for _, r in windows]}: {verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            f"Budget-bound, {reading} ending_at: {len(counts.counts)} campaigns, 100-day "
            f"backfill, {limit} requests per {period:g} s",
            f"{answered + counts.rate_limited} requests ({counts.rate_limited} answered 429), "
            f"wall {measured.wall:.1f} s vs floor {answered} / ({limit}/{period:g} s) = "
            f"{floor:.1f} s (fixed-window minimum {minimum:.0f} s)",
            f"{measured.wall / floor:.2f}x the floor; {len(windows)} windows for "
            f"{needed} needed, least-used full window {least_used:.0%}, at most "
            f"{most_refused} 429 per window",
            f"<= {cost_cap} requests (ceil(100/100) per campaign + 1); "
            f">= {BUDGET_USE_GOAL:.0%} of each window spent, <= 1 429 per window, "
            "no window more than needed",
            holds,
        )
    ]


def bench_canvas(workdir: Path, canvases: int) -> list[Row]:
    days = 100
    # A few derived Canvases are drafts (not in the config): ask for enough to get `canvases`.
    with served(canvases=canvases + canvases // 5) as (sim, config):
        config = {**backfill(config, days), "canvas_ids": config["canvas_ids"][:canvases]}
        catalog = selecting_catalog(workdir, config, CANVAS_STREAMS, "canvas")
        sim.reset_stats()
        started = time.perf_counter()
        measured = run_tap(workdir, config, "canvas", catalog=catalog)
        wall = time.perf_counter() - started
        counts = per_partition(sim.requests_log, CANVAS_PATH, "canvas_id")
    exact = math.ceil(days / CANVAS_WINDOW_DAYS)
    records = tap_records(measured)
    holds = max(counts.counts) <= exact + 1 and len(counts.counts) == canvases
    written = f"{records:,} records" if records is not None else "records unknown"
    rate = f"{records / wall:,.0f} records/s" if records else "? records/s"
    print(
        f"canvas: {len(counts.counts)} Canvases x {days} days, 4 analytics streams: "
        f"{sum(counts.counts)} requests, per Canvas {counts.describe()} vs "
        f"ceil({days}/{CANVAS_WINDOW_DAYS}) = {exact}; {counts.rate_limited} 429s; "
        f"{written} in {wall:.2f} s ({rate}): {verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            f"Canvas: {canvases} Canvases x {days} days, all four analytics streams",
            f"{sum(counts.counts)} requests, {counts.describe()} per Canvas; "
            f"{written} in {wall:.1f} s ({rate})",
            f"{counts.mean / exact:.2f}x ceil({days}/{CANVAS_WINDOW_DAYS}) = {exact}",
            f"<= ceil({days}/{CANVAS_WINDOW_DAYS}) + 1 per Canvas",
            holds,
        )
    ]
