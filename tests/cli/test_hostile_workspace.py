"""The workspace series and catalogues against answers the simulator does not model, from a
tiny server on 127.0.0.1: legal variations give the right records, broken answers one clear
error naming what was asked, never a traceback, and every listing stays bounded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from braze_simulator import DEFAULT_KEY
from catalogs import catalog_selecting
from conftest import QuietHandler
from test_hostile_servers import hostile, timed_run

EMPTY = b'{"data": [], "message": "success"}'


def workspace_config(url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "api_key": DEFAULT_KEY,
        "api_url": url,
        "start_date": "2026-03-25",
        "end_date": "2026-03-31",
        "retry_initial_wait": 0.05,
        "request_timeout": 2,
        "max_retries": 2,
    }
    config.update(overrides)
    return config


def series(*days: dict[str, Any]) -> bytes:
    return json.dumps({"data": list(days), "message": "success"}).encode()


# --- series --------------------------------------------------------------------------------


def test_each_kpis_extra_metrics_are_kept_in_the_merged_row(tmp_path: Path) -> None:
    """Each KPI is a request of its own, merged into one row per app and day. A KPI sent as a
    float (3.0: no integer column takes it) and an unknown key of another KPI's answer both
    land in extra_metrics; the later answer's extras used to replace the earlier ones'."""
    bodies = {
        "/kpi/dau/data_series": series({"time": "2026-03-30", "dau": 3.0, "dau_note": "x"}),
        "/kpi/mau/data_series": series({"time": "2026-03-30", "mau": 4.0}),
        "/kpi/new_users/data_series": series({"time": "2026-03-30", "new_users": 2}),
    }

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, bodies.get(path, EMPTY))

    with hostile(answer) as (url, _server):
        config = workspace_config(url)
        run, _ = timed_run(config, tmp_path, catalog=catalog_selecting(config, {"app_kpis"}))
    assert run.returncode == 0, run.stderr[-3000:]
    (record,) = run.records["app_kpis"]
    assert record == {
        "app_id": "*",
        "time": "2026-03-30",
        "new_users": 2,
        "extra_metrics": {"dau": 3.0, "dau_note": "x", "mau": 4.0},
    }
