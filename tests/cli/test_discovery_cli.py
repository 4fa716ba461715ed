"""Discovery, the catalogue streams, sends_file, expired sends and shards, through the real CLI.

Every expectation comes from the simulator's own model (a campaign's ``data_days``, its
variations, its name) or is written by hand; the tap's code only produces the runs under test.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from braze_simulator import (
    CATALOG_MIX,
    NO_DETAILS_KEY,
    NO_LIST_KEY,
    BrazeSimulator,
    SimCampaign,
    SimSend,
    Workspace,
    build_workspace,
)
from braze_simulator.catalog import campaign_variations
from conftest import SIM_TODAY, TAP, TapRun, canonical, run_tap, tap_config, tap_log_lines

Simulators = Callable[..., BrazeSimulator]

LIST = "/campaigns/list"
DETAILS = "/campaigns/details"
CAMPAIGN_SERIES = "/campaigns/data_series"
SEND_SERIES = "/sends/data_series"
CAMPAIGN_STREAMS = ("campaign_analytics", "campaign_message_analytics")
SEND_STREAMS = ("send_analytics", "send_message_analytics")
CATALOGUE = ("campaigns", "campaign_details", "campaign_variations")
# What Braze's rule allows at the least: data keeps arriving 30 days after the last send.
DATA_WINDOW = dt.timedelta(days=30)


def days_before(days: int, end: dt.date = SIM_TODAY) -> str:
    return (end - dt.timedelta(days=days)).isoformat()


@functools.lru_cache(maxsize=1)
def _discovered_catalog(tmp: str) -> str:
    config = {"api_key": "k", "api_url": "http://127.0.0.1:9", "campaign_ids": ["c"]}
    path = Path(tmp) / "discover-config.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run(
        [TAP, "--config", str(path), "--discover"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return proc.stdout


def catalog_selecting(streams: Iterable[str], tmp_path: Path) -> dict:
    """The tap's own catalog (--discover) with exactly ``streams`` selected."""
    wanted = set(streams)
    catalog = json.loads(_discovered_catalog(str(tmp_path.parent)))
    assert wanted <= {s["tap_stream_id"] for s in catalog["streams"]}
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in wanted
    return catalog


def series_records(run: TapRun, streams: tuple[str, ...]) -> dict[str, list[str]]:
    return {stream: canonical(run.records.get(stream, [])) for stream in streams}


def requested(sim: BrazeSimulator, path: str, *fields: str) -> Counter[tuple[str, ...]]:
    """How often each partition (its id parameters) was requested on ``path``."""
    return Counter(
        tuple(entry["params"][f] for f in fields)
        for entry in sim.requests_log
        if entry["path"] == path
    )


def has_data_between(campaign: SimCampaign, first: dt.date, last: dt.date) -> bool:
    span = campaign.data_days(SIM_TODAY)
    return span is not None and span[0] <= last and span[1] >= first


def info_lines(run: TapRun) -> list[str]:
    return [line.message for line in tap_log_lines(run.stderr, "INFO")]


def errors(run: TapRun) -> list[str]:
    return [
        line.message
        for line in tap_log_lines(run.stderr)
        if line.level in {"ERROR", "CRITICAL"} and line.message != "Config validation failed"
    ]


# --- 1. all_campaigns: exactly the campaigns with data, fewer requests -----------------------

RANGE_DAYS = 20
LOOKBACK = 14


