"""Issue 25: the dbt package (transform/) builds its ten marts on real engines, and they hold
the simulator's numbers and names.

DuckDB: `make demo`'s own runs (`meltano run tap-braze-sends target-duckdb dbt-duckdb:build`,
meltano_pipeline.demo_runs), their summary and their page, opened in headless Chromium.
PostgreSQL: `meltano run tap-braze-sends target-postgres dbt-postgres:build` into the server
this session starts. A user's own dbt project with the package (packages.yml) on a file where
most streams were not loaded: those marts are empty, not broken. Expected values come from
tests/oracle_marts.py (the simulator's model and the independent oracles), never from the
tap's tables.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import struct
import subprocess
import uuid
from pathlib import Path
from typing import Any

import demo  # scripts/ (on the path: meltano_pipeline)
import demo_html
import demo_summary
import duckdb
import psycopg
import pytest
from braze_simulator import BrazeSimulator, Workspace, workspace_canvases
from braze_simulator.workspace_series import apps
from conftest import expected_records, tap_config
from marts import MARTS, Mart, by_key, mismatches
from meltano_pipeline import DemoRuns, meltano, meltano_env, tap_env
from oracle_marts import campaign_marts, canvas_marts, workspace_marts
from oracle_workspace_sim import expected_workspace_records

pytestmark = pytest.mark.warehouse

WORKSPACE_DAILY = {
    "app_kpis",
    "session_analytics",
    "custom_event_analytics",
    "purchase_analytics",
    "segment_analytics",
}
DBT_ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_VERSION_CHECK": "false"}


def expected_marts(ws: Workspace, sim: BrazeSimulator, first: dt.date, last: dt.date) -> dict:
    """Every mart of a run that read every send, campaign and Canvas of ``ws``, its apps,
    tracked segments, events and products over [first, last]."""
    bounds = {"start_date": first.isoformat(), "end_date": last.isoformat()}
    sends = [{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in ws.sends]
    records = expected_records(
        ws, {**bounds, "sends": sends, "campaign_ids": [c.campaign_id for c in ws.campaigns]}
    )
    workspace = {
        **bounds,
        "app_ids": [a.app_id for a in apps(ws)],
        "segment_ids": [],
        "breakdown_segment_ids": [],
        "event_names": [],
        "products": [],
        "all_segments": True,
        "all_events": True,
        "all_products": True,
    }
    records.update(expected_workspace_records(sim, workspace, WORKSPACE_DAILY))
    canvas_ids = [c.canvas_id for c in workspace_canvases(ws)]
    return {
        **campaign_marts(ws, records),
        **canvas_marts(ws, canvas_ids, first, last),
        **workspace_marts(ws, records),
    }


def duckdb_marts(path: Path, schema: str = "braze_marts") -> dict[str, Mart]:
    with duckdb.connect(str(path), read_only=True) as conn:
        out = {}
        for mart in MARTS:
            cur = conn.execute(f"SELECT * FROM {schema}.{mart}")  # noqa: S608
            out[mart] = by_key(mart, [c[0] for c in cur.description], cur.fetchall())
        return out


def assert_marts_hold(got: dict[str, Mart], expected: dict[str, Mart]) -> None:
    problems = [p for mart in MARTS for p in mismatches(mart, expected[mart], got[mart])]
    assert not problems, "\n".join(problems[:20])
    for mart in MARTS:
        assert expected[mart], f"the simulator should have rows for {mart}"


@pytest.fixture(scope="module")
def demo_expected(demo_runs: DemoRuns) -> dict[str, Mart]:
    """The marts of the demo's run: its workspace, the last 30 days (scripts/demo.py)."""
    ws = demo.demo_workspace()
    sim = BrazeSimulator(ws)
    sim.start()
    try:
        return expected_marts(ws, sim, ws.today - dt.timedelta(days=30), ws.today)
    finally:
        sim.stop()


# --- DuckDB: make demo ------------------------------------------------------------------------


