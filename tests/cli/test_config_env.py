"""`--config ENV`: every setting from its TAP_BRAZE_SENDS_* variable, as text, through the real
CLI. A value of any type in its text form is read as that value; a bad one is one line naming
the setting and the variable, before any request, never a traceback; the only .env read is the
working folder's, and the process environment wins over it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import singer_sdk
import tap_process
from braze_simulator import BrazeSimulator
from conftest import TAP, TapRun, canonical, expected_records, parse_singer, tap_config

PREFIX = "TAP_BRAZE_SENDS_"
CLOSED = "http://127.0.0.1:9"  # nothing listens: a config error must stop the run first
KEY = "env-KEY-5d1e9a"


def clean_environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update({PREFIX + name.upper(): value for name, value in variables.items()})
    return env


def run_env(tmp_path: Path, *args: str, cwd: Path | None = None, **variables: str) -> TapRun:
    """The CLI with ``--config ENV`` and only these TAP_BRAZE_SENDS_* variables."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    proc = tap_process.run(
        [TAP, "--config", "ENV", *args],
        env=clean_environment(**variables),
        files=tmp_path,
        timeout=120,
        cwd=cwd or tmp_path,
    )
    return TapRun(proc.returncode, proc.stdout, proc.stderr, parse_singer(proc.stdout))


def error_lines(stderr: str) -> list[str]:
    """The messages of the ERROR lines ("<time> | ERROR | <logger> | <message>")."""
    return [line.split("|", 3)[3].strip() for line in stderr.splitlines() if "| ERROR" in line]


