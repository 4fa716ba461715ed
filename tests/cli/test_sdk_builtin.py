"""singer-sdk's built-in tap tests (``get_tap_test_class``), pointed at the Braze simulator.

The SDK builds the test class at import time and instantiates the tap then, so the config
(with the simulator's URL) must exist before collection: the simulator starts at module import
on a free port and is stopped by a module-scoped fixture (and at exit, should collection run
without the tests).
"""

from __future__ import annotations

import atexit
import datetime as dt
from collections.abc import Iterator

import pytest
from braze_simulator import DEFAULT_KEY, BrazeSimulator, build_workspace
from braze_simulator.data import SEND_RETENTION_DAYS
from braze_simulator.workspace_series import listed_events, listed_products, segments
from conftest import SIM_TODAY, canonical, expected_records
from singer_sdk.testing import SuiteConfig, TapTestRunner, get_tap_test_class

from tap_braze_sends.tap import TapBrazeSends

_WORKSPACE = build_workspace(3, 2, today=SIM_TODAY, seed=7)
_SIMULATOR = BrazeSimulator(_WORKSPACE, port=0)
_SIMULATOR.start()
atexit.register(_SIMULATOR.stop)

# Only sends inside Braze's retention: every stream must return records for the built-in
# StreamReturnsRecordTest, and an expired send would add nothing but a warning.
_LIVE_SENDS = [
    {"campaign_id": s.campaign_id, "send_id": s.send_id}
    for s in _WORKSPACE.sends
    if s.send_date + dt.timedelta(days=SEND_RETENTION_DAYS) >= SIM_TODAY
]
CONFIG = {
    "api_key": DEFAULT_KEY,
    "api_url": _SIMULATOR.url,
    "sends": _LIVE_SENDS,
    "campaign_ids": [c.campaign_id for c in _WORKSPACE.campaigns],
    # The simulator's live Canvas with every step type, and a second one.
    "canvas_ids": ["canvas-0001", "canvas-0005"],
    # One of each workspace source, so that every workspace stream returns records.
    "segment_ids": [
        next(s.segment_id for s in segments(_WORKSPACE) if s.analytics_tracking_enabled)
    ],
    "event_names": [listed_events(_WORKSPACE)[0].name],
    "products": [listed_products(_WORKSPACE)[0].name],
    "start_date": (SIM_TODAY - dt.timedelta(days=14)).isoformat(),
    "end_date": SIM_TODAY.isoformat(),
    "window_days": 10,
    "request_timeout": 5,
    "retry_initial_wait": 0.05,
}
# The SDK caps each stream at max_records_limit (default 150) in its dry run; this config
# stays under it, so every partition syncs in full and the final state is complete.
_SUITE = SuiteConfig(max_records_limit=1000)


def _everything_selected() -> dict:
    """The catalog Meltano's default `select: ["*.*"]` gives: every stream, every column
    (the catalogue streams are off by default for a bare CLI run)."""
    catalog = TapBrazeSends(config=CONFIG, setup_mapper=False).catalog_dict
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            entry["metadata"]["selected"] = True
    return catalog


_BuiltinTests = get_tap_test_class(
    TapBrazeSends, config=CONFIG, suite_config=_SUITE, catalog=_everything_selected()
)


class TestTapBrazeSends(_BuiltinTests):  # type: ignore[misc, valid-type]
    """The SDK's tests, plus one that the SDK's in-process sync emits exact records."""

    def test_sdk_sync_records_are_exact(self, runner: TapTestRunner) -> None:
        expected = expected_records(_WORKSPACE, CONFIG)
        assert set(expected) <= set(runner.records)
        for stream, records in expected.items():
            assert canonical(runner.records[stream]) == canonical(records), stream
        # The SDK's per-stream sync keeps its own per-partition bookmarks (the day of the last
        # record); the tap's sync_all is what moves them to end_date (tests/cli/test_cli_runs.py).
        bookmarks = runner.state_messages[-1]["value"]["bookmarks"]
        for stream in expected:
            contexts = [p["context"] for p in bookmarks[stream]["partitions"]]
            assert len(contexts) == len(
                CONFIG["campaign_ids"] if "campaign" in stream else CONFIG["sends"]
            ), stream


@pytest.fixture(scope="module", autouse=True)
def _simulator_lifetime() -> Iterator[BrazeSimulator]:
    yield _SIMULATOR
    _SIMULATOR.stop()


def test_config_reads_two_live_sends_and_two_campaigns() -> None:
    """Guards the premise of the built-in tests: data for every stream."""
    assert len(_LIVE_SENDS) == 2
    assert len(CONFIG["campaign_ids"]) == 2


def test_sdk_dry_run_without_a_catalog_sees_every_full_schema() -> None:
    """The SDK's runner with no catalog (a bare run): every stream, the catalogue streams
    that are off by default included, comes with all of its properties."""
    runner = TapTestRunner(TapBrazeSends, config=CONFIG, suite_config=_SUITE)
    runner.sync_all()
    schemas = {m["stream"]: m["schema"]["properties"] for m in runner.schema_messages}
    full = {
        s["tap_stream_id"]: s["schema"]["properties"]
        for s in TapBrazeSends(config=CONFIG, setup_mapper=False).catalog_dict["streams"]
    }
    assert schemas == full
    assert schemas["campaign_details"], "a catalogue stream lost its properties"
