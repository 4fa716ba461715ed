"""Whole-tap runs through the real ``tap-braze-sends`` CLI against the Braze simulator."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from braze_simulator import BrazeSimulator, Workspace, build_workspace
from conftest import (
    SIM_TODAY,
    TAP,
    TapRun,
    canonical,
    expected_records,
    parse_singer,
    run_tap,
    tap_config,
    tap_log_lines,
)
from contract import WORKSPACE_STREAMS

from tap_braze_sends.tap import TapBrazeSends

SEND_STREAMS = ("send_analytics", "send_message_analytics")
CAMPAIGN_STREAMS = ("campaign_analytics", "campaign_message_analytics")
STREAMS = (*SEND_STREAMS, *CAMPAIGN_STREAMS)
PRIMARY_KEYS = {
    "send_analytics": ("campaign_id", "send_id", "time"),
    "send_message_analytics": ("campaign_id", "send_id", "time", "channel", "variation"),
    "campaign_analytics": ("campaign_id", "time"),
    "campaign_message_analytics": ("campaign_id", "time", "channel", "variation"),
}
# Written from issues 9 and 10 (the stream contract), not from the tap's code.
CATALOGUE_KEYS = {
    "campaigns": ("campaign_id",),
    "campaign_details": ("campaign_id",),
    "campaign_variations": ("campaign_id", "variation_api_id"),
    "canvases": ("canvas_id",),
    "canvas_details": ("canvas_id",),
    "canvas_variants": ("canvas_id", "variant_id"),
    "canvas_steps": ("canvas_id", "step_id"),
}
CANVAS_SERIES_KEYS = {
    "canvas_analytics": ("canvas_id", "time"),
    "canvas_variant_analytics": ("canvas_id", "time", "variant_id"),
    "canvas_step_analytics": ("canvas_id", "time", "step_id"),
    "canvas_step_message_analytics": ("canvas_id", "time", "step_id", "channel", "message_index"),
}
SENDS_PATH = "/sends/data_series"
CAMPAIGNS_PATH = "/campaigns/data_series"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY = dt.timedelta(days=1)


def assert_exact(run: TapRun, expected: dict[str, list[dict]], streams: tuple[str, ...]) -> None:
    """Each stream's records equal the expected ones (order aside); nothing else came out."""
    assert set(run.records) == {s for s in streams if expected.get(s)}
    for stream in streams:
        got = run.records.get(stream, [])
        assert len(got) == len(expected.get(stream, [])), stream
        assert canonical(got) == canonical(expected.get(stream, [])), stream


def partitions_of(config: dict, stream: str) -> list[tuple]:
    if stream in SEND_STREAMS:
        return [(s["campaign_id"], s["send_id"]) for s in config["sends"]]
    return [(c,) for c in config["campaign_ids"]]


def windows_per_partition(first: dt.date, last: dt.date, window_days: int) -> int:
    """Requests for one partition before the ending_at reading is known: the range plus one
    day, in windows (see windows.py)."""
    return math.ceil(((last - first).days + 2) / window_days)


def exact_windows_per_partition(first: dt.date, last: dt.date, window_days: int) -> int:
    """Requests for one partition once the reading is known: the range, in windows."""
    return math.ceil(((last - first).days + 1) / window_days)


def request_ranges(sim: BrazeSimulator, path: str) -> dict[tuple, list[tuple[dt.date, dt.date]]]:
    """Per partition, the (first, last) day of each request under the inclusive reading."""
    out: dict[tuple, list[tuple[dt.date, dt.date]]] = {}
    for request in sim.requests_log:
        if request["path"] != path:
            continue
        params = request["params"]
        key = (
            (params["campaign_id"], params["send_id"])
            if path == SENDS_PATH
            else (params["campaign_id"],)
        )
        end = dt.date.fromisoformat(params["ending_at"][:10])
        length = int(params["length"])
        out.setdefault(key, []).append((end - DAY * (length - 1), end))
    return out


# --- (a) exact records, both day readings, several window sizes ----------------------------


