"""A user's backfill under a tight Braze budget spends it, and draws next to no 429s.

The real ``tap-braze-sends`` CLI reads 100 days of 20 campaigns with 8 workers from the
simulator over HTTP on 127.0.0.1, where ``/campaigns/data_series`` allows 10 requests per
5 s. The simulator's budget counts, per window, what it allowed and what it refused.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from braze_simulator import BrazeSimulator, RateLimit
from braze_simulator import build_workspace as _build_workspace
from conftest import SIM_TODAY, canonical, expected_records, run_tap, tap_config

LIMIT = 10
PERIOD_SECONDS = 5
CAMPAIGNS = 20
DAYS = 100


@dataclass
class CountedRateLimit(RateLimit):
    """The simulator's budget, counting (window reset, allowed) for every request."""

    outcomes: Counter = field(default_factory=Counter, init=False, repr=False)
    _count_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def take(self) -> tuple[bool, int, int]:
        allowed, remaining, reset = super().take()
        with self._count_lock:
            self.outcomes[(reset, allowed)] += 1
        return allowed, remaining, reset


@pytest.mark.slow
@pytest.mark.parametrize(
    "server_behind_seconds",
    [0.0, 0.99],
    ids=["reset-on-time-or-early", "reset-up-to-1s-late"],
)
def test_a_100_day_backfill_spends_a_10_per_5s_budget_without_a_429_per_window(
    server_behind_seconds: float, tmp_path: Path
) -> None:
    # The simulator rounds its reset up to the whole second, so its windows reset early;
    # a clock running behind ours makes them reset up to a second after the reset they name.
    budget = CountedRateLimit(
        limit=LIMIT,
        period_seconds=PERIOD_SECONDS,
        clock=lambda: time.time() - server_behind_seconds,
    )
    workspace = _build_workspace(0, CAMPAIGNS, today=SIM_TODAY, seed=3)
    with BrazeSimulator(workspace, campaigns_rate_limit=budget) as sim:
        config = tap_config(
            sim,
            sends=[],
            start_date=(SIM_TODAY - dt.timedelta(days=DAYS - 1)).isoformat(),
            max_parallel_requests=8,
        )
        run = run_tap(config, tmp_path)
        stats = sim.stats()
        expected = expected_records(sim.workspace, config)

    assert {s: canonical(r) for s, r in run.records.items()} == {
        s: canonical(r) for s, r in expected.items()
    }
    windows = sorted({reset for reset, _ in budget.outcomes})
    allowed = [budget.outcomes[(w, True)] for w in windows]
    refused = [budget.outcomes[(w, False)] for w in windows]
    print(f"per window allowed {allowed}, refused {refused}; requests {stats['by_status']}")
    # At most one 429 per window, and the budget spent whole in every window but the last.
    assert all(n <= 1 for n in refused), refused
    assert sum(refused) == stats["by_status"].get(429, 0)
    assert all(n >= 0.9 * LIMIT for n in allowed[:-1]), allowed
    # No more windows than the requests need (a budget kept in reserve, or a resumption before
    # the reset, would spread 40 requests over five).
    assert len(windows) == math.ceil(stats["by_status"][200] / LIMIT)
    # The guard plan: at most two requests per partition (exact plans will make it one).
    assert stats["by_status"][200] <= math.ceil(DAYS / 100) * CAMPAIGNS + CAMPAIGNS
