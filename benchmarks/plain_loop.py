"""The CPU baseline of bench.py: a plain ``requests`` + ``json`` loop doing the tap's job.

It reads the same config as the tap, requests the windows the tap plans before it knows how
Braze reads the ``ending_at`` day (at the benchmark's 180 days, as many as the tap makes once
it knows; fresh run, no state), keeps the same days, flattens each day with the tap's own pure
``flatten_day`` (so both print the same records), and prints one Singer RECORD line per
record to stdout. Nothing else: no framework, no schema, no state, one thread, stdlib
``json``. It is what a hand-written script would cost, which is the yardstick for the tap's
per-record overhead.

Usage: ``python benchmarks/plain_loop.py CONFIG.json > /dev/null``; the record count goes to
stderr as ``records=N requests=M``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import requests

from tap_braze_sends.braze.flatten.campaign_series import flatten_day
from tap_braze_sends.braze.timestamps import parse_day
from tap_braze_sends.runtime.windows import plan_windows

SENDS_PATH = "/sends/data_series"
CAMPAIGNS_PATH = "/campaigns/data_series"


def partitions(config: dict) -> list[tuple[str, str, str, dict[str, str]]]:
    """(day stream, message stream, path, partition) in the tap's order: sends, campaigns."""
    out = [
        ("send_analytics", "send_message_analytics", SENDS_PATH, dict(send))
        for send in config.get("sends", [])
    ]
    out += [
        ("campaign_analytics", "campaign_message_analytics", CAMPAIGNS_PATH, {"campaign_id": c})
        for c in config.get("campaign_ids", [])
    ]
    return out


def main(config_path: str) -> int:
    with open(config_path) as handle:
        config = json.load(handle)
    first = dt.date.fromisoformat(config["start_date"])
    last = dt.date.fromisoformat(config["end_date"])
    windows = plan_windows(first, last, int(config.get("window_days", 100)))
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {config['api_key']}"
    write = sys.stdout.write
    records = requests_made = 0
    for day_stream, message_stream, path, partition in partitions(config):
        seen: set[dt.date] = set()
        for window in windows:
            params = {**partition, "length": window.length, "ending_at": window.ending_at()}
            response = session.get(config["api_url"] + path, params=params, timeout=60)
            response.raise_for_status()
            requests_made += 1
            extracted = dt.datetime.now(dt.timezone.utc).isoformat()
            for day in response.json()["data"]:
                date = parse_day(day.get("time"))
                if not first <= date <= last or date in seen:
                    continue
                seen.add(date)
                day_row, message_rows = flatten_day(day, partition)
                rows = [(day_stream, day_row)] + [(message_stream, r) for r in message_rows]
                for stream, row in rows:
                    message = {
                        "type": "RECORD",
                        "stream": stream,
                        "record": row,
                        "time_extracted": extracted,
                    }
                    write(json.dumps(message) + "\n")
                    records += 1
    sys.stdout.flush()
    print(f"records={records} requests={requests_made}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
