"""The part of `make demo`'s summary read from the dbt marts (transform/, schema braze_marts):
one answer from each of three of them.

- braze__campaign_daily: each campaign's last day with data (sent, recipients, conversions,
  revenue), the campaigns that converted most first;
- braze__canvas_step_daily: the funnel of the Canvas with the most recipients over the loaded
  days, its steps in flow order (step_position);
- braze__app_daily: the last days of all apps (app_id '*'): users, stickiness, sessions.

An empty mart (its stream was not loaded) gives no section.
"""

from __future__ import annotations

import duckdb

MARTS = "braze_marts"

CAMPAIGN_LAST_DAY = """
SELECT campaign_name, date, sent, unique_recipients, conversions, revenue
FROM {m}.braze__campaign_daily
QUALIFY row_number() OVER (PARTITION BY campaign_id ORDER BY date DESC) = 1
ORDER BY conversions DESC NULLS LAST, campaign_name
"""
# The Canvas whose steps reached the most recipients; its live steps in flow order, deleted
# ones (no position) last.
CANVAS_FUNNEL = """
WITH top AS (
    SELECT canvas_id FROM {m}.braze__canvas_step_daily
    GROUP BY canvas_id ORDER BY SUM(unique_recipients) DESC NULLS LAST, canvas_id LIMIT 1
)
SELECT canvas_name, step_position, step_name || IF(deleted, ' (deleted)', '') AS step,
       SUM(sent) AS sent, SUM(unique_recipients) AS recipients,
       SUM(conversions) AS conversions, MIN(date) AS first_day, MAX(date) AS last_day
FROM {m}.braze__canvas_step_daily JOIN top USING (canvas_id)
GROUP BY ALL
ORDER BY step_position NULLS LAST, step
"""
APP_DAYS = """
SELECT date, dau, mau, stickiness, new_users, sessions
FROM {m}.braze__app_daily WHERE app_id = '*'
ORDER BY date DESC LIMIT $days
"""

CAMPAIGN_TITLE = "Campaigns on their last day with data (braze__campaign_daily)"
FUNNEL_TITLE = "Canvas step funnel, steps in flow order (braze__canvas_step_daily)"
APP_TITLE = "All apps, last days (braze__app_daily)"


def marts_schema(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The marts' schema, qualified by the file's catalog (a file named like a schema would
    make a bare name ambiguous); None when `dbt build` did not run on this file."""
    (catalog,) = conn.execute("SELECT current_database()").fetchone()
    found = conn.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_catalog = ? AND table_schema = ?",
        [catalog, MARTS],
    ).fetchone()
    return f'"{catalog}".{MARTS}' if found else None


def marts_sections(
    conn: duckdb.DuckDBPyConnection, days: int = 5
) -> list[tuple[str, tuple[str, ...], list[tuple]]]:
    """(title, headers, rows) of each answer whose mart has rows."""
    schema = marts_schema(conn)
    if schema is None:
        return []
    sections = []
    rows = conn.execute(CAMPAIGN_LAST_DAY.format(m=schema)).fetchall()
    if rows:
        headers = ("campaign", "day", "sent", "recipients", "conversions", "revenue")
        sections.append((f"{CAMPAIGN_TITLE}:", headers, rows))
    rows = conn.execute(CANVAS_FUNNEL.format(m=schema)).fetchall()
    if rows:
        canvas = rows[0][0]
        first = min(r[-2] for r in rows)
        last = max(r[-1] for r in rows)
        title = f"{FUNNEL_TITLE}: {canvas}, {first} to {last}:"
        headers = ("position", "step", "sent", "recipients", "conversions")
        sections.append((title, headers, [r[1:6] for r in rows]))
    rows = conn.execute(APP_DAYS.format(m=schema), {"days": days}).fetchall()
    if rows:
        headers = ("day", "dau", "mau", "stickiness", "new_users", "sessions")
        sections.append((f"{APP_TITLE}:", headers, sorted(rows)))
    return sections
