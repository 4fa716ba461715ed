"""The page `make demo` writes beside its DuckDB file: output/demo.html.

One self-contained file (inline SVG and CSS, no script, nothing fetched from a network): per
campaign, a chart of its daily sends, opens and conversions; per Canvas, a funnel of its steps
(unique recipients over the loaded days, largest first), all with the names the catalogue
streams give. Each chart carries its numbers in a `data-series` attribute (JSON), so that a
person (or a test) can read them without parsing the drawing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

# Per campaign and day: messages sent and opened (summed over channels and variations), and
# the day's conversions. Opens: unique opens where the channel has them (email), else pushes'
# direct opens. Named from the campaigns stream.
CAMPAIGN_DAYS = """
WITH msg AS (
    SELECT campaign_id, CAST("time" AS DATE) AS day, SUM(COALESCE(sent, 0)) AS sends,
           SUM(COALESCE(unique_opens, direct_opens, 0)) AS opens
    FROM braze.campaign_message_analytics GROUP BY ALL
)
SELECT COALESCE(c.name, a.campaign_id) AS campaign, CAST(a."time" AS DATE) AS day,
       COALESCE(m.sends, 0) AS sends, COALESCE(m.opens, 0) AS opens,
       COALESCE(a.conversions, 0) AS conversions
FROM braze.campaign_analytics a
LEFT JOIN msg m ON m.campaign_id = a.campaign_id AND m.day = CAST(a."time" AS DATE)
LEFT JOIN braze.campaigns c ON c.campaign_id = a.campaign_id
ORDER BY campaign, day
"""
# Per Canvas step: unique recipients over every loaded day. A step without a canvas_steps row
# was deleted from the Canvas: its name comes from the stats.
CANVAS_FUNNEL = """
SELECT COALESCE(cv.name, a.canvas_id) AS canvas,
       COALESCE(s.name, a.step_name, a.step_id) || IF(s.step_id IS NULL, ' (deleted)', '')
           AS step,
       SUM(COALESCE(a.unique_recipients, 0)) AS recipients
FROM braze.canvas_step_analytics a
LEFT JOIN braze.canvases cv ON cv.canvas_id = a.canvas_id
LEFT JOIN braze.canvas_steps s ON s.canvas_id = a.canvas_id AND s.step_id = a.step_id
GROUP BY ALL
ORDER BY canvas, recipients DESC, step
"""
SERIES = (("sends", "#1f77b4"), ("opens", "#2ca02c"), ("conversions", "#d62728"))
WIDTH, HEIGHT, PAD = 640, 220, 40

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; } h3 { font-size: 1em; }
svg { background: #fafafa; border: 1px solid #ddd; }
.legend span { margin-right: 1.2em; } .axis { font-size: 11px; fill: #555; }
.bar-label { font-size: 12px; fill: #222; }
"""


def _tables(conn: duckdb.DuckDBPyConnection) -> set[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'braze'"
    ).fetchall()
    return {name for (name,) in rows}


def line_chart(title: str, days: Sequence[Any], series: dict[str, list[int]]) -> str:
    """An inline SVG line chart of daily values, one line per series."""
    top = max([1, *(v for values in series.values() for v in values)])
    step = (WIDTH - 2 * PAD) / max(1, len(days) - 1)

    def point(i: int, value: float) -> str:
        return f"{PAD + i * step:.1f},{HEIGHT - PAD - value / top * (HEIGHT - 2 * PAD):.1f}"

    lines = [
        f'<polyline fill="none" stroke="{color}" stroke-width="2" '
        f'points="{" ".join(point(i, v) for i, v in enumerate(series[name]))}"/>'
        for name, color in SERIES
    ]
    axis = [
        f'<text class="axis" x="{PAD}" y="{HEIGHT - 12}">{days[0]:%Y-%m-%d}</text>',
        f'<text class="axis" x="{WIDTH - PAD}" y="{HEIGHT - 12}" text-anchor="end">'
        f"{days[-1]:%Y-%m-%d}</text>",
        f'<text class="axis" x="4" y="{PAD - 8}">{top:,}</text>',
    ]
    data = {"days": [d.isoformat() for d in days], **series}
    return (
        f"<h3>{html.escape(title)}</h3>\n"
        f'<svg role="img" width="{WIDTH}" height="{HEIGHT}" class="campaign" '
        f"data-name=\"{html.escape(title)}\" data-series='{html.escape(json.dumps(data))}'>"
        f"<title>{html.escape(title)}: daily sends, opens and conversions</title>"
        + "".join(axis + lines)
        + "</svg>"
    )