@pytest.mark.slow
@pytest.mark.parametrize("with_details", [False, True], ids=["listing-only", "details"])
def test_all_campaigns_returns_exactly_the_campaigns_with_data(
    make_simulator: Simulators, tmp_path: Path, with_details: bool
) -> None:
    workspace = build_workspace(0, 250, today=SIM_TODAY, seed=7, mix=CATALOG_MIX)
    sim = make_simulator(workspace)
    first = SIM_TODAY - dt.timedelta(days=RANGE_DAYS - 1)
    base = tap_config(
        sim,
        sends=[],
        start_date=first.isoformat(),
        window_days=100,
        max_parallel_requests=8,
        lookback_days=LOOKBACK,
    )
    with_data = [
        c.campaign_id for c in workspace.campaigns if has_data_between(c, first, SIM_TODAY)
    ]
    # From the model, by the README's rule: drafts never sent (known only from the details),
    # and archived campaigns whose last edit (archiving moves it; it comes after the last send)
    # plus the 30-day data window and a day of time-zone slack ends before first - lookback.
    cutoff = first - dt.timedelta(days=LOOKBACK)
    dormant = [
        c
        for c in workspace.campaigns
        if c.archived and (c.edited + DATA_WINDOW + dt.timedelta(days=1)).date() < cutoff
    ]
    drafts = [c for c in workspace.campaigns if c.draft] if with_details else []
    assert len(with_data) < 250 - len(dormant) - len(drafts)  # unarchived dormant ones too
    assert dormant
    assert drafts or not with_details
    assert not {c.campaign_id for c in dormant + drafts} & set(with_data)  # never skip data

    catalog = catalog_selecting(
        [*CAMPAIGN_STREAMS, *(["campaign_details"] if with_details else [])], tmp_path
    )
    discovered = run_tap(
        {**base, "campaign_ids": [], "all_campaigns": True}, tmp_path / "all", catalog=catalog
    )
    discovery_cost = sim.stats()["by_path"]
    sim.reset_stats()
    by_id = run_tap({**base, "campaign_ids": with_data}, tmp_path / "by-id", catalog=catalog)
    if not with_details:  # (the details stream is read from the listing)
        assert set(sim.stats()["by_path"]) == {CAMPAIGN_SERIES}
    sim.reset_stats()
    run_tap(
        {**base, "campaign_ids": [c.campaign_id for c in workspace.campaigns]},
        tmp_path / "every-id",
        catalog=catalog,
    )
    every_id_cost = sim.stats()["by_path"][CAMPAIGN_SERIES]

    expected = series_records(by_id, CAMPAIGN_STREAMS)
    assert all(expected.values())
    assert series_records(discovered, CAMPAIGN_STREAMS) == expected
    skipped = len(dormant) + len(drafts)
    assert every_id_cost == 250  # one window per campaign: 20 days fit one request
    assert discovery_cost[CAMPAIGN_SERIES] == 250 - skipped
    summary = [line for line in info_lines(discovered) if "found 250 campaigns" in line]
    assert len(summary) == 1, info_lines(discovered)
    assert f"skipping {skipped}" in summary[0]
    assert f"{len(dormant)} archived and dormant" in summary[0]
    if with_details:
        assert f"{len(drafts)} drafts never sent" in summary[0]
    else:
        assert "draft" not in summary[0]


# --- 2. catalogue streams, incremental details ------------------------------------------------


def test_catalogue_streams_read_details_only_for_edited_campaigns(
    make_simulator: Simulators, tmp_path: Path
) -> None:
    n = 130
    workspace = build_workspace(0, n, today=SIM_TODAY, seed=11, mix=CATALOG_MIX)
    sim = make_simulator(workspace)
    config = tap_config(
        sim,
        sends=[],
        campaign_ids=[],
        all_campaigns=True,
        start_date=days_before(1),
        max_parallel_requests=8,
    )
    catalog = catalog_selecting([*CATALOGUE, *CAMPAIGN_STREAMS], tmp_path)
    pages = 2  # ceil(130 / 100)

    first = run_tap(config, tmp_path / "1", catalog=catalog)
    assert sim.stats()["by_path"][LIST] == pages
    assert sim.stats()["by_path"][DETAILS] == n
    names = {r["campaign_id"]: r["name"] for r in first.records["campaigns"]}
    assert len(first.records["campaigns"]) == n
    assert names == {c.campaign_id: c.display_name for c in workspace.campaigns}
    details = {r["campaign_id"]: r for r in first.records["campaign_details"]}
    assert len(first.records["campaign_details"]) == n
    assert {cid: r["archived"] for cid, r in details.items()} == {
        c.campaign_id: c.archived for c in workspace.campaigns
    }
    assert {
        (r["campaign_id"], r["variation_api_id"]) for r in first.records["campaign_variations"]
    } == {
        (c.campaign_id, v.api_id)
        for c in workspace.campaigns
        for variations in campaign_variations(c, workspace.seed).values()
        for v in variations
    }

    sim.reset_stats()
    second = run_tap(config, tmp_path / "2", state=first.final_state, catalog=catalog)
    assert sim.stats()["by_path"][LIST] == pages
    assert sim.stats()["by_path"].get(DETAILS, 0) == 0
    assert len(second.records["campaigns"]) == n
    assert "campaign_details" not in second.records

    edited = [workspace.campaigns[i].campaign_id for i in (4, 60, 125)]
    at = dt.datetime.combine(SIM_TODAY, dt.time(10), dt.timezone.utc)
    workspace.edit_campaign(edited[0], at=at, name="Renamed Spring Sale")
    workspace.edit_campaign(edited[1], at=at, tags=("renamed-tag",))
    workspace.edit_campaign(edited[2], at=at, description="Edited between runs")
    sim.reset_stats()
    third = run_tap(config, tmp_path / "3", state=second.final_state, catalog=catalog)
    assert sim.stats()["by_path"][LIST] == pages
    assert sim.stats()["by_path"][DETAILS] == 3
    assert sorted(requested(sim, DETAILS, "campaign_id")) == sorted((c,) for c in edited)
    assert sorted(r["campaign_id"] for r in third.records["campaign_details"]) == sorted(edited)
    renamed = [r for r in third.records["campaigns"] if r["campaign_id"] == edited[0]]
    assert [r["name"] for r in renamed] == ["Renamed Spring Sale"]

    sim.reset_stats()
    run_tap(config, tmp_path / "4", state=third.final_state, catalog=catalog)
    assert sim.stats()["by_path"].get(DETAILS, 0) == 0  # the edits are remembered