# The reproductions, and their kin: each was a 51-66-line traceback (int(), a JSON
# parser), a value read as something else ('["a"' the app id `["a"`), or silently false.
BAD_VALUES = {
    "lookback_days": ("1e3", "lookback_days: '1e3' must be an integer between 0 and 3650"),
    "max_retries": ("eight", "max_retries: 'eight' must be an integer between 0 and 100"),
    "sends": ("c1,s1", "sends: 'c1,s1' is not a JSON list (Expecting value at line 1 column 1)"),
    "stream_maps": (
        "not json",
        "stream_maps: 'not json' is not a JSON object (Expecting value at line 1 column 1)",
    ),
    "app_ids": ('["a"', "app_ids: '[\"a\"' is not a JSON list (Expecting ',' delimiter"),
    "all_events": ("maybe", "all_events: 'maybe' must be true or false"),
    "flattening_enabled": ("maybe", "flattening_enabled: 'maybe' is not true or false"),
    "flattening_max_depth": ("2.5", "flattening_max_depth: '2.5' is not an integer"),
    "stream_map_config": (
        "[1]",
        "stream_map_config: '[1]' is not a JSON object (it is a JSON list)",
    ),
}
# Stream maps the SDK cannot build or check (48-89-line tracebacks before): the problem is
# found by the SDK, after the tap's check, so it names the setting but not the variable.
BAD_STREAM_MAPS = {
    "not a map": ({"campaigns": 5}, "stream_maps['campaigns']: 5 is not valid under any"),
    "bad expression": (
        {"campaigns": {"x": "nonsense(("}},
        "stream_maps: singer-sdk cannot apply it (Failed to parse expression nonsense((.)",
    ),
    "key property removed": (
        {"campaign_analytics": {"time": "__NULL__"}},
        "stream_maps: singer-sdk cannot apply it (Removing key property 'time' is not permitted",
    ),
    "a shape the SDK does not check": (
        {"campaigns": {"__else__": 3}},
        "stream_maps: singer-sdk cannot check it (AttributeError:",
    ),
}
CASES = {
    **{name: (name, text, expected, True) for name, (text, expected) in BAD_VALUES.items()},
    **{
        f"stream_maps {case}": ("stream_maps", json.dumps(maps), expected, False)
        for case, (maps, expected) in BAD_STREAM_MAPS.items()
    },
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("mode", [(), ("--test=schema",)], ids=["run", "test"])
def test_a_bad_variable_is_one_line_naming_the_setting_and_the_variable(
    case: str, mode: tuple[str, ...], tmp_path: Path
) -> None:
    name, text, expected, names_variable = CASES[case]
    run = run_env(tmp_path, *mode, api_key=KEY, api_url=CLOSED, campaign_ids="c1", **{name: text})

    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    problem, summary = error_lines(run.stderr)
    assert problem.startswith(expected), problem
    if names_variable:
        assert problem.endswith(f"(from {PREFIX}{name.upper()})"), problem
    assert summary == "Config validation failed"
    assert run.messages == []


def test_every_type_in_its_text_form_extracts_what_the_config_file_does(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    config = tap_config(simulator, lookback_days=3, window_days=7, include_archived=True)
    campaigns = config["campaign_ids"]
    run = run_env(
        tmp_path,
        api_key=f"  {config['api_key']}\n",
        api_url=config["api_url"],
        sends=json.dumps(config["sends"]),
        campaign_ids=" , ".join(campaigns),  # the comma form, spaces around
        start_date=config["start_date"],
        end_date=config["end_date"],
        lookback_days=" 3 ",
        window_days="7",
        request_timeout="5",
        retry_initial_wait="5e-2",
        include_archived="Yes",
        all_canvases="off",
        flattening_enabled="false",
        stream_map_config='{"region": "eu"}',
        shard="",  # blank: every partition
    )

    assert run.returncode == 0, run.stderr[-3000:]
    expected = expected_records(simulator.workspace, config)
    assert expected["campaign_analytics"]
    assert {s: canonical(r) for s, r in run.records.items()} == {
        s: canonical(r) for s, r in expected.items()
    }
    # One line says where the settings came from (the variables' names, never a value).
    (line,) = [x for x in run.stderr.splitlines() if "Settings from" in x]
    assert f"{PREFIX}API_KEY" in line
    assert f"{PREFIX}CAMPAIGN_IDS" in line
    assert config["api_key"] not in run.stderr


def test_the_working_folders_env_file_supplies_settings_and_the_environment_wins(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / ".env").write_text(
        f"{PREFIX}API_URL={CLOSED}\n{PREFIX}LOOKBACK_DAYS=eight\n{PREFIX}CAMPAIGN_IDS=c1\n"
    )
    # The environment's LOOKBACK_DAYS wins over the file's (the SDK let the file win:
    # int('eight'), a traceback).
    run = run_env(tmp_path, "--test=schema", cwd=work, api_key=KEY, lookback_days="4")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    # Without the variable, the file's value counts, and is reported like any other.
    run = run_env(tmp_path, "--test=schema", cwd=work, api_key=KEY)
    (problem, _) = error_lines(run.stderr)
    assert problem.startswith("lookback_days: 'eight' must be an integer"), problem


def test_no_env_file_above_the_working_folder_or_the_sdk_supplies_a_setting(
    tmp_path: Path,
) -> None:
    """The SDK looked for a .env from its own install folder upwards: any .env above the
    virtualenv (a home folder, a checkout) supplied settings. Here singer-sdk is imported
    from a copy under ``tmp_path``, with a .env above both it and the working folder."""
    lib = tmp_path / "lib"
    shutil.copytree(Path(singer_sdk.__file__).parent, lib / "singer_sdk")
    (tmp_path / ".env").write_text(f"{PREFIX}API_URL={CLOSED}\n")
    script = tmp_path / "run_tap.py"  # a file: python-dotenv treats `python -c` as a shell
    script.write_text("from tap_braze_sends.tap import TapBrazeSends\nTapBrazeSends.cli()\n")
    work = tmp_path / "work"
    work.mkdir()
    env = clean_environment(api_key=KEY, campaign_ids="c1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(lib), os.environ.get("PYTHONPATH")]))
    imported = subprocess.run(
        [sys.executable, "-c", "import singer_sdk; print(singer_sdk.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()
    assert Path(imported).is_relative_to(lib)  # the copy, below the .env
    proc = subprocess.run(
        [sys.executable, str(script), "--config", "ENV", "--test=schema"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert error_lines(proc.stderr)[0].startswith("api_url: is required"), proc.stderr[-3000:]


def test_a_stream_map_that_fails_on_a_record_is_one_line(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    config = tap_config(simulator, sends=[])
    run = run_env(
        tmp_path,
        api_key=config["api_key"],
        api_url=config["api_url"],
        campaign_ids=",".join(config["campaign_ids"]),
        start_date=config["end_date"],
        end_date=config["end_date"],
        stream_maps=json.dumps({"campaign_analytics": {"ratio": "1/0"}}),
    )
    assert run.returncode == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    (problem,) = error_lines(run.stderr)
    assert problem.startswith("stream_maps: "), problem
