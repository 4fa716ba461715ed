"""The inline SVG charts of `make demo`'s page (demo_html.py): pure functions, no I/O.

Each chart is drawn in a viewBox WIDTH units wide and shown at the page's width (width 100%).
Line panels have a real date axis (a tick and a label every few days, always the first and
last day) and a value axis of their own (one scale per measure: opens and conversions stay
readable beside sends). Every label is placed inside the drawing: the margins are computed
from the longest label, so none is cut off.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Sequence

WIDTH = 1000  # viewBox units; the page scales the drawing to its own width
FONT = 13  # px in viewBox units
CHAR = FONT * 0.62  # a generous average glyph width, for sizing margins
PANEL_HEIGHT = 170
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_RIGHT = 34, 36, 24


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at or above ``value`` (1 for 0): the axis' top."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def compact(value: float) -> str:
    """A number as an axis label: 950, 12k, 1.5M; fractions with two decimals."""
    if 0 < abs(value) < 1:
        return f"{value:.2f}"
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.0f}"


def date_ticks(first: dt.date, last: dt.date, max_labels: int = 8) -> list[dt.date]:
    """Days to label: every ``step`` days from the first, and the last day always."""
    days = (last - first).days
    step = max(1, math.ceil(days / (max_labels - 1))) if days else 1
    ticks = [first + dt.timedelta(days=i) for i in range(0, days + 1, step)]
    if ticks[-1] != last:
        if (last - ticks[-1]).days < step / 2 and len(ticks) > 1:
            ticks[-1] = last  # too close to the previous label: replace it
        else:
            ticks.append(last)
    return ticks


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def line_panels(
    title: str,
    css_class: str,
    first: dt.date,
    last: dt.date,
    series: Sequence[tuple[str, str, dict[dt.date, float | None]]],
) -> str:
    """One chart of stacked panels sharing a date axis; each (measure, colour, values by day)
    gets a panel with its own value axis. Days without a value are gaps in the line."""
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    tops = {
        name: nice_ceiling(max([0, *(v for v in values.values() if v)]))
        for name, _, values in series
    }
    left = 16 + CHAR * max(len(compact(t)) for t in tops.values()) + 8
    plot_width = WIDTH - left - MARGIN_RIGHT
    height = len(series) * (PANEL_HEIGHT + MARGIN_TOP) + MARGIN_BOTTOM

    def x(day: dt.date) -> float:
        return left + (day - first).days / max(1, len(days) - 1) * plot_width

    parts = []
    for index, (name, colour, values) in enumerate(series):
        top_y = MARGIN_TOP + index * (PANEL_HEIGHT + MARGIN_TOP)
        bottom_y = top_y + PANEL_HEIGHT
        top = tops[name]

        def y(value: float, top: float = top, bottom_y: float = bottom_y) -> float:
            return bottom_y - value / top * PANEL_HEIGHT

        parts.append(
            f'<text class="panel-title" x="{left:.1f}" y="{top_y - 8:.1f}" fill="{colour}">'
            f"{_escape(name)}</text>"
        )
        for fraction in (0, 0.5, 1):
            gy = y(top * fraction)
            parts.append(
                f'<line class="grid" x1="{left:.1f}" x2="{left + plot_width:.1f}" '
                f'y1="{gy:.1f}" y2="{gy:.1f}"/>'
                f'<text class="axis" x="{left - 6:.1f}" y="{gy + 4:.1f}" text-anchor="end">'
                f"{compact(top * fraction)}</text>"
            )
        segments, current = [], []
        for day in days:
            value = values.get(day)
            if value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            current.append(f"{x(day):.1f},{y(value):.1f}")
        if current:
            segments.append(current)
        for points in segments:
            if len(points) == 1:
                cx, cy = points[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            else:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(points)}"/>'
                )
    axis_y = height - MARGIN_BOTTOM + 4
    for tick in date_ticks(first, last):
        tx = x(tick)
        anchor = "start" if tick == first else "end" if tick == last else "middle"
        parts.append(
            f'<line class="tick" x1="{tx:.1f}" x2="{tx:.1f}" y1="{MARGIN_TOP:.1f}" '
            f'y2="{axis_y:.1f}"/>'
            f'<text class="axis" x="{tx:.1f}" y="{axis_y + 16:.1f}" text-anchor="{anchor}">'
            f"{tick:%b %d}</text>"
        )
    data = {
        "days": [d.isoformat() for d in days],
        **{name: [values.get(d) for d in days] for name, _, values in series},
    }
    return _figure(title, css_class, height, parts, data)


def bar_chart(title: str, css_class: str, bars: Sequence[tuple[str, float]], colour: str) -> str:
    """Horizontal bars in the given order (a funnel), each labelled with its name and value."""
    bar, gap = 24, 8
    left = 12 + CHAR * max([1, *(len(label) for label, _ in bars)]) + 8
    value_room = CHAR * max([1, *(len(f"{v:,.0f}") for _, v in bars)]) + 12
    plot_width = WIDTH - left - value_room - MARGIN_RIGHT
    top = max([1.0, *(v for _, v in bars)])
    parts = []
    for i, (label, value) in enumerate(bars):
        y = gap + i * (bar + gap)
        width = max(1.0, value / top * plot_width)
        parts.append(
            f'<text class="bar-label" x="{left - 8:.1f}" y="{y + 17}" text-anchor="end">'
            f"{_escape(label)}</text>"
            f'<rect x="{left:.1f}" y="{y}" width="{width:.1f}" height="{bar}" fill="{colour}"/>'
            f'<text class="bar-label" x="{left + width + 6:.1f}" y="{y + 17}">{value:,.0f}</text>'
        )
    height = len(bars) * (bar + gap) + gap
    return _figure(title, css_class, height, parts, [[label, value] for label, value in bars])


def _figure(title: str, css_class: str, height: float, parts: list[str], data: object) -> str:
    return (
        f"<h3>{_escape(title)}</h3>\n"
        f'<svg role="img" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'class="{css_class}" data-name="{_escape(title)}" '
        f"data-series='{html.escape(json.dumps(data))}'>"
        f"<title>{_escape(title)}</title>" + "".join(parts) + "</svg>"
    )
