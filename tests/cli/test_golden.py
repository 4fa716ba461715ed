"""Golden runs: the real CLI against checked-in Braze bodies must print the checked-in records.

The expected records under tests/golden/<case>/expected/ are written by hand from the README's
mapping; nothing here computes them with the tap's code. The same files check the oracle
(tests/oracle.py) that the simulator-driven CLI tests use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import TapRun, canonical, run_tap, tap_log_lines
from golden_braze import GOLDEN_KEY, READINGS, requested_days, serve_golden
from golden_case import STREAMS, GoldenCase, case_names, day_of, load_case
from oracle import series_records

WINDOW_DAYS = (1, 7, 100)
GoldenRun = Callable[[str, str, int], TapRun]
SHAPES_CASE = "real_shapes"


def records_by_stream(run: TapRun) -> dict[str, list[str]]:
    return {stream: canonical(run.records.get(stream, [])) for stream in STREAMS}


def canonical_by_stream(expected: dict[str, list[dict]]) -> dict[str, list[str]]:
    return {stream: canonical(expected.get(stream, [])) for stream in STREAMS}


def partitions_of(stream: str, case: GoldenCase) -> set[tuple[str, ...]]:
    if stream.startswith("send"):
        return {(s["campaign_id"], s["send_id"]) for s in case.sends}
    return {(c,) for c in case.campaign_ids}


def assert_bookmarks(run: TapRun, case: GoldenCase, last_day: dt.date) -> None:
    """Every partition of every stream is bookmarked at the last day of the range."""
    for stream in STREAMS:
        assert run.bookmarks(stream) == dict.fromkeys(
            partitions_of(stream, case), last_day.isoformat()
        ), stream


_RUNS: dict[tuple[str, str, int], TapRun] = {}


@pytest.fixture
def golden_run(tmp_path_factory: pytest.TempPathFactory) -> GoldenRun:
    """One CLI run per (case, reading, window_days), shared by the tests that read it."""

    def run(case_name: str, reading: str, window_days: int) -> TapRun:
        key = (case_name, reading, window_days)
        if key not in _RUNS:
            case = load_case(case_name)
            with serve_golden(case, reading) as braze:
                config = case.config(braze.url, GOLDEN_KEY, window_days=window_days)
                _RUNS[key] = run_tap(config, tmp_path_factory.mktemp("golden"))
        return _RUNS[key]

    return run


# --- the golden files themselves ---------------------------------------------------------------


@pytest.mark.parametrize("case_name", case_names())
def test_oracle_agrees_with_the_golden_files(case_name: str) -> None:
    """The oracle of the simulator-driven tests reproduces the hand-written records."""
    case = load_case(case_name)
    out: dict[str, list[dict]] = {stream: [] for stream in STREAMS}

    def in_range(days: list[dict]) -> list[dict]:
        return [d for d in days if case.start_date <= day_of(d) <= case.end_date]

    for (campaign_id, send_id), days in case.send_days.items():
        partition = {"campaign_id": campaign_id, "send_id": send_id}
        day_rows, rows = series_records(in_range(days), partition)
        out["send_analytics"] += day_rows
        out["send_message_analytics"] += rows
    for campaign_id, days in case.campaign_days.items():
        day_rows, rows = series_records(in_range(days), {"campaign_id": campaign_id})
        out["campaign_analytics"] += day_rows
        out["campaign_message_analytics"] += rows
    assert canonical_by_stream(out) == canonical_by_stream(case.expected)


def _all_entries(case: GoldenCase) -> list[tuple[str, dict[str, Any]]]:
    days = [d for held in (*case.campaign_days.values(), *case.send_days.values()) for d in held]
    return [
        (channel, entry)
        for day in days
        for channel, entries in day.get("messages", {}).items()
        for entry in entries or []
    ]


def test_the_shapes_case_holds_every_shape_real_braze_sends() -> None:
    """Guards the premise of the golden runs: the bodies carry what real Braze bodies carry."""
    case = load_case(SHAPES_CASE)
    held = [d for days in (*case.campaign_days.values(), *case.send_days.values()) for d in days]
    channels = [m for d in held for m in d.get("messages", {}).items()]
    entries = _all_entries(case)
    assert any("variation_name" in e and "variation_api_id" in e for _, e in entries)
    assert any("enrolled" in e and e.get("sent", 0) is None for _, e in entries)  # control group
    assert ("ios_push", None) in channels
    assert ("sms", []) in channels
    assert any(c.endswith("_push") and "revenue" in e and "conversions" in e for c, e in entries)
    assert any(c == "line" for c, _ in entries)  # a channel no Braze doc names
    assert any("estimated_real_opens" in e for _, e in entries)  # a metric no doc names
    assert any(v is None for _, e in entries for v in e.values())
    assert any(len(str(d["time"])) > 10 for d in held)  # a full datetime
    assert case.repeated_days()
    outside = [d for d in held if not case.start_date <= day_of(d) <= case.end_date]
    assert outside
    # A sparse day: some partition misses a day inside the range.
    for days in (*case.campaign_days.values(), *case.send_days.values()):
        inside = {day_of(d) for d in days} & {
            case.start_date + dt.timedelta(days=i)
            for i in range((case.end_date - case.start_date).days + 1)
        }
        if len(inside) < (case.end_date - case.start_date).days + 1:
            break
    else:
        pytest.fail("no partition has a missing day")


# --- the golden Braze ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "ending_at", "reading", "days"),
    [
        (3, "2026-03-10T23:59:59+00:00", "inclusive", ("2026-03-08", "2026-03-10")),
        (3, "2026-03-10T23:59:59+00:00", "exclusive", ("2026-03-07", "2026-03-09")),
        (1, "2026-03-10T23:59:59Z", "inclusive", ("2026-03-10", "2026-03-10")),
        (1, "2026-03-10T23:59:59-05:00", "inclusive", ("2026-03-11", "2026-03-11")),
    ],
)
def test_golden_braze_day_readings(
    length: int, ending_at: str, reading: str, days: tuple[str, str]
) -> None:
    first, last = requested_days(length, ending_at, reading)
    assert (first.isoformat(), last.isoformat()) == days


def _get(url: str, key: str) -> tuple[int, Any, Any]:
    response = requests.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=5)
    return response.status_code, response.headers, response.json()


def test_golden_braze_answers_like_braze() -> None:
    case = load_case(SHAPES_CASE)
    with serve_golden(case, "inclusive") as braze:
        query = "campaign_id=camp-multichannel&length=2&ending_at=2026-03-05T23:59:59%2B00:00"
        status, headers, body = _get(f"{braze.url}/campaigns/data_series?{query}", GOLDEN_KEY)
        assert status == 200
        assert body["message"] == "success"
        # 03-04, then 03-05 twice (the repeat is served as held); 03-03 is a sparse day.
        assert [d["time"] for d in body["data"]] == ["2026-03-04", "2026-03-05", "2026-03-05"]
        assert headers["X-RateLimit-Limit"] == "50000"
        assert int(headers["X-RateLimit-Remaining"]) < 50000
        assert int(headers["X-RateLimit-Reset"]) > 0
        status, headers, _ = _get(f"{braze.url}/campaigns/data_series?{query}", "wrong-key")
        assert status == 401
        assert "X-RateLimit-Remaining" in headers
        status, _, body = _get(f"{braze.url}/sends/data_series?{query}", GOLDEN_KEY)
        assert status == 400  # no send_id
        status, _, _ = _get(f"{braze.url}/campaigns/data_series?campaign_id=x", GOLDEN_KEY)
        assert status == 400


# --- CLI runs --------------------------------------------------------------------------------


@pytest.mark.parametrize("window_days", WINDOW_DAYS)
@pytest.mark.parametrize("reading", READINGS)
@pytest.mark.parametrize("case_name", case_names())
def test_cli_run_prints_the_golden_records(
    golden_run: GoldenRun, case_name: str, reading: str, window_days: int
) -> None:
    case = load_case(case_name)
    run = golden_run(case_name, reading, window_days)
    assert records_by_stream(run) == canonical_by_stream(case.expected)
    assert_bookmarks(run, case, case.end_date)


@pytest.mark.parametrize("reading", READINGS)
def test_a_repeated_day_is_warned_about(golden_run: GoldenRun, reading: str) -> None:
    """The tap says which day of which partition Braze sent twice (the first copy counts, as
    the golden records show)."""
    case = load_case(SHAPES_CASE)
    run = golden_run(SHAPES_CASE, reading, 1)
    warnings = [line.message for line in tap_log_lines(run.stderr, "WARNING")]
    repeated = case.repeated_days()
    assert len(repeated) == 2
    for partition, day in repeated:
        naming = [
            message
            for message in warnings
            if day.isoformat() in message and all(v in message for v in partition.values())
        ]
        assert len(naming) == 1, (partition, day, warnings)


@pytest.mark.parametrize(
    ("reading", "lookback_days"), [("inclusive", 3), ("exclusive", 3), ("exclusive", 0)]
)
def test_second_run_rereads_from_bookmark_minus_lookback(
    tmp_path: Path, reading: str, lookback_days: int
) -> None:
    case = load_case(SHAPES_CASE)
    first_end = dt.date(2026, 3, 6)
    with serve_golden(case, reading) as braze:
        config = case.config(braze.url, GOLDEN_KEY, window_days=7, lookback_days=lookback_days)
        run1 = run_tap({**config, "end_date": first_end.isoformat()}, tmp_path / "run1")
        assert records_by_stream(run1) == canonical_by_stream(
            case.expected_between(case.start_date, first_end)
        )
        assert_bookmarks(run1, case, first_end)

        before_second = len(braze.requests)
        run2 = run_tap(config, tmp_path / "run2", state=run1.final_state)
        rerun_from = first_end - dt.timedelta(days=lookback_days)
        assert records_by_stream(run2) == canonical_by_stream(
            case.expected_between(rerun_from, case.end_date)
        )
        assert_bookmarks(run2, case, case.end_date)
        # No request of the second run asks only for days before the re-read starts.
        for _, params in braze.requests[before_second:]:
            _, last = requested_days(int(params["length"]), params["ending_at"], reading)
            assert last >= rerun_from, params


def test_a_wrong_key_fails_with_one_clear_error(tmp_path: Path) -> None:
    case = load_case("one_day")
    with serve_golden(case) as braze:
        run = run_tap(case.config(braze.url, "not-the-key"), tmp_path, check=False)
    assert run.returncode != 0
    assert run.records == {}
    errors = tap_log_lines(run.stderr, "ERROR")
    assert len(errors) == 1, errors
    assert "401" in errors[0].message
    assert "not-the-key" not in run.stderr
