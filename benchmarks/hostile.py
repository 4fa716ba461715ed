"""State size and validation cost under hostile sizes.

- state: a rolling ``sends_file`` (every day new sends, the old ones gone): the final STATE's
  bytes per configured partition, after a run with yesterday's sends in the state. Expired
  sends no longer configured are dropped, so the state stays the size of what is configured.
- ids: 50,000 ``campaign_ids`` through the config validation, and 100,000 against them (a
  ratio near 2 is linear; the quadratic check it replaced gave 4, and 12.5 s for 50,000).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
from pathlib import Path
from typing import Any

from harness import TAP, Row, Sizes, served, verdict


def _final_state(workdir: Path, config: dict[str, Any], state: dict, name: str) -> dict:
    config_path = workdir / f"{name}-config.json"
    state_path = workdir / f"{name}-state.json"
    config_path.write_text(json.dumps(config))
    state_path.write_text(json.dumps(state))
    proc = subprocess.run(
        [TAP, "--config", str(config_path), "--state", str(state_path)],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    states = [json.loads(line) for line in proc.stdout.splitlines() if '"type":"STATE"' in line]
    return states[-1]["value"]


def _partitions(state: dict) -> int:
    return sum(
        len(entry.get("partitions", []))
        for entry in state.get("bookmarks", {}).values()
        if isinstance(entry, dict)
    )


def bench_state(workdir: Path, sizes: Sizes) -> list[Row]:
    sends = max(20, sizes.request_campaigns // 2)
    with served(sends=2 * sends) as (_sim, config):
        everything = config["sends"]
        base = {k: v for k, v in config.items() if k not in ("sends", "campaign_ids")}
        yesterday = _final_state(workdir, {**base, "sends": everything[:sends]}, {}, "day1")
        # As if that run was 40 days ago: those sends left the file, and their analytics
        # expired (the simulator's own days end today, so the state's days are moved back).
        for entry in yesterday.get("bookmarks", {}).values():
            for partition in entry.get("partitions", []):
                for field in ("first_data_day", "replication_key_value"):
                    if partition.get(field):
                        day = dt.date.fromisoformat(partition[field][:10])
                        partition[field] = (day - dt.timedelta(days=40)).isoformat()
        today = _final_state(workdir, {**base, "sends": everything[sends:]}, yesterday, "day2")
    size = len(json.dumps(today))
    configured = sends * 2  # send_analytics and send_message_analytics, one entry each
    per = size / configured
    before = len(json.dumps(yesterday)) / configured
    holds = _partitions(today) <= configured and per <= 1.2 * before
    print(
        f"state: {_partitions(yesterday)} entries after day 1, {_partitions(today)} after "
        f"day 2 with new sends; {per:.0f} bytes per configured partition (day 1: "
        f"{before:.0f}): {verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            f"State size, rolling sends_file of {sends} sends a day",
            f"{size:,} bytes for {configured} configured partitions after day 2",
            f"{per:.0f} bytes per configured partition (day 1: {before:.0f})",
            "bounded by what is configured: expired, unconfigured sends are dropped",
            holds,
        )
    ]


def _validate_seconds(count: int) -> float:
    from tap_braze_sends.settings import parse_settings

    config = {
        "api_key": "bench-key-0000",
        "api_url": "https://rest.iad-01.braze.com",
        "campaign_ids": [f"campaign-{n:06d}" for n in range(count)],
    }
    started = time.perf_counter()
    parse_settings(config, dt.date(2026, 3, 31))
    return time.perf_counter() - started


def bench_ids(workdir: Path, sizes: Sizes) -> list[Row]:
    _validate_seconds(1_000)  # imports and warm-up
    large, double = _validate_seconds(50_000), _validate_seconds(100_000)
    ratio = double / max(large, 1e-9)
    holds = ratio < 3 and large < 1.0
    print(
        f"ids: 50,000 campaign_ids validated in {large:.3f} s, 100,000 in {double:.3f} s "
        f"(x{ratio:.1f}): {verdict(holds)}",
        flush=True,
    )
    return [
        Row(
            "Validation of 50,000 campaign_ids",
            f"{large:.3f} s (100,000: {double:.3f} s)",
            f"{ratio:.1f}x for twice as many (linear: 2x, quadratic: 4x)",
            "linear, 50,000 under a second",
            holds,
        )
    ]
