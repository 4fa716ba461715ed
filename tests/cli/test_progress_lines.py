"""The progress a person reads on stderr: per endpoint its own counts, rates and time left,
then the run's totals; nothing about work that does not apply. Counts are checked against the
simulator's own request log, and logging works as JSON through singer-sdk's logging config
(README, "Progress and logs")."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from braze_simulator import BrazeSimulator, build_workspace, workspace_canvases
from braze_simulator.workspace_series import apps
from catalogs import catalog_selecting
from conftest import SIM_TODAY, run_tap, tap_config, tap_log_lines, workspace_config

ROOT = Path(__file__).resolve().parents[2]

ENDPOINT_LINE = re.compile(
    r"^(?P<path>/\S+): (?P<done>\d+)/(?P<total>\d+) partitions done; (?P<days>\d+) days, "
    r"(?P<records>\d+) records; (?P<requests>\d+) requests, (?P<retries>\d+) retries, "
    r"(?P<limited>\d+) rate-limited; [\d.]+ requests/s, \d+ records/s; \d+ s elapsed"
)
# A series' name may hold braces and its unit: "/kpi/{dau,mau}/data_series", "... (hour)".
SERIES_LINE = re.compile(
    r"^(?P<name>/.+?): \d+/\d+ partitions done; (?P<units>\d+) (?P<unit>days?|hours?), "
    r"\d+ records; (?P<requests>\d+) requests"
)
TOTAL_LINE = re.compile(
    r"^Run total: (?P<days>\d+) days, (?:(?P<hours>\d+) hours, )?(?P<records>\d+) records; "
    r"(?P<requests>\d+) requests"
)


def test_each_endpoint_line_counts_its_own_requests_and_records(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    canvas_ids = [c.canvas_id for c in workspace_canvases(simulator.workspace)][:2]
    config = tap_config(simulator, canvas_ids=canvas_ids, max_parallel_requests=2)
    run = run_tap(config, tmp_path)
    messages = [line.message for line in tap_log_lines(run.stderr, "INFO")]
    last_per_path = {m["path"]: m for m in (ENDPOINT_LINE.match(text) for text in messages) if m}
    served = Counter(request["path"] for request in simulator.requests_log)
    assert set(last_per_path) == {
        "/sends/data_series",
        "/campaigns/data_series",
        "/canvas/data_series",
    }
    records = Counter(m["stream"] for m in run.messages if m["type"] == "RECORD")
    for path, match in last_per_path.items():
        # The endpoint's own requests, not the run's running total.
        assert int(match["requests"]) == served[path], path
        assert match["done"] == match["total"], path
        assert text_ends_done(messages, path)
    assert sum(int(m["records"]) for m in last_per_path.values()) == sum(records.values())
    (total,) = [m for m in (TOTAL_LINE.match(text) for text in messages) if m]
    assert int(total["requests"]) == sum(served.values())
    assert int(total["records"]) == sum(records.values())
    assert not [text for text in messages if " 0/0 partitions" in text or "for 0 " in text]


def test_a_series_of_several_paths_or_read_hourly_too_counts_its_own_requests(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    """The KPIs line counts the requests to its four paths; a path read daily and hourly has a
    line (and a discovery line) per unit, each with that unit's requests."""
    ws = build_workspace(3, 2, today=SIM_TODAY, seed=7)
    sim = make_simulator(ws)
    start = SIM_TODAY - dt.timedelta(days=9)
    config = workspace_config(
        sim, start_date=start.isoformat(), app_ids=[apps(ws)[0].app_id], all_events=True
    )
    streams = {
        "app_kpis",
        "session_analytics",
        "session_hourly_analytics",
        "custom_event_analytics",
        "custom_event_hourly_analytics",
    }
    run = run_tap(config, tmp_path, catalog=catalog_selecting(config, streams))
    messages = [line.message for line in tap_log_lines(run.stderr, "INFO")]
    lines = {m["name"]: m for m in map(SERIES_LINE.match, messages) if m}
    counted = {name: int(m["requests"]) for name, m in lines.items()}
    # Units named as they are: an hourly series counts hours (one record each), a daily one days.
    for name, stream in (
        ("/sessions/data_series (hour)", "session_hourly_analytics"),
        ("/events/data_series (hour)", "custom_event_hourly_analytics"),
        ("/sessions/data_series", "session_analytics"),
    ):
        unit = "hours" if "(hour)" in name else "days"
        assert (lines[name]["unit"], int(lines[name]["units"])) == (
            unit,
            len(run.records[stream]),
        ), name
    (total,) = [m for m in map(TOTAL_LINE.match, messages) if m]
    hourly = ("session_hourly_analytics", "custom_event_hourly_analytics")
    assert int(total["hours"]) == sum(len(run.records[s]) for s in hourly)
    served = Counter(
        (r["path"], r["params"].get("unit", "day"))
        for r in sim.requests_log
        if r["path"].endswith(("data_series", "_series"))
    )
    kpis = sum(
        served[f"/kpi/{k}/data_series", "day"] for k in ("dau", "mau", "new_users", "uninstalls")
    )
    assert counted == {
        "/kpi/{dau,mau,new_users,uninstalls}/data_series": kpis,
        "/sessions/data_series": served["/sessions/data_series", "day"],
        "/sessions/data_series (hour)": served["/sessions/data_series", "hour"],
        "/events/data_series": served["/events/data_series", "day"],
        "/events/data_series (hour)": served["/events/data_series", "hour"],
    }
    # Four paths for each of two partitions (all apps, and the one app).
    assert kpis >= 4 * 2
    assert served["/sessions/data_series", "hour"] > 0
    discovery = [text for text in messages if text.startswith("Discovery")]
    assert [text.split(": found ")[0] for text in discovery] == [
        "Discovery for /events/data_series",
        "Discovery for /events/data_series (hour)",
    ]


