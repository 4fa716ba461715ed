"""The README tells the truth: generated tables are current, commands and pins are real."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import TAP, tap_config
from contract import STREAM_NAMES

from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.settings import parse_settings

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import update_readme  # noqa: E402  (scripts/ is not a package)

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    """The text under a `## title` / `### title` heading, up to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(title)}\n(.*?)(?=^#+ |\Z)", README, re.S | re.M)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]
    return [r for r in rows[1:] if not set("".join(r)) <= set(":- ")]  # no header, no rule


@pytest.fixture(scope="module")
def about() -> dict[str, Any]:
    proc = subprocess.run(
        [TAP, "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def test_settings_table_is_current() -> None:
    table = update_readme.settings_table(update_readme.about_markdown())
    assert update_readme.render(README, table) == README, (
        "README settings table is stale: run python scripts/update_readme.py"
    )


def test_settings_table_names_every_setting(about: dict[str, Any]) -> None:
    names = [row[0] for row in table_rows(section("Settings"))]
    for name in about["settings"]["properties"]:
        assert name in names, f"{name} missing from the README settings table"


def test_quick_start_is_the_two_make_commands() -> None:
    quick = section("Quick start")
    commands = re.findall(r"^(make \w+)", quick, re.M)
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no {target} target"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^\s*make test\s*$", ci, re.M), ".ci/run must run `make test`"
    assert "set -euo pipefail" in ci


def test_streams_table_matches_the_tap() -> None:
    rows = table_rows(section("Streams"))
    by_name = {row[0].strip("`"): row for row in rows}
    tables = {
        table.stream: (path, table)
        for family in BRAZE.catalogues
        for table in family.tables
        for path in [family.list_path if table.role == "list" else family.details_path]
    }
    tables.update(
        {
            table.stream: (", ".join(r.path for r in series.requests), table)
            for series in BRAZE.series
            for table in series.tables
        }
    )
    assert set(by_name) == set(tables) == STREAM_NAMES
    # A dense series' table says that every unit read has a row (zeros where Braze has none).
    dense = {t.stream for series in BRAZE.series if series.dense for t in series.tables}
    assert {name for name in by_name if "0 where Braze has none" in by_name[name][4]} == dense
    for name, (path, table) in tables.items():
        _, endpoint, keys, _bare_run, one_record_per = by_name[name]
        assert endpoint == path, name
        assert [k.strip() for k in keys.split(",")] == list(table.primary_keys), name
        assert one_record_per, name


def test_sample_config_is_valid() -> None:
    block = re.search(r"```json\n(.*?)```", section("Sample config"), re.S)
    assert block
    config = json.loads(block.group(1))
    settings = parse_settings(config, dt.date(2026, 3, 31))
    assert settings is not None
    assert set(config) <= set(json.loads(_about_json())["settings"]["properties"])


def _about_json() -> str:
    return subprocess.run(
        [TAP, "--about", "--format=json"], capture_output=True, text=True, check=True
    ).stdout


def test_plugin_pins_in_readme_match_meltano_yml() -> None:
    meltano = yaml.safe_load((ROOT / "meltano.yml").read_text())
    for loader in meltano["plugins"]["loaders"]:
        for requirement in loader["pip_url"].split():
            assert f"`{requirement}`" in README or requirement in README, requirement


def test_readme_documents_what_users_ask() -> None:
    for title in (
        "State and lookback",
        "Windows and the day of `ending_at`",
        "Running with Meltano",
        "Snowflake",
        "Scale",
        "Benchmarks",
    ):
        assert section(title) is not None
    scale = section("Scale")
    for fact in ("--state-id-suffix", "250,000", "50,000", "max_parallel_requests", "Dagster"):
        assert fact in scale, fact


def test_cli_example_runs_as_written_twice(simulator: Any, tmp_path: Path) -> None:
    """The Sample config section's shell lines, as written, on a first run (no state.json yet)
    and a second one that reads the state the first one kept."""
    block = re.search(r"```sh\n(.*?)```", section("Sample config"), re.S)
    assert block, "no sh block under Sample config"
    script = block.group(1)
    assert "--state state.json" in script
    (tmp_path / "config.json").write_text(json.dumps(tap_config(simulator)))
    env = {"PATH": f"{Path(TAP).parent}:/usr/bin:/bin"}
    for attempt in (1, 2):
        proc = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, f"run {attempt}:\n{proc.stderr[-3000:]}"
        state = json.loads((tmp_path / "state.json").read_text())
        assert state["bookmarks"], f"run {attempt} kept no bookmarks"
        records = [
            line for line in (tmp_path / "out.jsonl").read_text().splitlines() if '"RECORD"' in line
        ]
        assert records, f"run {attempt} wrote no records"


def test_troubleshooting_quotes_what_the_tap_prints() -> None:
    """Each message the Troubleshooting table quotes is in the package's source (its fixed
    parts: `...` and `<...>` stand for what varies), so the table cannot drift from the tap."""
    source = "\n".join(
        path.read_text() for path in (ROOT / "tap_braze_sends").rglob("*.py")
    ).replace("\n", " ")
    source = re.sub(r'"\s+f?"', "", source)  # join implicitly concatenated string literals
    rows = table_rows(section("Troubleshooting"))
    assert len(rows) >= 15
    for row in rows:
        quoted = re.findall(r"`([^`]+)`", row[0])
        if not quoted or row[0].startswith("Meltano:"):
            continue
        for message in quoted:
            # `sends / sends_file / ...` is DATA_SOURCES joined: its names are settings.
            message = message.removeprefix("sends / sends_file / ")
            for part in re.split(r"\.\.\.|'?<[^>]+>'?|\bN\b|\bM\b|\bX\b", message):
                part = part.strip(" ,.:()")
                if len(part) >= 6:
                    assert part in source, f"{part!r} ({message!r}) is not printed by the tap"


def test_api_key_row_names_every_permission_the_tap_asks_for() -> None:
    """The settings table's api_key row (from `--about`) lists the key's permissions: every
    one an endpoint of the tap needs is there, the workspace series' included."""
    (row,) = [row for row in table_rows(section("Settings")) if row[0] == "api_key"]
    needed = {r.permission for series in BRAZE.series for r in series.requests} | {
        permission
        for family in BRAZE.catalogues
        for permission in (family.list_permission, family.details_permission)
        if permission
    }
    missing = sorted(p for p in needed if not re.search(rf"(?<![\w.]){re.escape(p)}\b", row[3]))
    assert not missing, f"the api_key description does not name {missing}"


def test_every_table_row_has_its_headers_cells() -> None:
    """A row with a cell more or less than its header renders wrong (or not as a row)."""
    header = 0
    for number, line in enumerate(README.splitlines()):
        if not line.startswith("|"):
            header = 0
            continue
        cells = len(re.split(r"(?<!\\)\|", line.strip().strip("|")))
        if not header:
            header = cells
        assert cells == header, f"README line {number + 1} has {cells} cells, its header {header}"


def test_intro_counts_the_streams() -> None:
    count = re.search(r"into (\d+) typed streams", README)
    assert count, "README's first section does not say how many streams"
    assert int(count.group(1)) == len(STREAM_NAMES)
