"""The page `make demo` writes beside its DuckDB file: output/demo.html, drawn from the dbt
marts (transform/, schema braze_marts).

One self-contained file (inline SVG and CSS, no script, nothing fetched from a network), its
date range stated at the top: per campaign, its daily sends, opens and conversions
(braze__campaign_daily, braze__campaign_channel_daily), a panel and a scale each; per Canvas,
its steps' recipients over the range in flow order (braze__canvas_step_daily, step_position);
all apps' daily active users, stickiness and sessions (braze__app_daily). Each chart carries
its numbers in a `data-series` attribute (JSON), so that a person (or a test) can read them
without parsing the drawing.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import duckdb
from demo_marts import marts_schema
from demo_svg import bar_chart, line_panels

CAMPAIGN_DAYS = """
WITH opens AS (
    SELECT campaign_id, date, SUM(opens) AS opens
    FROM {m}.braze__campaign_channel_daily GROUP BY ALL
)
SELECT COALESCE(d.campaign_name, d.campaign_id) AS campaign, d.date, d.sent, o.opens,
       d.conversions
FROM {m}.braze__campaign_daily d
LEFT JOIN opens o USING (campaign_id, date)
ORDER BY campaign, d.date
"""
# Steps in flow order; deleted steps (no position any more) after the live ones.
CANVAS_STEPS = """
SELECT COALESCE(canvas_name, canvas_id) AS canvas, step_position,
       COALESCE(step_name, step_id) || IF(deleted, ' (deleted)', '') AS step,
       SUM(COALESCE(unique_recipients, 0)) AS recipients
FROM {m}.braze__canvas_step_daily
GROUP BY ALL
ORDER BY canvas, step_position NULLS LAST, step
"""
APP_DAYS = """
SELECT date, dau, stickiness, sessions FROM {m}.braze__app_daily WHERE app_id = '*'
ORDER BY date
"""
RANGE = """
SELECT MIN(date), MAX(date) FROM (
    SELECT date FROM {m}.braze__campaign_daily UNION ALL
    SELECT date FROM {m}.braze__canvas_step_daily UNION ALL
    SELECT date FROM {m}.braze__app_daily
)
"""
CAMPAIGN_SERIES = (("sends", "#1f77b4"), ("opens", "#2ca02c"), ("conversions", "#d62728"))
APP_SERIES = (("daily active users", "#1f77b4"), ("stickiness", "#9467bd"), ("sessions", "#ff7f0e"))

CAMPAIGNS_TITLE = "Campaigns: daily sends, opens and conversions"
CANVASES_TITLE = "Canvases: unique recipients per step, in flow order"
APPS_TITLE = "All apps: daily active users, stickiness and sessions"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; } h3 { font-size: 1em; }
svg { display: block; background: #fafafa; border: 1px solid #ddd; max-width: 100%; }
.axis { font-size: 13px; fill: #555; } .panel-title { font-size: 13px; font-weight: 600; }
.bar-label { font-size: 13px; fill: #222; } .grid { stroke: #e4e4e4; } .tick { stroke: #eee; }
.range { color: #555; }
"""


def _by_day(rows: list[tuple], column: int) -> dict[dt.date, float | None]:
    return {r[0]: (None if r[column] is None else float(r[column])) for r in rows}


def _campaigns(conn: duckdb.DuckDBPyConnection, m: str, first: dt.date, last: dt.date) -> str:
    by_campaign: dict[str, list[tuple]] = {}
    for campaign, *row in conn.execute(CAMPAIGN_DAYS.format(m=m)).fetchall():
        by_campaign.setdefault(campaign, []).append(tuple(row))
    charts = [
        line_panels(
            name,
            "campaign",
            first,
            last,
            [(s, colour, _by_day(rows, i + 1)) for i, (s, colour) in enumerate(CAMPAIGN_SERIES)],
        )
        for name, rows in by_campaign.items()
    ]
    return f"<h2>{CAMPAIGNS_TITLE}</h2>\n" + "\n".join(charts) if charts else ""


def _canvases(conn: duckdb.DuckDBPyConnection, m: str) -> str:
    by_canvas: dict[str, list[tuple[str, float]]] = {}
    for canvas, position, step, recipients in conn.execute(CANVAS_STEPS.format(m=m)).fetchall():
        label = f"{position}. {step}" if position is not None else step
        by_canvas.setdefault(canvas, []).append((label, float(recipients)))
    charts = [bar_chart(name, "funnel", steps, "#9467bd") for name, steps in by_canvas.items()]
    return f"<h2>{CANVASES_TITLE}</h2>\n" + "\n".join(charts) if charts else ""


def _apps(conn: duckdb.DuckDBPyConnection, m: str, first: dt.date, last: dt.date) -> str:
    rows = conn.execute(APP_DAYS.format(m=m)).fetchall()
    if not rows:
        return ""
    series = [(s, colour, _by_day(rows, i + 1)) for i, (s, colour) in enumerate(APP_SERIES)]
    return f"<h2>{APPS_TITLE}</h2>\n" + line_panels("All apps", "app", first, last, series)


def render(path: Path) -> str:
    """The page for the DuckDB file at ``path``."""
    with duckdb.connect(str(path), read_only=True) as conn:
        m = marts_schema(conn)
        first, last = conn.execute(RANGE.format(m=m)).fetchone() if m else (None, None)
        if first is None:
            body = "<p>No marts with data: was <code>dbt-duckdb:build</code> run?</p>"
        else:
            span = (last - first).days + 1
            sections = [
                f'<p class="range">Data from {first:%Y-%m-%d} to {last:%Y-%m-%d} ({span} days),'
                " from the dbt marts in schema braze_marts. A gap in a line is a day Braze"
                " reported nothing for.</p>",
                _campaigns(conn, m, first, last),
                _canvases(conn, m),
                _apps(conn, m, first, last),
            ]
            body = "\n".join(s for s in sections if s)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Braze analytics: {html.escape(path.name)}</title><style>{STYLE}</style>"
        f"</head><body>\n<h1>Braze analytics from {html.escape(path.name)}</h1>\n{body}\n"
        "</body></html>\n"
    )


def write_page(duckdb_path: Path, out: Path) -> Path:
    out.write_text(render(duckdb_path), encoding="utf-8")
    return out
