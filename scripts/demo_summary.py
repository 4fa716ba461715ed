"""The summary `make demo` prints of a loaded DuckDB file: rows per table, then daily tables
with the names the catalogue streams give (campaigns, Canvases and their steps), then the
workspace's users per day and its top custom events (demo_workspace.py), then one answer from
each of three dbt marts (demo_marts.py).

Each table is shown only when the tables it reads were loaded (a sends-only run against real
Braze has no campaign or Canvas tables). The queries are the joins the README's "Querying"
section explains, in DuckDB's dialect.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from demo_marts import marts_sections
from demo_workspace import workspace_sections

SCHEMA = "braze"

# The last `days` days of each send: day totals beside the summed messages.
SEND_DAILY = """
WITH msg AS (
    SELECT campaign_id, send_id, CAST("time" AS DATE) AS day,
           SUM(sent) AS sent, SUM(delivered) AS delivered,
           SUM(COALESCE(total_opens, 0) + COALESCE(opens, 0)) AS opens
    FROM {s}.send_message_analytics GROUP BY ALL
)
SELECT CAST(d."time" AS DATE) AS day, d.send_id, m.sent, m.delivered, m.opens,
       d.conversions, d.revenue
FROM {s}.send_analytics d
LEFT JOIN msg m ON m.campaign_id = d.campaign_id AND m.send_id = d.send_id
               AND m.day = CAST(d."time" AS DATE)
QUALIFY row_number() OVER (PARTITION BY d.campaign_id, d.send_id
                           ORDER BY CAST(d."time" AS DATE) DESC) <= $days
ORDER BY d.campaign_id, d.send_id, day
"""
# The last `days` days of each campaign, named from the campaigns stream (/campaigns/list).
CAMPAIGN_DAILY = """
SELECT CAST(a."time" AS DATE) AS day, COALESCE(c.name, a.campaign_id) AS campaign,
       a.unique_recipients, a.conversions, a.revenue
FROM {s}.campaign_analytics a
LEFT JOIN {s}.campaigns c ON c.campaign_id = a.campaign_id
QUALIFY row_number() OVER (PARTITION BY a.campaign_id ORDER BY CAST(a."time" AS DATE) DESC)
        <= $days
ORDER BY campaign, day
"""
# Each Canvas step's recipients per day over the Canvas's last `days` days with data. A step
# without a canvas_steps row was deleted from the Canvas: its name comes from the stats.
CANVAS_STEP_DAILY = """
WITH recent AS (
    SELECT canvas_id, CAST("time" AS DATE) AS day
    FROM {s}.canvas_analytics
    QUALIFY row_number() OVER (PARTITION BY canvas_id ORDER BY CAST("time" AS DATE) DESC)
            <= $days
)
SELECT COALESCE(cv.name, a.canvas_id) AS canvas,
       COALESCE(s.name, a.step_name, a.step_id) || IF(s.step_id IS NULL, ' (deleted)', '')
           AS step,
       r.day, a.unique_recipients
FROM {s}.canvas_step_analytics a
JOIN recent r ON r.canvas_id = a.canvas_id AND r.day = CAST(a."time" AS DATE)
LEFT JOIN {s}.canvases cv ON cv.canvas_id = a.canvas_id
LEFT JOIN {s}.canvas_steps s ON s.canvas_id = a.canvas_id AND s.step_id = a.step_id
ORDER BY canvas, r.day
"""


def qualified_schema(conn: duckdb.DuckDBPyConnection) -> str:
    """The tap's schema, qualified by the file's catalog: in a file named like its schema
    (braze.duckdb), a bare `braze.<table>` is ambiguous to DuckDB."""
    (catalog,) = conn.execute("SELECT current_database()").fetchone()
    return f'"{catalog}"."{SCHEMA}"'


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = conn.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema = ? ORDER BY 1",
        [SCHEMA],
    ).fetchall()
    schema = qualified_schema(conn)
    return {
        name: conn.execute(f'SELECT count(*) FROM {schema}."{name}"').fetchone()[0]  # noqa: S608
        for (name,) in tables
    }


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    # Text left, numbers right, as a person reads a table.
    left = [not any(isinstance(row[i], int | float) for row in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.ljust(w) if is_left else v.rjust(w)
            for v, w, is_left in zip(values, widths, left, strict=True)
        )

    return "\n".join("  " + line(row) for row in [list(headers), *cells])


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pivot_days(rows: Sequence[tuple[str, str, Any, Any]]) -> tuple[list[str], list[list[Any]]]:
    """(canvas, step, day, value) rows -> headers and one row per (canvas, step), a column per
    day. Steps of a Canvas come in the order of their total, largest first: a funnel."""
    days = sorted({row[2] for row in rows})
    by_step: dict[tuple[str, str], dict[Any, Any]] = {}
    for canvas, step, day, value in rows:
        by_step.setdefault((canvas, step), {})[day] = value
    order = sorted(
        by_step, key=lambda key: (key[0], -sum(v or 0 for v in by_step[key].values()), key[1])
    )
    headers = ["canvas", "step", *(f"{day:%m-%d}" for day in days)]
    return headers, [[*key, *(by_step[key].get(day) for day in days)] for key in order]


def _loaded(counts: dict[str, int], *tables: str) -> bool:
    return all(counts.get(table) for table in tables)


def summarize(path: Path, shown: str, days: int = 5) -> str:
    """The summary of the DuckDB file at ``path`` (``shown``: how to name it to a person)."""
    with duckdb.connect(str(path), read_only=True) as conn:
        counts = table_counts(conn)
        schema = qualified_schema(conn)
        out = [f"Rows per table in {shown} (schema {SCHEMA}):"]
        out += [f"  {name:<30} {count:>8,}" for name, count in counts.items()]
        if _loaded(counts, "send_analytics") and "send_message_analytics" in counts:
            rows = conn.execute(SEND_DAILY.format(s=schema), {"days": days}).fetchall()
            headers = ("day", "send", "sent", "delivered", "opens", "conversions", "revenue")
            out += ["", f"Per-send daily totals (last {days} days with data of each send):"]
            out.append(format_table(headers, rows))
        if _loaded(counts, "campaign_analytics", "campaigns"):
            campaign_days = min(days, 3)
            rows = conn.execute(CAMPAIGN_DAILY.format(s=schema), {"days": campaign_days}).fetchall()
            headers = ("day", "campaign", "recipients", "conversions", "revenue")
            out += ["", f"Per-campaign daily totals (last {campaign_days} days with data):"]
            out.append(format_table(headers, rows))
        if _loaded(counts, "canvas_analytics", "canvas_step_analytics", "canvases") and (
            "canvas_steps" in counts
        ):
            rows = conn.execute(CANVAS_STEP_DAILY.format(s=schema), {"days": days}).fetchall()
            headers, pivoted = pivot_days(rows)
            out += [
                "",
                f"Per-Canvas, per-step daily unique recipients (last {days} days with data of "
                "each Canvas):",
            ]
            out.append(format_table(headers, pivoted))
        for title, headers, rows in workspace_sections(conn, schema, counts, days):
            out += ["", title, format_table(headers, rows)]
        for title, headers, rows in marts_sections(conn, days):
            out += ["", title, format_table(headers, rows)]
    return "\n".join(out)