def test_demo_builds_the_marts_with_the_simulators_numbers(
    demo_runs: DemoRuns, demo_expected: dict[str, Mart]
) -> None:
    for attempt, proc in enumerate(demo_runs.runs, start=1):
        assert proc.returncode == 0, f"run {attempt}:\n{proc.stdout}\n{proc.stderr[-4000:]}"
        # dbt build: the models and every data test passed (unique keys, not-null keys,
        # ids found in the tap's name tables).
        done = re.search(r"Done\. PASS=(\d+) WARN=0 ERROR=(\d+) SKIP=0", proc.stdout)
        assert done, proc.stdout[-3000:]
        assert int(done[2]) == 0, done[0]
        assert int(done[1]) >= 60, done[0]
    got = duckdb_marts(demo_runs.duckdb)
    assert_marts_hold(got, demo_expected)
    steps = got["braze__canvas_step_daily"]
    # The flow's order, from the onboarding Canvas's next_paths: a split two steps down.
    positions = {row["step_name"]: row["step_position"] for row in steps.values()}
    assert positions["Welcome email"] == 1
    assert positions["Push nudge"] == 4
    assert positions["Old SMS reminder"] is None


def _section(stdout: str, title: str) -> list[list[str]]:
    """A summary table's data rows, split on runs of two or more spaces."""
    assert title in stdout, f"no {title!r} section in the summary"
    block = stdout.split(title, 1)[1].split("\n\n", 1)[0]
    return [re.split(r"\s{2,}", line.strip()) for line in block.splitlines()[2:]]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_demo_prints_an_answer_from_three_marts(
    demo_runs: DemoRuns, demo_expected: dict[str, Mart]
) -> None:
    stdout = demo_runs.runs[-1].stdout
    campaigns = demo_expected["braze__campaign_daily"]
    last_day = {}
    for (campaign_id, date), row in campaigns.items():
        if date > last_day.get(campaign_id, ("", None))[0]:
            last_day[campaign_id] = (date, row)
    printed = _section(stdout, "Campaigns on their last day with data")
    assert len(printed) == len(last_day)
    for name, date, _sent, recipients, conversions, _revenue in printed:
        (want_date, want) = next(v for v in last_day.values() if v[1]["campaign_name"] == name)
        assert (date, _number(recipients), _number(conversions)) == (
            want_date,
            want["unique_recipients"],
            want["conversions"],
        )
    # The funnel: its steps in flow order, each with its recipients over the range.
    funnel = _section(stdout, "Canvas step funnel, steps in flow order")
    header = stdout.split("steps in flow order (braze__canvas_step_daily): ", 1)[1]
    canvas = header.split(",", 1)[0]
    steps: dict[str, list[Any]] = {}
    for row in demo_expected["braze__canvas_step_daily"].values():
        if row["canvas_name"] == canvas:
            total = steps.setdefault(row["step_name"], [row["step_position"], 0])
            total[1] += row["unique_recipients"] or 0
    assert [r[1].removesuffix(" (deleted)") for r in funnel] == sorted(
        steps, key=lambda s: (steps[s][0] is None, steps[s][0] or 0, s)
    )
    for position, step, _sent, recipients, _conversions in funnel:
        want_position, want_recipients = steps[step.removesuffix(" (deleted)")]
        assert position == ("-" if want_position is None else str(want_position))
        assert _number(recipients) == want_recipients
    apps_printed = _section(stdout, "All apps, last days (braze__app_daily)")
    app = demo_expected["braze__app_daily"]
    assert len(apps_printed) == 5
    for date, dau, mau, stickiness, _new, sessions in apps_printed:
        want = app[("*", date)]
        assert (_number(dau), _number(mau), _number(sessions)) == (
            want["dau"],
            want["mau"],
            want["sessions"],
        )
        assert abs(_number(stickiness) - want["stickiness"]) < 0.005


def _charts(page: str, kind: str) -> dict[str, Any]:
    return {
        html.unescape(m["name"]): json.loads(html.unescape(m["data"]))
        for m in re.finditer(
            rf'<svg [^>]*class="{kind}" data-name="(?P<name>[^"]*)" '
            r"data-series='(?P<data>[^']*)'",
            page,
        )
    }


