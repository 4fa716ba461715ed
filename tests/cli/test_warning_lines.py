"""Logs a person can follow (issue 22): one line per kind of warning per partition (or series),
with a count, never one per element or per partition that shares it; and an hourly element
that is no hour's start is an error, never a silent replacement of that hour's value. Against
a tiny server on 127.0.0.1 answering what the simulator does not model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalogs import catalog_selecting
from conftest import QuietHandler, tap_log_lines
from test_hostile_servers import config_for, hostile, one_error, timed_run

EMPTY = b'{"data": [], "message": "success"}'


def series(*elements: dict[str, Any]) -> bytes:
    return json.dumps({"data": list(elements), "message": "success"}).encode()


def warnings(stderr: str) -> list[str]:
    return [line.message for line in tap_log_lines(stderr, "WARNING")]


def test_a_body_repeating_days_gives_one_warning_with_the_count(tmp_path: Path) -> None:
    """20,000 copies of one day and two of another: one line for the partition, with the
    number of days and of extra copies (it was one WARNING per copy: 20,000 lines)."""
    copies = 20_000
    body = series(
        *[{"time": "2026-03-30", "sessions": 7}] * copies,
        {"time": "2026-03-29", "sessions": 5},
        {"time": "2026-03-29", "sessions": 6},
    )

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, body if path == "/sessions/data_series" else EMPTY)

    with hostile(answer) as (url, server):
        config = config_for(url, campaign_ids=[])
        catalog = catalog_selecting(config, {"session_analytics"})
        run, _ = timed_run(config, tmp_path, catalog=catalog)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [w for w in warnings(run.stderr) if "more than once" in w]
    assert len(lines) == 1, lines[:3]
    requests = server.by_path["/sessions/data_series"]
    assert "Braze sent 2 days more than once in one response for app_id='*'" in lines[0]
    assert f"{requests * copies} extra copies" in lines[0], lines[0]
    assert f"2026-03-30 ({copies} copies)" in lines[0]
    # The first copy of each counts.
    by_day = {r["time"]: r["sessions"] for r in run.records["session_analytics"]}
    assert (by_day["2026-03-29"], by_day["2026-03-30"]) == (5, 7)


def test_sends_without_data_give_one_line_for_the_series(tmp_path: Path) -> None:
    """40 sends Braze has no day for: one line counting them and naming the first five (it was
    one near-identical line per send)."""
    sends = [{"campaign_id": "api-1", "send_id": f"send-{n:03d}"} for n in range(40)]

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, EMPTY)

    with hostile(answer) as (url, _server):
        run, _ = timed_run(config_for(url, campaign_ids=[], sends=sends), tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [w for w in warnings(run.stderr) if w.startswith("No data")]
    assert len(lines) == 1, lines[:3]
    (line,) = lines
    assert line.startswith("No data for 40 of 40 partitions of /sends/data_series: ")
    assert "send_id='send-000'" in line
    assert "send_id='send-004'" in line
    assert "send_id='send-005'" not in line
    assert " and 35 more. Braze keeps send analytics only 14 days" in line


def test_an_hourly_element_off_the_hour_is_an_error_not_a_replacement(tmp_path: Path) -> None:
    """10:00 and 10:30 in one hourly answer: 10:30 is not Braze's hourly shape. It was placed
    in the 10:00 hour, so whichever came first silently won; now the body is malformed
    (retried, then one error naming the partition and window), and the hour not written."""
    body = series(
        {"time": "2026-03-30T10:30:00Z", "sessions": 99},
        {"time": "2026-03-30T10:00:00Z", "sessions": 7},
    )

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, body if query.get("unit") == ["hour"] else EMPTY)

    with hostile(answer) as (url, _server):
        config = config_for(url, campaign_ids=[])
        catalog = catalog_selecting(config, {"session_hourly_analytics"})
        run, _ = timed_run(config, tmp_path, catalog=catalog)
    error = one_error(run)
    assert "not the start of an hour in UTC: '2026-03-30T10:30:00Z'" in error, error
    assert "app_id='*'" in error
    assert not run.records.get("session_hourly_analytics")
