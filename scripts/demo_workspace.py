"""The workspace part of `make demo`'s summary: daily active, monthly active and new users over
all apps, and the custom events counted most, with what Braze says about them.

Each table is shown only when the tables it reads were loaded. The `*` rows are the series
over all apps (and all users): the workspace's own totals, not a sum the summary makes.
"""

from __future__ import annotations

import duckdb

# The last `days` days of the KPIs over all apps.
KPI_DAILY = """
SELECT CAST("time" AS DATE) AS day, dau, mau, new_users, uninstalls
FROM {s}.app_kpis
WHERE app_id = '*'
QUALIFY row_number() OVER (ORDER BY CAST("time" AS DATE) DESC) <= $days
ORDER BY day
"""
# The `top` custom events by count over all apps and users in the last `days` days loaded,
# named and described from the custom_events stream (/events).
TOP_EVENTS = """
WITH recent AS (
    SELECT DISTINCT CAST("time" AS DATE) AS day FROM {s}.custom_event_analytics
    QUALIFY dense_rank() OVER (ORDER BY CAST("time" AS DATE) DESC) <= $days
)
SELECT a.event_name, SUM(a.count) AS count, e.status, e.description
FROM {s}.custom_event_analytics a
JOIN recent r ON r.day = CAST(a."time" AS DATE)
LEFT JOIN {s}.custom_events e ON e.event_name = a.event_name
WHERE a.app_id = '*' AND a.segment_id = '*'
GROUP BY ALL
ORDER BY count DESC NULLS LAST, a.event_name
LIMIT $top
"""

KPI_TITLE = "Daily active, monthly active and new users, all apps"
EVENTS_TITLE = "Top custom events, all apps and users"


def workspace_sections(
    conn: duckdb.DuckDBPyConnection, schema: str, counts: dict[str, int], days: int, top: int = 5
) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """(title, headers, rows) of each workspace table the loaded tables allow (``schema``:
    the tap's, qualified)."""
    sections = []
    if counts.get("app_kpis"):
        rows = conn.execute(KPI_DAILY.format(s=schema), {"days": days}).fetchall()
        headers = ("day", "dau", "mau", "new_users", "uninstalls")
        sections.append((f"{KPI_TITLE} (last {days} days):", headers, rows))
    if counts.get("custom_event_analytics") and "custom_events" in counts:
        rows = conn.execute(TOP_EVENTS.format(s=schema), {"days": days, "top": top}).fetchall()
        headers = ("event", "count", "status", "description")
        sections.append((f"{EVENTS_TITLE} (last {days} days, top {top}):", headers, rows))
    return sections