def _chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess:
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: scripts/ensure_system_packages.sh installs it"
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={user_data}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_page_draws_the_marts_in_chromium(
    demo_runs: DemoRuns, demo_expected: dict[str, Mart], tmp_path: Path
) -> None:
    page_path = demo_runs.duckdb.with_suffix(".html")
    page = page_path.read_text()
    # Nothing to fetch: no script, stylesheet, image or font from anywhere.
    assert not re.search(r"https?://|<script|<link|<img|src=|@import|url\(", page)
    campaigns = demo_expected["braze__campaign_daily"]
    days = sorted({d for _, d in campaigns})
    assert f"Data from {days[0]} to {days[-1]}" in page
    # Each campaign's chart: the mart's sends and conversions on every day, gaps elsewhere.
    charts = _charts(page, "campaign")
    assert set(charts) == {row["campaign_name"] for row in campaigns.values()}
    for (_, date), row in campaigns.items():
        chart = charts[row["campaign_name"]]
        i = chart["days"].index(date)
        assert chart["sends"][i] == row["sent"], (row["campaign_name"], date)
        assert chart["conversions"][i] == row["conversions"], (row["campaign_name"], date)
    # Each Canvas's bars in step_position order.
    for name, bars in _charts(page, "funnel").items():
        positions = [int(label.split(".", 1)[0]) for label, _ in bars if label[0].isdigit()]
        assert positions == sorted(positions), name
        assert positions[0] == 1, name
    assert _charts(page, "app")
    # The page renders: Chromium's DOM holds every chart title, and a screenshot is drawn.
    dom = _chromium("--dump-dom", page_path.as_uri(), user_data=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    for title in (
        "Campaigns: daily sends, opens and conversions",
        "Canvases: unique recipients per step, in flow order",
        "All apps: daily active users, stickiness and sessions",
        "Welcome Series",
        "Onboarding journey",
    ):
        assert title in dom.stdout, title
    assert dom.stdout.count("<svg") == len(charts) + len(_charts(page, "funnel")) + 1
    shot = tmp_path / "demo.png"
    proc = _chromium(
        "--hide-scrollbars",
        "--window-size=1280,1800",
        f"--screenshot={shot}",
        page_path.as_uri(),
        user_data=tmp_path / "profile",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    head = shot.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (1280, 1800)
    assert shot.stat().st_size > 30_000, "a page of charts, not a blank one"


# --- a user's own dbt project; streams not loaded ---------------------------------------------


def test_package_in_a_users_project_leaves_unloaded_streams_empty(
    demo_runs: DemoRuns, demo_expected: dict[str, Mart], tmp_path: Path
) -> None:
    """packages.yml names the package (here by its local path: the tests reach no network),
    the tap's tables live in another schema (var braze_schema), and only the campaign day and
    KPI streams were loaded: those marts are built, every other one is empty, and every dbt
    test passes."""
    warehouse = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(f"ATTACH '{demo_runs.duckdb}' AS demo (READ_ONLY)")
        conn.execute("CREATE SCHEMA raw_braze")
        for table in ("campaign_analytics", "campaigns", "app_kpis"):
            conn.execute(f"CREATE TABLE raw_braze.{table} AS FROM demo.braze.{table}")
    project = tmp_path / "analytics"
    project.mkdir()
    (project / "dbt_project.yml").write_text(
        "name: analytics\nversion: '1.0.0'\nconfig-version: 2\nprofile: analytics\n"
        "vars:\n  braze_schema: raw_braze\n"
    )
    (project / "packages.yml").write_text(
        f"packages:\n  - local: {meltano_env.ROOT / 'transform'}\n"
    )
    (project / "profiles.yml").write_text(
        "analytics:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {warehouse}\n      schema: marts\n      threads: 1\n"
    )
    dbt = meltano_env.plugin_executable("dbt-duckdb")
    env = meltano_env.clean_env({**DBT_ENV, "DBT_PROFILES_DIR": str(project)})
    for command in (["deps"], ["build"]):
        proc = subprocess.run(
            [str(dbt), *command, "--project-dir", str(project)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout[-4000:]
    assert "ERROR=0" in proc.stdout
    got = duckdb_marts(warehouse, "marts")
    loaded = {"braze__campaign_daily", "braze__app_daily"}
    assert {m for m in MARTS if got[m]} == loaded
    # Without the message and session streams their columns are null; the rest is as loaded.
    for key, row in got["braze__campaign_daily"].items():
        want = demo_expected["braze__campaign_daily"][key]
        assert row["sent"] is None
        assert (row["campaign_name"], row["conversions"]) == (
            want["campaign_name"],
            want["conversions"],
        )
    assert got["braze__campaign_daily"].keys() == demo_expected["braze__campaign_daily"].keys()
    assert got["braze__app_daily"].keys() == demo_expected["braze__app_daily"].keys()


# --- PostgreSQL: meltano run ... target-postgres dbt-postgres:build ---------------------------


def test_marts_build_on_postgres_through_meltano(
    meltano_ready: None, postgres_server: Any, make_simulator: Any, tmp_path: Path
) -> None:
    ws = demo.demo_workspace()
    sim = make_simulator(ws)
    last = ws.today
    first = last - dt.timedelta(days=3)
    config = tap_config(
        sim,
        canvas_ids=[c.canvas_id for c in workspace_canvases(ws)],
        all_campaigns=False,
        all_canvases=False,
        app_ids=[a.app_id for a in apps(ws)],
        all_segments=True,
        all_events=True,
        all_products=True,
        start_date=first.isoformat(),
        end_date=last.isoformat(),
        max_parallel_requests=4,
    )
    expected = expected_marts(ws, sim, first, last)
    schema = f"braze_{uuid.uuid4().hex[:8]}"
    env = {
        **tap_env(config),
        **postgres_server.target_env(),
        **DBT_ENV,
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        # The dbt-postgres utility's settings source_schema and schema (meltano.yml)
        "DBT_POSTGRES_SOURCE_SCHEMA": schema,
        "DBT_POSTGRES_SCHEMA": f"{schema}_marts",
        "DBT_TARGET_PATH": str(tmp_path / "dbt"),
        "DBT_LOG_PATH": str(tmp_path / "dbt"),
    }
    suffix = f"test-{uuid.uuid4().hex[:8]}"
    run = ["run", "--refresh-catalog", "--state-id-suffix", suffix]
    proc = meltano(
        [*run, "tap-braze-sends", "target-postgres", "dbt-postgres:build"],
        meltano_env.clean_env(env),
    )
    assert re.search(r"Done\. PASS=\d+ WARN=0 ERROR=0 SKIP=0", proc.stderr), proc.stderr[-3000:]
    got = {}
    with psycopg.connect(postgres_server.conninfo()) as conn:
        for mart in MARTS:
            cur = conn.execute(f'SELECT * FROM "{schema}_marts"."{mart}"')  # noqa: S608
            got[mart] = by_key(mart, [c.name for c in cur.description], cur.fetchall())
    assert_marts_hold(got, expected)


def test_demo_summary_and_page_read_a_file_named_like_its_schema(
    demo_runs: DemoRuns, tmp_path: Path
) -> None:
    """Issue 22, item 16: a DuckDB file named braze.duckdb holds schema braze, so a bare
    braze.<table> is ambiguous to DuckDB; the demo's summary and page qualify their names."""
    named = tmp_path / "braze.duckdb"
    shutil.copy(demo_runs.duckdb, named)
    with (
        duckdb.connect(str(named), read_only=True) as conn,
        pytest.raises(duckdb.BinderException, match="Ambiguous"),
    ):
        conn.execute("SELECT count(*) FROM braze.campaigns")
    summary = demo_summary.summarize(named, named.name)
    assert "Per-campaign daily totals" in summary
    assert "Campaigns on their last day with data" in summary
    assert "Welcome Series" in demo_html.render(named)
