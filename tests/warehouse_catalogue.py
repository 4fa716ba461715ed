"""What the catalogue and Canvas tables must hold after `meltano run`, read off the simulator's
own model (its campaigns, Canvases, variants and steps, and its Canvas day objects), never off
the tap; and the joins the README's "Querying" section shows, run as SQL in the warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from braze_simulator import Workspace, find_canvas, workspace_canvases
from braze_simulator.canvas_stats import Breakdown, canvas_series
from warehouses import Warehouse, instant

Key = tuple
Table = dict[Key, dict[str, Any]]

CANVAS_SERIES_STREAMS = (
    "canvas_analytics",
    "canvas_variant_analytics",
    "canvas_step_analytics",
    "canvas_step_message_analytics",
)
# The tap's default include_deleted_steps=true: deleted steps' stats come too.
_EVERYTHING = Breakdown(variants=True, steps=True, deleted_steps=True)


def deleted_steps(workspace: Workspace) -> set[Key]:
    """(canvas_id, step_id) of every step deleted from its Canvas, per the simulator's model."""
    return {
        (canvas.canvas_id, step.step_id)
        for canvas in workspace_canvases(workspace)
        for step in canvas.steps
        if step.deleted_on is not None
    }


def canvas_series_expected(
    workspace: Workspace, canvas_ids: list[str], first: dt.date, last: dt.date
) -> dict[str, dict[Key, dict[str, Any]]]:
    """Per Canvas series table, key -> the simulator's stats object for that row."""
    out: dict[str, dict[Key, dict[str, Any]]] = {s: {} for s in CANVAS_SERIES_STREAMS[:3]}
    for canvas_id in canvas_ids:
        canvas = find_canvas(workspace, canvas_id)
        assert canvas is not None, canvas_id
        for day in canvas_series(workspace, canvas, first, last, _EVERYTHING):
            time = str(day["time"])[:10]
            out["canvas_analytics"][(canvas_id, time)] = day["total_stats"]
            for variant_id, stats in day["variant_stats"].items():
                out["canvas_variant_analytics"][(canvas_id, time, variant_id)] = stats
            for step_id, stats in day["step_stats"].items():
                out["canvas_step_analytics"][(canvas_id, time, step_id)] = stats
    return out


# Stats fields that must land in a column of the same name (the rest is checked when present).
_MUST_MATCH = {
    "canvas_analytics": ("entries", "conversions", "revenue"),
    "canvas_variant_analytics": ("entries", "conversions", "revenue"),
    "canvas_step_analytics": ("unique_recipients", "conversions", "revenue"),
}
_NAME_COLUMN = {"canvas_variant_analytics": "variant_name", "canvas_step_analytics": "step_name"}


def canvas_series_mismatches(
    tables: dict[str, Table], expected: dict[str, dict[Key, dict[str, Any]]], same: Any
) -> list[str]:
    """What differs between the loaded Canvas series tables and the simulator's day objects."""
    problems = []
    for stream, want in expected.items():
        got = tables[stream]
        assert want, f"the simulator should have data for {stream}"
        if sorted(got) != sorted(want):
            missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
            problems.append(f"{stream}: keys differ: missing {missing[:3]}, extra {extra[:3]}")
            continue
        for key, stats in want.items():
            row = got[key]
            missing = [f for f in _MUST_MATCH[stream] if f not in row]
            if missing:
                problems.append(f"{stream}: no column for {missing}")
                break
            for field in (f for f in stats if f in row):
                if not same(stats[field], row[field]):
                    problems.append(f"{stream} {key} {field}: {stats[field]!r} != {row[field]!r}")
            name_column = _NAME_COLUMN.get(stream)
            if name_column and row[name_column] != stats["name"]:
                problems.append(f"{stream} {key}: {name_column} {row[name_column]!r}")
    return problems


def assert_names_from_the_model(tables: dict[str, Table], workspace: Workspace) -> None:
    """Campaign, Canvas, variant and step names (and an edit time) as the simulator has them."""
    campaigns = {(c.campaign_id,): c.name for c in workspace.campaigns}
    assert {k: r["name"] for k, r in tables["campaigns"].items()} == campaigns
    assert {k: r["name"] for k, r in tables["campaign_details"].items()} == campaigns
    canvases = workspace_canvases(workspace)
    assert {k: r["name"] for k, r in tables["canvases"].items()} == {
        (c.canvas_id,): c.name for c in canvases
    }
    assert {k: instant(r["last_edited"]) for k, r in tables["canvases"].items()} == {
        (c.canvas_id,): c.last_edited for c in canvases
    }
    assert {k: r["name"] for k, r in tables["canvas_variants"].items()} == {
        (c.canvas_id, v.variant_id): v.name for c in canvases for v in c.variants
    }
    # /canvas/details lists the live steps only: a deleted one has no canvas_steps row.
    assert {k: r["name"] for k, r in tables["canvas_steps"].items()} == {
        (c.canvas_id, s.step_id): s.name for c in canvases for s in c.live_steps
    }
    details = tables["canvas_details"]
    assert {k for k, r in details.items() if r["archived"] is True} == {
        (c.canvas_id,) for c in canvases if c.archived
    }


