"""Meltano end to end: the real `meltano run` moves the simulator's data into real warehouses.

A user runs `meltano run tap-braze-sends target-postgres` (or target-duckdb): every primary
key lands once, with the simulator's numbers and sensible column types. Braze then restates
recent days; the next run re-reads them through the lookback, the target upserts, the tables
hold the new numbers with still one row per key, and Meltano's state moves forward.

Real parts only: Meltano 4 from .venv-meltano, plugins installed by Meltano into .meltano/
(once, reused by later runs: scripts/meltano_env.py), a PostgreSQL server that this session
starts itself (scripts/pg.py), DuckDB files, the simulator over HTTP on 127.0.0.1.
Snowflake cannot be reached: its target's own type mapping is checked offline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pytest
import warehouses
from braze_simulator import workspace_canvases
from conftest import SIM_TODAY, expected_records, tap_config
from contract import STREAM_NAMES
from meltano_pipeline import (
    EXTRACTOR,
    DemoRuns,
    assert_column_types,
    loaded_tables,
    meltano,
    meltano_env,
    run_demo,
    run_pipeline,
    same,
    singer_state,
    tap_env,
)
from warehouse_catalogue import (
    CANVAS_SERIES_STREAMS,
    assert_ids_join,
    assert_names_from_the_model,
    assert_readme_queries_run,
    canvas_series_expected,
    canvas_series_mismatches,
)
from warehouses import Warehouse, kind

pytestmark = pytest.mark.warehouse


# Run 1 stops short of today; Braze then restates the last days and run 2 reaches today.
FIRST_END = SIM_TODAY - dt.timedelta(days=3)


def meltano_bookmarks(loader: str, suffix: str) -> dict[tuple[str, tuple], str]:
    """(series stream, partition values) -> bookmark, as Meltano's state backend holds them
    (the catalogue's details bookmarks, at each item's last_edited, are left out)."""
    state = singer_state(loader, suffix)
    return {
        (stream, tuple(p["context"].values())): p["replication_key_value"]
        for stream, entry in state["bookmarks"].items()
        if stream in SERIES_STREAMS
        for p in entry.get("partitions", [])
    }


def assert_tables_hold(
    tables: dict[str, dict[tuple, dict[str, Any]]],
    expected: dict[str, list[dict]],
    catalog: dict[str, dict[str, Any]],
) -> None:
    """The oracle's streams (sends and campaigns) hold exactly its records."""
    for stream in ORACLE_STREAMS:
        keys = catalog[stream]["keys"]
        want = {tuple(r[k] for k in keys): r for r in expected.get(stream, [])}
        got = tables[stream]
        assert want, f"the simulator should have data for {stream}"
        assert sorted(got) == sorted(want), f"{stream}: keys differ"
        for key, record in want.items():
            row = got[key]
            wrong = {
                col: (record.get(col), row[col])
                for col in row
                if not same(record.get(col), row[col])
            }
            assert not wrong, f"{stream} {key}: (expected, loaded) {wrong}"


def assert_canvas_series_hold(
    tables: dict[str, dict[tuple, dict[str, Any]]], workspace: Any, config: dict[str, Any]
) -> None:
    """The Canvas day, variant and step tables hold the simulator's numbers for the range."""
    expected = canvas_series_expected(
        workspace,
        config["canvas_ids"],
        dt.date.fromisoformat(config["start_date"]),
        dt.date.fromisoformat(config["end_date"]),
    )
    problems = canvas_series_mismatches(tables, expected, same)
    assert not problems, "\n".join(problems[:20])
    assert tables["canvas_step_message_analytics"], "no Canvas message rows"


# --- tests -----------------------------------------------------------------------------------

ORACLE_STREAMS = (
    "send_analytics",
    "send_message_analytics",
    "campaign_analytics",
    "campaign_message_analytics",
)
SERIES_STREAMS = (*ORACLE_STREAMS, *CANVAS_SERIES_STREAMS)