STAMPED = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \| \w+ +\| \S+ +\| (?P<text>.*)$"
)


def test_a_series_rate_is_timed_over_its_own_phase(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    """Campaigns (their own pool) first, then Canvases (the default pool): the Canvas series'
    first window starts with the run, to probe its pool early. Its line's elapsed time is its
    own phase (the log's time from its "to sync" line to its last line), not the campaigns'
    phase too (it counted from that early window: 5 s for a phase of 1 s)."""
    ws = build_workspace(0, 150, today=SIM_TODAY, seed=7, n_canvases=10)
    sim = make_simulator(ws, latency_ms=40)
    canvas_ids = [c.canvas_id for c in workspace_canvases(ws)]
    config = tap_config(sim, sends=[], canvas_ids=canvas_ids, max_parallel_requests=2)
    run = run_tap(config, tmp_path)
    stamped = [m for m in map(STAMPED.match, run.stderr.splitlines()) if m]

    def at(match: re.Match[str]) -> dt.datetime:
        return dt.datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")

    def phase(path: str) -> tuple[float, float]:
        """(seconds between its first and last line, the elapsed seconds its last line says)"""
        own = [m for m in stamped if m["text"].startswith(f"{path}: ")]
        elapsed = re.search(r"; (\d+) s elapsed, done$", own[-1]["text"])
        assert elapsed, own[-1]["text"]
        return (at(own[-1]) - at(own[0])).total_seconds(), float(elapsed[1])

    campaigns, _ = phase("/campaigns/data_series")
    canvas_phase, canvas_elapsed = phase("/canvas/data_series")
    assert campaigns > canvas_phase + 2  # the premise: a long phase before the Canvases'
    # The printed figure is rounded to seconds; the workers may start a little ahead.
    assert canvas_elapsed <= canvas_phase + 1.5, (canvas_elapsed, canvas_phase)


def text_ends_done(messages: list[str], path: str) -> bool:
    return [t for t in messages if t.startswith(f"{path}: ")][-1].endswith("done")


def test_no_line_about_work_that_does_not_apply(simulator: BrazeSimulator, tmp_path: Path) -> None:
    """Sends only: nothing about Canvases or campaigns, no "0/0", no "details read for 0"."""
    config = tap_config(simulator, campaign_ids=[])
    run = run_tap(config, tmp_path)
    messages = [line.message for line in tap_log_lines(run.stderr)]
    assert any(text.startswith("/sends/data_series: ") for text in messages)
    unwanted = [
        text
        for text in messages
        if text.startswith(("/campaigns/", "/canvas/")) or "0/0" in text or "for 0" in text
    ]
    assert not unwanted


def test_catalogue_line_says_only_what_was_done(simulator: BrazeSimulator, tmp_path: Path) -> None:
    """all_campaigns in a bare run lists campaigns (the campaigns stream) but reads no
    details: the line says how many were listed and nothing about details."""
    config = tap_config(simulator, campaign_ids=[], all_campaigns=True)
    run = run_tap(config, tmp_path)
    listed = [t.message for t in tap_log_lines(run.stderr) if " listed" in t.message]
    assert listed == [f"campaigns: {len(simulator.workspace.campaigns)} listed"]


def test_catalogue_line_counts_every_item_listed(simulator: BrazeSimulator, tmp_path: Path) -> None:
    """A list whose items are not all series partitions (/segments/list holds segments
    without analytics tracking): the line counts what was listed, as the stream's rows do,
    and the discovery line how many of them are read."""
    config = workspace_config(simulator, all_segments=True)
    run = run_tap(
        config, tmp_path, catalog=catalog_selecting(config, {"segments", "segment_analytics"})
    )
    rows = len(run.records["segments"])
    tracked = sum(1 for r in run.records["segments"] if r["analytics_tracking_enabled"])
    assert 0 < tracked < rows  # the workspace has both kinds
    messages = [t.message for t in tap_log_lines(run.stderr)]
    assert f"segments: {rows} listed" in messages, messages
    assert any(
        m.startswith(f"Discovery for /segments/data_series: found {tracked} ") for m in messages
    )


LOGGING_YAML = """\
version: 1
disable_existing_loggers: false
formatters:
  json:
    (): singer_sdk.logging.StructuredFormatter
handlers:
  stderr:
    class: logging.StreamHandler
    formatter: json
    stream: ext://sys.stderr
root:
  level: INFO
  handlers: [stderr]
"""


def test_structured_json_logging_through_singer_sdk_config(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    readme = (ROOT / "README.md").read_text()
    assert LOGGING_YAML in readme, "the README shows this logging config"
    assert "SINGER_SDK_LOG_CONFIG=logging.yaml" in readme
    config_path = tmp_path / "logging.yaml"
    config_path.write_text(LOGGING_YAML)
    run = run_tap(tap_config(simulator), tmp_path, env={"SINGER_SDK_LOG_CONFIG": str(config_path)})
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines if line.startswith("{")]
    assert parsed, run.stderr[-2000:]
    progress = [p for p in parsed if "partitions done" in str(p.get("message", ""))]
    assert progress, "no progress line in the JSON log"
    assert all("level" in p or "levelname" in p for p in progress), progress[0]