# Rows of an analytics table whose id finds no row in the catalogue table it joins.
ORPHANS = {
    "variations": """
        SELECT m.campaign_id, m.variation_api_id, count(*)
        FROM {s}.campaign_message_analytics m
        LEFT JOIN {s}.campaign_variations v
          ON v.campaign_id = m.campaign_id AND v.variation_api_id = m.variation_api_id
        WHERE m.variation_api_id IS NOT NULL AND v.variation_api_id IS NULL
        GROUP BY 1, 2""",
    "variants": """
        SELECT a.canvas_id, a.variant_id, count(*)
        FROM {s}.canvas_variant_analytics a
        LEFT JOIN {s}.canvas_variants v
          ON v.canvas_id = a.canvas_id AND v.variant_id = a.variant_id
        WHERE v.variant_id IS NULL
        GROUP BY 1, 2""",
    "steps": """
        SELECT a.canvas_id, a.step_id, count(*)
        FROM {s}.canvas_step_analytics a
        LEFT JOIN {s}.canvas_steps t ON t.canvas_id = a.canvas_id AND t.step_id = a.step_id
        WHERE t.step_id IS NULL
        GROUP BY 1, 2""",
    "message steps": """
        SELECT a.canvas_id, a.step_id, count(*)
        FROM {s}.canvas_step_message_analytics a
        LEFT JOIN {s}.canvas_steps t ON t.canvas_id = a.canvas_id AND t.step_id = a.step_id
        WHERE t.step_id IS NULL
        GROUP BY 1, 2""",
}
# The same joins' matches, with the names the README's queries show: none may be empty.
JOINED = {
    "variations": """
        SELECT count(*) FROM {s}.campaign_message_analytics m
        JOIN {s}.campaign_variations v
          ON v.campaign_id = m.campaign_id AND v.variation_api_id = m.variation_api_id
        JOIN {s}.campaigns c ON c.campaign_id = m.campaign_id
        WHERE c.name IS NOT NULL""",
    "variants": """
        SELECT count(*) FROM {s}.canvas_variant_analytics a
        JOIN {s}.canvas_variants v ON v.canvas_id = a.canvas_id AND v.variant_id = a.variant_id
        JOIN {s}.canvases c ON c.canvas_id = a.canvas_id
        WHERE v.name = a.variant_name AND c.name IS NOT NULL""",
    "steps": """
        SELECT count(*) FROM {s}.canvas_step_analytics a
        JOIN {s}.canvas_steps t ON t.canvas_id = a.canvas_id AND t.step_id = a.step_id
        JOIN {s}.canvases c ON c.canvas_id = a.canvas_id
        WHERE t.name = a.step_name AND c.name IS NOT NULL""",
    "message steps": """
        SELECT count(*) FROM {s}.canvas_step_message_analytics a
        JOIN {s}.canvas_steps t ON t.canvas_id = a.canvas_id AND t.step_id = a.step_id""",
}


def assert_ids_join(warehouse: Warehouse, workspace: Workspace) -> None:
    """Every analytics id finds its catalogue row, deleted Canvas steps excepted."""
    deleted = deleted_steps(workspace)
    for name, sql in ORPHANS.items():
        orphans = {(row[0], row[1]) for row in warehouse.query(sql)}
        if name in ("steps", "message steps"):
            assert orphans <= deleted, f"{name}: ids without a catalogue row {orphans - deleted}"
        else:
            assert not orphans, f"{name}: ids without a catalogue row {orphans}"
        if name == "steps":
            # Non-vacuous: canvas-0001's deleted step has stats in the range, and no step row.
            assert orphans == deleted, orphans
        (joined,) = warehouse.query(JOINED[name])[0]
        assert joined > 0, f"{name}: the join matched nothing"


README = Path(__file__).resolve().parent.parent / "README.md"


def readme_queries() -> list[str]:
    """The SQL statements of the README's "Querying" section, schema `braze` as ``{s}``."""
    text = README.read_text()
    section = text.split("\n## Querying\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    return [s.replace("braze.", "{s}.") for s in statements]


def assert_readme_queries_run(warehouse: Warehouse) -> None:
    """Each query the README shows runs as written and returns rows with names in them."""
    queries = readme_queries()
    assert len(queries) == 4, queries
    for sql in queries:
        rows = warehouse.query(sql)
        assert rows, sql
        assert all(isinstance(row[1], str) and row[1] for row in rows), sql  # the names