# --- 3. every variation in the analytics has its row -------------------------------------------


def test_every_message_variation_joins_campaign_variations(
    make_simulator: Simulators, tmp_path: Path
) -> None:
    workspace = build_workspace(0, 30, today=SIM_TODAY, seed=5)
    sim = make_simulator(workspace)
    config = tap_config(
        sim, sends=[], campaign_ids=[], all_campaigns=True, start_date=days_before(20)
    )
    run = run_tap(
        config,
        tmp_path,
        catalog=catalog_selecting(["campaign_variations", "campaign_message_analytics"], tmp_path),
    )
    variations = {
        (r["campaign_id"], r["variation_api_id"]) for r in run.records["campaign_variations"]
    }
    used = {
        (r["campaign_id"], r["variation_api_id"])
        for r in run.records["campaign_message_analytics"]
        if r["variation_api_id"] is not None
    }
    assert len({cid for cid, _ in used}) >= 20  # most campaigns have data in 20 days
    assert used <= variations, sorted(used - variations)[:5]


# --- 4. permissions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "permission", "extra", "streams"),
    [
        (NO_LIST_KEY, "campaigns.list", {"all_campaigns": True}, None),
        (NO_LIST_KEY, "campaigns.list", {}, ["campaigns", *CAMPAIGN_STREAMS]),
        (NO_DETAILS_KEY, "campaigns.details", {}, ["campaign_details", *CAMPAIGN_STREAMS]),
        (NO_DETAILS_KEY, "campaigns.details", {"all_campaigns": True}, ["campaign_variations"]),
    ],
    ids=["list-discovery", "list-stream", "details-stream", "details-variations"],
)
def test_a_missing_permission_is_one_clear_error(
    simulator: BrazeSimulator,
    tmp_path: Path,
    key: str,
    permission: str,
    extra: dict,
    streams: list[str] | None,
) -> None:
    config = tap_config(simulator, api_key=key, sends=[], start_date=days_before(2), **extra)
    catalog = catalog_selecting(streams, tmp_path) if streams else None
    run = run_tap(config, tmp_path, catalog=catalog, check=False)
    assert run.returncode != 0
    lines = errors(run)
    assert len(lines) == 1, run.stderr[-3000:]
    assert permission in lines[0]
    assert "Traceback" not in run.stderr
    assert simulator.stats()["by_path"].get(CAMPAIGN_SERIES, 0) == 0  # stops before analytics


@pytest.mark.parametrize(
    ("key", "extra", "streams", "unused"),
    [
        (NO_LIST_KEY, {}, None, (LIST, DETAILS)),  # campaign_ids, default catalog
        (NO_DETAILS_KEY, {}, None, (LIST, DETAILS)),
        (NO_DETAILS_KEY, {"all_campaigns": True}, None, (DETAILS,)),  # listing is enough
        (NO_DETAILS_KEY, {}, ["campaigns", *CAMPAIGN_STREAMS], (DETAILS,)),
    ],
    ids=["no-list", "no-details", "no-details-discovery", "no-details-campaigns-stream"],
)
def test_a_permission_nothing_needs_is_never_asked_for(
    simulator: BrazeSimulator,
    workspace: Workspace,
    tmp_path: Path,
    key: str,
    extra: dict,
    streams: list[str] | None,
    unused: tuple[str, ...],
) -> None:
    config = tap_config(simulator, api_key=key, sends=[], start_date=days_before(2), **extra)
    catalog = catalog_selecting(streams, tmp_path) if streams else None
    run = run_tap(config, tmp_path, catalog=catalog)
    by_path = simulator.stats()["by_path"]
    assert not set(unused) & set(by_path), by_path
    assert by_path[CAMPAIGN_SERIES] >= len(workspace.campaigns)
    assert {r["campaign_id"] for r in run.records["campaign_analytics"]} == {
        c.campaign_id for c in workspace.campaigns
    }
    assert not [line for line in tap_log_lines(run.stderr) if line.level == "ERROR"]


