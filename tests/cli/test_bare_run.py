"""A bare CLI run (no catalog) and `--test`, as a user first tries the tap.

- `all_campaigns` / `all_canvases` read /campaigns/list and /canvas/list anyway, so a bare run
  also writes the `campaigns` / `canvases` streams (names for the ids); the other catalogue
  streams stay off (more requests, more permissions). The README's stream table says so.
- `--test` (the SDK's dry run) sends every stream's full schema, the catalogue streams'
  included, and records that fit it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, workspace_canvases
from braze_simulator.workspace_series import segments
from conftest import TAP, run_tap, tap_config
from contract import STREAM_NAMES, WORKSPACE_STREAMS

ROOT = Path(__file__).resolve().parents[2]
SERIES = {name for name in STREAM_NAMES if name.endswith("_analytics")} | {"app_kpis"}
HOURLY = {name for name in SERIES if "hourly" in name}
CATALOGUE = STREAM_NAMES - SERIES
DISCOVERED_BY = {
    "campaigns": "all_campaigns",
    "canvases": "all_canvases",
    "segments": "all_segments",
    "custom_events": "all_events",
    "products": "all_products",
}


def _streams_written(run: Any) -> set[str]:
    return {m["stream"] for m in run.messages if m["type"] == "RECORD"}


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        ({}, set()),
        ({"all_campaigns": True}, {"campaigns"}),
        ({"all_canvases": True}, {"canvases"}),
        ({"all_campaigns": True, "all_canvases": True}, {"campaigns", "canvases"}),
    ],
)
def test_a_bare_run_names_what_it_discovers(
    simulator: BrazeSimulator, tmp_path: Path, flags: dict[str, bool], named: set[str]
) -> None:
    canvas_ids = [c.canvas_id for c in workspace_canvases(simulator.workspace)][:1]
    config = tap_config(simulator, canvas_ids=canvas_ids, **flags)
    run = run_tap(config, tmp_path)
    written = _streams_written(run)
    assert written & CATALOGUE == named
    assert "send_analytics" in written
    if "campaigns" in named:
        names = {r["campaign_id"]: r["name"] for r in run.records["campaigns"]}
        assert names == {c.campaign_id: c.name for c in simulator.workspace.campaigns}
    if "canvases" in named:
        listed = {r["canvas_id"] for r in run.records["canvases"]}
        assert listed == {c.canvas_id for c in workspace_canvases(simulator.workspace)}


def test_the_readme_stream_table_says_what_a_bare_run_selects() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Streams\n")
    table = readme[start : readme.index("\n## ", start + 1)]
    rows = {
        line.split("|")[1].strip().strip("`"): line.split("|")[4].strip()
        for line in table.splitlines()
        if line.startswith("| `")
    }
    assert set(rows) == STREAM_NAMES
    for name, cell in rows.items():
        if name in WORKSPACE_STREAMS and name in SERIES - HOURLY:
            assert cell == "with workspace settings, or no other source", name
        elif name in SERIES - HOURLY:
            assert cell == "yes", name
        elif name in DISCOVERED_BY:
            assert cell == f"with `{DISCOVERED_BY[name]}`", name
        else:
            assert cell == "no", name


def test_dry_run_sends_the_full_schema_of_every_stream(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    canvas_ids = [c.canvas_id for c in workspace_canvases(simulator.workspace)][:2]
    tracked = [s.segment_id for s in segments(simulator.workspace) if s.analytics_tracking_enabled]
    config = tap_config(
        simulator,
        canvas_ids=canvas_ids,
        segment_ids=tracked[:1],
        all_events=True,
        all_products=True,
    )
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    discovered = subprocess.run(
        [TAP, "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    catalog = {s["tap_stream_id"]: s["schema"] for s in json.loads(discovered.stdout)["streams"]}
    run = run_tap(config, tmp_path / "test", extra_args=("--test",))
    schemas = {m["stream"]: m["schema"] for m in run.messages if m["type"] == "SCHEMA"}
    assert set(schemas) == STREAM_NAMES
    for stream, schema in schemas.items():
        assert schema["properties"] == catalog[stream]["properties"], stream
    for message in run.messages:
        if message["type"] == "RECORD":
            extra = set(message["record"]) - set(schemas[message["stream"]]["properties"])
            assert not extra, f"{message['stream']}: {sorted(extra)} not in its schema"
    assert _streams_written(run) >= CATALOGUE
