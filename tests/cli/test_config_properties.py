"""Property test: any value in any setting's variable, through the real CLI with `--config ENV`,
ends in typed settings or in one line per bad setting naming it, never a traceback.

Each example is a run of its own (`--test=schema`: the tap's whole config check, the SDK's,
the stream maps built and applied to every schema, and no request), so the example count is
kept modest by a profile.
"""

from __future__ import annotations

import copy
import json
import os
import re
import string
import tempfile
from pathlib import Path

import tap_process
from conftest import TAP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap_braze_sends.config_schema import SPEC_BY_NAME
from tap_braze_sends.tap import TapBrazeSends

settings.register_profile(
    "cli-runs", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CLI_RUNS = settings.get_profile("cli-runs")

PREFIX = "TAP_BRAZE_SENDS_"
_schema = copy.deepcopy(TapBrazeSends.config_jsonschema)
TapBrazeSends.append_builtin_config(_schema)  # the SDK's own settings: stream maps, flattening
SCHEMA = _schema["properties"]
SETTINGS = sorted(SCHEMA)
KEY = "prop-ENV-KEY-71c3e0"
BASE = {"API_KEY": KEY, "API_URL": "http://127.0.0.1:9", "CAMPAIGN_IDS": "camp-1"}

# Stream maps of every shape the SDK reads (and some it does not), on the tap's streams.
STREAM_MAPS = [
    {"campaigns": None},
    {"campaigns": 5},
    {"campaigns": {"x": 5}},
    {"campaigns": {"x": "nonsense(("}},
    {"campaigns": {"x": "1/0"}},
    {"campaigns": {"__filter__": "1/0"}},
    {"campaigns": {"__alias__": 7}},
    {"campaigns": {"__key_properties__": "x"}},
    {"campaigns": {"__key_properties__": []}},
    {"campaign_analytics": {"time": "__NULL__"}},
    {"campaigns": {"__else__": 3}},
    {"campaigns": {"__else__": "__NULL__", "campaign_id": "campaign_id"}},
    {"campaigns": {"name": "fake.name()"}},
    {"campaigns": {"name": "config['region']"}},
    {"campaigns": {"__source__": "nothing"}},
    {"copy": {"__source__": "campaigns"}},
    {"*": {"x": "1"}},
]

# What an environment variable can hold: any text but NUL (the OS refuses it) and lone
# surrogates (no encoding takes them).
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False)
    | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=10,
)
values = st.one_of(
    text,
    st.sampled_from(["", " ", "true", "No", "on", "maybe", "[]", "{}", "null", "1e3", "-1", "["]),
    st.integers(min_value=-(10**6), max_value=10**20).map(str),
    st.floats().map(repr),
    json_values.map(json.dumps),
    st.lists(st.text(string.ascii_letters + " *&/", max_size=8), max_size=4).map(",".join),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-13-01", "2026-02-30", "03/31/2026", "2026-03-31T25:00:00Z"]),
    st.sampled_from(["1/1", "2/8", "0/4", "5/4", "all"]),  # shard's forms
    st.sampled_from(STREAM_MAPS).map(json.dumps),
)
# sends_file names a file: a missing one, an empty one, or one of sends (in the run's folder).
sends_files = st.sampled_from(["", "missing.csv", "empty.csv", "sends.csv", "."])
environments = st.dictionaries(st.sampled_from(SETTINGS), values, max_size=6).flatmap(
    lambda env: (
        st.just(env)
        if "sends_file" not in env
        else sends_files.map(lambda path: {**env, "sends_file": path})
    )
)


def _names_a_setting(message: str) -> bool:
    """A problem line starts with a setting's name (an item's: name[i]), or names a file."""
    named = re.match(r"(\w+)(\[[^\]]*\])*: ", message)
    return bool(named and named.group(1) in SCHEMA) or message.startswith("/")


@CLI_RUNS
@given(environments)
def test_any_environment_gives_a_run_or_one_line_per_bad_setting(generated: dict) -> None:
    variables = {PREFIX + k: v for k, v in BASE.items()}
    variables.update({PREFIX + name.upper(): value for name, value in generated.items()})
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
    env.update(variables, PYTHONIOENCODING="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "empty.csv").write_text("")
        (work / "sends.csv").write_text("campaign_id,send_id\nc1,s1\n")
        proc = tap_process.run(
            [TAP, "--config", "ENV", "--test=schema"], env=env, files=work, timeout=60, cwd=work
        )

    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [
        line.split("|", 3)[3].strip() for line in proc.stderr.splitlines() if "| ERROR" in line
    ]
    if proc.returncode == 0:
        assert errors == []
        assert '"type":"SCHEMA"' in proc.stdout.replace(" ", "")
    else:
        assert proc.returncode == 1, proc.stderr[-3000:]
        *problems, summary = errors
        assert summary == "Config validation failed", errors
        assert problems, errors
        for problem in problems:
            assert _names_a_setting(problem), problem
            named = re.match(r"\w+", problem)
            if named and named.group() in generated and named.group() in SPEC_BY_NAME:
                assert problem.endswith(f"(from {PREFIX}{named.group().upper()})"), problem
    if "api_key" not in generated:
        assert KEY not in proc.stderr + proc.stdout
