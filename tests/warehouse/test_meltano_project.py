"""A data engineer's own Meltano project, outside this repository (README, "Use it in your
Meltano project"), step by step as the README gives them:

    meltano init my-project
    meltano add --plugin-type extractor tap-braze-sends --from-ref <the Hub file>
    meltano add --plugin-type loader target-jsonl --from-ref <plugins/loaders/...>
    meltano add --plugin-type loader target-postgres --from-ref <plugins/loaders/...>
    meltano select tap-braze-sends '*.*'
    TAP_BRAZE_SENDS_...=... meltano run tap-braze-sends target-jsonl / target-postgres

Real Meltano 4.4 in a temporary directory, the tap installed by Meltano from this checkout
(the Hub file's pip_url is a VCS URL; here it is this directory), real target-jsonl and
target-postgres, a PostgreSQL server this session starts, the simulator on 127.0.0.1. All
configuration comes from environment variables, as in production: every setting once.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from conftest import TAP, expected_records, tap_config, workspace_config

from tap_braze_sends.config_schema import SPEC_BY_NAME
from tap_braze_sends.settings import parse_settings, values_from_text
from tap_braze_sends.tap import TapBrazeSends

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import meltano_env  # noqa: E402  (scripts/ is not a package)
import pg  # noqa: E402
import plugin_defs  # noqa: E402

pytestmark = pytest.mark.warehouse

HUB_FILE = plugin_defs.HUB_FILE
# The loaders the README's "Use it in your Meltano project" adds; target-snowflake's exported
# definition has its own check (tests/warehouse/test_snowflake_warehouse.py).
PROJECT_LOADERS = ("target-postgres", "target-jsonl")
LOADER_FILES = {name: plugin_defs.loader_hub_file(name) for name in PROJECT_LOADERS}
README = (ROOT / "README.md").read_text()


def readme_section() -> str:
    start = README.index("## Use it in your Meltano project\n")
    return README[start : README.index("\n## ", start + 1)]


def add_steps(tap_ref: Path, loader_refs: dict[str, Path] = LOADER_FILES) -> list[list[str]]:
    """The README's `meltano add` and `select` lines (the Hub files at the refs given)."""
    return [
        ["add", "--plugin-type", "extractor", "tap-braze-sends", "--from-ref", str(tap_ref)],
        *(
            ["add", "--plugin-type", "loader", name, "--from-ref", str(path)]
            for name, path in loader_refs.items()
        ),
        ["select", "tap-braze-sends", "*.*"],
    ]


def local_pip_url(pip_url: str) -> str:
    """A published pip_url with this repository's VCS URL (a loader wrapper in a
    subdirectory of it) pointing at this checkout instead."""
    prefix = f"{plugin_defs.PIP_URL}#subdirectory="
    return " ".join(
        str(ROOT / word.removeprefix(prefix)) if word.startswith(prefix) else word
        for word in pip_url.split()
    )


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def tap_env(config: dict[str, Any]) -> dict[str, str]:
    """A config as the TAP_BRAZE_SENDS_* variables a deployment sets."""
    return {f"TAP_BRAZE_SENDS_{k.upper()}": _env_value(v) for k, v in config.items()}


class Project:
    """A Meltano project in a directory of its own; meltano runs in it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def meltano(
        self, *args: str, env: dict[str, str] | None = None, check: bool = True
    ) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [str(meltano_env.MELTANO), *args],
            cwd=self.path,
            env=meltano_env.clean_env(env or {}),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if check and proc.returncode != 0:
            command = " ".join(args)
            pytest.fail(f"meltano {command} exited {proc.returncode}:\n{proc.stderr[-6000:]}")
        return proc


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """`meltano init`, then the README's `meltano add` steps; the tap from this checkout."""
    meltano_env.ensure_meltano()
    root = tmp_path_factory.mktemp("user")
    Project(root).meltano("init", "my-project", "--no_usage_stats")
    project = Project(root / "my-project")
    # The Hub file as published, but installing this checkout instead of the repository.
    hub = yaml.safe_load(HUB_FILE.read_text())
    assert hub["pip_url"].startswith("git+https://")
    hub["pip_url"] = str(ROOT)
    local = root / HUB_FILE.name
    local.write_text(yaml.safe_dump(hub, sort_keys=False))
    local_loaders = {}
    for name, path in LOADER_FILES.items():
        loader = yaml.safe_load(path.read_text())
        loader["pip_url"] = local_pip_url(loader["pip_url"])
        local_loaders[name] = root / path.name
        local_loaders[name].write_text(yaml.safe_dump(loader, sort_keys=False))
    for step in add_steps(local, local_loaders):
        project.meltano(*step)
    return project


