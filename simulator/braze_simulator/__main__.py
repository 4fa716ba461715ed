"""`python -m braze_simulator` / `braze-simulator`: serve a simulated Braze workspace.

Prints exactly one line, `BRAZE_SIMULATOR_URL=...`, to stdout so scripts can read the URL.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from braze_simulator.build import build_workspace
from braze_simulator.canvas_data import workspace_canvases
from braze_simulator.data import Workspace
from braze_simulator.faults import FAULT_KINDS, FaultPlan
from braze_simulator.keys import DEFAULT_KEY
from braze_simulator.lifecycles import CATALOG_MIX
from braze_simulator.query import DAY_SEMANTICS
from braze_simulator.server import BrazeSimulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="braze-simulator", description=__doc__)
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--sends", type=int, default=3, help="number of API-campaign sends")
    p.add_argument("--campaigns", type=int, default=2, help="number of campaigns")
    p.add_argument("--canvases", type=int, default=5, help="number of Canvases")
    p.add_argument("--apps", type=int, default=3, help="number of apps")
    p.add_argument("--segments", type=int, default=4, help="number of segments")
    p.add_argument("--events", type=int, default=7, help="number of custom events")
    p.add_argument("--products", type=int, default=5, help="number of products")
    p.add_argument(
        "--catalog-mix",
        action="store_true",
        help="make campaigns beyond the first two archived, drafts or dormant now and then "
        "(as a real workspace of several hundred campaigns is)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--day-semantics", choices=DAY_SEMANTICS, default="inclusive")
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        help="comma-separated subset of: " + ",".join(FAULT_KINDS),
    )
    p.add_argument("--write-config", type=Path, default=None, help="write a tap config here")
    p.add_argument(
        "--restate-every",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="restate the most recent days every SECONDS (0: never), as Braze does between runs",
    )
    return p.parse_args(argv)


def tap_config(workspace: Workspace, url: str) -> dict[str, Any]:
    return {
        "api_key": DEFAULT_KEY,
        "api_url": url,
        "sends": [{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in workspace.sends],
        "campaign_ids": [c.campaign_id for c in workspace.campaigns if not c.draft],
        "canvas_ids": [c.canvas_id for c in workspace_canvases(workspace) if not c.draft],
        "start_date": (workspace.today - timedelta(days=20)).isoformat(),
        "end_date": workspace.today.isoformat(),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workspace = build_workspace(
        args.sends,
        args.campaigns,
        today=args.today,
        seed=args.seed,
        mix=CATALOG_MIX if args.catalog_mix else None,
        n_canvases=args.canvases,
        n_apps=args.apps,
        n_segments=args.segments,
        n_events=args.events,
        n_products=args.products,
    )
    kinds = tuple(k for k in args.fault_kinds.split(",") if k)
    simulator = BrazeSimulator(
        workspace,
        day_semantics=args.day_semantics,
        latency_ms=args.latency_ms,
        faults=FaultPlan(rate=args.fault_rate, kinds=kinds, seed=args.seed),
        port=args.port,
    )
    stop = threading.Event()
    # Handlers only set a flag: shutting the server down from inside a signal is unsafe.
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    url = simulator.start()
    if args.write_config:
        args.write_config.write_text(json.dumps(tap_config(workspace, url), indent=2) + "\n")
    print(f"BRAZE_SIMULATOR_URL={url}", flush=True)
    print(
        f"braze-simulator: {len(workspace.sends)} sends, {len(workspace.campaigns)} campaigns, "
        f"{workspace.n_canvases} Canvases, {workspace.n_apps} apps, "
        f"{workspace.n_segments} segments, {workspace.n_events} custom events, "
        f"{workspace.n_products} products, "
        f"today={workspace.today}, seed={workspace.seed}, key={DEFAULT_KEY}; Ctrl-C to stop",
        file=sys.stderr,
        flush=True,
    )
    last_restate = time.monotonic()
    try:
        while not stop.wait(0.2):
            if args.restate_every > 0 and time.monotonic() - last_restate >= args.restate_every:
                last_restate = time.monotonic()
                workspace.restate()
                print(
                    f"braze-simulator: restated the last {workspace.restate_days} days "
                    f"(revision {workspace.revision})",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
