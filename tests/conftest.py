"""Shared harness: a Braze simulator per test, and the real tap CLI run as a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tap_process
from braze_simulator import DEFAULT_KEY, BrazeSimulator
from braze_simulator.testing import SIM_TODAY as SIM_TODAY  # re-exported for the tests
from hypothesis import settings
from oracle import expected_records as expected_records  # re-exported for the CLI tests
from scheduling import (  # hooks: the order of the tests and their spread over xdist workers
    pytest_collection_modifyitems as pytest_collection_modifyitems,
)
from scheduling import pytest_xdist_make_scheduler as pytest_xdist_make_scheduler

# The warehouse tests' fixtures (Meltano, PostgreSQL and DuckDB warehouses, the demo runs),
# registered once for the whole suite: a session fixture bound in two test modules would be
# two fixtures, each built once.
pytest_plugins = ["meltano_pipeline"]

TAP = str(Path(sys.executable).with_name("tap-braze-sends"))

# Hypothesis' example counts: Hypothesis' own default locally ("fast"), five times more in CI
# ("thorough", CI=true). Tests that run the CLI per example scale from settings.default.
settings.register_profile("fast", max_examples=100)
settings.register_profile("thorough", max_examples=500)
settings.load_profile("thorough" if os.environ.get("CI") == "true" else "fast")


@dataclass
class TapRun:
    """What one CLI run printed, parsed."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[dict] = field(default_factory=list)
    peak_rss_mib: float = 0.0

    @property
    def records(self) -> dict[str, list[dict]]:
        by_stream: dict[str, list[dict]] = defaultdict(list)
        for message in self.messages:
            if message["type"] == "RECORD":
                by_stream[message["stream"]].append(message["record"])
        return dict(by_stream)

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def final_state(self) -> dict:
        states = self.states
        return states[-1] if states else {}

    def bookmarks(self, stream: str) -> dict[tuple, str]:
        entry = self.final_state.get("bookmarks", {}).get(stream, {})
        return {
            tuple(p["context"].values()): p.get("replication_key_value")
            for p in entry.get("partitions", [])
        }


def parse_singer(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def run_tap(
    config: dict[str, Any],
    tmp_path: Path,
    *,
    state: dict | None = None,
    catalog: dict | None = None,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 300,
    check: bool = True,
) -> TapRun:
    """Run ``tap-braze-sends`` as a user would (in a process of its own, tap_process.py), and
    parse its Singer output."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    args = [TAP, "--config", str(config_path), *extra_args]
    if state is not None:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(state))
        args += ["--state", str(state_path)]
    if catalog is not None:
        catalog_path = tmp_path / "catalog.json"
        catalog_path.write_text(json.dumps(catalog))
        args += ["--catalog", str(catalog_path)]
    proc = tap_process.run(args, env={**os.environ, **(env or {})}, files=tmp_path, timeout=timeout)
    run = TapRun(
        proc.returncode, proc.stdout, proc.stderr, parse_singer(proc.stdout), proc.peak_rss_mib
    )
    if check and proc.returncode != 0:
        pytest.fail(f"tap exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    return run


def tap_config(sim: BrazeSimulator, **overrides: Any) -> dict[str, Any]:
    """A config that reads every send and campaign of the simulator's workspace."""
    workspace = sim.workspace
    config: dict[str, Any] = {
        "api_key": DEFAULT_KEY,
        "api_url": sim.url,
        "sends": [{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in workspace.sends],
        "campaign_ids": [c.campaign_id for c in workspace.campaigns],
        "start_date": (workspace.today - dt.timedelta(days=45)).isoformat(),
        "end_date": workspace.today.isoformat(),
        "retry_initial_wait": 0.05,
        "request_timeout": 5,
    }
    config.update(overrides)
    return config


def workspace_config(sim: BrazeSimulator, **settings: Any) -> dict[str, Any]:
    """A config that reads only the workspace series (no sends, campaigns or Canvases)."""
    return {
        "api_key": DEFAULT_KEY,
        "api_url": sim.url,
        "start_date": SIM_TODAY.isoformat(),
        "end_date": SIM_TODAY.isoformat(),
        "retry_initial_wait": 0.05,
        "request_timeout": 10,
        **settings,
    }


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A real PostgreSQL server (scripts/pg.py) for the whole session, stopped at the end."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import pg  # scripts/ is not a package; only the warehouse tests need it

    try:
        with pg.running_postgres() as server:
            yield server
    except pg.PostgresUnavailable as exc:  # pragma: no cover - .ci/run installs it
        pytest.fail(str(exc))


TAP_LOGGERS = ("tap_braze_sends", "tap-braze-sends")
"""Names (and name prefixes, before a ".") of the loggers the tap itself writes to."""

# singer-sdk's text format: "{asctime:23s} | {levelname:8s} | {name:30s} | {message}".
_LOG_LINE = re.compile(
    r"^\d{4}-\d{2}-\d{2} [\d:,.]+ \| (?P<level>[A-Z]+) *\| (?P<logger>\S+) *\| (?P<message>.*)$"
)


@dataclass(frozen=True)
class LogLine:
    level: str
    logger: str
    message: str


def log_lines(stderr: str) -> list[LogLine]:
    """The log records on stderr; lines that start no record (tracebacks, multi-line messages)
    continue the one before; text before the first record (e.g. a Python warning) is skipped."""
    records: list[LogLine] = []
    for line in stderr.splitlines():
        match = _LOG_LINE.match(line)
        if match:
            records.append(LogLine(match["level"], match["logger"], match["message"]))
        elif records:
            last = records[-1]
            records[-1] = LogLine(last.level, last.logger, f"{last.message}\n{line}")
    return records


def is_tap_logger(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in TAP_LOGGERS)


def tap_log_lines(stderr: str, level: str | None = None) -> list[LogLine]:
    """The records the tap's own loggers wrote (optionally of one level, e.g. "WARNING").

    Assertions on these cannot be broken by a line of another library, such as a singer-sdk
    deprecation warning.
    """
    return [
        record
        for record in log_lines(stderr)
        if is_tap_logger(record.logger) and (level is None or record.level == level)
    ]


def canonical(records: list[dict]) -> list[str]:
    """Records as sorted JSON strings: equal lists mean equal records, whatever the order."""
    return sorted(json.dumps(r, sort_keys=True) for r in records)


class QuietHandler(BaseHTTPRequestHandler):
    """A handler for the tests' own tiny servers: no access log, one call to answer."""

    protocol_version = "HTTP/1.1"

    def reply(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_on_loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free port of 127.0.0.1 (for what the simulator does not model)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def pytest_unconfigure(config: pytest.Config) -> None:
    tap_process.stop_launchers()