def funnel_chart(title: str, steps: Sequence[tuple[str, int]]) -> str:
    """An inline SVG bar chart of a Canvas's steps, largest first."""
    bar, gap = 22, 6
    height = len(steps) * (bar + gap) + gap
    top = max([1, *(value for _, value in steps)])
    bars = []
    for i, (name, value) in enumerate(steps):
        y = gap + i * (bar + gap)
        width = max(1.0, value / top * (WIDTH - 260))
        bars.append(
            f'<rect x="250" y="{y}" width="{width:.1f}" height="{bar}" fill="#9467bd"/>'
            f'<text class="bar-label" x="244" y="{y + 16}" text-anchor="end">'
            f"{html.escape(name)}</text>"
            f'<text class="bar-label" x="{254 + width:.1f}" y="{y + 16}">{value:,}</text>'
        )
    data = [[name, value] for name, value in steps]
    return (
        f"<h3>{html.escape(title)}</h3>\n"
        f'<svg role="img" width="{WIDTH}" height="{height}" class="funnel" '
        f"data-name=\"{html.escape(title)}\" data-series='{html.escape(json.dumps(data))}'>"
        f"<title>{html.escape(title)}: unique recipients per step</title>"
        + "".join(bars)
        + "</svg>"
    )


def render(path: Path) -> str:
    """The page for the DuckDB file at ``path``."""
    sections = []
    with duckdb.connect(str(path), read_only=True) as conn:
        tables = _tables(conn)
        if {"campaign_analytics", "campaign_message_analytics", "campaigns"} <= tables:
            by_campaign: dict[str, list[tuple]] = {}
            for campaign, *row in conn.execute(CAMPAIGN_DAYS).fetchall():
                by_campaign.setdefault(campaign, []).append(tuple(row))
            charts = [
                line_chart(
                    name,
                    [r[0] for r in rows],
                    {s: [int(r[i + 1]) for r in rows] for i, (s, _) in enumerate(SERIES)},
                )
                for name, rows in by_campaign.items()
            ]
            legend = "".join(
                f'<span style="color:{color}">&#9632; {name}</span>' for name, color in SERIES
            )
            sections.append(
                "<h2>Campaigns: daily sends, opens and conversions</h2>\n"
                f'<p class="legend">{legend}</p>\n' + "\n".join(charts)
            )
        if {"canvas_step_analytics", "canvases", "canvas_steps"} <= tables:
            by_canvas: dict[str, list[tuple[str, int]]] = {}
            for canvas, step, recipients in conn.execute(CANVAS_FUNNEL).fetchall():
                by_canvas.setdefault(canvas, []).append((step, int(recipients)))
            charts = [funnel_chart(name, steps) for name, steps in by_canvas.items()]
            sections.append("<h2>Canvases: unique recipients per step</h2>\n" + "\n".join(charts))
    body = "\n".join(sections) or "<p>No campaign or Canvas tables were loaded.</p>"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Braze analytics: {html.escape(path.name)}</title><style>{STYLE}</style>"
        f"</head><body>\n<h1>Braze analytics from {html.escape(path.name)}</h1>\n{body}\n"
        "</body></html>\n"
    )


def write_page(duckdb_path: Path, out: Path) -> Path:
    out.write_text(render(duckdb_path), encoding="utf-8")
    return out