# --- 5. nothing to extract ---------------------------------------------------------------------


def test_nothing_to_extract_names_every_source(simulator: BrazeSimulator, tmp_path: Path) -> None:
    # Only the streams that need ids are selected: the workspace series need none (a bare
    # run reads app_kpis), so "nothing to extract" is about what the catalog selects.
    config = tap_config(simulator, sends=[], campaign_ids=[])
    needing_ids = {
        "send_analytics",
        "send_message_analytics",
        "campaign_analytics",
        "campaign_message_analytics",
        "canvas_analytics",
        "canvas_variant_analytics",
        "canvas_step_analytics",
        "canvas_step_message_analytics",
    }
    run = run_tap(config, tmp_path, catalog=catalog_selecting(needing_ids, tmp_path), check=False)
    assert run.returncode != 0
    lines = errors(run)
    assert len(lines) == 1, run.stderr
    for setting in (
        "sends",
        "sends_file",
        "campaign_ids",
        "all_campaigns",
        "canvas_ids",
        "all_canvases",
    ):
        assert re.search(rf"(^|[ /]){setting}([ /:]|$)", lines[0]), setting
    assert simulator.stats()["requests"] == 0


# --- 6. sends_file ---------------------------------------------------------------------------


def live_sends(workspace: Workspace) -> list[SimSend]:
    return [s for s in workspace.sends if s.send_date >= SIM_TODAY - dt.timedelta(days=14)]


@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_sends_file_gives_the_same_records_as_sends(
    make_simulator: Simulators, tmp_path: Path, form: str
) -> None:
    workspace = build_workspace(12, 0, today=SIM_TODAY, seed=3)
    sim = make_simulator(workspace)
    sends = live_sends(workspace)[:6]
    assert len(sends) == 6
    listed = [{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in sends]
    path = tmp_path / f"sends.{form}"
    if form == "csv":
        # Other columns and their order do not matter; a blank line neither.
        rows = [f"{s.send_id},{s.campaign_id},x" for s in sends]
        path.write_text("send_id,campaign_id,created_by\n" + "\n".join(rows) + "\n\n")
    else:
        path.write_text("".join(json.dumps({**e, "note": 1}) + "\n" for e in listed))
    base = tap_config(sim, sends=[], campaign_ids=[], start_date=days_before(14))

    from_config = run_tap({**base, "sends": listed}, tmp_path / "config")
    from_file = run_tap({**base, "sends_file": str(path)}, tmp_path / "file")
    expected = series_records(from_config, SEND_STREAMS)
    assert {r["send_id"] for r in from_config.records["send_analytics"]} == {
        s.send_id for s in sends
    }
    assert series_records(from_file, SEND_STREAMS) == expected


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("sends.csv", "campaign_id,send_id\napi-camp-01,send-0001\napi-camp-01,\n", 3),
        (
            "sends.jsonl",
            '{"campaign_id": "api-camp-01", "send_id": "send-0001"}\n\n'
            '{"campaign_id": "api-camp-01"}\n',
            3,
        ),
        ("sends.jsonl", '{"campaign_id": "api-camp-01", "send_id": "send-0001"}\nnot json\n', 2),
    ],
    ids=["csv-empty-send-id", "jsonl-missing-send-id", "jsonl-not-json"],
)
def test_a_bad_sends_file_row_is_named_before_any_request(
    simulator: BrazeSimulator, tmp_path: Path, name: str, text: str, line: int
) -> None:
    path = tmp_path / name
    path.write_text(text)
    config = tap_config(simulator, sends=[], sends_file=str(path))
    run = run_tap(config, tmp_path / "run", check=False)
    assert run.returncode != 0
    lines = errors(run)
    assert len(lines) == 1, run.stderr
    assert str(path) in lines[0]
    assert re.search(rf"\bline {line}\b", lines[0]), lines[0]
    assert simulator.stats()["requests"] == 0


# --- 7. expired sends --------------------------------------------------------------------------


