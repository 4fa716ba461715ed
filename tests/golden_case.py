"""Golden cases: Braze bodies in, Singer records out, both checked in under tests/golden/<case>/.

A case directory holds
  case.json                                   range and partitions the run asks for
  braze/campaigns/<campaign_id>.json          every day object Braze holds for a campaign
  braze/sends/<campaign_id>/<send_id>.json    every day object Braze holds for a send
  expected/<stream>.jsonl                     the records a correct run emits (hand-written)

Nothing here imports the tap: the expected records are data, not computed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
STREAMS = (
    "send_analytics",
    "send_message_analytics",
    "campaign_analytics",
    "campaign_message_analytics",
)

SendKey = tuple[str, str]


def day_of(day: dict[str, Any]) -> dt.date:
    """The calendar day of a Braze day object: the date part of its ``time``."""
    return dt.date.fromisoformat(str(day["time"])[:10])


@dataclass(frozen=True)
class GoldenCase:
    name: str
    start_date: dt.date
    end_date: dt.date
    campaign_days: dict[str, list[dict[str, Any]]]
    send_days: dict[SendKey, list[dict[str, Any]]]
    expected: dict[str, list[dict[str, Any]]]

    @property
    def campaign_ids(self) -> list[str]:
        return list(self.campaign_days)

    @property
    def sends(self) -> list[dict[str, str]]:
        return [{"campaign_id": c, "send_id": s} for c, s in self.send_days]

    def config(self, api_url: str, api_key: str, **overrides: Any) -> dict[str, Any]:
        """The config of a user who reads every partition of the case over its range."""
        config: dict[str, Any] = {
            "api_key": api_key,
            "api_url": api_url,
            "sends": self.sends,
            "campaign_ids": self.campaign_ids,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "retry_initial_wait": 0.05,
            "request_timeout": 5,
        }
        config.update(overrides)
        return config

    def expected_between(self, first: dt.date, last: dt.date) -> dict[str, list[dict[str, Any]]]:
        """The golden records of the days in ``[first, last]`` (a sub-range of the case's)."""
        return {
            stream: [r for r in records if first <= dt.date.fromisoformat(r["time"]) <= last]
            for stream, records in self.expected.items()
        }

    def repeated_days(self) -> list[tuple[dict[str, str], dt.date]]:
        """(partition, day) of every day Braze holds more than once for one partition."""
        held: list[tuple[dict[str, str], list[dict[str, Any]]]] = [
            ({"campaign_id": c}, days) for c, days in self.campaign_days.items()
        ]
        held += [
            ({"campaign_id": c, "send_id": s}, days) for (c, s), days in self.send_days.items()
        ]
        repeated = []
        for partition, days in held:
            counts = Counter(day_of(d) for d in days)
            repeated += [(partition, day) for day, n in sorted(counts.items()) if n > 1]
        return repeated


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text())


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def load_case(name: str) -> GoldenCase:
    root = GOLDEN_DIR / name
    spec = _read_json(root / "case.json")
    campaign_days = {
        cid: _read_json(root / "braze" / "campaigns" / f"{cid}.json")
        for cid in spec["campaign_ids"]
    }
    send_days = {
        (s["campaign_id"], s["send_id"]): _read_json(
            root / "braze" / "sends" / s["campaign_id"] / f"{s['send_id']}.json"
        )
        for s in spec["sends"]
    }
    expected = {stream: _read_jsonl(root / "expected" / f"{stream}.jsonl") for stream in STREAMS}
    return GoldenCase(
        name=name,
        start_date=dt.date.fromisoformat(spec["start_date"]),
        end_date=dt.date.fromisoformat(spec["end_date"]),
        campaign_days=campaign_days,
        send_days=send_days,
        expected=expected,
    )


def case_names() -> list[str]:
    return sorted(p.parent.name for p in GOLDEN_DIR.glob("*/case.json"))