@pytest.mark.parametrize("window_days", [1, 7, 100])
@pytest.mark.parametrize("day_semantics", ["inclusive", "exclusive"])
def test_exact_records_for_every_stream(
    make_simulator: Callable[..., BrazeSimulator],
    workspace: Workspace,
    tmp_path: Path,
    day_semantics: str,
    window_days: int,
) -> None:
    sim = make_simulator(workspace, day_semantics=day_semantics)
    config = tap_config(sim, window_days=window_days)
    run = run_tap(config, tmp_path)
    expected = expected_records(workspace, config)

    # Every stream has data in this workspace, so "exact" cannot pass vacuously.
    assert all(expected.get(s) for s in STREAMS)
    assert_exact(run, expected, STREAMS)
    for stream in STREAMS:
        records = run.records[stream]
        keys = [tuple(r[k] for k in PRIMARY_KEYS[stream]) for r in records]
        assert len(set(keys)) == len(keys), f"duplicate primary keys in {stream}"
        assert all(DATE.match(r["time"]) for r in records)
        # One bookmark per partition, at end_date.
        assert run.bookmarks(stream) == dict.fromkeys(
            partitions_of(config, stream), config["end_date"]
        )

    first = dt.date.fromisoformat(config["start_date"])
    last = dt.date.fromisoformat(config["end_date"])
    partitions = len(config["sends"]) + len(config["campaign_ids"])
    exact = exact_windows_per_partition(first, last, window_days)
    guarded = windows_per_partition(first, last, window_days)
    # The first response of each endpoint with data on a window's edge shows Braze's reading
    # of the ending_at day; from then on partitions are planned exactly. Until then (the first
    # partition of each endpoint) the plan guards against both readings.
    assert partitions * exact <= len(sim.requests_log) <= partitions * exact + 2 * guarded
    assert {r["status"] for r in sim.requests_log} == {200}
    assert all(1 <= int(r["params"]["length"]) <= window_days for r in sim.requests_log)


# --- (b) two runs with state: lookback re-reads restated days --------------------------------


@pytest.mark.parametrize("day_semantics", ["inclusive", "exclusive"])
def test_second_run_rereads_lookback_and_gets_restated_numbers(
    make_simulator: Callable[..., BrazeSimulator],
    workspace: Workspace,
    tmp_path: Path,
    day_semantics: str,
) -> None:
    lookback = 10
    sim = make_simulator(workspace, day_semantics=day_semantics)
    config = tap_config(sim, window_days=7, lookback_days=lookback)
    run1 = run_tap(config, tmp_path / "run1")
    assert_exact(run1, expected_records(workspace, config), STREAMS)

    workspace.restate()
    sim.reset_stats()
    run2 = run_tap(config, tmp_path / "run2", state=run1.final_state)

    bookmark = dt.date.fromisoformat(config["end_date"])
    rerun_from = bookmark - DAY * lookback
    # Run 2 emits exactly the lookback range, with today's (restated) numbers.
    expected2 = expected_records(workspace, {**config, "start_date": rerun_from.isoformat()})
    assert_exact(run2, expected2, STREAMS)
    for stream in STREAMS:
        assert min(r["time"] for r in run2.records[stream]) >= rerun_from.isoformat()
        assert run2.bookmarks(stream) == dict.fromkeys(
            partitions_of(config, stream), config["end_date"]
        )

    # It asked Braze only from bookmark - lookback: per partition, the days the requests
    # return (under the simulator's reading) cover [bookmark - lookback, end_date], each
    # request returns some of them, and the count is exact but for at most one partition per
    # endpoint (the one whose first request was sent before the reading was known).
    shift = DAY if day_semantics == "exclusive" else 0 * DAY
    exact = exact_windows_per_partition(rerun_from, bookmark, 7)
    for path, stream in ((SENDS_PATH, "send_analytics"), (CAMPAIGNS_PATH, "campaign_analytics")):
        ranges = request_ranges(sim, path)
        assert set(ranges) == set(partitions_of(config, stream))
        extra = 0
        for key, spans in ranges.items():
            returned = [(first - shift, last - shift) for first, last in spans]
            assert all(last >= rerun_from and first <= bookmark for first, last in returned), key
            covered = {
                first + DAY * i for first, last in returned for i in range((last - first).days + 1)
            }
            assert covered >= {rerun_from + DAY * i for i in range(lookback + 1)}, key
            assert exact <= len(spans) <= windows_per_partition(rerun_from, bookmark, 7), key
            extra += len(spans) - exact
        assert extra <= 1, path

    # The restated days came through with new numbers; older days did not change.
    restated_from = SIM_TODAY - DAY * (workspace.restate_days - 1)
    before = {(r["campaign_id"], r["time"]): r for r in run1.records["campaign_analytics"]}
    changed = unchanged = 0
    for record in run2.records["campaign_analytics"]:
        old = before[(record["campaign_id"], record["time"])]
        if record["time"] >= restated_from.isoformat():
            changed += record != old
        else:
            unchanged += 1
            assert record == old
    assert changed > 0
    assert unchanged > 0


