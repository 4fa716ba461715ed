"""`make demo`: Braze -> `meltano run tap-braze-sends target-duckdb dbt-duckdb:build` -> a
summary of the file.

Without credentials it starts the project's Braze simulator on a free port of 127.0.0.1 and
loads output/demo.duckdb. With real credentials in the environment it reads Braze instead and
loads output/workspace.duckdb (no simulator):

    export TAP_BRAZE_SENDS_API_KEY=...                # REST key (permissions: README, Settings)
    export TAP_BRAZE_SENDS_API_URL=https://rest.iad-01.braze.com
    export TAP_BRAZE_SENDS_ALL_CAMPAIGNS=true TAP_BRAZE_SENDS_ALL_CANVASES=true   # and/or
    export TAP_BRAZE_SENDS_SENDS='[{"campaign_id": "...", "send_id": "..."}]'
    make demo

The simulator run discovers its campaigns and Canvases (the dev environment of meltano.yml
lists no ids), its segments, custom events and products, and loads every stream; the summary
names campaigns, Canvases and steps, shows the users per day and the top custom events, then
one answer from each of three dbt marts (transform/: built by the run's dbt-duckdb:build into
schema braze_marts), and output/demo.html (beside the DuckDB file) charts the marts.

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import meltano_env
from demo_html import write_page
from demo_marts import MARTS
from demo_summary import SCHEMA, summarize

ROOT = meltano_env.ROOT
REQUIRED_REAL = ("TAP_BRAZE_SENDS_API_KEY", "TAP_BRAZE_SENDS_API_URL")
# Any of these says what to extract (the prod environment lists nothing itself).
PARTITION_VARS = tuple(
    f"TAP_BRAZE_SENDS_{name}"
    for name in (
        "ALL_CAMPAIGNS",
        "ALL_CANVASES",
        "CAMPAIGN_IDS",
        "CANVAS_IDS",
        "SENDS",
        "SENDS_FILE",
    )
)
# The Meltano log lines worth showing a person; everything goes to the log file.
_SHOW = re.compile(
    r"partitions done|partitions to sync|No data for|Loading \d+ rows|\[(error|warning)|"
    r"Discovery:| listed|Run total|Run completed|Block run completed|Installing|Installed|"
    r"Done\. PASS="
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
            "demo: say what to extract: set TAP_BRAZE_SENDS_ALL_CAMPAIGNS=true and/or "
            "TAP_BRAZE_SENDS_ALL_CANVASES=true, or list them (TAP_BRAZE_SENDS_CAMPAIGN_IDS, "
            "TAP_BRAZE_SENDS_CANVAS_IDS, TAP_BRAZE_SENDS_SENDS: JSON arrays; "
            "TAP_BRAZE_SENDS_SENDS_FILE: a path)"
        )
    return True


def demo_workspace() -> Any:
    """The simulator's workspace the demo reads (today: the real UTC date). Some campaigns
    and Canvases archived, drafts or dormant, as in a real workspace: the tap's discovery
    finds them all and skips those that cannot have data in the range."""
    from braze_simulator import CATALOG_MIX, build_workspace

    return build_workspace(3, 6, seed=0, mix=CATALOG_MIX, n_canvases=5)


@contextmanager
def simulated_braze(days: int) -> Iterator[dict[str, str]]:
    """Start the simulator on a free port; yield the tap's Meltano env vars; stop it."""
    from braze_simulator import DEFAULT_KEY, BrazeSimulator, workspace_canvases
    from braze_simulator.workspace_series import apps

    workspace = demo_workspace()
    simulator = BrazeSimulator(workspace)
    url = simulator.start()
    print(
        f"Braze simulator at {url}: {len(workspace.sends)} sends, "
        f"{len(workspace.campaigns)} campaigns, {len(workspace_canvases(workspace))} Canvases, "
        f"today={workspace.today}"
    )
    try:
        # Campaigns and Canvases: discovered (the dev environment sets all_campaigns and
        # all_canvases, and lists no ids). Sends: listed, since no Braze endpoint lists them.
        yield {
            "TAP_BRAZE_SENDS_API_URL": url,
            "TAP_BRAZE_SENDS_API_KEY": DEFAULT_KEY,
            "TAP_BRAZE_SENDS_SENDS": json.dumps(
                [{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in workspace.sends]
            ),
            # No endpoint lists apps: the workspace series are broken down by the ones given.
            "TAP_BRAZE_SENDS_APP_IDS": json.dumps([a.app_id for a in apps(workspace)]),
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
        "dbt-duckdb:build",
    ]
    print(
        f"$ meltano --environment={environment} run tap-braze-sends target-duckdb "
        f"dbt-duckdb:build  (log: {_shown(log_path)})"
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


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    real = real_braze_requested()
    environment = "prod" if real else "dev"
    # Not braze.duckdb for real Braze: a file named like its schema makes braze.<table>
    # ambiguous to DuckDB (the README's queries included).
    default = "workspace.duckdb" if real else "demo.duckdb"
    path = (args.duckdb or ROOT / "output" / default).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    full_refresh = args.full_refresh or not path.exists()
    meltano_env.ensure_plugins(["tap-braze-sends", "target-duckdb", "dbt-duckdb"])
    loader_env = {
        "TARGET_DUCKDB_FILEPATH": str(path),
        "TARGET_DUCKDB_DEFAULT_TARGET_SCHEMA": SCHEMA,
        # dbt-duckdb:build reads the tap's tables there and writes the marts beside them;
        # its compiled files and log go beside the file too (not into transform/, which
        # another build may be using).
        # (the dbt-duckdb utility's settings path, source_schema and schema: meltano.yml)
        "DBT_DUCKDB_PATH": str(path),
        "DBT_DUCKDB_SOURCE_SCHEMA": SCHEMA,
        "DBT_DUCKDB_SCHEMA": MARTS,
        "DBT_TARGET_PATH": str(path.with_suffix(".dbt")),
        "DBT_LOG_PATH": str(path.with_suffix(".dbt")),
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
    print(summarize(path, _shown(path)))
    page = write_page(path, path.with_suffix(".html"))
    print(
        f"\nCharts from the marts (campaigns' daily sends, opens and conversions; Canvas step "
        f"funnels in flow order; apps' daily users): "
        f"{_shown(page)} (one self-contained file: open it in a browser)"
    )
    print(
        f"\nExplore: .venv/bin/python -c \"import duckdb; duckdb.connect('{_shown(path)}')"
        ".sql('SHOW ALL TABLES').show()\""
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
