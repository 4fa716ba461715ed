"""Property test through the real CLI: every stream of the simulator (the campaign and Canvas
catalogues, the workspace's listings, daily and hourly series) with a few endpoints answering
hostile bodies, statuses or Link headers, drawn by Hypothesis. Whatever they answer, the run
ends in exit 0 or 1 without a traceback and its own peak RSS stays under the 1 GB bound; and
no workspace unit is lost (the oracle knows those streams): a run that exits 0 has exactly the
records a correct run has, and one that exits 1 leaves a state from which the next, healthy,
run reads every record the first did not.

test_hostile_properties.py checks the same pieces in-process, for many more bodies.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from braze_simulator import BrazeSimulator
from braze_simulator.canvas_routes import CANVAS_ROUTES
from braze_simulator.catalog_routes import CATALOG_ROUTES
from braze_simulator.routing import Reply
from braze_simulator.testing import default_workspace
from braze_simulator.workspace_routes import WORKSPACE_ROUTES
from catalogs import catalog_selecting
from conftest import SIM_TODAY, TapRun, run_tap, workspace_config
from contract import WORKSPACE_STREAM_NAMES, WORKSPACE_STREAMS
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from oracle_workspace_sim import expected_workspace_records
from test_hostile_properties import bodies, catalog_bodies, json_values

MIB = 1024 * 1024
RSS_BOUND_MIB = 1024
RUNS = max(4, settings.default.max_examples // 25)  # 4 under the "fast" profile, 20 in CI


class HostileSimulator(BrazeSimulator):
    """The simulator, but each path of ``plan`` answers ``plan[path]`` instead: every time
    (``persistent``), or only the first time each exact request is made (then it recovers)."""

    def __init__(self, plan: dict[str, tuple[Reply, bool]]) -> None:
        super().__init__(default_workspace())
        self.plan = plan
        self.asked: set[str] = set()

    def handle(self, raw_path: str, authorization: str | None) -> Reply:
        path = raw_path.split("?", 1)[0]
        if path in self.plan:
            reply, persistent = self.plan[path]
            if persistent or raw_path not in self.asked:
                self.asked.add(raw_path)
                return Reply(reply.status, reply.body, list(reply.headers))
        return super().handle(raw_path, authorization)


def not_success(body: Any) -> Any:
    """A body Braze could not mean as an answer: its ``message`` is never ``success`` (a
    'success' body is an answer, whatever its data, and the tap rightly takes it)."""
    if isinstance(body, dict) and body.get("message") == "success":
        return {**body, "message": "error"}
    return body


def many_small(n: int) -> bytes:
    """``n`` small elements in a body (a body's bytes bound much more memory, parsed)."""
    return b'{"message": "error", "data": [' + b",".join([b"{}"] * n) + b"]}"


links = st.sampled_from(
    [
        '<{url}/events?page=1>; rel="next"',
        '<{url}/events?cursor=>; rel="next"',
        '<{url}/events?after=x>; rel="next"',
        'rel="next"',
        "<>; rel=next",
    ]
)
contents = st.one_of(
    st.one_of(bodies, catalog_bodies, json_values).map(
        lambda b: json.dumps(not_success(b)).encode()
    ),
    st.binary(max_size=64),
    st.integers(0, 2 * MIB).map(many_small),
)
replies = st.builds(
    lambda status, body, link: Reply(
        status, body, [("Content-Type", "application/json")] + ([("Link", link)] if link else [])
    ),
    st.sampled_from([200, 200, 400, 404, 500]),
    contents,
    st.none() | links,
)
plans = st.dictionaries(
    st.sampled_from(sorted({*WORKSPACE_ROUTES, *CATALOG_ROUTES, *CANVAS_ROUTES})),
    st.tuples(replies, st.booleans()),
    min_size=1,
    max_size=3,
)


def config(url: str) -> dict[str, Any]:
    """Every listing (apps aside), two days and their hours; lookback 0, so that a unit the
    first run skips is read by the second only if the first run's state says so."""
    return {
        **workspace_config(SimpleNamespace(url=url)),
        "start_date": "2026-03-30",
        "end_date": SIM_TODAY.isoformat(),
        "all_segments": True,
        "all_events": True,
        "all_products": True,
        "all_campaigns": True,  # the catalogues' listings too: /campaigns/list, /canvas/list
        "all_canvases": True,
        "lookback_days": 0,
        "max_retries": 1,
        "request_timeout": 5,
        "max_rate_limit_wait": 5,
    }


def upserted(*runs: dict[str, list[dict]]) -> dict[tuple, str]:
    """What an upserting warehouse holds of the workspace streams (the ones the oracle knows)
    after loading ``runs`` in turn: (stream, primary key) -> the record, as canonical JSON."""
    table = {}
    for records in runs:
        for stream, rows in records.items():
            for r in rows if stream in WORKSPACE_STREAMS else ():
                key = (stream, *(json.dumps(r.get(k)) for k in WORKSPACE_STREAMS[stream][0]))
                table[key] = json.dumps(r, sort_keys=True)
    return table


def differences(held: dict[tuple, str], expected: dict[tuple, str]) -> list[str]:
    return [
        f"{key}: {held.get(key)} != {expected.get(key)}"
        for key in sorted(held.keys() | expected.keys())
        if held.get(key) != expected.get(key)
    ][:5]


def clean(run: TapRun) -> None:
    assert run.returncode in (0, 1), run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert 0 < run.peak_rss_mib < RSS_BOUND_MIB, run.peak_rss_mib


CATALOG = catalog_selecting(config("http://127.0.0.1:9"))  # every stream, as Meltano's *.*


@pytest.fixture(scope="module")
def healthy() -> dict[tuple, str]:
    """Every record a correct run has (the oracle's, from the simulator's data)."""
    with BrazeSimulator(default_workspace()) as sim:
        expected = upserted(
            expected_workspace_records(sim, config(sim.url), set(WORKSPACE_STREAM_NAMES))
        )
    assert len({key[0] for key in expected}) >= 10, expected  # the premise: most streams read
    return expected


@settings(
    max_examples=RUNS,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each step is 3 runs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=plans)
def test_no_hostile_answer_ends_in_a_traceback_a_lost_unit_or_rss_over_the_bound(
    plan: dict[str, tuple[Reply, bool]], healthy: dict[tuple, str], tmp_path_factory: Any
) -> None:
    tmp = tmp_path_factory.mktemp("hostile")
    with HostileSimulator(plan) as sim:
        for reply, _ in plan.values():
            reply.headers[:] = [(k, v.replace("{url}", sim.url)) for k, v in reply.headers]
        first = run_tap(config(sim.url), tmp / "first", catalog=CATALOG, check=False, timeout=120)
    clean(first)
    if first.returncode == 0:
        wrong = differences(upserted(first.records), healthy)
        assert not wrong, f"exit 0, yet {wrong}\n{first.stderr[-3000:]}"
        return
    with BrazeSimulator(default_workspace()) as sim:
        second = run_tap(
            config(sim.url), tmp / "second", catalog=CATALOG, state=first.final_state, timeout=120
        )
    clean(second)
    wrong = differences(upserted(first.records, second.records), healthy)
    assert not wrong, f"after the next run, {wrong}\n{first.stderr[-3000:]}"
