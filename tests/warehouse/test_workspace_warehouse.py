"""Issue 15's twelve workspace tables in PostgreSQL, through the real `meltano run`.

Segments, KPIs, sessions, custom events and purchases, daily and hourly, for every app (and
`*`), two segments, a breakdown segment, every event and every product: the tables hold the
simulator's numbers (expected records from the independent oracle, oracle_workspace.py), with
sensible types; the `*` rows are the totals of the apps (and products) they stand for; the
analytics tables join their catalogue tables; Braze then restates recent days, and the next
run upserts them (one row per key, new numbers). Skipped until the tap discovers the streams.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import duckdb
import pytest
from braze_simulator import DEFAULT_KEY, BrazeSimulator, build_workspace
from braze_simulator.workspace_series import apps, segments
from conftest import SIM_TODAY
from contract import WORKSPACE_STREAM_NAMES
from meltano_pipeline import (
    Catalog,
    DemoRuns,
    Tables,
    assert_column_types,
    loaded_tables,
    run_pipeline,
    same,
    singer_state,
)
from oracle_workspace import ALL, partitions
from oracle_workspace_sim import effective_config, expected_workspace_records
from warehouses import TIMESTAMP, Warehouse, instant, kind
from workspace_pending import PENDING

pytestmark = [pytest.mark.warehouse, PENDING]


DAY = dt.timedelta(days=1)
# Four days at most: the oracle asks the simulator for each hourly range in one request.
START = SIM_TODAY - 3 * DAY
FIRST_END = SIM_TODAY - DAY
DAILY = sorted(s for s in WORKSPACE_STREAM_NAMES if "hourly" not in s)


def workspace_config(sim: BrazeSimulator, end: dt.date) -> dict[str, Any]:
    """Only the workspace series (the dev environment's sends and discovery switched off):
    every app, two tracked segments (one also a breakdown), every event and product."""
    ws = sim.workspace
    tracked = [
        s.segment_id for s in segments(ws) if s.analytics_tracking_enabled and not s.archived
    ]
    return {
        "api_key": DEFAULT_KEY,
        "api_url": sim.url,
        "sends": [],
        "campaign_ids": [],
        "canvas_ids": [],
        "all_campaigns": False,
        "all_canvases": False,
        "app_ids": [a.app_id for a in apps(ws)],
        "segment_ids": tracked[:2],
        "breakdown_segment_ids": tracked[:1],
        "all_events": True,
        "all_products": True,
        "start_date": START.isoformat(),
        "end_date": end.isoformat(),
        # Run 2 re-reads from START (the lookback never reaches before start_date): every
        # restated day and hour.
        "lookback_days": 14,
        "max_parallel_requests": 4,
        "retry_initial_wait": 0.05,
        "request_timeout": 10,
    }


def _comparable(catalog: Catalog, stream: str, row: dict[str, Any]) -> dict[str, Any]:
    """Timestamps as instants: the tap writes `+00:00`, PostgreSQL gives them back without."""
    props = catalog[stream]["properties"]
    return {
        name: instant(value) if kind(props[name]) == TIMESTAMP else value
        for name, value in row.items()
    }


def by_key(catalog: Catalog, stream: str, rows: Any) -> dict[tuple, dict[str, Any]]:
    keys = catalog[stream]["keys"]
    comparable = [_comparable(catalog, stream, row) for row in rows]
    return {tuple(row[k] for k in keys): row for row in comparable}


def assert_tables_hold(
    tables: Tables,
    expected: dict[str, list[dict]],
    catalog: Catalog,
) -> dict[str, dict[tuple, dict]]:
    """Each workspace table holds exactly the oracle's records; returns them by key."""
    loaded = {}
    for stream in sorted(WORKSPACE_STREAM_NAMES):
        assert expected[stream], f"the simulator should have data for {stream}"
        want = by_key(catalog, stream, expected[stream])
        got = by_key(catalog, stream, tables[stream].values())
        assert sorted(got, key=repr) == sorted(want, key=repr), f"{stream}: keys differ"
        for key, record in want.items():
            wrong = {
                col: (record.get(col), value)
                for col, value in got[key].items()
                if not same(record.get(col), value)
            }
            assert not wrong, f"{stream} {key}: (expected, loaded) {wrong}"
        loaded[stream] = got
    return loaded


# Each `*` row against the sum of the rows it stands for; every query gives no row when it holds.
TOTALS = {
    "app_kpis over apps": """
        SELECT t.time FROM {s}.app_kpis t
        JOIN (SELECT time, SUM(dau) dau, SUM(mau) mau, SUM(new_users) nu, SUM(uninstalls) un
              FROM {s}.app_kpis WHERE app_id <> '*' GROUP BY time) a ON a.time = t.time
        WHERE t.app_id = '*'
          AND (t.dau, t.mau, t.new_users, t.uninstalls) IS DISTINCT FROM (a.dau, a.mau, a.nu, a.un)
    """,
    "session_analytics over apps": """
        SELECT t.time, t.segment_id FROM {s}.session_analytics t
        JOIN (SELECT time, segment_id, SUM(sessions) sessions FROM {s}.session_analytics
              WHERE app_id <> '*' GROUP BY 1, 2) a USING (time, segment_id)
        WHERE t.app_id = '*' AND t.sessions IS DISTINCT FROM a.sessions
    """,
    "custom_event_analytics over apps": """
        SELECT t.time, t.event_name, t.segment_id FROM {s}.custom_event_analytics t
        JOIN (SELECT time, event_name, segment_id, SUM(count) count
              FROM {s}.custom_event_analytics WHERE app_id <> '*' GROUP BY 1, 2, 3) a
          USING (time, event_name, segment_id)
        WHERE t.app_id = '*' AND t.count IS DISTINCT FROM a.count
    """,
    "purchase_analytics over apps and products": """
        SELECT t.time FROM {s}.purchase_analytics t
        JOIN (SELECT time, SUM(quantity) quantity FROM {s}.purchase_analytics
              WHERE product <> '*' AND app_id = '*' GROUP BY 1) p USING (time)
        JOIN (SELECT time, SUM(quantity) quantity FROM {s}.purchase_analytics
              WHERE product = '*' AND app_id <> '*' GROUP BY 1) a USING (time)
        WHERE t.product = '*' AND t.app_id = '*'
          AND (t.quantity IS DISTINCT FROM p.quantity OR t.quantity IS DISTINCT FROM a.quantity)
    """,
}

# Each day read whole (before today, whose hours stop at Braze's clock) against its hours;
# every query gives no row when they agree.
HOURS_ADD_UP = {
    f"{hourly} over {daily}": f"""
        SELECT d.time, {", ".join(f"d.{k}" for k in keys)} FROM {{s}}.{daily} d
        JOIN (SELECT CAST(time AS DATE) AS day, {", ".join(keys)},
                     {", ".join(f"SUM({m}) AS {m}" for m in metrics)}
              FROM {{s}}.{hourly} GROUP BY 1, {", ".join(str(i + 2) for i in range(len(keys)))}) h
          ON h.day = d.time AND {" AND ".join(f"h.{k} = d.{k}" for k in keys)}
        WHERE d.time < '{SIM_TODAY.isoformat()}'
          AND ({", ".join(f"d.{m}" for m in metrics)}) IS DISTINCT FROM
              ({", ".join(f"h.{m}" for m in metrics)})
    """  # noqa: S608
    for hourly, daily, keys, metrics in (
        ("session_hourly_analytics", "session_analytics", ("app_id", "segment_id"), ("sessions",)),
        (
            "custom_event_hourly_analytics",
            "custom_event_analytics",
            ("event_name", "app_id", "segment_id"),
            ("count",),
        ),
        (
            "purchase_hourly_analytics",
            "purchase_analytics",
            ("product", "app_id"),
            ("quantity", "revenue"),
        ),
    )
}

# Every id of an analytics table finds its catalogue row; each query gives no row when so.
JOINS = {
    "segment_analytics -> segments": """
        SELECT a.segment_id FROM {s}.segment_analytics a
        LEFT JOIN {s}.segments g ON g.segment_id = a.segment_id WHERE g.segment_id IS NULL
    """,
    "session_analytics -> segments": """
        SELECT a.segment_id FROM {s}.session_analytics a
        LEFT JOIN {s}.segments g ON g.segment_id = a.segment_id
        WHERE a.segment_id <> '*' AND g.segment_id IS NULL
    """,
    "custom_event_analytics -> custom_events": """
        SELECT a.event_name FROM {s}.custom_event_analytics a
        LEFT JOIN {s}.custom_events e ON e.event_name = a.event_name WHERE e.event_name IS NULL
    """,
    "purchase_analytics -> products": """
        SELECT a.product FROM {s}.purchase_analytics a
        LEFT JOIN {s}.products p ON p.product = a.product
        WHERE a.product <> '*' AND p.product IS NULL
    """,
}
# The same joins, inner: each finds rows (so the queries above saw data).
JOINED_ROWS = {
    "segment_analytics": "SELECT count(*) FROM {s}.segment_analytics a "
    "JOIN {s}.segments g USING (segment_id)",
    "custom_event_analytics": "SELECT count(*) FROM {s}.custom_event_analytics a "
    "JOIN {s}.custom_events e USING (event_name)",
    "purchase_analytics": "SELECT count(*) FROM {s}.purchase_analytics a "
    "JOIN {s}.products p USING (product)",
}


def assert_joins(warehouse: Warehouse) -> None:
    for name, sql in JOINS.items():
        bad = warehouse.query(sql)
        assert not bad, f"{name}: {bad[:5]}"
    for name, sql in JOINED_ROWS.items():
        ((count,),) = warehouse.query(sql)
        assert count > 0, f"{name}: no row joins"


def assert_totals(warehouse: Warehouse) -> None:
    for name, sql in TOTALS.items():
        bad = warehouse.query(sql)
        assert not bad, f"{name}: {bad[:5]}"
    # The `*` rows are there: over all apps, all users and all products.
    for table, column in (
        ("app_kpis", "app_id"),
        ("session_analytics", "segment_id"),
        ("custom_event_analytics", "app_id"),
        ("purchase_analytics", "product"),
    ):
        ((count,),) = warehouse.query(
            f"SELECT count(*) FROM {{s}}.{table} WHERE {column} = '{ALL}'"  # noqa: S608
        )
        assert count > 0, f"{table}: no '*' row in {column}"


def assert_sensible_types(warehouse: Warehouse) -> None:
    """Beyond each kind's accepted types: the columns an analyst reads first."""
    wanted = {
        ("app_kpis", "time"): "date",
        ("app_kpis", "dau"): "bigint",
        ("session_hourly_analytics", "time"): "timestamp without time zone",
        ("purchase_analytics", "revenue"): "numeric",
        ("purchase_analytics", "quantity"): "bigint",
        ("segments", "analytics_tracking_enabled"): "boolean",
        ("custom_events", "tags"): "_text",
        ("segment_details", "created_at"): "timestamp without time zone",
    }
    for (table, column), sql_type in wanted.items():
        assert warehouse.column_types(table)[column] == sql_type, (table, column)


def test_workspace_tables_load_into_postgres_then_upsert_restated_days(
    postgres_warehouse: Warehouse, make_simulator: Any, catalog: Catalog
) -> None:
    warehouse = postgres_warehouse
    ws = build_workspace(3, 2, today=SIM_TODAY, seed=7)
    sim = make_simulator(ws)
    suffix = f"test-{uuid.uuid4().hex[:8]}"
    streams = set(WORKSPACE_STREAM_NAMES)
    config1 = workspace_config(sim, FIRST_END)
    expected1 = expected_workspace_records(sim, config1, streams)
    run_pipeline(warehouse, config1, suffix)
    assert_column_types(warehouse, catalog, streams)
    assert_sensible_types(warehouse)
    first = assert_tables_hold(loaded_tables(warehouse, catalog, streams), expected1, catalog)
    assert_totals(warehouse)
    assert_joins(warehouse)

    # Braze restates the last days; run 2 re-reads them (lookback) and reaches today.
    ws.restate()
    config2 = workspace_config(sim, SIM_TODAY)
    expected2 = expected_workspace_records(sim, config2, streams)
    run_pipeline(warehouse, config2, suffix)
    # An hour (or day) whose events or purchases Braze restated to none is left out of its
    # answer; the tap writes its zero, so the upserted tables hold exactly Braze's numbers
    # (no row of run 1 left stale) and the hourly rows add up to the daily ones.
    restated = {stream: by_key(catalog, stream, expected2[stream]) for stream in first}
    zeroed = [
        (stream, key)
        for stream in ("custom_event_hourly_analytics", "purchase_hourly_analytics")
        for key, row in first[stream].items()
        if (row.get("count") or row.get("quantity"))
        and not (restated[stream][key].get("count") or restated[stream][key].get("quantity"))
    ]
    assert zeroed, "the premise: the restatement takes all activity from some hours"
    second = assert_tables_hold(loaded_tables(warehouse, catalog, streams), expected2, catalog)
    assert_joins(warehouse)
    for name, sql in HOURS_ADD_UP.items():
        bad = warehouse.query(sql)
        assert not bad, f"{name}: {bad[:5]}"

    # The rows loaded by run 1 now hold the restated numbers, for every series.
    for stream in DAILY:
        if stream not in first or "time" not in catalog[stream]["keys"]:
            continue
        changed = [key for key, row in first[stream].items() if row != second[stream][key]]
        assert changed, f"{stream}: no restated row"
    state = singer_state(warehouse.loader, suffix)
    for stream in ("app_kpis", "session_analytics", "custom_event_analytics"):
        read = [p for p in state["bookmarks"][stream]["partitions"] if "replication_key_value" in p]
        assert len(read) == len(partitions(stream, effective_config(sim, config2))), stream
        assert {p["replication_key_value"] for p in read} == {SIM_TODAY.isoformat()}, stream


# --- make demo -------------------------------------------------------------------------------


def _section(stdout: str, title: str) -> list[list[str]]:
    """The rows of a summary table (its header line left out), cells split on 2+ spaces."""
    assert title in stdout, f"no {title!r} table in the summary:\n{stdout[-3000:]}"
    block = stdout.split(title, 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in block.splitlines()[1:] if line.strip()]
    return [re.split(r"\s{2,}", line) for line in lines[1:]]


def _number(cell: str) -> int | None:
    return None if cell == "-" else int(cell.replace(",", ""))


def test_demo_summary_shows_users_per_day_and_top_events(demo_runs: DemoRuns) -> None:
    """`make demo` loads the workspace tables too; its summary shows a daily DAU / MAU / new
    users table and the top custom events with their names, as the DuckDB file holds them."""
    proc = demo_runs.runs[0]
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr[-4000:]}"
    with duckdb.connect(str(demo_runs.duckdb), read_only=True) as conn:
        for table in WORKSPACE_STREAM_NAMES:
            (count,) = conn.execute(f'SELECT count(*) FROM braze."{table}"').fetchone()  # noqa: S608
            assert count > 0, table
        kpis = conn.execute(
            "SELECT CAST(time AS VARCHAR), dau, mau, new_users FROM braze.app_kpis "
            "WHERE app_id = '*' ORDER BY time DESC LIMIT 5"
        ).fetchall()
        days = [
            d
            for (d,) in conn.execute(
                "SELECT DISTINCT CAST(time AS VARCHAR) FROM braze.custom_event_analytics "
                "ORDER BY 1 DESC LIMIT 5"
            ).fetchall()
        ]
        totals = dict(
            conn.execute(
                "SELECT event_name, SUM(count) FROM braze.custom_event_analytics "
                "WHERE app_id = '*' AND segment_id = '*' "
                "AND list_contains(?, CAST(time AS VARCHAR)) GROUP BY 1",
                [days],
            ).fetchall()
        )
        listed = {
            n for (n,) in conn.execute("SELECT event_name FROM braze.custom_events").fetchall()
        }

    shown = _section(proc.stdout, "Daily active, monthly active and new users, all apps")
    assert [(r[0], *map(_number, r[1:4])) for r in shown] == sorted(kpis)
    top = _section(proc.stdout, "Top custom events, all apps and users")
    assert len(top) == min(5, len(totals)) > 0
    counts = [_number(r[1]) for r in top]
    assert counts == sorted(counts, reverse=True)
    for name, count, *_ in top:
        assert name in listed  # a name the custom_events table holds
        assert totals[name] == _number(count), name
    assert counts[0] == max(totals.values())
