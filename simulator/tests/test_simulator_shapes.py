"""The simulator's bodies carry the shapes real Braze bodies do (issue 8), over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import requests
from braze_simulator import DEFAULT_KEY, BrazeSimulator, Workspace, build_workspace

TODAY = date(2024, 6, 30)
PUSH = {"ios_push", "android_push", "web_push", "kindle_push"}
DOCUMENTED_CHANNELS = {
    *PUSH,
    "email",
    "webhook",
    "sms",
    "whats_app",
    "content_cards",
    "in_app_message",
    "trigger_in_app_message",
}


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return build_workspace(3, 2, today=TODAY, seed=7)


@pytest.fixture(scope="module")
def bodies(ws: Workspace) -> dict[str, list[dict[str, Any]]]:
    """Every series body of the default test workspace, 45 days ending today, per endpoint."""
    out: dict[str, list[dict[str, Any]]] = {"campaigns": [], "sends": []}
    with BrazeSimulator(ws) as sim:

        def get(path: str, **params: str) -> dict[str, Any]:
            auth = {"Authorization": f"Bearer {DEFAULT_KEY}"}
            r = requests.get(sim.url + path, params=params, headers=auth, timeout=10)
            assert r.status_code == 200
            return r.json()

        for c in ws.campaigns:
            out["campaigns"].append(
                get("/campaigns/data_series", campaign_id=c.campaign_id, length="45")
            )
        for s in ws.sends:
            out["sends"].append(
                get("/sends/data_series", campaign_id=s.campaign_id, send_id=s.send_id, length="45")
            )
    return out


def _channels(bodies: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    for body in bodies:
        for day in body["data"]:
            yield from day["messages"].items()


def _entries(bodies: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for channel, entries in _channels(bodies):
        for entry in entries or []:
            yield channel, entry


def _is_control(entry: dict[str, Any]) -> bool:
    return "enrolled" in entry


def _shapes(bodies: list[dict[str, Any]]) -> set[str]:
    found = set()
    for channel, entries in _channels(bodies):
        if entries is None:
            found.add("null channel")
        elif entries == []:
            found.add("empty channel")
        if channel not in DOCUMENTED_CHANNELS:
            found.add("unknown channel")
    for channel, e in _entries(bodies):
        if _is_control(e):
            if (
                type(e["enrolled"]) is int
                and e.get("sent", 0) is None
                and e.get("unique_recipients", 0) is None
                and isinstance(e.get("variation_api_id"), str)
                and isinstance(e.get("variation_name"), str)
            ):
                found.add("control group")
            continue
        if isinstance(e.get("variation_name"), str) and isinstance(e.get("variation_api_id"), str):
            found.add("both ids")
        revenue, conversions = e.get("revenue"), e.get("conversions")
        if channel in PUSH and type(revenue) is float and type(conversions) is int:
            found.add("push revenue")
        if "amp_clicks" in e:
            found.add("unknown metric")
        if any(value is None for value in e.values()):
            found.add("null metric")
    return found


ALL_SHAPES = {
    "null channel",
    "empty channel",
    "unknown channel",
    "control group",
    "both ids",
    "push revenue",
    "unknown metric",
    "null metric",
}


def test_campaign_bodies_carry_every_real_shape(bodies: dict[str, list[dict[str, Any]]]) -> None:
    assert _shapes(bodies["campaigns"]) == ALL_SHAPES


def test_send_bodies_carry_real_shapes(bodies: dict[str, list[dict[str, Any]]]) -> None:
    assert {"control group", "both ids", "push revenue", "unknown metric", "null metric"} <= (
        _shapes(bodies["sends"])
    )


def test_null_and_empty_channels_are_the_only_non_lists(
    bodies: dict[str, list[dict[str, Any]]],
) -> None:
    values = [v for body in bodies.values() for _, v in _channels(body)]
    assert all(v is None or isinstance(v, list) for v in values)
    assert any(v is None for v in values)
    assert any(v == [] for v in values)


def test_control_groups_have_no_send_metrics_but_conversions(ws: Workspace) -> None:
    camp = ws.campaigns[1]  # multivariate, with a control group
    (day,) = ws.campaign_series(camp.campaign_id, camp.first_day, camp.first_day)
    for channel, entries in day["messages"].items():
        (control,) = [e for e in entries if _is_control(e)]
        assert control["variation_name"] == "Control Group"
        assert control["enrolled"] > 0
        assert type(control["conversions"]) is int
        assert type(control["revenue"]) is float
        for name in ("impressions", "sent", "clicks", "unique_recipients"):
            assert control.get(name) is None, (channel, name)


def test_variation_ids_are_per_channel_and_stable_across_days(ws: Workspace) -> None:
    series = ws.campaign_series("camp-0001", TODAY - timedelta(44), TODAY)
    ids_by_channel: dict[str, set[str]] = {}
    for day in series:
        for channel, entries in day["messages"].items():
            for e in entries or []:
                if "variation_api_id" in e:
                    ids_by_channel.setdefault(channel, set()).add(e["variation_api_id"])
    all_ids = [i for ids in ids_by_channel.values() for i in ids]
    assert len(all_ids) == len(set(all_ids)), "an id appears under two channels"
    sizes = {len(ids) for ids in ids_by_channel.values()}
    assert len(sizes) == 1, "every channel has the same variations"


def test_first_day_has_every_channel_as_a_list(ws: Workspace) -> None:
    for camp in ws.campaigns:
        (first,) = ws.campaign_series(camp.campaign_id, camp.first_day, camp.first_day)
        assert set(first["messages"]) == set(camp.channels)
        assert all(isinstance(v, list) and v for v in first["messages"].values())


def test_restatement_keeps_null_channels_and_changes_numbers() -> None:
    ws = build_workspace(3, 2, today=TODAY, seed=7)
    ws.restate_days = 45
    first = TODAY - timedelta(days=44)

    def null_channels(series: list[dict[str, Any]]) -> list[set[str]]:
        return [{c for c, v in day["messages"].items() if v is None} for day in series]

    before = ws.campaign_series("camp-0001", first, TODAY)
    ws.restate()
    after = ws.campaign_series("camp-0001", first, TODAY)
    assert [d["time"] for d in before] == [d["time"] for d in after]
    assert any(null_channels(before))
    assert null_channels(before) == null_channels(after)
    assert all(old != new for old, new in zip(before, after, strict=True))
