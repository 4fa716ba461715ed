"""`make demo`: Braze -> `meltano run tap-braze-sends target-duckdb` -> a summary of the file.

Without credentials it starts the project's Braze simulator on a free port of 127.0.0.1 and
loads output/demo.duckdb. With real credentials in the environment it reads Braze instead and
loads output/braze.duckdb (no simulator):

    export TAP_BRAZE_SENDS_API_KEY=...                       # REST key, sends/campaigns.data_series
    export TAP_BRAZE_SENDS_API_URL=https://rest.iad-01.braze.com
    export TAP_BRAZE_SENDS_CAMPAIGN_IDS='["<campaign id>"]'   # and/or
    export TAP_BRAZE_SENDS_SENDS='[{"campaign_id": "...", "send_id": "..."}]'
    make demo

Runs are incremental (Meltano keeps the state in .meltano/): a second `make demo` re-reads the
last lookback_days and upserts. A missing DuckDB file means a full refresh.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import meltano_env

ROOT = meltano_env.ROOT
SCHEMA = "braze"
REQUIRED_REAL = ("TAP_BRAZE_SENDS_API_KEY", "TAP_BRAZE_SENDS_API_URL")
PARTITION_VARS = ("TAP_BRAZE_SENDS_SENDS", "TAP_BRAZE_SENDS_CAMPAIGN_IDS")
# The Meltano log lines worth showing a person; everything goes to the log file.
_SHOW = re.compile(
    r"partitions done|partitions to sync|No data for|Loading \d+ rows|\[(error|warning)|"
    r"Run completed|Block run completed|Installing|Installed"
)
_HIDE = re.compile(r"METRIC|Force option")
_LOG_PREFIX = re.compile(r"^\S+Z \[(\w+)\s*\] ")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--duckdb", type=Path, help="DuckDB file (default: output/demo.duckdb)")
    p.add_argument("--state-id-suffix", default="demo", help="Meltano state id suffix")
    p.add_argument("--days", type=int, default=30, help="simulator only: days to extract")
    p.add_argument("--full-refresh", action="store_true", help="ignore the saved state")
    return p.parse_args(argv)


def real_braze_requested() -> bool:
    """True when the environment holds real credentials; half a configuration is an error."""
    present = [name for name in REQUIRED_REAL if os.environ.get(name)]
    if not present:
        return False
    missing = [name for name in REQUIRED_REAL if name not in present]
    if missing:
        raise SystemExit(f"demo: {', '.join(present)} is set but {', '.join(missing)} is not")
    if not any(os.environ.get(name) for name in PARTITION_VARS):
        raise SystemExit(
            "demo: set TAP_BRAZE_SENDS_CAMPAIGN_IDS and/or TAP_BRAZE_SENDS_SENDS (JSON arrays) "
            "to say what to extract"
        )
    return True


@contextmanager
def simulated_braze(days: int) -> Iterator[dict[str, str]]:
    """Start the simulator on a free port; yield the tap's Meltano env vars; stop it."""
    from braze_simulator import DEFAULT_KEY, BrazeSimulator, build_workspace

    workspace = build_workspace(3, 2, seed=0)
    simulator = BrazeSimulator(workspace)
    url = simulator.start()
    print(
        f"Braze simulator at {url}: {len(workspace.sends)} sends, "
        f"{len(workspace.campaigns)} campaigns, today={workspace.today}"
    )
    try:
        yield {
            "TAP_BRAZE_SENDS_API_URL": url,
            "TAP_BRAZE_SENDS_API_KEY": DEFAULT_KEY,
            "TAP_BRAZE_SENDS_SENDS": json.dumps(
                [{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in workspace.sends]
            ),
            "TAP_BRAZE_SENDS_CAMPAIGN_IDS": json.dumps(
                [c.campaign_id for c in workspace.campaigns]
            ),
            "TAP_BRAZE_SENDS_START_DATE": (workspace.today - dt.timedelta(days=days)).isoformat(),
            "TAP_BRAZE_SENDS_END_DATE": workspace.today.isoformat(),
        }
    finally:
        simulator.stop()


def run_pipeline(
    environment: str, env: dict[str, str], suffix: str, full_refresh: bool, log_path: Path
) -> None:
    args = [
        str(meltano_env.MELTANO),
        f"--environment={environment}",
        "run",
        "--refresh-catalog",  # the tap is installed editable: its schemas may have changed
        "--force",  # a demo killed half-way must not block the next one
        "--state-id-suffix",
        suffix,
        *(["--full-refresh"] if full_refresh else []),
        "tap-braze-sends",
        "target-duckdb",
    ]
    print(
        f"$ meltano --environment={environment} run tap-braze-sends target-duckdb  (log: "
        f"{_shown(log_path)})"
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with (
        log_path.open("w") as log,
        subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as proc,
    ):
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if _SHOW.search(line) and not _HIDE.search(line):
                print("  " + _LOG_PREFIX.sub(r"\1: ", line.rstrip())[:160])
    if proc.returncode != 0:
        tail = log_path.read_text().splitlines()[-30:]
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"demo: meltano run failed (exit {proc.returncode}); see {log_path}")


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1",
        [SCHEMA],
    ).fetchall()
    return {
        name: conn.execute(f'SELECT count(*) FROM "{SCHEMA}"."{name}"').fetchone()[0]  # noqa: S608
        for (name,) in tables
    }


