"""Property tests: generated configs, states, sends files and Braze bodies through the tap's
validation and flatteners. The outcome is always clean: typed settings, records, or one clear
error naming the setting, the file and line, or the state entry; never another exception.

The bulk runs in-process (the CLI calls the same functions); a handful of real CLI runs check
that such an error reaches the user as one line without a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import run_tap, tap_log_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap_braze_sends.braze.catalog import list_entries
from tap_braze_sends.braze.endpoints import BRAZE
from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.config_schema import CONFIG_SCHEMA
from tap_braze_sends.errors import StateError
from tap_braze_sends.runtime.body import BodyError, decode_json
from tap_braze_sends.runtime.bookmarks import (
    Bookmarks,
    prune_expired,
    split_unknown,
    validate_state,
)
from tap_braze_sends.runtime.dense import fill_answer
from tap_braze_sends.runtime.requests_of import answer_days, merge_days
from tap_braze_sends.sends_file import SendsFileError, read_sends_file
from tap_braze_sends.settings import DATA_SOURCES, ConfigError, parse_settings

TODAY = dt.date(2026, 3, 31)


def outcome(call: Callable[[], Any], expected: type[Exception]) -> tuple[Any, Any]:
    """(result, None), or (None, the ``expected`` error); any other exception fails the test."""
    try:
        return call(), None
    except expected as exc:
        return None, exc


KEY = "prop-KEY-8c1d2e3f"
SETTINGS = sorted(CONFIG_SCHEMA["properties"])
KNOWN_STREAMS = set(BRAZE.stream_names())

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(
        [
            "",
            " ",
            "0001-01-01",
            "9999-12-31",
            "2026-03-01",
            "inf",
            "nan",
            "1/0",
            "2/8",
            "-1",
            "١٢",
            "1e400",
            KEY,
            f"{KEY}\n",
            "http://x",
            "https://rest.iad-01.braze.com",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)


def config_values() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(SETTINGS), json_values, max_size=len(SETTINGS)).map(
        lambda c: {"api_key": KEY, **c}
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config_values())
def test_any_config_gives_settings_or_problems_each_naming_a_setting(config: dict) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if isinstance(config.get("sends_file"), str):
            config["sends_file"] = str(Path(tmp) / "absent.csv")  # never a real path
        parsed, error = outcome(lambda: parse_settings(config, TODAY), ConfigError)
        if error is not None:
            assert error.problems
            for problem in error.problems:
                name = problem.split(":", 1)[0].split("[", 1)[0]
                assert name in SETTINGS or name == " / ".join(DATA_SOURCES), problem
                assert "\n" not in problem
                if config.get("api_key") in (KEY, f"{KEY}\n"):
                    assert KEY not in problem
                assert len(problem) < 600
        else:
            assert parsed.start_date <= parsed.end_date
            assert parsed.start_date <= TODAY
            assert 0 <= parsed.lookback_days <= 3650
            assert 0 < parsed.request_timeout <= 86_400


# --- states --------------------------------------------------------------------------------

days = st.one_of(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)).map(str),
    json_values,
)
partition_entries = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "context": st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {"campaign_id": st.text(max_size=5), "send_id": st.text(max_size=5)}
                ),
            )
        },
        optional={
            "replication_key": json_values,
            "replication_key_value": days,
            "first_data_day": days,
            "facts": json_values,
        },
    ),
)
stream_states = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {}, optional={"partitions": st.one_of(json_values, st.lists(partition_entries, max_size=4))}
    ),
)
states = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "bookmarks": st.one_of(
                json_values,
                st.dictionaries(
                    st.sampled_from([*sorted(KNOWN_STREAMS)[:4], "elsewhere"]),
                    stream_states,
                    max_size=4,
                ),
            ),
            "other": json_values,
        },
    ),
)


@settings(max_examples=150, deadline=None)
@given(states)
def test_any_state_is_usable_or_a_state_error_and_what_is_unknown_is_kept(state: Any) -> None:
    _, error = outcome(lambda: validate_state(state, KNOWN_STREAMS), StateError)
    if error is not None:
        assert str(error).startswith("Unusable state: ")
        return
    ours, others, rest = split_unknown(state, KNOWN_STREAMS)
    prune_expired(
        ours, ("campaign_id", "send_id"), set(), lambda first: first < TODAY - dt.timedelta(days=30)
    )
    assert others == {
        k: v for k, v in (state.get("bookmarks") or {}).items() if k not in KNOWN_STREAMS
    }
    assert rest == {k: v for k, v in state.items() if k != "bookmarks"}
    bookmarks = Bookmarks(ours)
    for stream, entry in ours["bookmarks"].items():
        for partition in entry.get("partitions", []):
            context = {str(k): v for k, v in partition["context"].items()}
            try:
                hash(frozenset(context.items()))
            except TypeError:
                continue  # a context of lists: never one of this tap's partitions
            bookmarks.last_day(stream, context)
            bookmarks.first_data_day([stream], context)


# --- sends files ---------------------------------------------------------------------------

cells = st.text(
    alphabet=st.sampled_from([*string.ascii_letters[:6], *"0123,\"'\n\r\t {}:\x00\\é"]),
    max_size=30,
)
csv_texts = st.lists(cells, max_size=6).map(lambda rows: "campaign_id,send_id\n" + "\n".join(rows))
jsonl_texts = st.lists(
    st.one_of(
        cells,
        json_values.map(json.dumps),
        st.fixed_dictionaries({"campaign_id": json_values, "send_id": json_values}).map(json.dumps),
    ),
    max_size=6,
).map("\n".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(csv_texts.map(lambda t: ("s.csv", t)), jsonl_texts.map(lambda t: ("s.jsonl", t))))
def test_any_sends_file_gives_sends_or_lines_naming_the_file(named: tuple[str, str]) -> None:
    name, text = named
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        sends, error = outcome(lambda: read_sends_file(str(path)), SendsFileError)
        if error is not None:
            assert error.problems
            for problem in error.problems:
                assert problem.startswith(f"sends_file: {str(path)!r}"), problem
                assert len(problem) < 400
        else:
            for send in sends:
                for value in (send.campaign_id, send.send_id):
                    assert value
                    assert value == value.strip()
                    assert all(c.isprintable() or c == " " for c in value)


# --- bodies --------------------------------------------------------------------------------

times = st.sampled_from(
    [
        "2026-03-01",
        "2026-03-01T00:00:00",
        "2026-03-01T05:30:00Z",
        "2026-03-01T23:00:00-05:00",
        "2026-03-01T05:00:00+0530",
        "2026-02-30",
        "",
        "0001-01-01T00:00:00+05:00",  # UTC in year 0
        "9999-12-31T23:00:00-05:00",  # UTC in year 10000
    ]
)
numbers = st.integers(min_value=-(10**30), max_value=10**30) | st.floats(allow_nan=False)
day_objects = st.fixed_dictionaries(
    {"time": st.one_of(times, json_values)},
    optional={
        name: st.one_of(numbers, json_values)
        for name in (
            "messages",
            "unique_recipients",
            "conversions",
            "revenue",
            "stats",
            "variant_stats",
            "step_stats",
            # the workspace series' metrics
            "dau",
            "mau",
            "sessions",
            "count",
            "size",
            "purchase_quantity",
        )
    },
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"data": st.one_of(json_values, st.lists(day_objects, max_size=3))}),
    st.fixed_dictionaries(
        {
            "data": st.fixed_dictionaries(
                {"name": json_values, "stats": st.lists(day_objects, max_size=3)}
            )
        }
    ),
)


def _validator(schema: dict) -> Any:
    """What jsonschema.validate checks a row with, built (and the schema checked) once."""
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


VALIDATORS = {
    t.stream: _validator(t.schema) for d in (*BRAZE.catalogues, *BRAZE.series) for t in d.tables
}


def assert_fit_their_schemas(rows: dict[str, list], tables: Any) -> None:
    streams = {table.role: table.stream for table in tables}
    for role, role_rows in rows.items():
        for row in role_rows:
            VALIDATORS[streams[role]].validate(row)
            json.dumps(row)


FILLED = {"day": dt.date(2026, 3, 31), "hour": dt.datetime(2026, 3, 31, 5, tzinfo=dt.timezone.utc)}


@settings(max_examples=200, deadline=None)
@given(bodies, bodies, st.sampled_from(BRAZE.series))
def test_any_series_body_gives_rows_or_a_malformed_body_error(
    body: Any, other: Any, series: Any
) -> None:
    """Every series (workspace ones included) as the run reads it: each answer's days, the
    answers of a series' several requests merged, every row valid against its schema."""
    partition = {field: "id-1" for field in series.partition_fields}
    answers = []
    for n, answer in enumerate((body, other)):
        # A malformed body is retried, then one error naming the partition and window.
        with contextlib.suppress(MalformedBody):
            days = answer_days(series, answer, partition).days
            # A dense series' answer filled with its zeros: a unit it has, and one it may lack.
            request = series.requests[n % len(series.requests)]
            units = {day for day, _ in days[:1]} | {FILLED[series.unit]}
            answers.append(fill_answer(series, request, partition, days, sorted(units)))
    keys = {table.role: table.primary_keys for table in series.tables}
    for _day, rows in merge_days(answers, keys) if answers else ():
        assert_fit_their_schemas(rows, series.tables)


