"""The dbt package's documented channel -> metric table (transform/README.md), the var that
drives the SQL (transform/dbt_project.yml) and the mart tests' oracle (tests/oracle_marts.py)
say the same; and schema.yml documents exactly the contract's marts and columns."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from marts import COLUMNS, KEYS
from oracle_marts import CHANNEL_MEASURES, MEASURES

TRANSFORM = Path(__file__).resolve().parents[2] / "transform"
ROW_NAMES = {"any other channel": "other_channels", "API sends (any channel)": "api_send"}


def documented_table() -> dict[str, dict[str, str]]:
    """measure -> channel -> metric, from the README's table ('-' left out)."""
    text = (TRANSFORM / "README.md").read_text()
    block = re.search(r"channel-measures:start -->\n(.*?)<!-- channel-measures:end", text, re.S)
    assert block, "no channel-measures table in transform/README.md"
    header, _rule, *rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in block[1].strip().splitlines()
    ]
    assert header[1:] == list(MEASURES)
    table: dict[str, dict[str, str]] = {m: {} for m in MEASURES}
    for channel, *metrics in rows:
        for measure, metric in zip(MEASURES, metrics, strict=True):
            if metric != "-":
                table[measure][ROW_NAMES.get(channel, channel)] = metric
    return table


def test_the_documented_table_is_the_packages_var_and_the_oracles() -> None:
    project = yaml.safe_load((TRANSFORM / "dbt_project.yml").read_text())
    var = project["vars"]["braze_channel_measures"]
    documented = documented_table()
    assert documented == {m: dict(v) for m, v in var.items()}
    assert documented == CHANNEL_MEASURES


def test_schema_yml_documents_the_contract() -> None:
    schema = yaml.safe_load((TRANSFORM / "models" / "marts" / "schema.yml").read_text())
    documented = {m["name"]: [c["name"] for c in m["columns"]] for m in schema["models"]}
    assert documented == {mart: [*KEYS[mart], *COLUMNS[mart]] for mart in KEYS}
    assert list((TRANSFORM / "models" / "marts").glob("*.sql")) != []
    assert {p.stem for p in (TRANSFORM / "models" / "marts").glob("*.sql")} == set(KEYS)