# The last `days` days of each send (schema braze): day totals beside the summed messages.
SEND_DAILY = """
WITH msg AS (
    SELECT campaign_id, send_id, CAST("time" AS DATE) AS day,
           SUM(sent) AS sent, SUM(delivered) AS delivered,
           SUM(COALESCE(total_opens, 0) + COALESCE(opens, 0)) AS opens
    FROM braze.send_message_analytics GROUP BY ALL
)
SELECT CAST(d."time" AS DATE) AS day, d.send_id, m.sent, m.delivered, m.opens,
       d.conversions, d.revenue
FROM braze.send_analytics d
LEFT JOIN msg m ON m.campaign_id = d.campaign_id AND m.send_id = d.send_id
               AND m.day = CAST(d."time" AS DATE)
QUALIFY row_number() OVER (PARTITION BY d.campaign_id, d.send_id
                           ORDER BY CAST(d."time" AS DATE) DESC) <= $days
ORDER BY d.campaign_id, d.send_id, day
"""
CAMPAIGN_DAILY = """
SELECT CAST("time" AS DATE) AS day, campaign_id, unique_recipients, conversions, revenue
FROM braze.campaign_analytics
QUALIFY row_number() OVER (PARTITION BY campaign_id ORDER BY CAST("time" AS DATE) DESC) <= $days
ORDER BY campaign_id, day
"""


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    # Text left, numbers right, as a person reads a table.
    left = [bool(rows) and not isinstance(rows[0][i], int | float) for i in range(len(headers))]

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


def summarize(path: Path, days: int = 5) -> str:
    with duckdb.connect(str(path), read_only=True) as conn:
        counts = table_counts(conn)
        out = [f"Rows per table in {_shown(path)} (schema {SCHEMA}):"]
        out += [f"  {name:<28} {count:>8,}" for name, count in counts.items()]
        if counts.get("send_analytics") and "send_message_analytics" in counts:
            rows = conn.execute(SEND_DAILY, {"days": days}).fetchall()
            headers = ("day", "send", "sent", "delivered", "opens", "conversions", "revenue")
            out += ["", f"Per-send daily totals (last {days} days with data of each send):"]
            out.append(format_table(headers, rows))
        if counts.get("campaign_analytics"):
            rows = conn.execute(CAMPAIGN_DAILY, {"days": days}).fetchall()
            headers = ("day", "campaign", "recipients", "conversions", "revenue")
            out += ["", f"Per-campaign daily totals (last {days} days with data):"]
            out.append(format_table(headers, rows))
    return "\n".join(out)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    real = real_braze_requested()
    environment = "prod" if real else "dev"
    path = (args.duckdb or ROOT / "output" / ("braze.duckdb" if real else "demo.duckdb")).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    full_refresh = args.full_refresh or not path.exists()
    meltano_env.ensure_plugins(["tap-braze-sends", "target-duckdb"])
    loader_env = {
        "TARGET_DUCKDB_FILEPATH": str(path),
        "TARGET_DUCKDB_DEFAULT_TARGET_SCHEMA": SCHEMA,
    }
    log_path = path.with_suffix(".meltano.log")
    if real:
        print(f"Reading real Braze at {os.environ['TAP_BRAZE_SENDS_API_URL']} (environment prod)")
        env = meltano_env.clean_env(loader_env, keep_foreign=True)
        run_pipeline(environment, env, args.state_id_suffix, full_refresh, log_path)
    else:
        with simulated_braze(args.days) as tap_env:
            env = meltano_env.clean_env({**tap_env, **loader_env})
            run_pipeline(environment, env, args.state_id_suffix, full_refresh, log_path)
    print()
    print(summarize(path))
    print(
        f"\nExplore: .venv/bin/python -c \"import duckdb; duckdb.connect('{_shown(path)}')"
        ".sql('SHOW ALL TABLES').show()\""
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
