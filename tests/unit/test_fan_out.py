"""The fan-out counted before any request (runtime/fan_out.py) is what planning gives: equal
for the config's ids, never more (so a run that fits is never refused)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.runtime.fan_out import count_partitions
from tap_braze_sends.runtime.partitions import series_partitions
from tap_braze_sends.settings import parse_settings

TODAY = dt.date(2026, 3, 31)
CONFIG = {
    "api_key": "k" * 32,
    "api_url": "https://rest.iad-01.braze.com",
    "start_date": "2026-03-01",
    "sends": [{"campaign_id": f"c{i}", "send_id": f"s{i}"} for i in range(3)],
    "campaign_ids": ["c1", "c2"],
    "canvas_ids": ["v1"],
    "app_ids": ["a1", "a2"],
    "segment_ids": ["g1", "g2", "g3", "g4"],
    "breakdown_segment_ids": ["b1"],
    "event_names": ["e1", "e2", "e3"],
    "products": ["p1", "p2"],
}


@pytest.mark.parametrize("series", BRAZE.series, ids=lambda s: s.name)
def test_the_count_is_the_number_planned_or_fewer(series: object) -> None:
    settings = parse_settings(CONFIG, TODAY)
    planned = series_partitions(
        series,  # type: ignore[arg-type]
        settings,
        found={},
        first_day=lambda _p: TODAY,
        first_data_day=lambda _p: None,  # never read: no send counts as expired
        today=TODAY,
    )
    count = count_partitions(series.partitions, settings)  # type: ignore[attr-defined]
    if series.name.startswith("/sends/"):  # type: ignore[attr-defined]
        assert count.partitions == 0  # expiry may drop any send: no lower bound but 0
    else:
        assert count.partitions == len(planned) > 0
        assert count.partitions == math.prod(n for _, n in count.factors)