def test_expired_sends_are_not_requested_again(make_simulator: Simulators, tmp_path: Path) -> None:
    t = SIM_TODAY
    lookback = 0  # a send expires once its first data day is more than 14 + 0 + 2 days old
    sends = [
        SimSend("api-camp-01", "send-old", t - dt.timedelta(days=10)),
        SimSend("api-camp-01", "send-edge", t - dt.timedelta(days=9)),
        SimSend("api-camp-02", "send-dead", t - dt.timedelta(days=40)),  # never any data
        SimSend("api-camp-02", "send-new", t - dt.timedelta(days=2)),
    ]
    workspace = Workspace(sends=sends, campaigns=[], today=t, seed=7)
    sim = make_simulator(workspace)
    config = tap_config(sim, campaign_ids=[], start_date=days_before(14), lookback_days=lookback)

    first = run_tap(config, tmp_path / "1")
    entries = first.final_state["bookmarks"]["send_analytics"]["partitions"]
    first_data = {e["context"]["send_id"]: e.get("first_data_day") for e in entries}
    assert first_data == {  # a send's first data day is its send day (the simulator's model)
        "send-old": days_before(10),
        "send-edge": days_before(9),
        "send-dead": None,
        "send-new": days_before(2),
    }

    # Seven days on: send-old's first data day is 17 days back (> 16), send-edge's 16 (not).
    later = t + dt.timedelta(days=7)
    workspace.today = later
    sim.reset_stats()
    second = run_tap(
        {**config, "end_date": later.isoformat()}, tmp_path / "2", state=first.final_state
    )
    asked = requested(sim, SEND_SERIES, "send_id")
    assert asked[("send-old",)] == 0
    assert asked[("send-edge",)] >= 1
    assert asked[("send-dead",)] >= 1
    assert asked[("send-new",)] >= 1
    expiry = [line for line in info_lines(second) if re.search(r"\b1 sends?\b.*no longer", line)]
    assert len(expiry) == 1, info_lines(second)
    warnings = [line.message for line in tap_log_lines(second.stderr, "WARNING")]
    assert not [w for w in warnings if "send-old" in w]
    assert len([w for w in warnings if "send-dead" in w]) == 1
    assert {r["send_id"] for r in second.records.get("send_analytics", [])} <= {"send-new"}


# --- 8. shards -------------------------------------------------------------------------------


def partitions_requested(sim: BrazeSimulator) -> set[tuple[str, ...]]:
    return set(requested(sim, CAMPAIGN_SERIES, "campaign_id")) | set(
        requested(sim, SEND_SERIES, "campaign_id", "send_id")
    )


def test_three_shards_split_a_discovered_workspace(
    make_simulator: Simulators, tmp_path: Path
) -> None:
    workspace = build_workspace(12, 60, today=SIM_TODAY, seed=13, mix=CATALOG_MIX)
    sim = make_simulator(workspace)
    config = tap_config(
        sim,
        campaign_ids=[],
        all_campaigns=True,
        start_date=days_before(4),
        sends=[{"campaign_id": s.campaign_id, "send_id": s.send_id} for s in live_sends(workspace)],
    )
    catalog = catalog_selecting([*CATALOGUE, *CAMPAIGN_STREAMS, *SEND_STREAMS], tmp_path)
    series = (*CAMPAIGN_STREAMS, *SEND_STREAMS)

    whole = run_tap(config, tmp_path / "whole", catalog=catalog)
    whole_partitions = partitions_requested(sim)
    shard_runs: dict[int, TapRun] = {}
    shard_partitions: dict[int, set[tuple[str, ...]]] = {}
    for k in (1, 2, 3):
        sim.reset_stats()
        shard_runs[k] = run_tap(
            {**config, "shard": f"{k}/3"}, tmp_path / f"shard-{k}", catalog=catalog
        )
        shard_partitions[k] = partitions_requested(sim)
        catalogue_rows = {s for s in CATALOGUE if shard_runs[k].records.get(s)}
        assert catalogue_rows == (set(CATALOGUE) if k == 1 else set()), k
        assert (DETAILS in sim.stats()["by_path"]) is (k == 1), k

    for a, b in ((1, 2), (1, 3), (2, 3)):
        assert not shard_partitions[a] & shard_partitions[b], (a, b)
    assert all(len(p) >= 5 for p in shard_partitions.values())  # each shard has work
    # Shards 2 and 3 read no details, so drafts are requested there (and return nothing).
    assert whole_partitions <= set().union(*shard_partitions.values())
    for stream in series:
        union = [r for run in shard_runs.values() for r in run.records.get(stream, [])]
        assert canonical(union) == canonical(whole.records.get(stream, [])), stream
    assert whole.records["send_analytics"]
    assert whole.records["campaign_analytics"]

    # The next day's runs, each from its own state: every partition stays in its shard.
    for k in (1, 2, 3):
        sim.reset_stats()
        run_tap(
            {**config, "shard": f"{k}/3"},
            tmp_path / f"shard-{k}-again",
            state=shard_runs[k].final_state,
            catalog=catalog,
        )
        assert partitions_requested(sim) == shard_partitions[k], k