def warehouse_config(sim: Any, **overrides: Any) -> dict[str, Any]:
    """Every send, campaign and Canvas of the workspace, listed (the dev environment's
    discovery is switched off, so that the partitions are known exactly)."""
    canvas_ids = [c.canvas_id for c in workspace_canvases(sim.workspace)]
    return tap_config(
        sim,
        canvas_ids=canvas_ids,
        all_campaigns=False,
        all_canvases=False,
        max_parallel_requests=4,
        **overrides,
    )


def run_and_check(
    warehouse: Warehouse,
    workspace: Any,
    catalog: dict[str, dict[str, Any]],
    config: dict[str, Any],
    suffix: str,
) -> tuple[dict[str, dict[tuple, dict[str, Any]]], dict[str, list[dict]]]:
    """One `meltano run`; then the tables hold the oracle's records and the Canvas series the
    simulator's, one row per key, and every id joins its catalogue row. Returns the tables
    and the oracle's records."""
    run_pipeline(warehouse, config, suffix)
    expected = expected_records(workspace, config)
    tables = loaded_tables(warehouse, catalog)
    assert_tables_hold(tables, expected, catalog)
    assert_canvas_series_hold(tables, workspace, config)
    assert_ids_join(warehouse, workspace)
    return tables, expected


@pytest.mark.parametrize("backend", ["postgres", "duckdb"])
def test_meltano_run_loads_then_upserts_restated_days(
    backend: str,
    request: pytest.FixtureRequest,
    make_simulator: Any,
    workspace: Any,
    catalog: dict[str, dict[str, Any]],
) -> None:
    warehouse: Warehouse = request.getfixturevalue(f"{backend}_warehouse")
    sim = make_simulator(workspace)
    suffix = f"test-{uuid.uuid4().hex[:8]}"
    config1 = warehouse_config(sim, end_date=FIRST_END.isoformat())
    assert len(config1["canvas_ids"]) == 5
    # Run 1: everything up to FIRST_END, one row per key, the simulator's numbers, every
    # catalogue table with the simulator's names, every id joining its catalogue row.
    first, expected1 = run_and_check(warehouse, workspace, catalog, config1, suffix)
    assert_names_from_the_model(first, workspace)
    assert_readme_queries_run(warehouse)
    assert_column_types(warehouse, catalog)
    _assert_absent_json_is_sql_null(warehouse, catalog, expected1)
    bookmarks1 = meltano_bookmarks(warehouse.loader, suffix)
    partitions = (
        len(workspace.sends) * 2
        + len(workspace.campaigns) * 2
        + len(config1["canvas_ids"]) * len(CANVAS_SERIES_STREAMS)
    )
    assert len(bookmarks1) == partitions
    assert set(bookmarks1.values()) == {FIRST_END.isoformat()}

    # Braze restates the last days; run 2 re-reads them (lookback) and reaches today.
    workspace.restate()
    config2 = warehouse_config(sim)
    second, _ = run_and_check(warehouse, workspace, catalog, config2, suffix)

    # The restatement was real, for the Canvas tables too: rows loaded by run 1 now hold
    # different numbers, and only on restated days.
    changed = [
        (stream, key)
        for stream in SERIES_STREAMS
        for key, row in first[stream].items()
        if row != second[stream][key]
    ]
    assert {s for s, _ in changed} >= {"campaign_analytics", *CANVAS_SERIES_STREAMS}
    restated_from = SIM_TODAY - dt.timedelta(days=workspace.restate_days - 1)
    assert all(key[_time_index(catalog, s)] >= restated_from.isoformat() for s, key in changed)

    bookmarks2 = meltano_bookmarks(warehouse.loader, suffix)
    assert bookmarks2.keys() == bookmarks1.keys()
    assert set(bookmarks2.values()) == {SIM_TODAY.isoformat()}


def _time_index(catalog: dict[str, dict[str, Any]], stream: str) -> int:
    return catalog[stream]["keys"].index("time")


