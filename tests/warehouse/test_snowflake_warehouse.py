"""All 27 streams into Snowflake through the real `meltano run tap-braze-sends target-snowflake`.

MeltanoLabs' target, as meltano.yml pins and Meltano installs it, loads over the Snowflake
connector's wire protocol into an emulator on 127.0.0.1 (tests/snowflake_shim: fakesnow's
server, with the target's staged load filled in), in one run of every stream at once: the
tables hold the simulator's numbers and names (expected values from the independent oracles
and the simulator's model, never from the tap), with the column types a Snowflake user
expects; Braze then restates recent days, and the second run upserts them. No process of the
runs may open a connection off this machine.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, workspace_canvases
from braze_simulator.workspace_series import apps, segments
from conftest import SIM_TODAY, expected_records, tap_config
from contract import STREAM_NAMES, WORKSPACE_STREAM_NAMES
from marts import MARTS, Mart, by_key
from meltano_pipeline import (
    ENVIRONMENT,
    EXTRACTOR,
    ROOT,
    Catalog,
    Tables,
    assert_column_types,
    loaded_tables,
    meltano_env,
    tap_env,
)
from oracle_workspace_sim import expected_workspace_records
from snowflake_warehouse import SCHEMA, SnowflakeWarehouse
from test_marts import DBT_ENV, assert_marts_hold, expected_marts
from test_meltano_warehouse import assert_canvas_series_hold, assert_tables_hold
from test_workspace_warehouse import assert_joins
from test_workspace_warehouse import assert_tables_hold as assert_workspace_tables_hold
from warehouse_catalogue import (
    CANVAS_SERIES_STREAMS,
    assert_names_from_the_model,
    assert_readme_queries_run,
)

pytestmark = pytest.mark.warehouse

emulator = pytest.importorskip("snowflake_shim.emulator", reason="fakesnow needs Python 3.11")

CLIENT_SHIM = Path(__file__).resolve().parents[1] / "snowflake_shim" / "client"
PROFILES = CLIENT_SHIM.parent / "profiles"
MARTS_SCHEMA = "BRAZE_MARTS"
DAY = dt.timedelta(days=1)
# Four days at most (the workspace oracle asks for each hourly range in one request); run 1
# stops a day short, Braze restates the last days, run 2 reaches today.
START = SIM_TODAY - 3 * DAY
FIRST_END = SIM_TODAY - DAY


@pytest.fixture
def snowflake_warehouse(meltano_ready: None) -> Iterator[SnowflakeWarehouse]:
    with emulator.running_emulator() as running:
        yield SnowflakeWarehouse(running)


def every_stream_config(sim: BrazeSimulator, end: dt.date) -> dict[str, Any]:
    """Every send, campaign and Canvas; every app, two tracked segments (one also a breakdown),
    every event and product: all 27 streams have rows."""
    ws = sim.workspace
    tracked = [
        s.segment_id for s in segments(ws) if s.analytics_tracking_enabled and not s.archived
    ]
    return tap_config(
        sim,
        canvas_ids=[c.canvas_id for c in workspace_canvases(ws)],
        app_ids=[a.app_id for a in apps(ws)],
        all_segments=True,
        breakdown_segment_ids=tracked[:1],
        all_events=True,
        all_products=True,
        start_date=START.isoformat(),
        end_date=end.isoformat(),
        lookback_days=14,
        max_parallel_requests=4,
        request_timeout=10,
    )


def launcher_sys_dir(tmp_path: Path) -> Path:
    """A Meltano system directory (MELTANO_SYS_DIR_ROOT) whose target-snowflake is a launcher
    of the project's installed one with the client shim on PYTHONPATH (Meltano drops
    PYTHONPATH from a plugin's environment). The tap is the project's own."""
    sys_dir = tmp_path / "meltano-sys"
    (sys_dir / "loaders" / "target-snowflake" / "venv" / "bin").mkdir(parents=True)
    for plugins in ("extractors", "utilities"):
        (sys_dir / plugins).symlink_to(ROOT / ".meltano" / plugins, target_is_directory=True)
    installed = meltano_env.plugin_executable("target-snowflake").parents[1]
    venv = sys_dir / "loaders" / "target-snowflake" / "venv"
    # Installed as meltano.yml says: Meltano does not reinstall it.
    shutil.copy(installed / ".meltano_plugin_fingerprint", venv)
    (venv / "bin" / "python").symlink_to(installed / "bin" / "python")
    launcher = venv / "bin" / "target-snowflake"
    launcher.write_text(
        f'#!/bin/sh\nPYTHONPATH="{CLIENT_SHIM}" exec "{installed}/bin/target-snowflake" "$@"\n'
    )
    launcher.chmod(0o755)
    return sys_dir


def run_into_snowflake(
    warehouse: SnowflakeWarehouse,
    config: dict[str, Any],
    suffix: str,
    sys_dir: Path,
    *then: str,
) -> None:
    """One `meltano run` (then the blocks ``then``), target-snowflake's connections sent to
    the emulator (client shim), dbt's by its test profile."""
    env = {
        **DBT_ENV,
        # The dbt-snowflake utility's settings profiles_dir, source_schema, schema (meltano.yml)
        "DBT_SNOWFLAKE_PROFILES_DIR": str(PROFILES),
        "DBT_SNOWFLAKE_SOURCE_SCHEMA": SCHEMA,
        "DBT_SNOWFLAKE_SCHEMA": MARTS_SCHEMA,
        "SNOWFLAKE_EMULATOR_PORT": str(warehouse.emulator.port),
        "DBT_TARGET_PATH": str(sys_dir / "dbt"),
        "DBT_LOG_PATH": str(sys_dir / "dbt"),
        **tap_env(config),
        **warehouse.env(),
        "MELTANO_SYS_DIR_ROOT": str(sys_dir),
        "SNOWFLAKE_EMULATOR_ADDRESS": warehouse.emulator.address,
        # The connector asks cloud metadata endpoints which platform it runs on: not here.
        "SNOWFLAKE_DISABLE_PLATFORM_DETECTION": "true",
        "TMPDIR": str(sys_dir),  # the target's batch files
    }
    args = ["run", "--refresh-catalog", "--state-id-suffix", suffix, EXTRACTOR, warehouse.loader]
    args += then
    proc = meltano_env.meltano(
        [f"--environment={ENVIRONMENT}", *args],
        env=meltano_env.clean_env(env),
        capture=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"meltano run exited {proc.returncode}:\n{proc.stderr[-6000:]}"
    assert "snowflake_shim: refused" not in proc.stderr, proc.stderr[-3000:]


def run_and_check(
    warehouse: SnowflakeWarehouse,
    sim: BrazeSimulator,
    catalog: Catalog,
    config: dict[str, Any],
    suffix: str,
    sys_dir: Path,
    *then: str,
) -> Tables:
    """One run, then every table holds what the oracles and the simulator's model say, one
    row per key; returns the tables."""
    workspace_expected = expected_workspace_records(sim, config, set(WORKSPACE_STREAM_NAMES))
    run_into_snowflake(warehouse, config, suffix, sys_dir, *then)
    tables = loaded_tables(warehouse, catalog)
    assert set(tables) == STREAM_NAMES
    assert all(tables[stream] for stream in STREAM_NAMES), "every stream should have rows"
    assert_tables_hold(tables, expected_records(sim.workspace, config), catalog)
    assert_canvas_series_hold(tables, sim.workspace, config)
    assert_names_from_the_model(tables, sim.workspace)
    assert_workspace_tables_hold(tables, workspace_expected, catalog)
    assert_joins(warehouse)
    assert_readme_queries_run(warehouse)  # the README's joins, as Snowflake SQL too
    return tables


def test_every_stream_loads_into_snowflake_then_upserts_restated_days(
    snowflake_warehouse: SnowflakeWarehouse,
    make_simulator: Any,
    catalog: Catalog,
    tmp_path: Path,
) -> None:
    warehouse = snowflake_warehouse
    sim = make_simulator()
    suffix = f"test-{uuid.uuid4().hex[:8]}"
    sys_dir = launcher_sys_dir(tmp_path)
    first = run_and_check(
        warehouse, sim, catalog, every_stream_config(sim, FIRST_END), suffix, sys_dir
    )
    assert_column_types(warehouse, catalog)
    assert_snowflake_types(warehouse)
    # A NULL timestamp reads back as NULL: the draft Canvas has never had an entry.
    no_entry = {(c.canvas_id,) for c in workspace_canvases(sim.workspace) if c.first_entry is None}
    assert no_entry, "the premise: a Canvas without entries"
    details = first["canvas_details"]
    assert {k for k, r in details.items() if r["first_entry"] is None} == no_entry

    # Braze restates the last days; run 2 re-reads them (lookback) and reaches today, then
    # builds the dbt package (transform/) on Snowflake: the marts hold the simulator's numbers.
    sim.workspace.restate()
    config2 = every_stream_config(sim, SIM_TODAY)
    expected_marts_ = expected_marts(sim.workspace, sim, START, SIM_TODAY)
    second = run_and_check(warehouse, sim, catalog, config2, suffix, sys_dir, "dbt-snowflake:build")
    assert_marts_hold(snowflake_marts(warehouse), expected_marts_)

    # Upserted, not appended: one row per key (loaded_tables), run 1's keys all still there,
    # and rows of restated days now hold the new numbers.
    changed = set()
    for stream in STREAM_NAMES:
        assert set(first[stream]) <= set(second[stream]), stream
        if any(row != second[stream][key] for key, row in first[stream].items()):
            changed.add(stream)
    assert changed >= {
        "campaign_analytics",
        *CANVAS_SERIES_STREAMS,
        "app_kpis",
        "session_analytics",
        "custom_event_analytics",
        "purchase_analytics",
    }, changed


def snowflake_marts(warehouse: SnowflakeWarehouse) -> dict[str, Mart]:
    out = {}
    with warehouse.emulator.connect() as conn:
        for mart in MARTS:
            cur = conn.cursor().execute(
                f"SELECT * FROM {warehouse.emulator.database}.{MARTS_SCHEMA}.{mart}"  # noqa: S608
            )
            out[mart] = by_key(mart, [c.name.lower() for c in cur.description], cur.fetchall())
    return out


# The columns an analyst reads first, by Snowflake's own type names.
SNOWFLAKE_COLUMNS = {
    ("send_analytics", "time"): "DATE",
    ("session_hourly_analytics", "time"): "TIMESTAMP_NTZ",
    ("segment_details", "created_at"): "TIMESTAMP_NTZ",
    ("campaign_message_analytics", "sent"): "NUMBER(38,0)",
    ("app_kpis", "dau"): "NUMBER(38,0)",
    ("purchase_analytics", "revenue"): "FLOAT",
    ("campaign_message_analytics", "extra_metrics"): "VARIANT",
    ("canvas_steps", "next_step_ids"): "VARIANT",
    ("custom_events", "tags"): "VARIANT",
    ("canvas_details", "archived"): "BOOLEAN",
    ("campaigns", "name"): "TEXT",
}


def assert_snowflake_types(warehouse: SnowflakeWarehouse) -> None:
    for (table, column), sql_type in SNOWFLAKE_COLUMNS.items():
        assert warehouse.column_types(table)[column] == sql_type, (table, column)
