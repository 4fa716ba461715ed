"""Which ids of a partition a 400 may show deleted: only those a listing added."""

from __future__ import annotations

import datetime as dt

from tap_braze_sends.braze.description import Series
from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.braze.workspace_catalogues import CUSTOM_EVENTS, SEGMENTS
from tap_braze_sends.runtime.gone import discovered_items
from tap_braze_sends.settings import parse_settings


def series(name: str) -> Series:
    return next(s for s in BRAZE.series if s.name == name)


def test_only_listed_ids_not_the_configs_nor_star_are_asked_about() -> None:
    settings = parse_settings(
        {
            "api_key": "k",
            "api_url": "http://127.0.0.1:1",
            "start_date": "2026-03-01",
            "event_names": ["Named"],
            "all_events": True,
            "all_segments": True,
        },
        dt.date(2026, 3, 31),
    )
    events = series("/events/data_series").partitions
    # The breakdown segment comes from the config (breakdown_segment_ids), not a listing.
    found = {"event_name": "Found", "app_id": "*", "segment_id": "seg-1"}
    assert discovered_items(events, found, settings) == [(CUSTOM_EVENTS, "Found")]
    named = {"event_name": "Named", "app_id": "*", "segment_id": "*"}
    assert discovered_items(events, named, settings) == []
    segments = series("/segments/data_series").partitions
    assert discovered_items(segments, {"segment_id": "seg-1"}, settings) == [(SEGMENTS, "seg-1")]