def _assert_absent_json_is_sql_null(
    warehouse: Warehouse, catalog: dict[str, dict[str, Any]], expected: dict[str, list[dict]]
) -> None:
    """A JSON value the record lacks (extra_metrics, extra_fields, message, ...) is SQL NULL,
    so `IS NULL` finds it; the JSON value null never lands."""
    absent = {}
    for stream, info in catalog.items():
        for name, prop in info["properties"].items():
            if kind(prop) not in (warehouses.OBJECT, warehouses.OBJECTS):
                continue
            sql_nulls, json_nulls = warehouse.null_counts(stream, name)
            assert json_nulls == 0, f"{stream}.{name}: {json_nulls} rows hold JSON null"
            absent[stream, name] = sql_nulls
            if stream in ORACLE_STREAMS:
                want = sum(1 for r in expected[stream] if r.get(name) is None)
                assert sql_nulls == want, f"{stream}.{name}: {sql_nulls} IS NULL, {want} absent"
    # The simulator's message rows mostly carry no extras: the check above saw real NULLs.
    assert absent["campaign_message_analytics", "extra_metrics"] > 0
    assert absent["canvas_step_message_analytics", "extra_metrics"] > 0


def test_meltano_run_target_jsonl(
    meltano_ready: None, simulator: Any, workspace: Any, tmp_path: Path
) -> None:
    """issue 2's smallest pipeline: `meltano run tap-braze-sends target-jsonl`."""
    config = tap_config(simulator)
    env = {**tap_env(config), "TARGET_JSONL_DESTINATION_PATH": str(tmp_path)}
    suffix = f"test-{uuid.uuid4().hex[:8]}"
    meltano(
        ["run", "--refresh-catalog", "--state-id-suffix", suffix, EXTRACTOR, "target-jsonl"],
        meltano_env.clean_env(env),
    )
    expected = expected_records(workspace, config)
    for stream, records in expected.items():
        lines = (tmp_path / f"{stream}.jsonl").read_text().splitlines()
        loaded = sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines)
        assert loaded == sorted(json.dumps(r, sort_keys=True) for r in records), stream


# The target's own connector maps each property; compiled with the Snowflake dialect.
_SNOWFLAKE_MAPPING = """
import json, sys
from snowflake.sqlalchemy.snowdialect import SnowflakeDialect
from target_snowflake.connector import SnowflakeConnector

connector = SnowflakeConnector(config={"account": "offline", "user": "u", "password": "p",
                                       "database": "D"})
dialect = SnowflakeDialect()
catalog = json.load(sys.stdin)
print(json.dumps({
    stream: {name: connector.to_sql_type(prop).compile(dialect=dialect)
             for name, prop in info["properties"].items()}
    for stream, info in catalog.items()
}))
"""
# Snowflake's NUMBER is DECIMAL(38, 0): an integer type; FLOAT is its only binary float.
SNOWFLAKE_TYPES = {
    warehouses.DATE: {"DATE"},
    # MeltanoLabs' target maps date-time to TIMESTAMP_NTZ: the instant in UTC, without zone.
    warehouses.TIMESTAMP: {"TIMESTAMP_NTZ", "TIMESTAMP_TZ", "TIMESTAMP_LTZ"},
    warehouses.INTEGER: {
        "NUMBER",
        "DECIMAL",
        "NUMBER(38, 0)",
        "DECIMAL(38, 0)",
        "INTEGER",
        "BIGINT",
    },
    warehouses.NUMBER: {"FLOAT", "DOUBLE", "NUMBER", "DECIMAL"},
    warehouses.BOOLEAN: {"BOOLEAN"},
    warehouses.OBJECT: {"VARIANT", "OBJECT"},
    warehouses.TEXTS: {"VARIANT", "ARRAY"},
    warehouses.OBJECTS: {"VARIANT", "ARRAY"},
    warehouses.STRING: {"VARCHAR", "TEXT", "STRING"},
}


