"""What the Meltano warehouse tests share: the real `meltano run` of the tap into a warehouse,
its state, the discovered catalog, and reading the loaded tables back.

Its fixtures are a pytest plugin, registered once by tests/conftest.py (scripts/ is put on the
path here).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TAP
from warehouses import DuckDBWarehouse, PostgresWarehouse, Warehouse, kind

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import meltano_env  # noqa: E402  (scripts/ is not a package)
import pg  # noqa: E402

ENVIRONMENT = "dev"
EXTRACTOR = "tap-braze-sends"
RUN_LOCK = ROOT / ".meltano" / ".run.lock"

Catalog = dict[str, dict[str, Any]]
Tables = dict[str, dict[tuple, dict[str, Any]]]


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def meltano_ready() -> None:
    """Meltano and the plugins these tests use, installed once and cached in .meltano/."""
    meltano_env.ensure_plugins(
        [
            EXTRACTOR,
            "target-postgres",
            "target-duckdb",
            "target-jsonl",
            "target-snowflake",
            "dbt-duckdb",
            "dbt-postgres",
            "dbt-snowflake",
        ]
    )


@pytest.fixture(scope="session")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The tap's discovered streams: stream id -> {schema properties, key properties}."""
    config_path = tmp_path_factory.mktemp("discover") / "config.json"
    config_path.write_text(
        json.dumps({"api_key": "k", "api_url": "http://127.0.0.1:9", "campaign_ids": ["c"]})
    )
    proc = subprocess.run(
        [TAP, "--discover", "--config", str(config_path)],
        env=meltano_env.clean_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    streams = json.loads(proc.stdout)["streams"]
    return {
        s["tap_stream_id"]: {"properties": s["schema"]["properties"], "keys": s["key_properties"]}
        for s in streams
    }


@pytest.fixture
def postgres_warehouse(meltano_ready: None, postgres_server: pg.PostgresServer) -> Warehouse:
    return PostgresWarehouse(postgres_server)


@pytest.fixture
def duckdb_warehouse(meltano_ready: None, tmp_path: Path) -> Warehouse:
    return DuckDBWarehouse(tmp_path / "warehouse.duckdb")


# --- running Meltano -------------------------------------------------------------------------


def _env_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def tap_env(config: dict[str, Any]) -> dict[str, str]:
    """The tap's config as Meltano env vars, the way a deployment passes it."""
    return {f"TAP_BRAZE_SENDS_{k.upper()}": _env_value(v) for k, v in config.items()}


@contextlib.contextmanager
def run_lock() -> Iterator[None]:
    """Meltano keeps one config/catalog/state dir per plugin in .meltano/run: one run at a
    time in the project's own .meltano (the demo's runs, which scripts/demo.py makes there)."""
    RUN_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with RUN_LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@functools.cache
def worker_sys_dir() -> Path:
    """This test process's own Meltano system directory (MELTANO_SYS_DIR_ROOT): its own run/
    (each plugin's config, catalog and state files) and meltano.db (the state backend), so
    that the Meltano runs of several xdist workers go side by side and leave no state behind;
    the plugins' venvs are the project's own, linked. Removed when the session ends."""
    path = Path(tempfile.mkdtemp(prefix="meltano-sys-"))
    for plugins in ("extractors", "loaders", "utilities"):
        (path / plugins).symlink_to(ROOT / ".meltano" / plugins, target_is_directory=True)
    return path


def pytest_unconfigure(config: pytest.Config) -> None:
    if worker_sys_dir.cache_info().currsize:
        shutil.rmtree(worker_sys_dir(), ignore_errors=True)


def meltano(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`meltano --environment=dev ARGS` in this process's own system directory."""
    proc = meltano_env.meltano(
        [f"--environment={ENVIRONMENT}", *args],
        env={**env, "MELTANO_SYS_DIR_ROOT": str(worker_sys_dir())},
        capture=True,
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.fail(f"meltano {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-6000:]}")
    return proc


def run_pipeline(warehouse: Warehouse, config: dict[str, Any], suffix: str) -> None:
    meltano(
        ["run", "--refresh-catalog", "--state-id-suffix", suffix, EXTRACTOR, warehouse.loader],
        meltano_env.clean_env({**tap_env(config), **warehouse.env()}),
    )


def run_demo(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """`make demo`'s script (scripts/demo.py), which runs Meltano itself."""
    with run_lock():
        return subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "demo.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@dataclass(frozen=True)
class DemoRuns:
    """`make demo`'s script run twice into one DuckDB file: the first run, then the second
    (incremental) one."""

    duckdb: Path
    runs: tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]


@pytest.fixture(scope="session")
def demo_runs(meltano_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRuns]:
    """The demo is the slowest thing a user runs first; the tests that read its summary and
    its tables share these two runs (each test still asserts on its own)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    suffix = f"test-{uuid.uuid4().hex[:8]}"
    args = ["--duckdb", str(path), "--state-id-suffix", suffix]
    try:
        runs = tuple(run_demo(args, meltano_env.clean_env()) for _ in range(2))
        yield DemoRuns(path, runs)  # type: ignore[arg-type]
    finally:
        clear_state("target-duckdb", suffix)


def state_id(loader: str, suffix: str) -> str:
    return f"{ENVIRONMENT}:{EXTRACTOR}-to-{loader}:{suffix}"


def clear_state(loader: str, suffix: str) -> None:
    """Drop a demo run's state from the project's own .meltano (run_demo)."""
    with run_lock():
        meltano_env.meltano(
            [f"--environment={ENVIRONMENT}", "state", "clear", "--force", state_id(loader, suffix)],
            env=meltano_env.clean_env(),
            capture=True,
        )


def singer_state(loader: str, suffix: str) -> dict[str, Any]:
    """The Singer state Meltano's backend holds for the pipeline."""
    proc = meltano(["state", "get", state_id(loader, suffix)], meltano_env.clean_env())
    return json.loads(proc.stdout)["singer_state"]


# --- reading the tables back -----------------------------------------------------------------


def same(expected: Any, loaded: Any) -> bool:
    """A loaded value equals the record's: exact decimals where the warehouse keeps them."""
    if expected is None or loaded is None:
        return expected is None and loaded is None
    if isinstance(loaded, Decimal):  # NUMERIC keeps the number exactly as Braze sent it
        return loaded == Decimal(str(expected))
    if isinstance(loaded, float):  # DOUBLE: a JSON 0 arrives as 0.0
        return isinstance(expected, (int, float)) and float(expected) == loaded
    return type(expected) is type(loaded) and expected == loaded


def loaded_tables(warehouse: Warehouse, catalog: Catalog, streams: Any = None) -> Tables:
    """Tables by primary key (every stream of the catalog, or those named), checking on the
    way that each key holds one row."""
    tables = {}
    for stream, info in catalog.items():
        if streams is not None and stream not in streams:
            continue
        rows = warehouse.rows(stream)
        by_key = {tuple(row[k] for k in info["keys"]): row for row in rows}
        assert len(by_key) == len(rows), f"{stream}: {len(rows) - len(by_key)} duplicate keys"
        tables[stream] = by_key
    return tables


def assert_column_types(warehouse: Warehouse, catalog: Catalog, streams: Any = None) -> None:
    """Each property has its column, of a type its kind accepts (warehouses.kind)."""
    for stream, info in catalog.items():
        if streams is not None and stream not in streams:
            continue
        columns = warehouse.column_types(stream)
        missing = set(info["properties"]) - set(columns)
        assert not missing, f"{stream}: no column for {sorted(missing)}"
        wrong = {
            name: (columns[name], kind(prop))
            for name, prop in info["properties"].items()
            if columns[name] not in warehouse.types[kind(prop)]
        }
        assert not wrong, f"{warehouse.loader} {stream}: (column type, property kind) {wrong}"