entries = json_values | st.dictionaries(
    st.sampled_from(["id", "name", "tags", "tag_names", "analytics_tracking_enabled", "status"]),
    json_values,
)
catalog_bodies = st.one_of(
    json_values,
    *(
        st.fixed_dictionaries({key: st.lists(entries, max_size=3)})
        for key in ("campaigns", "canvases", "segments", "events", "products")
    ),
    st.fixed_dictionaries(
        {"name": st.one_of(st.text(max_size=5), json_values)},
        optional={
            k: json_values
            for k in (
                "archived",
                "draft",
                "first_sent",
                "last_sent",
                "messages",
                "conversion_behaviors",
                "variants",
                "steps",
                "tags",
                "channels",
                "first_entry",
            )
        },
    ),
)


@settings(max_examples=200, deadline=None)
@given(catalog_bodies, st.sampled_from(BRAZE.catalogues))
def test_any_catalogue_body_gives_rows_or_a_malformed_body_error(body: Any, family: Any) -> None:
    try:
        listed = family.entries(body) if family.entries else list_entries(body, family)
        assert all(isinstance(entry["id"], str) for entry in listed)
        assert_fit_their_schemas({"list": family.list_rows(body)}, family.tables)
    except MalformedBody:
        pass
    if family.details_rows is not None:
        with contextlib.suppress(MalformedBody):
            assert_fit_their_schemas(family.details_rows("id-1", body), family.tables)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_decode_to_json_or_a_body_error(content: bytes) -> None:
    _, error = outcome(lambda: decode_json(content), BodyError)
    assert error is None or "JSON body" in str(error)


def test_deeply_nested_json_is_a_body_error() -> None:
    with pytest.raises(BodyError, match="nested too deep"):
        decode_json(b"[" * 100_000 + b"]" * 100_000)


# --- a handful of real CLI runs ------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"start_date": "0001-01-01"},
        {"request_timeout": "inf"},
        {"lookback_days": 800000},
        {"api_key": "bad key\u2019"},
        {"api_url": "http://example.com"},
    ],
    ids=["date", "timeout", "lookback", "key", "url"],
)
def test_the_cli_reports_a_bad_setting_in_one_line(overrides: dict, tmp_path: Path) -> None:
    config = {
        "api_key": KEY,
        "api_url": "http://127.0.0.1:9",
        "campaign_ids": ["c1"],
        **overrides,
    }
    run = run_tap(config, tmp_path, check=False, timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    named = [e for e in errors if e.startswith(next(iter(overrides)) + ":")]
    assert len(named) == 1, errors
    assert "8c1d2e3f" not in run.stderr
