"""The simulator's Canvas endpoints, over real HTTP on 127.0.0.1.

Expected values are written by hand from the fixed Canvases' definitions (dates count back from
TODAY; see braze_simulator/canvas_data.py) or come from another endpoint's answer.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
import requests
from braze_simulator import (
    DEFAULT_KEY,
    BrazeSimulator,
    FaultPlan,
    RateLimit,
    Workspace,
    build_workspace,
)
from braze_simulator.canvas_routes import (
    KEY_WITHOUT_CANVAS_DATA_SERIES,
    KEY_WITHOUT_CANVAS_DETAILS,
    KEY_WITHOUT_CANVAS_LIST,
)

TODAY = date(2024, 6, 30)
LIST = "/canvas/list"
DETAILS = "/canvas/details"
SERIES = "/canvas/data_series"
ONBOARDING = "canvas-0001"  # live since 2024-01-02; its step "Old SMS reminder" deleted 06-27
ARCHIVED = "canvas-0002"  # entries 2023-09-04 .. 2024-05-01
DRAFT = "canvas-0003"
DORMANT = "canvas-0004"  # entries 2023-05-07 .. 2023-07-01
RECEIPTS = "canvas-0005"
ALL_FLAGS = {
    "include_variant_breakdown": "true",
    "include_step_breakdown": "true",
    "include_deleted_step_data": "true",
}
LIVE_MESSAGE_STEPS = {
    "Welcome email",
    "Push nudge",
    "SMS reminder",
    "Notify CRM",
    "Welcome email and in-app",
    "Push follow-up",
}


def get(url: str, path: str, key: str = DEFAULT_KEY, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {key}"}
    return requests.get(url + path, params=params, headers=headers, timeout=5)


def series(url: str, canvas_id: str = ONBOARDING, **params: Any) -> requests.Response:
    params.setdefault("ending_at", "2024-06-30T23:59:59Z")
    if "starting_at" not in params:
        params.setdefault("length", 14)
    return get(url, SERIES, canvas_id=canvas_id, **params)


def stats(response: requests.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["data"]["stats"]


def times(response: requests.Response) -> list[str]:
    return [day["time"] for day in stats(response)]


def ids(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["canvases"]]


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return build_workspace(today=TODAY, seed=11)


@pytest.fixture(scope="module")
def sim(ws: Workspace):
    with BrazeSimulator(ws) as s:
        yield s


@pytest.fixture(scope="module")
def exclusive(ws: Workspace):
    with BrazeSimulator(ws, day_semantics="exclusive") as s:
        yield s


@pytest.fixture(scope="module")
def details(sim: BrazeSimulator) -> dict[str, Any]:
    r = get(sim.url, DETAILS, canvas_id=ONBOARDING)
    assert r.status_code == 200
    return r.json()


# --- /canvas/list ------------------------------------------------------------------------------


def test_list_is_by_creation_time_and_leaves_archived_out_by_default(sim: BrazeSimulator) -> None:
    r = get(sim.url, LIST)
    assert ids(r) == [DORMANT, ONBOARDING, RECEIPTS, DRAFT]
    assert r.json()["message"] == "success"
    first = r.json()["canvases"][1]
    assert first == {
        "id": ONBOARDING,
        "name": "Onboarding journey",
        "tags": ["onboarding", "lifecycle"],
        "last_edited": first["last_edited"],
    }
    assert first["last_edited"].startswith("2024-06-28T")
    assert first["last_edited"].endswith("+00:00")


def test_list_include_archived_and_sort_direction(sim: BrazeSimulator) -> None:
    everything = [DORMANT, ARCHIVED, ONBOARDING, RECEIPTS, DRAFT]
    assert ids(get(sim.url, LIST, include_archived="true")) == everything
    assert ids(get(sim.url, LIST, include_archived="true", sort_direction="desc")) == list(
        reversed(everything)
    )
    assert ids(get(sim.url, LIST, include_archived="false")) == [
        DORMANT,
        ONBOARDING,
        RECEIPTS,
        DRAFT,
    ]


@pytest.mark.parametrize(
    "after", ["2024-06-27T00:00:00", "2024-06-26T23:00:00-5:00", "2024-06-27T00:00:00Z"]
)
def test_list_last_edit_filter(sim: BrazeSimulator, after: str) -> None:
    # Onboarding was edited on 06-28 and the draft on 06-29; the others long before.
    r = get(sim.url, LIST, **{"last_edit.time[gt]": after, "include_archived": "true"})
    assert ids(r) == [ONBOARDING, DRAFT]


def test_list_pages_of_100() -> None:
    ws = build_workspace(today=TODAY, seed=5, n_canvases=150)
    with BrazeSimulator(ws) as s:
        pages = [ids(get(s.url, LIST, include_archived="true", page=p)) for p in range(3)]
        desc = ids(get(s.url, LIST, include_archived="true", sort_direction="desc"))
        unarchived = ids(get(s.url, LIST, page=1))
    assert [len(p) for p in pages] == [100, 50, 0]
    assert set(pages[0] + pages[1]) == {f"canvas-{i:04d}" for i in range(1, 151)}
    assert desc == list(reversed(pages[0] + pages[1]))[:100]
    assert len(unarchived) < 50  # a share of the random Canvases is archived


@pytest.mark.parametrize(
    "params", [{"page": "-1"}, {"page": "x"}, {"sort_direction": "up"}, {"include_archived": "y"}]
)
def test_list_rejects_bad_parameters(sim: BrazeSimulator, params: dict[str, str]) -> None:
    r = get(sim.url, LIST, **params)
    assert r.status_code == 400
    assert isinstance(r.json()["message"], str)


# --- /canvas/details ---------------------------------------------------------------------------


def test_details_fields(details: dict[str, Any]) -> None:
    assert details["message"] == "success"
    assert details["name"] == "Onboarding journey"
    assert details["description"] == "New users, first two weeks"
    assert (details["archived"], details["draft"], details["enabled"]) == (False, False, True)
    assert details["has_post_launch_draft"] is True
    assert details["schedule_type"] == "action_based"
    assert details["tags"] == ["onboarding", "lifecycle"]
    assert details["teams"] == ["Growth"]
    assert details["created_at"].startswith("2023-12-13T")
    assert details["updated_at"].startswith("2024-06-28T")
    assert details["first_entry"].startswith("2024-01-02T")
    assert details["last_entry"].startswith("2024-06-30T")  # still live: today
    assert set(details["channels"]) == {
        "email",
        "ios_push",
        "android_push",
        "sms",
        "webhook",
        "in_app_message",
    }


def test_details_variants_steps_and_paths(details: dict[str, Any]) -> None:
    steps = {s["name"]: s for s in details["steps"]}
    assert set(steps) == LIVE_MESSAGE_STEPS | {"Wait one day", "Opened welcome?"}
    variants = {v["name"]: v for v in details["variants"]}
    assert list(variants) == ["Variant 1", "Variant 2", "Control"]
    assert variants["Variant 1"]["first_step_ids"] == [steps["Welcome email"]["id"]]
    assert variants["Variant 2"]["first_step_ids"] == [steps["Welcome email and in-app"]["id"]]
    assert variants["Control"]["first_step_ids"] == []
    # The delay is not a message step, so it is in next_paths only.
    welcome = steps["Welcome email"]
    assert welcome["next_step_ids"] == []
    assert welcome["next_paths"] == [{"name": None, "next_step_id": steps["Wait one day"]["id"]}]
    split = steps["Opened welcome?"]
    assert split["type"] == "decision_split"
    assert split["channels"] == []
    assert split["messages"] == {}
    assert split["next_paths"] == [
        {"name": "Yes", "next_step_id": steps["Push nudge"]["id"]},
        {"name": "No", "next_step_id": steps["SMS reminder"]["id"]},
    ]
    assert split["next_step_ids"] == [steps["Push nudge"]["id"], steps["SMS reminder"]["id"]]
    assert steps["Push nudge"]["next_step_ids"] == [steps["Notify CRM"]["id"]]
    assert steps["Push nudge"]["channels"] == ["ios_push", "android_push"]


def test_details_messages_by_variation_id(details: dict[str, Any]) -> None:
    steps = {s["name"]: s for s in details["steps"]}
    combo = steps["Welcome email and in-app"]["messages"]
    assert sorted(m["channel"] for m in combo.values()) == ["email", "in_app_message"]
    email = next(m for m in combo.values() if m["channel"] == "email")
    assert {"name", "subject", "body", "from"} <= set(email)
    hook = next(iter(steps["Notify CRM"]["messages"].values()))
    assert hook["channel"] == "webhook"
    assert hook["method"] == "POST"
    assert hook["url"].startswith("https://")
    all_ids = [i for s in details["steps"] for i in s["messages"]]
    assert len(all_ids) == len(set(all_ids)) == 8  # 1+2+1+1+2+1 channels over message steps


def test_details_of_draft_archived_and_dormant(sim: BrazeSimulator) -> None:
    draft = get(sim.url, DETAILS, canvas_id=DRAFT).json()
    assert (draft["draft"], draft["first_entry"], draft["last_entry"]) == (True, None, None)
    archived = get(sim.url, DETAILS, canvas_id=ARCHIVED).json()
    assert archived["archived"] is True
    assert archived["enabled"] is False
    assert archived["last_entry"].startswith("2024-05-01T")
    dormant = get(sim.url, DETAILS, canvas_id=DORMANT).json()
    assert dormant["archived"] is False
    assert dormant["enabled"] is False
    assert dormant["last_entry"].startswith("2023-07-01T")


@pytest.mark.parametrize("params", [{"canvas_id": "no-such-canvas"}, {}])
def test_details_of_unknown_canvas_is_400(sim: BrazeSimulator, params: dict[str, str]) -> None:
    r = get(sim.url, DETAILS, **params)
    assert r.status_code == 400
    assert r.json() == {"message": "canvas_id must be a string of the canvas api identifier"}


# --- /canvas/data_series: shape and flags --------------------------------------------------------


def test_series_without_flags_has_totals_only(sim: BrazeSimulator) -> None:
    r = series(sim.url)
    assert r.json()["message"] == "success"
    assert r.json()["data"]["name"] == "Onboarding journey"
    days = stats(r)
    assert len(days) >= 8  # 14 days, of which some may be quiet
    for day in days:
        assert set(day) == {"time", "total_stats"}
        total = day["total_stats"]
        assert isinstance(total["revenue"], float)
        # Onboarding tracks conversion events A..D.
        assert {"conversions", "conversions_by_entry_time", "entries"} <= set(total)
        assert {"conversions3", "conversions3_by_entry_time"} <= set(total)


def test_series_variant_flag(sim: BrazeSimulator, details: dict[str, Any]) -> None:
    days = stats(series(sim.url, include_variant_breakdown="true"))
    variant_ids = {v["id"]: v["name"] for v in details["variants"]}
    for day in days:
        assert "step_stats" not in day
        assert {k: v["name"] for k, v in day["variant_stats"].items()} == variant_ids
        assert day["total_stats"]["entries"] == sum(
            v["entries"] for v in day["variant_stats"].values()
        )


def test_series_step_flag_ids_join_details(sim: BrazeSimulator, details: dict[str, Any]) -> None:
    days = stats(series(sim.url, include_step_breakdown="true"))
    steps = {s["id"]: s for s in details["steps"]}
    for day in days:
        assert "variant_stats" not in day
        assert {v["name"] for v in day["step_stats"].values()} == LIVE_MESSAGE_STEPS
        for step_id, step in day["step_stats"].items():
            assert step_id in steps
            assert set(step["messages"]) == set(steps[step_id]["channels"])
            for channel, entries in step["messages"].items():
                (entry,) = entries
                # The message is found by its variation id, or (one step) by its name.
                known = steps[step_id]["messages"]
                if "variation_api_id" in entry:
                    assert known[entry["variation_api_id"]]["channel"] == channel
                else:
                    assert entry["variation_name"] in {m["name"] for m in known.values()}


def test_series_channel_metrics(sim: BrazeSimulator) -> None:
    day = stats(series(sim.url, include_step_breakdown="true"))[-1]
    by_name = {s["name"]: s for s in day["step_stats"].values()}
    (sms,) = by_name["SMS reminder"]["messages"]["sms"]
    assert {"sent", "sent_to_carrier", "delivered", "rejected", "opt_out"} <= set(sms)
    (email,) = by_name["Welcome email"]["messages"]["email"]
    assert {"sent", "opens", "unique_opens", "clicks"} <= set(email)
    (ios,) = by_name["Push nudge"]["messages"]["ios_push"]
    assert {"sent", "direct_opens", "total_opens"} <= set(ios)
    assert {"impressions", "clicks"} <= set(
        by_name["Welcome email and in-app"]["messages"]["in_app_message"][0]
    )
    assert isinstance(by_name["SMS reminder"]["revenue"], float)
    assert "unique_recipients" in by_name["SMS reminder"]


def test_deleted_step_only_with_its_flag(sim: BrazeSimulator, details: dict[str, Any]) -> None:
    live_ids = {s["id"] for s in details["steps"]}
    # Days 06-20..06-26, before the step was deleted on 06-27.
    before = {"ending_at": "2024-06-26T12:00:00Z", "length": 7, "include_step_breakdown": "true"}
    without = stats(series(sim.url, **before))
    with_deleted = stats(series(sim.url, include_deleted_step_data="true", **before))
    assert all(set(day["step_stats"]) <= live_ids for day in without)
    extra = [set(day["step_stats"]) - live_ids for day in with_deleted]
    assert any(extra)
    (deleted_id,) = set().union(*extra)
    names = {
        day["step_stats"][deleted_id]["name"]
        for day in with_deleted
        if deleted_id in day["step_stats"]
    }
    assert names == {"Old SMS reminder"}
    # Without the step flag, the deleted flag alone adds nothing.
    alone = stats(
        series(
            sim.url,
            include_deleted_step_data="true",
            **{**before, "include_step_breakdown": "false"},
        )
    )
    assert all(set(day) == {"time", "total_stats"} for day in alone)
    # After its deletion it has no more stats.
    after = stats(series(sim.url, ending_at="2024-06-30T12:00:00Z", length=3, **ALL_FLAGS))
    assert all(set(day["step_stats"]) <= live_ids for day in after)


def test_bad_flag_value_is_400(sim: BrazeSimulator) -> None:
    r = series(sim.url, include_step_breakdown="yes please")
    assert r.status_code == 400


# --- /canvas/data_series: days ----------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 14])
def test_length_bounds_accepted(sim: BrazeSimulator, length: int) -> None:
    assert series(sim.url, length=length).status_code == 200


@pytest.mark.parametrize("length", ["0", "15", "100", "-1", "x"])
def test_length_out_of_bounds_is_400(sim: BrazeSimulator, length: str) -> None:
    r = series(sim.url, length=length)
    assert r.status_code == 400
    assert r.json() == {"message": "length must be an integer between 1 and 14"}


def test_ending_at_is_required(sim: BrazeSimulator) -> None:
    r = get(sim.url, SERIES, canvas_id=ONBOARDING, length=3)
    assert r.status_code == 400
    assert r.json() == {"message": "ending_at is required"}


def test_length_or_starting_at_is_required(sim: BrazeSimulator) -> None:
    r = get(sim.url, SERIES, canvas_id=ONBOARDING, ending_at="2024-06-30T00:00:00Z")
    assert r.status_code == 400
    assert r.json() == {"message": "Either length or starting_at is required"}


def test_unknown_canvas_series_is_400(sim: BrazeSimulator) -> None:
    r = series(sim.url, canvas_id="nope")
    assert r.status_code == 400
    assert r.json()["message"] == "canvas_id must be a string of the canvas api identifier"


def test_first_entry_day_under_both_readings(
    sim: BrazeSimulator, exclusive: BrazeSimulator
) -> None:
    # The first entry day (2024-01-02) is never a quiet day, and nothing comes before it.
    at = "2024-01-02T18:00:00Z"
    assert times(series(sim.url, ending_at=at, length=1)) == ["2024-01-02"]
    assert times(series(exclusive.url, ending_at=at, length=1)) == []
    assert times(series(exclusive.url, ending_at="2024-01-03T00:00:00Z", length=1)) == [
        "2024-01-02"
    ]
    assert times(series(sim.url, ending_at=at, starting_at="2023-12-25T00:00:00Z")) == [
        "2024-01-02"
    ]
    assert times(series(exclusive.url, ending_at=at, starting_at="2023-12-25T00:00:00Z")) == []


def test_readings_differ_by_one_day(sim: BrazeSimulator, exclusive: BrazeSimulator) -> None:
    inclusive = series(sim.url, ending_at="2024-06-20T10:00:00Z", length=14, **ALL_FLAGS)
    shifted = series(exclusive.url, ending_at="2024-06-21T10:00:00Z", length=14, **ALL_FLAGS)
    assert inclusive.content == shifted.content
    assert set(times(inclusive)) <= {f"2024-06-{d:02d}" for d in range(7, 21)}
    assert set(times(series(exclusive.url, ending_at="2024-06-20T10:00:00Z", length=14))) <= {
        f"2024-06-{d:02d}" for d in range(6, 20)
    }


def test_one_digit_offset_in_ending_at(sim: BrazeSimulator) -> None:
    # Braze's own example: 2018-05-30T23:59:59-5:00, i.e. 05-31 in UTC.
    r = series(sim.url, ending_at="2024-06-20T23:59:59-5:00", length=1)
    assert set(times(r)) <= {"2024-06-21"}


def test_starting_at_span(sim: BrazeSimulator, exclusive: BrazeSimulator) -> None:
    end = "2024-06-30T23:59:59Z"
    ok = series(sim.url, ending_at=end, starting_at="2024-06-17T00:00:00Z")
    assert set(times(ok)) <= {f"2024-06-{d:02d}" for d in range(17, 31)}
    too_long = series(sim.url, ending_at=end, starting_at="2024-06-16T00:00:00Z")
    assert too_long.status_code == 400
    assert too_long.json() == {
        "message": "The time between starting_at and ending_at must be 14 days or less"
    }
    # Without the ending day, the same start covers 14 days.
    assert series(exclusive.url, ending_at=end, starting_at="2024-06-16T00:00:00Z").ok
    backwards = series(sim.url, ending_at="2024-06-10T00:00:00Z", starting_at="2024-06-12")
    assert backwards.status_code == 400
    assert backwards.json() == {"message": "starting_at must be before ending_at"}


def test_starting_at_and_length_both_bound(sim: BrazeSimulator) -> None:
    r = series(sim.url, ending_at="2024-06-30T00:00:00Z", starting_at="2024-06-20", length=2)
    assert set(times(r)) <= {"2024-06-29", "2024-06-30"}


def test_bad_starting_at_is_400(sim: BrazeSimulator) -> None:
    r = series(sim.url, starting_at="last tuesday")
    assert r.status_code == 400
    assert "starting_at" in r.json()["message"]


def test_draft_dormant_and_archived_series(sim: BrazeSimulator) -> None:
    assert stats(series(sim.url, canvas_id=DRAFT, **ALL_FLAGS)) == []
    assert stats(series(sim.url, canvas_id=DORMANT, **ALL_FLAGS)) == []  # silent for a year
    # The dormant Canvas's last entry was 2023-07-01: conversions trail on, entries do not.
    tail = stats(series(sim.url, canvas_id=DORMANT, ending_at="2023-07-10T00:00:00Z", length=14))
    assert tail
    assert max(day["time"] for day in tail) <= "2023-07-04"
    assert all(day["total_stats"]["entries"] == 0 for day in tail if day["time"] > "2023-07-01")
    # Archived Canvases keep their analytics.
    archived = series(sim.url, canvas_id=ARCHIVED, ending_at="2024-04-15T00:00:00Z", length=14)
    assert archived.json()["data"]["name"] == "Winback (archived)"
    assert stats(archived)


def test_some_days_are_missing() -> None:
    ws = build_workspace(today=TODAY, seed=2, n_canvases=20)
    with BrazeSimulator(ws) as s:
        counts = [
            len(stats(series(s.url, canvas_id=f"canvas-{i:04d}", ending_at="2024-06-29")))
            for i in (1, 5)
        ]
    assert min(counts) >= 1
    assert sum(counts) < 28  # 15% of days are quiet; all 28 present would be a 1-in-100 fluke


# --- restatement, determinism ------------------------------------------------------------------


def test_restatement_changes_recent_days_only() -> None:
    ws = build_workspace(today=TODAY, seed=11)
    with BrazeSimulator(ws) as s:
        before = {d["time"]: d for d in stats(series(s.url, **ALL_FLAGS))}
        ws.restate()
        after = {d["time"]: d for d in stats(series(s.url, **ALL_FLAGS))}
    assert set(before) == set(after)  # quiet days stay quiet
    old = [t for t in before if t <= "2024-06-23"]
    recent = [t for t in before if t >= "2024-06-24"]  # restate_days=7 ending today
    assert old
    assert recent
    assert all(before[t] == after[t] for t in old)
    assert all(before[t]["total_stats"] != after[t]["total_stats"] for t in recent)


def test_same_seed_same_answers() -> None:
    with (
        BrazeSimulator(build_workspace(today=TODAY, seed=4)) as a,
        BrazeSimulator(build_workspace(today=TODAY, seed=4)) as b,
    ):
        for path, params in [
            (LIST, {"include_archived": "true"}),
            (DETAILS, {"canvas_id": ONBOARDING}),
            (
                SERIES,
                {"canvas_id": ONBOARDING, "ending_at": "2024-06-30", "length": 14, **ALL_FLAGS},
            ),
        ]:
            assert get(a.url, path, **params).content == get(b.url, path, **params).content


def test_fifty_canvases() -> None:
    ws = build_workspace(today=TODAY, seed=9, n_canvases=50)
    with BrazeSimulator(ws) as s:
        listed = ids(get(s.url, LIST, include_archived="true"))
        assert len(listed) == len(set(listed)) == 50
        flags = [get(s.url, DETAILS, canvas_id=c).json() for c in listed]
    assert any(d["archived"] for d in flags)
    assert any(d["draft"] for d in flags)
    assert all(d["steps"] and d["variants"] for d in flags)


# --- auth, permissions, rate limit, faults, latency -------------------------------------------


@pytest.mark.parametrize(
    ("key", "denied"),
    [
        (KEY_WITHOUT_CANVAS_LIST, LIST),
        (KEY_WITHOUT_CANVAS_DETAILS, DETAILS),
        (KEY_WITHOUT_CANVAS_DATA_SERIES, SERIES),
    ],
)
def test_each_permission_is_checked(sim: BrazeSimulator, key: str, denied: str) -> None:
    params = {"canvas_id": ONBOARDING, "ending_at": "2024-06-30", "length": 1}
    for path in (LIST, DETAILS, SERIES):
        r = get(sim.url, path, key=key, **params)
        if path == denied:
            assert r.status_code == 403
            permission = denied[1:].replace("/", ".")
            assert permission in r.json()["message"]
        else:
            assert r.status_code == 200, (path, r.text)
    # The key keeps its other permissions.
    assert get(sim.url, "/campaigns/data_series", key=key, campaign_id="camp-0001", length=1).ok


def test_series_only_keys_have_no_canvas_permission(sim: BrazeSimulator) -> None:
    for path in (LIST, DETAILS, SERIES):
        assert get(sim.url, path, key="sim-sends-only", canvas_id=ONBOARDING).status_code == 403
    assert get(sim.url, LIST, key="not-a-key").status_code == 401


def test_canvas_requests_share_the_default_pool(ws: Workspace) -> None:
    with BrazeSimulator(ws, sends_rate_limit=RateLimit(3, 3600)) as s:
        first = get(s.url, LIST)
        assert first.headers["X-RateLimit-Limit"] == "3"
        assert first.headers["X-RateLimit-Remaining"] == "2"
        send = ws.sends[0]
        r = get(
            s.url,
            "/sends/data_series",
            campaign_id=send.campaign_id,
            send_id=send.send_id,
            length=1,
        )
        assert r.headers["X-RateLimit-Remaining"] == "1"
        assert get(s.url, DETAILS, canvas_id=ONBOARDING).status_code == 200
        assert series(s.url).status_code == 429
        # The campaign series has its own budget.
        assert get(s.url, "/campaigns/data_series", campaign_id="camp-0001", length=1).ok


def test_faults_can_target_a_canvas(ws: Workspace) -> None:
    plan = FaultPlan(first_n=1, kinds=("503",), only_ids=(RECEIPTS,))
    with BrazeSimulator(ws, faults=plan) as s:
        assert series(s.url, canvas_id=ONBOARDING).status_code == 200
        assert series(s.url, canvas_id=RECEIPTS).status_code == 503
        assert series(s.url, canvas_id=RECEIPTS).status_code == 200
        assert get(s.url, DETAILS, canvas_id=RECEIPTS).status_code == 503
        stats_ = s.stats()
    assert stats_["by_path"] == {SERIES: 3, DETAILS: 1}
    assert stats_["faults"] == {"503": 2}


def test_truncated_fault_cuts_a_canvas_body(ws: Workspace) -> None:
    plan = FaultPlan(first_n=1, kinds=("truncated",))
    with BrazeSimulator(ws, faults=plan) as s:
        r = series(s.url)
        assert r.status_code == 200
        with pytest.raises(requests.exceptions.JSONDecodeError):
            r.json()


def test_latency_applies_to_canvas_requests(ws: Workspace) -> None:
    with BrazeSimulator(ws, latency_ms=150) as s:
        started = time.monotonic()
        assert get(s.url, DETAILS, canvas_id=ONBOARDING).ok
        assert time.monotonic() - started >= 0.15