def test_the_readme_gives_the_steps_this_test_takes() -> None:
    text = readme_section()
    for step in add_steps(HUB_FILE):
        if "--from-ref" in step:
            ref = Path(step[-1]).relative_to(ROOT / "plugins")
            step = [*step[:-1], f"$REF/{ref}"]
        else:
            step = [*step[:-1], f"'{step[-1]}'"]
        assert "meltano " + " ".join(step) in text, step
    for command in ("run tap-braze-sends target-postgres", "run tap-braze-sends target-jsonl"):
        assert f"meltano {command}" in text
    raw = "https://raw.githubusercontent.com/tap-braze-sends/tap-braze-sends/main/plugins"
    assert f"REF={raw}" in text
    for name in ("TAP_BRAZE_SENDS_MAX_RATE_LIMIT_WAIT", "TARGET_JSONL_DO_TIMESTAMP_FILE"):
        assert name in text


def test_meltano_add_puts_exactly_the_three_plugins_in_the_project(project: Project) -> None:
    definition = yaml.safe_load((project.path / "meltano.yml").read_text())
    plugins = {
        kind: sorted(p["name"] for p in items) for kind, items in definition["plugins"].items()
    }
    assert plugins == {
        "extractors": ["tap-braze-sends"],
        "loaders": ["target-jsonl", "target-postgres"],
    }, "a stray plugin (e.g. a utility) was added"
    (tap,) = definition["plugins"]["extractors"]
    (api_key,) = [s for s in tap["settings"] if s["name"] == "api_key"]
    assert api_key["sensitive"] is True
    assert api_key["kind"] == "string"
    warnings = project.meltano("config", "list", "tap-braze-sends").stderr
    assert "deprecated" not in warnings.lower(), warnings[-2000:]


def every_setting(sim: Any, tmp_path: Path) -> dict[str, Any]:
    """A value for every setting the tap declares, each unlike its default."""
    sends_file = tmp_path / "sends.csv"
    sends_file.write_text("campaign_id,send_id\napi-camp-01,send-0001\n")
    return {
        "api_key": "sim-secret-key",
        "api_url": sim.url,
        "sends": [{"campaign_id": "api-camp-02", "send_id": "send-0002"}],
        "sends_file": str(sends_file),
        "campaign_ids": ["camp-a", "camp-b"],
        "all_campaigns": True,
        "include_archived": False,
        "canvas_ids": ["canvas-a"],
        "all_canvases": True,
        "include_deleted_steps": False,
        "app_ids": ["app-ios", "app-android"],
        "segment_ids": ["seg-1"],
        "all_segments": True,
        "breakdown_segment_ids": ["seg-2"],
        # Free text: spaces, &, /, %, quotes, a comma and non-ASCII arrive as they are.
        "event_names": ["Added to Cart", "Q&A / 100% \"done\", 'ok'", "café ☕"],
        "all_events": True,
        "products": ["Pro plan / yearly", "注文"],
        "all_products": True,
        "shard": "1/1",
        "start_date": "2026-03-01",
        "end_date": "2026-03-20",
        "lookback_days": 3,
        "window_days": 7,
        "max_parallel_requests": 2,
        "request_timeout": 7.5,
        "max_retries": 2,
        "retry_initial_wait": 0.25,
        "max_rate_limit_wait": 600,
        "stream_maps": {"campaigns": {"tags": "__NULL__"}},
        "stream_map_config": {"region": "eu"},
        "faker_config": {"seed": 7, "locale": "en_US"},
        "flattening_enabled": False,
        "flattening_max_depth": 2,
        "flattening_max_key_length": 60,
        "flattening_separator": "__",
    }