def test_snowflake_type_mapping_offline(
    meltano_ready: None, catalog: dict[str, dict[str, Any]]
) -> None:
    """The emitted schemas map to sensible Snowflake types in MeltanoLabs' target itself."""
    proc = subprocess.run(
        [str(meltano_env.plugin_python("target-snowflake")), "-c", _SNOWFLAKE_MAPPING],
        input=json.dumps(catalog),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    mapped = json.loads(proc.stdout)
    for stream, info in catalog.items():
        wrong = {
            name: mapped[stream][name]
            for name, prop in info["properties"].items()
            if mapped[stream][name].upper() not in SNOWFLAKE_TYPES[kind(prop)]
        }
        assert not wrong, f"{stream}: {wrong}"
    assert mapped["send_analytics"]["time"] == "DATE"
    assert mapped["send_message_analytics"]["sent"] == "DECIMAL"
    assert mapped["campaign_analytics"]["revenue"] == "FLOAT"
    assert mapped["campaign_message_analytics"]["extra_metrics"] == "VARIANT"
    assert mapped["canvas_details"]["archived"] == "BOOLEAN"
    assert mapped["canvas_steps"]["next_step_ids"] == "VARIANT"


# --- make demo -------------------------------------------------------------------------------


DEMO_TABLES = STREAM_NAMES


def _summary_section(stdout: str, title: str) -> str:
    assert title in stdout, f"no {title!r} table in the summary"
    return stdout.split(title, 1)[1].split("\n\n", 1)[0]


def _summary_counts(stdout: str) -> dict[str, int]:
    block = stdout.split("Rows per table in", 1)[1].split("\n\n", 1)[0]
    return {
        m.group(1): int(m.group(2).replace(",", ""))
        for m in re.finditer(r"^\s+(\w+)\s+([\d,]+)$", block, re.M)
    }


def test_demo_loads_duckdb_and_prints_its_summary(demo_runs: DemoRuns) -> None:
    """`make demo`'s script, twice: the second (incremental) run works and changes nothing."""
    path = demo_runs.duckdb
    with duckdb.connect(str(path), read_only=True) as conn:
        actual = {
            table: conn.execute(f'SELECT count(*) FROM braze."{table}"').fetchone()[0]  # noqa: S608
            for table in DEMO_TABLES
        }
    for attempt, proc in enumerate(demo_runs.runs, start=1):
        assert proc.returncode == 0, f"run {attempt}:\n{proc.stdout}\n{proc.stderr[-4000:]}"
        # What each run printed is what the file holds after both: the second run changed
        # nothing.
        printed = _summary_counts(proc.stdout)
        assert printed == actual, f"run {attempt}"
        assert set(printed) == DEMO_TABLES
        assert all(count > 0 for count in printed.values())
        # Discovery found every campaign and Canvas the simulator says it serves.
        served = re.search(r"(\d+) campaigns, (\d+) Canvases", proc.stdout)
        assert served, proc.stdout[:400]
        assert printed["campaigns"] == int(served[1])
        assert printed["canvases"] == int(served[2])
        assert "Braze simulator at http://127.0.0.1:" in proc.stdout
        assert "Per-send daily totals" in proc.stdout
        # Names, from the simulator's fixed campaigns, Canvases and steps.
        campaigns = _summary_section(proc.stdout, "Per-campaign daily totals")
        assert "Welcome Series" in campaigns
        assert "In-App Upsell" in campaigns
        steps = _summary_section(proc.stdout, "Per-Canvas, per-step daily")
        assert "Onboarding journey  Welcome email" in steps
        assert "Order receipts      Receipt" in steps
    # output/demo.html, drawn from the marts: tests/warehouse/test_marts.py
    assert "demo.html (one self-contained file" in demo_runs.runs[-1].stdout


def test_demo_refuses_half_a_real_configuration(tmp_path: Path) -> None:
    """A key without a URL is a mistake to name, not a reason to fall back to the simulator."""
    env = meltano_env.clean_env({"TAP_BRAZE_SENDS_API_KEY": "a-real-looking-key"})
    proc = run_demo(["--duckdb", str(tmp_path / "x.duckdb")], env)
    assert proc.returncode != 0
    assert "TAP_BRAZE_SENDS_API_URL" in proc.stderr
    assert "a-real-looking-key" not in proc.stdout + proc.stderr
    assert not (tmp_path / "x.duckdb").exists()
