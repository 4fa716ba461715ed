"""Canvas runs of the real CLI against the hand-written golden case (tests/golden/canvas/).

A user lists two Canvases, selects streams with a catalog, and runs the tap: the records of
all eight Canvas streams must be exactly the checked-in ones, whichever way Braze reads the
``ending_at`` day and whatever the window size; the breakdown flags go out only when a
selected stream needs them, and selecting more streams never costs more requests.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from catalogs import catalog_selecting
from conftest import TapRun, canonical, run_tap
from golden_braze import GOLDEN_KEY, READINGS
from golden_canvas import (
    ANALYTICS_STREAMS,
    CANVAS_STREAMS,
    CATALOG_STREAMS,
    DETAILS_PATH,
    FLAGS,
    LIST_PATH,
    SERIES_PATH,
    load_canvas_case,
    serve_golden_canvas,
)

CASE = load_canvas_case()
WINDOW_DAYS = (1, 7, 14)
DAY = dt.timedelta(days=1)
ALL_FLAGS = dict.fromkeys(FLAGS, "true")
EVERYTHING = catalog_selecting(CASE.config("http://127.0.0.1:9"))
Asked = list[tuple[str, dict[str, str]]]
"""(path, query parameters) of every request the golden Braze answered."""
GoldenRun = Callable[[str, int], tuple[TapRun, Asked]]
_RUNS: dict[tuple[str, int], tuple[TapRun, Asked]] = {}


@pytest.fixture
def golden_run(tmp_path_factory: pytest.TempPathFactory) -> GoldenRun:
    """One CLI run (everything selected) per (reading, window_days), and what it asked."""

    def run(reading: str, window_days: int) -> tuple[TapRun, Asked]:
        key = (reading, window_days)
        if key not in _RUNS:
            with serve_golden_canvas(CASE, reading) as braze:
                config = CASE.config(braze.url, window_days=window_days)
                tap_run = run_tap(config, tmp_path_factory.mktemp("canvas"), catalog=EVERYTHING)
                _RUNS[key] = (tap_run, list(braze.requests))
        return _RUNS[key]

    return run


def by_stream(records: dict[str, list[dict]], streams: tuple[str, ...]) -> dict[str, list[str]]:
    return {stream: canonical(records.get(stream, [])) for stream in streams}


def assert_analytics_bookmarks(run: TapRun, streams: tuple[str, ...], last_day: dt.date) -> None:
    for stream in streams:
        assert run.bookmarks(stream) == {(c,): last_day.isoformat() for c in CASE.canvas_ids}


# --- the case and its server -------------------------------------------------------------------


def test_the_case_holds_every_shape_braze_sends() -> None:
    """Guards the premise of the golden runs."""
    days = [d for cid in CASE.canvas_ids for d in CASE.series[cid]["stats"]]
    steps = [s for d in days for s in (d.get("step_stats") or {}).values()]
    channels = [c for s in steps for c in (s.get("messages") or {}).items()]
    entries = [e for _, es in channels for e in es or []]
    assert any("variation_api_id" in e and "variation_name" in e for e in entries)
    assert any("variation_api_id" not in e and "variation_name" in e for e in entries)
    assert any(value is None for _, value in channels)  # a null channel
    assert any(value == [] for _, value in channels)  # an empty channel
    assert len({name for name, _ in channels}) >= 5
    assert any("conversions4" in d["total_stats"] for d in days)  # an unknown metric
    assert any("estimated_real_opens" in e for e in entries)
    in_range = (CASE.start_date.isoformat(), CASE.end_date.isoformat())
    for canvas_id, deleted in CASE.deleted_steps.items():
        assert deleted
        assert not set(deleted) & CASE.live_step_ids(canvas_id)
        held_days = CASE.series[canvas_id]["stats"]
        assert any(
            set(deleted) & set(d.get("step_stats") or {})
            for d in held_days
            if in_range[0] <= d["time"][:10] <= in_range[1]
        )
    held = {d["time"][:10] for d in CASE.series[CASE.canvas_ids[0]]["stats"]}
    assert "2026-03-03" not in held  # a sparse day inside the range
    assert {"2026-02-28", "2026-03-17"} <= held  # days outside the range on both sides
    assert all(len(CASE.expected[stream]) > 0 for stream in CANVAS_STREAMS)


def _get(url: str, path: str, key: str = GOLDEN_KEY, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return requests.get(url + path, params=params, headers=headers, timeout=5)


def test_golden_server_answers_like_braze() -> None:
    end = "2026-03-04T23:59:59+00:00"
    with serve_golden_canvas(CASE, "inclusive") as braze:
        plain = _get(braze.url, SERIES_PATH, canvas_id="cv-onboarding", length=4, ending_at=end)
        assert plain.status_code == 200
        assert int(plain.headers["X-RateLimit-Remaining"]) < 250_000
        body = plain.json()
        assert body["data"]["name"] == "Onboarding journey"
        assert [d["time"] for d in body["data"]["stats"]] == [
            "2026-03-01",
            "2026-03-02",
            "2026-03-04T00:00:00+00:00",
        ]
        assert all(set(d) == {"time", "total_stats"} for d in body["data"]["stats"])

        def step_ids(**flags: str) -> list[set[str]]:
            response = _get(
                braze.url, SERIES_PATH, canvas_id="cv-onboarding", length=4, ending_at=end, **flags
            )
            return [set(d.get("step_stats", {})) for d in response.json()["data"]["stats"]]

        assert step_ids(include_variant_breakdown="true") == [set(), set(), set()]
        live = step_ids(include_step_breakdown="true")
        assert live == [
            {"step-welcome", "step-push"},
            {"step-welcome", "step-push"},
            {"step-welcome"},
        ]
        assert step_ids(include_step_breakdown="true", include_deleted_step_data="true") == [
            {"step-welcome", "step-push", "step-old-sms"},
            {"step-welcome", "step-push"},
            {"step-welcome", "step-old-sms"},
        ]
        assert step_ids(include_deleted_step_data="true") == [set(), set(), set()]

        too_long = _get(braze.url, SERIES_PATH, canvas_id="cv-onboarding", length=15, ending_at=end)
        assert too_long.status_code == 400
        assert "between 1 and 14" in too_long.json()["message"]
        span = _get(
            braze.url,
            SERIES_PATH,
            canvas_id="cv-onboarding",
            starting_at="2026-02-18T00:00:00Z",
            ending_at=end,
        )
        assert span.status_code == 400
        assert "14 days or less" in span.json()["message"]
        fits = _get(
            braze.url,
            SERIES_PATH,
            canvas_id="cv-receipts",
            starting_at="2026-02-20T00:00:00Z",
            ending_at="2026-03-05T23:59:59Z",
        )
        assert [d["time"] for d in fits.json()["data"]["stats"]] == ["2026-03-05"]
        assert _get(braze.url, SERIES_PATH, canvas_id="cv-receipts", length=3).status_code == 400
        assert (
            _get(braze.url, SERIES_PATH, canvas_id="nope", length=3, ending_at=end).status_code
            == 400
        )
        assert (
            _get(braze.url, DETAILS_PATH, key="wrong", canvas_id="cv-receipts").status_code == 401
        )
        assert _get(braze.url, LIST_PATH, page=1).json()["canvases"] == []
        assert _get(braze.url, "/sends/data_series").status_code == 404
    with serve_golden_canvas(CASE, "exclusive") as braze:
        days = _get(braze.url, SERIES_PATH, canvas_id="cv-onboarding", length=4, ending_at=end)
        assert [d["time"] for d in days.json()["data"]["stats"]] == [
            "2026-02-28",
            "2026-03-01",
            "2026-03-02",
        ]


# --- exact records -----------------------------------------------------------------------------


@pytest.mark.parametrize("window_days", WINDOW_DAYS)
@pytest.mark.parametrize("reading", READINGS)
def test_every_canvas_stream_prints_the_golden_records(
    golden_run: GoldenRun, reading: str, window_days: int
) -> None:
    run, asked = golden_run(reading, window_days)
    assert by_stream(run.records, CANVAS_STREAMS) == by_stream(CASE.expected, CANVAS_STREAMS)
    assert set(run.records) == set(CANVAS_STREAMS)
    assert_analytics_bookmarks(run, ANALYTICS_STREAMS, CASE.end_date)
    series = [params for path, params in asked if path == SERIES_PATH]
    assert all(1 <= int(p["length"]) <= window_days for p in series)
    assert all({k: p.get(k) for k in FLAGS} == ALL_FLAGS for p in series)
    # Range plus the guard day, in windows, at most; the range in windows, at least.
    days = (CASE.end_date - CASE.start_date).days + 1
    for canvas_id in CASE.canvas_ids:
        n = sum(p["canvas_id"] == canvas_id for p in series)
        assert math.ceil(days / window_days) <= n <= math.ceil((days + 1) / window_days)
    # The one page, shorter than 100: the listing ends on the empty page after it (a page of
    # Braze's size is what page 0 shows, not the 100 its documentation gives).
    assert [path for path, _ in asked].count(LIST_PATH) == 2
    assert sorted(p["canvas_id"] for path, p in asked if path == DETAILS_PATH) == sorted(
        CASE.canvas_ids
    )


def test_analytics_ids_join_the_variants_and_steps_except_deleted_steps(
    golden_run: GoldenRun,
) -> None:
    run, _ = golden_run("inclusive", 7)
    variants = {(r["canvas_id"], r["variant_id"]) for r in run.records["canvas_variants"]}
    steps = {(r["canvas_id"], r["step_id"]) for r in run.records["canvas_steps"]}
    deleted = {(c, s) for c, ids in CASE.deleted_steps.items() for s in ids}
    assert {
        (r["canvas_id"], r["variant_id"]) for r in run.records["canvas_variant_analytics"]
    } <= variants
    for stream in ("canvas_step_analytics", "canvas_step_message_analytics"):
        used = {(r["canvas_id"], r["step_id"]) for r in run.records[stream]}
        assert used - steps == deleted, stream  # the deleted step is there, and only it misses


# --- selection: flags and cost -----------------------------------------------------------------


def _selected_run(
    tmp_path: Path, streams: set[str], **overrides: Any
) -> tuple[TapRun, list[dict[str, str]], list[str]]:
    with serve_golden_canvas(CASE, "inclusive") as braze:
        config = CASE.config(braze.url, window_days=7, max_parallel_requests=1, **overrides)
        run = run_tap(
            config, tmp_path / "+".join(sorted(streams)), catalog=catalog_selecting(config, streams)
        )
        return run, braze.series_requests(), [path for path, _ in braze.requests]


SELECTIONS: list[tuple[set[str], dict[str, str]]] = [
    ({"canvas_analytics"}, {}),
    ({"canvas_variant_analytics"}, {"include_variant_breakdown": "true"}),
    (
        {"canvas_step_analytics"},
        {"include_step_breakdown": "true", "include_deleted_step_data": "true"},
    ),
    (
        {"canvas_step_message_analytics"},
        {"include_step_breakdown": "true", "include_deleted_step_data": "true"},
    ),
    (set(ANALYTICS_STREAMS), ALL_FLAGS),
]


@pytest.mark.parametrize(
    ("streams", "flags"), SELECTIONS, ids=["+".join(sorted(streams)) for streams, _ in SELECTIONS]
)
def test_breakdown_flags_only_for_selected_streams_and_no_extra_requests(
    tmp_path: Path, streams: set[str], flags: dict[str, str]
) -> None:
    run, series, paths = _selected_run(tmp_path, streams)
    assert set(paths) == {SERIES_PATH}  # catalogue streams unselected: no list, no details
    assert all({k: v for k, v in p.items() if k in FLAGS} == flags for p in series)
    selected = tuple(sorted(streams))
    assert by_stream(run.records, selected) == by_stream(CASE.expected, selected)
    assert set(run.records) == streams
    # Whatever is selected, the same windows: 16 days at window_days 7 cost ceil(16 / 7) = 3
    # requests per Canvas, and ceil(17 / 7) = 3 too while guarding against both readings.
    assert len(series) == 3 * len(CASE.canvas_ids)
    assert sorted(p["canvas_id"] for p in series) == sorted(CASE.canvas_ids * 3)


def test_without_deleted_steps_the_flag_stays_off_and_deleted_rows_are_absent(
    tmp_path: Path,
) -> None:
    streams = {"canvas_step_analytics", "canvas_step_message_analytics"}
    run, series, _ = _selected_run(tmp_path, streams, include_deleted_steps=False)
    assert series
    assert all(
        {k: v for k, v in p.items() if k in FLAGS} == {"include_step_breakdown": "true"}
        for p in series
    )
    deleted = {s for ids in CASE.deleted_steps.values() for s in ids}
    for stream in sorted(streams):
        kept = [r for r in CASE.expected[stream] if r["step_id"] not in deleted]
        assert len(kept) < len(CASE.expected[stream])
        assert canonical(run.records[stream]) == canonical(kept), stream


# --- a second run ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reading", "lookback_days"), [("inclusive", 3), ("exclusive", 3), ("exclusive", 0)]
)
def test_second_run_rereads_from_bookmark_minus_lookback(
    tmp_path: Path, reading: str, lookback_days: int
) -> None:
    first_end = dt.date(2026, 3, 8)
    with serve_golden_canvas(CASE, reading) as braze:
        config = CASE.config(braze.url, window_days=7, lookback_days=lookback_days)
        run1 = run_tap({**config, "end_date": first_end.isoformat()}, tmp_path / "run1")
        assert by_stream(run1.records, ANALYTICS_STREAMS) == by_stream(
            CASE.expected_between(CASE.start_date, first_end), ANALYTICS_STREAMS
        )
        assert_analytics_bookmarks(run1, ANALYTICS_STREAMS, first_end)
        before = len(braze.requests)
        run2 = run_tap(config, tmp_path / "run2", state=run1.final_state)
        rerun_from = first_end - DAY * lookback_days
        assert by_stream(run2.records, ANALYTICS_STREAMS) == by_stream(
            CASE.expected_between(rerun_from, CASE.end_date), ANALYTICS_STREAMS
        )
        assert_analytics_bookmarks(run2, ANALYTICS_STREAMS, CASE.end_date)
        for _, params in braze.requests[before:]:
            # The inclusive window's first day; the exclusive reading's is one day earlier.
            ending = dt.date.fromisoformat(params["ending_at"][:10])
            first_asked = ending - DAY * (int(params["length"]) - 1)
            assert rerun_from - DAY <= first_asked, params
            assert ending >= rerun_from, params


def test_catalogue_streams_are_off_in_a_bare_run(tmp_path: Path) -> None:
    with serve_golden_canvas(CASE) as braze:
        run = run_tap(CASE.config(braze.url), tmp_path)
        paths = {path for path, _ in braze.requests}
    assert paths == {SERIES_PATH}
    assert not set(run.records) & set(CATALOG_STREAMS)
    assert by_stream(run.records, ANALYTICS_STREAMS) == by_stream(CASE.expected, ANALYTICS_STREAMS)