def test_every_setting_comes_through_its_environment_variable(
    project: Project, simulator: Any, tmp_path: Path
) -> None:
    """Each TAP_BRAZE_SENDS_* variable reaches the tap's config as the text it is (every
    setting is text to Meltano: a kind would have Meltano cast it first, a date rewritten,
    a comma list a traceback), and the tap reads that text as the value meant."""
    about = json.loads(
        subprocess.run(
            [TAP, "--about", "--format=json"], capture_output=True, text=True, check=True
        ).stdout
    )
    config = every_setting(simulator, tmp_path)
    assert set(config) == set(about["settings"]["properties"]), "a new setting: add it here"
    env = tap_env(config)
    dumped = json.loads(
        project.meltano("invoke", "--dump=config", "tap-braze-sends", env=env).stdout
    )
    for name in config:
        variable = f"TAP_BRAZE_SENDS_{name.upper()}"
        assert dumped.get(name) == env[variable], (
            f"{name}: {env[variable]!r} became {dumped.get(name)!r}"
        )
    # The tap reads each text as the value meant: the same settings as the typed config, and
    # the same values of the SDK's own settings (the functions its config check runs).
    typed = dict(dumped)
    assert values_from_text(typed, TapBrazeSends.full_config_schema()) == []
    today = dt.date(2026, 3, 31)
    assert parse_settings(typed, today) == parse_settings(config, today)
    for name in set(config) - set(SPEC_BY_NAME):
        assert typed[name] == config[name], name
    # And the tap accepts that config: --test=schema runs its own validation, then sends only
    # the schemas (discovery alone does not validate).
    path = tmp_path / "dumped.json"
    path.write_text(json.dumps(dumped))
    proc = subprocess.run(
        [TAP, "--config", str(path), "--test=schema"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # And Meltano runs the tap with it (discovery through Meltano itself).
    project.meltano("invoke", "tap-braze-sends", "--discover", env=env)


EVENTS = ["Added to Cart", "checkout/complete"]


@pytest.mark.parametrize(
    "text",
    [",".join(EVENTS), " , ".join(EVENTS), json.dumps(EVENTS)],
    ids=["commas", "spaced", "json"],
)
def test_event_names_in_each_documented_form_are_read_under_meltano(
    text: str, project: Project, simulator: Any
) -> None:
    """The setting's description gives a JSON list or the names separated by commas; the
    comma form was a 190-line traceback of Meltano's (its `array` kind parses JSON only)."""
    config = workspace_config(simulator, event_names=EVENTS)
    env = {**tap_env(config), "TAP_BRAZE_SENDS_EVENT_NAMES": text}
    proc = project.meltano("invoke", "tap-braze-sends", env=env)
    assert "Traceback" not in proc.stderr
    messages = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    records = [
        m["record"]
        for m in messages
        if m["type"] == "RECORD" and m["stream"] == "custom_event_analytics"
    ]
    assert {r["event_name"] for r in records} == set(EVENTS)


BAD_UNDER_MELTANO = {
    # Meltano's date kind rewrote this one into 2026-01-13 (a 329-day backfill), silently.
    "start_date": ("2026-13-01", "start_date: '2026-13-01' is not a date (expected YYYY-MM-DD)"),
    "lookback_days": ("eight", "lookback_days: 'eight' must be an integer between 0 and 3650"),
    "event_names": ('["A"', "event_names: '[\"A\"' is not a JSON list"),
    "all_events": ("maybe", "all_events: 'maybe' must be true or false"),  # was false
    "stream_maps": ("not json", "stream_maps: 'not json' is not a JSON object"),
}


@pytest.mark.parametrize("name", list(BAD_UNDER_MELTANO))
def test_a_bad_value_reaches_the_tap_as_given_and_is_its_one_line_error(
    name: str, project: Project, simulator: Any
) -> None:
    text, expected = BAD_UNDER_MELTANO[name]
    env = {**tap_env(workspace_config(simulator)), f"TAP_BRAZE_SENDS_{name.upper()}": text}
    dumped = json.loads(
        project.meltano("invoke", "--dump=config", "tap-braze-sends", env=env).stdout
    )
    assert dumped[name] == text  # Meltano passed it on as given
    before = simulator.stats()["requests"]
    proc = project.meltano("invoke", "tap-braze-sends", env=env, check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if "[error" in line]
    assert len(errors) == 2, errors  # the problem, then "Config validation failed"
    assert expected in errors[0], errors
    assert "Config validation failed" in errors[1]
    assert simulator.stats()["requests"] == before  # nothing was requested


def _user_config(sim: Any) -> dict[str, Any]:
    return tap_config(sim, max_rate_limit_wait=600, request_timeout=5, retry_initial_wait=0.05)


def test_meltano_run_into_target_jsonl(project: Project, simulator: Any, tmp_path: Path) -> None:
    config = _user_config(simulator)
    out = tmp_path / "jsonl"
    out.mkdir()
    env = {
        **tap_env(config),
        "TARGET_JSONL_DESTINATION_PATH": str(out),
        "TARGET_JSONL_DO_TIMESTAMP_FILE": "false",
    }
    project.meltano("run", "tap-braze-sends", "target-jsonl", env=env)
    expected = expected_records(simulator.workspace, config)
    assert expected
    for stream, records in expected.items():
        lines = (out / f"{stream}.jsonl").read_text().splitlines()
        loaded = sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines)
        assert loaded == sorted(json.dumps(r, sort_keys=True) for r in records), stream
    # The catalogue streams came too (`meltano select tap-braze-sends '*.*'`).
    campaigns = [json.loads(line) for line in (out / "campaigns.jsonl").read_text().splitlines()]
    assert {c["campaign_id"] for c in campaigns} >= set(config["campaign_ids"])
    # State is kept by the project (a second run is incremental).
    state = project.meltano("state", "list", env=env).stdout
    assert "tap-braze-sends-to-target-jsonl" in state


def test_meltano_run_into_target_postgres(
    project: Project, simulator: Any, postgres_server: pg.PostgresServer
) -> None:
    config = _user_config(simulator)
    env = {
        **tap_env(config),
        **postgres_server.target_env(),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "braze",
    }
    assert all(key.startswith(("TAP_BRAZE_SENDS_", "TARGET_POSTGRES_")) for key in env)
    project.meltano("run", "tap-braze-sends", "target-postgres", env=env)
    expected = expected_records(simulator.workspace, config)
    with psycopg.connect(postgres_server.conninfo()) as conn:
        for stream, records in expected.items():
            keys = {
                "send_analytics": "campaign_id, send_id, time",
                "campaign_analytics": "campaign_id, time",
            }.get(stream)
            (count,) = conn.execute(f"SELECT count(*) FROM braze.{stream}").fetchone()  # noqa: S608
            assert count == len(records), stream
            if keys:
                (distinct,) = conn.execute(
                    f"SELECT count(DISTINCT ({keys})) FROM braze.{stream}"  # noqa: S608
                ).fetchone()
                assert distinct == count, stream
        names = dict(conn.execute("SELECT campaign_id, name FROM braze.campaigns").fetchall())
        # The published loader (its wrapper) writes an absent JSON value as SQL NULL.
        ((sql_nulls, json_nulls),) = conn.execute(
            "SELECT count(*) FILTER (WHERE extra_metrics IS NULL), "
            "count(*) FILTER (WHERE extra_metrics = 'null'::jsonb) "
            "FROM braze.campaign_message_analytics"
        ).fetchall()
    absent = sum(
        1 for r in expected["campaign_message_analytics"] if r.get("extra_metrics") is None
    )
    assert (sql_nulls, json_nulls) == (absent, 0)
    assert absent > 0
    workspace_names = {c.campaign_id: c.name for c in simulator.workspace.campaigns}
    assert {k: names.get(k) for k in workspace_names} == workspace_names
