"""The merged simulator: Canvas edits between runs, the keys for all seven permissions, the
Canvas routes in the routing table, and the CLI's --canvases and canvas_ids.

Expected values are written by hand (the fixed Canvases' ids and drafts: canvas_data.py).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest
import requests
from braze_simulator import DEFAULT_KEY, KEYS, BrazeSimulator, build_workspace
from braze_simulator.__main__ import parse_args, tap_config
from braze_simulator.server import ROUTES

TODAY = date(2024, 6, 30)
RECEIPTS = "canvas-0005"  # "Order receipts", last edited 2024-05-21
ALL_SEVEN = {
    "sends.data_series",
    "campaigns.data_series",
    "campaigns.list",
    "campaigns.details",
    "canvas.list",
    "canvas.details",
    "canvas.data_series",
}
PATH_OF = {
    "sends.data_series": "/sends/data_series",
    "campaigns.data_series": "/campaigns/data_series",
    "campaigns.list": "/campaigns/list",
    "campaigns.details": "/campaigns/details",
    "canvas.list": "/canvas/list",
    "canvas.details": "/canvas/details",
    "canvas.data_series": "/canvas/data_series",
}


def get(url: str, path: str, key: str = DEFAULT_KEY, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return requests.get(url + path, params=params, headers=headers, timeout=5)


def test_edit_canvas_renames_and_moves_last_edited() -> None:
    ws = build_workspace(today=TODAY, seed=3)
    at = datetime(2024, 6, 30, 9, 15, tzinfo=timezone.utc)
    with BrazeSimulator(ws) as sim:
        before = get(sim.url, "/canvas/details", canvas_id=RECEIPTS).json()
        assert before["name"] == "Order receipts"
        assert before["updated_at"].startswith("2024-05-21T")
        after_filter = {"last_edit.time[gt]": "2024-06-30T00:00:00Z", "include_archived": "true"}
        assert get(sim.url, "/canvas/list", **after_filter).json()["canvases"] == []

        ws.edit_canvas(RECEIPTS, at=at, name="Receipts v2")

        details = get(sim.url, "/canvas/details", canvas_id=RECEIPTS).json()
        assert details["name"] == "Receipts v2"
        assert details["updated_at"] == "2024-06-30T09:15:00+00:00"
        assert details["steps"] == before["steps"]  # an edit changes no ids
        listed = get(sim.url, "/canvas/list", **after_filter).json()["canvases"]
        assert [(c["id"], c["name"], c["last_edited"]) for c in listed] == [
            (RECEIPTS, "Receipts v2", "2024-06-30T09:15:00+00:00")
        ]
        series = get(
            sim.url, "/canvas/data_series", canvas_id=RECEIPTS, ending_at="2024-06-30", length=3
        ).json()
        assert series["data"]["name"] == "Receipts v2"

        # A later edit without a name keeps the new name and moves last_edited again.
        ws.edit_canvas(RECEIPTS, at=datetime(2024, 7, 1, tzinfo=timezone.utc))
        again = get(sim.url, "/canvas/details", canvas_id=RECEIPTS).json()
        assert (again["name"], again["updated_at"]) == ("Receipts v2", "2024-07-01T00:00:00+00:00")


def test_edit_canvas_rejects_unknown_ids_and_naive_times() -> None:
    ws = build_workspace(today=TODAY, n_canvases=5)
    with pytest.raises(KeyError):
        ws.edit_canvas("canvas-0006", at=datetime(2024, 6, 1, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="timezone-aware"):
        ws.edit_canvas(RECEIPTS, at=datetime(2024, 6, 1))


def test_default_key_holds_all_seven_permissions() -> None:
    # and the workspace series' ones (test_simulator_workspace.py)
    assert KEYS[DEFAULT_KEY] >= ALL_SEVEN


@pytest.mark.parametrize("missing", sorted(ALL_SEVEN))
def test_a_key_lacks_exactly_each_permission(missing: str) -> None:
    lacking = [key for key, held in KEYS.items() if held == KEYS[DEFAULT_KEY] - {missing}]
    assert len(lacking) == 1
    with BrazeSimulator(build_workspace(today=TODAY)) as sim:
        r = get(sim.url, PATH_OF[missing], key=lacking[0])
    assert r.status_code == 403
    assert missing in r.text


def test_canvas_routes_share_the_default_pool() -> None:
    for path in ("/canvas/list", "/canvas/details", "/canvas/data_series"):
        assert ROUTES[path].pool == ROUTES["/sends/data_series"].pool == "default"
        assert ROUTES[path].permission == "canvas." + path.rsplit("/", 1)[1]


def test_cli_canvases_flag_and_config_canvas_ids() -> None:
    assert parse_args([]).canvases == 5
    assert parse_args(["--canvases", "12"]).canvases == 12
    config = tap_config(build_workspace(today=TODAY), "http://127.0.0.1:1")
    # canvas-0003 is the draft: it never ran, so it has nothing to extract.
    assert sorted(config["canvas_ids"]) == ["canvas-0001", "canvas-0002", "canvas-0004", RECEIPTS]
    assert config["campaign_ids"] == ["camp-0001", "camp-0002"]