# --- (c) catalog selection ----------------------------------------------------------------


def discover(config: dict[str, Any], tmp_path: Path) -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config_path = tmp_path / "discover-config.json"
    config_path.write_text(json.dumps(config))
    proc = subprocess.run(
        [TAP, "--config", str(config_path), "--discover"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout)


def select(catalog: dict, streams: set[str]) -> dict:
    catalog = json.loads(json.dumps(catalog))
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


@pytest.mark.parametrize(
    ("path", "day_stream", "message_stream"),
    [(SENDS_PATH, *SEND_STREAMS), (CAMPAIGNS_PATH, *CAMPAIGN_STREAMS)],
    ids=["sends", "campaigns"],
)
def test_catalog_selection(
    simulator: BrazeSimulator,
    workspace: Workspace,
    tmp_path: Path,
    path: str,
    day_stream: str,
    message_stream: str,
) -> None:
    config = tap_config(simulator, window_days=10)
    catalog = discover(config, tmp_path)
    assert set(STREAMS) <= {s["tap_stream_id"] for s in catalog["streams"]}
    expected = expected_records(workspace, config)
    first = dt.date.fromisoformat(config["start_date"])
    last = dt.date.fromisoformat(config["end_date"])
    stream_of_path = day_stream
    partitions = len(partitions_of(config, stream_of_path))
    guarded = windows_per_partition(first, last, 10)
    exact = exact_windows_per_partition(first, last, 10)

    requests_by_selection: dict[str, int] = {}
    for selection in ({message_stream}, {day_stream}, {day_stream, message_stream}):
        simulator.reset_stats()
        name = "+".join(sorted(selection))
        run = run_tap(config, tmp_path / name, catalog=select(catalog, selection))
        schemas = {m["stream"] for m in run.messages if m["type"] == "SCHEMA"}
        assert schemas == selection, name
        assert_exact(run, expected, tuple(sorted(selection)))
        for stream in selection:
            assert run.bookmarks(stream) == dict.fromkeys(
                partitions_of(config, stream), config["end_date"]
            )
        by_path = simulator.stats()["by_path"]
        assert set(by_path) == {path}, name  # the other endpoint is not called at all
        requests_by_selection[name] = by_path[path]

    # One request feeds both streams: any selection costs the same, the planned windows (exact
    # once a response shows Braze's reading of the ending_at day, guarded before).
    assert len(set(requests_by_selection.values())) == 1, requests_by_selection
    cost = next(iter(requests_by_selection.values()))
    assert partitions * exact <= cost <= (partitions - 1) * exact + guarded


# --- (d) a send past retention -----------------------------------------------------------


def test_send_past_retention_warns_once_and_succeeds(
    simulator: BrazeSimulator, workspace: Workspace, tmp_path: Path
) -> None:
    expired = next(
        s for s in workspace.sends if s.send_date + dt.timedelta(days=14) < workspace.today
    )
    live = next(s for s in workspace.sends if s is not expired)
    sends = [
        {"campaign_id": live.campaign_id, "send_id": live.send_id},
        {"campaign_id": expired.campaign_id, "send_id": expired.send_id},
    ]
    config = tap_config(simulator, sends=sends, campaign_ids=[])
    run = run_tap(config, tmp_path)
    assert run.returncode == 0
    warnings = [line.message for line in tap_log_lines(run.stderr, "WARNING")]
    assert len(warnings) == 1, warnings
    assert expired.send_id in warnings[0]
    assert expired.campaign_id in warnings[0]
    assert "14 days" in warnings[0]
    assert live.send_id not in warnings[0]
    # The live send's records are all there; the expired one has none, and is bookmarked.
    assert_exact(run, expected_records(workspace, config), SEND_STREAMS)
    assert {r["send_id"] for r in run.records["send_analytics"]} == {live.send_id}
    expired_key = (expired.campaign_id, expired.send_id)
    assert run.bookmarks("send_analytics")[expired_key] == config["end_date"]


# --- (e) --about and --discover without a valid config ------------------------------------

ISSUE_SETTINGS = {
    "api_key",
    "api_url",
    "sends",
    "campaign_ids",
    "start_date",
    "end_date",
    "lookback_days",
    "window_days",
}


def test_about_json_lists_every_setting(tmp_path: Path) -> None:
    proc = subprocess.run(
        [TAP, "--about", "--format=json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=tmp_path,
    )
    about = json.loads(proc.stdout)
    properties = about["settings"]["properties"]
    ours = set(TapBrazeSends.config_jsonschema["properties"])
    assert ours >= ISSUE_SETTINGS
    # Every setting of the tap, beside the SDK's own (stream_maps, flattening_*, ...).
    assert ours <= set(properties)
    assert set(about["settings"]["required"]) == {"api_key", "api_url"}
    assert properties["api_key"]["secret"] is True
    assert all(properties[name].get("description") for name in ours)
    assert properties["lookback_days"]["default"] == 14
    assert properties["window_days"]["default"] == 100
    assert {"catalog", "state", "discover", "about"} <= set(about["capabilities"])


@pytest.mark.parametrize(
    "config",
    [None, {}, {"api_key": "", "api_url": "not a url", "window_days": 0, "sends": "x"}],
    ids=["no-config", "empty", "invalid"],
)
def test_discover_without_a_valid_config(tmp_path: Path, config: dict | None) -> None:
    args = [TAP, "--discover"]
    if config is not None:
        (tmp_path / "config.json").write_text(json.dumps(config))
        args += ["--config", str(tmp_path / "config.json")]
    proc = subprocess.run(
        args,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("TAP_BRAZE_SENDS_")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    catalog = json.loads(proc.stdout)
    assert {s["tap_stream_id"]: tuple(s["key_properties"]) for s in catalog["streams"]} == {
        **PRIMARY_KEYS,
        **CANVAS_SERIES_KEYS,
        **CATALOGUE_KEYS,
        **{name: keys for name, (keys, _) in WORKSPACE_STREAMS.items()},
    }
    workspace_catalogues = {"segments", "segment_details", "custom_events", "products"}
    for stream in catalog["streams"]:
        # Series are incremental on the day; catalogues are read whole (full table).
        name = stream["tap_stream_id"]
        series = name not in CATALOGUE_KEYS and name not in workspace_catalogues
        assert stream.get("replication_key") == ("time" if series else None), stream
        root = next(m["metadata"] for m in stream["metadata"] if m["breadcrumb"] == [])
        # Catalogue streams cost list/details requests and permissions, hourly series 24
        # times the daily requests: opted into.
        opted_into = not series or "hourly" in name
        assert (root.get("selected-by-default") is False) is opted_into, name


# --- (f) --config ENV ----------------------------------------------------------------------


def env_for(config: dict[str, Any]) -> dict[str, str]:
    """The config as TAP_BRAZE_SENDS_* variables (arrays as JSON), as Meltano would set them."""
    return {
        f"TAP_BRAZE_SENDS_{key.upper()}": (
            json.dumps(value) if isinstance(value, list) else str(value)
        )
        for key, value in config.items()
    }


def test_config_env_gives_the_same_records(
    simulator: BrazeSimulator, workspace: Workspace, tmp_path: Path
) -> None:
    config = tap_config(simulator, window_days=9, lookback_days=3)
    from_file = run_tap(config, tmp_path / "file")

    env = {k: v for k, v in os.environ.items() if not k.startswith("TAP_BRAZE_SENDS_")}
    env.update(env_for(config))
    proc = subprocess.run(
        [TAP, "--config", "ENV"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    from_env = TapRun(proc.returncode, proc.stdout, proc.stderr, parse_singer(proc.stdout))

    expected = expected_records(workspace, config)
    assert_exact(from_env, expected, STREAMS)
    for stream in STREAMS:
        assert canonical(from_env.records[stream]) == canonical(from_file.records[stream])
    assert from_env.final_state == from_file.final_state
    # The key reached the simulator from the environment, and no log line shows it.
    assert config["api_key"] not in proc.stderr


def test_simulator_workspace_has_what_these_tests_need() -> None:
    """Guards the fixtures: an expired send, a live one, several channels and variations."""
    workspace = build_workspace(3, 2, today=SIM_TODAY, seed=7)
    expired = [s for s in workspace.sends if s.send_date + dt.timedelta(days=14) < SIM_TODAY]
    assert len(expired) == 1
    counts = Counter(len(c.channels) > 1 for c in workspace.campaigns)
    assert counts[True] == 2


def test_connection_test_mode_reads_a_record_per_stream_without_error_lines(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    """`--test` (what `meltano config tap-braze-sends test` runs) stops each stream after one
    record: that is the SDK's dry run, not a failure, so nothing is logged at ERROR."""
    run = run_tap(tap_config(simulator), tmp_path, extra_args=("--test",))
    assert run.returncode == 0
    assert {"send_analytics", "campaign_analytics"} <= set(run.records)
    assert not [line for line in run.stderr.splitlines() if "| ERROR" in line]
