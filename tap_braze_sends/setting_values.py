"""Parsers of single setting values: each returns the typed value, or the default after adding
one problem that names the setting and shows the bad value.

Values may arrive as text (``--config ENV`` and Meltano pass every setting from an
environment variable as a string), so each parser accepts the text form of its type too; the
text forms are defined here once (``*_of_text``), for the parsers and for the settings the SDK
declares (tap.py converts those in place).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable

from tap_braze_sends.keys import id_problem

# "on"/"off" too: singer-sdk's --config ENV and Meltano's boolean kind both took them.
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_INT_TEXT = re.compile(r"\s*-?\d{1,18}\s*", re.ASCII)
_SHARD = re.compile(r"\s*(\d{1,9})\s*/\s*(\d{1,9})\s*", re.ASCII)


def shown(value: object, limit: int = 120) -> str:
    """``value`` as an error message quotes it: its repr, clipped (a pasted file is long)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
"""Dates outside these are typos (Braze began in 2011); near the calendar's ends, the date
arithmetic of windows and lookback would overflow."""

MAX_SECONDS = 86_400.0
"""A day: no wait or timeout of the tap is sensibly longer."""


def int_of_text(text: str) -> int | None:
    """An integer's text form ("14", " -3 "); None for anything else ("1e3", "eight")."""
    return int(text) if _INT_TEXT.fullmatch(text) else None


def bool_of_text(text: str) -> bool | None:
    """A boolean's text form, in any case ("true", "No", "1", "on"); None for anything else."""
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else None


def list_of_text(text: str, *, names: bool) -> list[object]:
    """A list's text form: a JSON list, or (``names``: a list of strings) the items separated
    by commas ("a, b"). Blank text is no items. Raises ValueError saying what is wrong.

    Text that starts with "[" is JSON or an error, never the comma form: '["a"' is a JSON list
    with its bracket missing, not the one name '["a"'."""
    stripped = text.strip()
    if not stripped:
        return []
    if names and not stripped.startswith("["):
        return stripped.split(",")
    what = "a JSON list"
    parsed = _json_of_text(stripped, what)
    if not isinstance(parsed, list):
        raise ValueError(f"is not {what} (it is a JSON {_json_type(parsed)})")
    return parsed


def object_of_text(text: str) -> dict[str, object]:
    """An object's text form: a JSON object. Raises ValueError saying what is wrong."""
    parsed = _json_of_text(text, "a JSON object")
    if not isinstance(parsed, dict):
        raise ValueError(f"is not a JSON object (it is a JSON {_json_type(parsed)})")
    return parsed


def _json_of_text(text: str, what: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except ValueError:  # an integer of more than 4,300 digits
        reason = "a number too long"
    except RecursionError:
        reason = "nested too deeply"
    raise ValueError(f"is not {what} ({reason})")


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "list", str: "string"}.get(type(value), "null")


def parse_date(
    name: str, value: object, default: dt.date | None, problems: list[str]
) -> dt.date | None:
    if is_blank(value):
        return default
    parsed: dt.date | None = None
    if isinstance(value, dt.datetime):
        parsed = value.date()
    elif isinstance(value, dt.date):
        parsed = value
    elif isinstance(value, str):
        # A datetime is accepted too ("2024-01-01T00:00:00Z"); its date is what counts.
        with contextlib.suppress(ValueError):
            parsed = dt.date.fromisoformat(value.strip()[:10])
    if parsed is None:
        problems.append(f"{name}: {shown(value)} is not a date (expected YYYY-MM-DD)")
        return default
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        problems.append(
            f"{name}: {shown(value)} must be between {EARLIEST_DATE.isoformat()} and "
            f"{LATEST_DATE.isoformat()}"
        )
        return default
    return parsed


def parse_int(
    name: str, value: object, default: int, low: int, high: int | None, problems: list[str]
) -> int:
    if value is None:
        return default
    parsed: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        parsed = value
    elif isinstance(value, str):
        parsed = int_of_text(value)
    bounds = f">= {low}" if high is None else f"between {low} and {high}"
    if parsed is None or parsed < low or (high is not None and parsed > high):
        problems.append(f"{name}: {shown(value)} must be an integer {bounds}")
        return default
    return parsed


def parse_seconds(
    name: str, value: object, default: float, problems: list[str], *, allow_zero: bool = False
) -> float:
    if value is None:
        return default
    try:
        parsed = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        parsed = float("nan")  # fails every comparison below ("inf" fails the upper bound)
    in_range = (parsed >= 0 if allow_zero else parsed > 0) and parsed <= MAX_SECONDS
    if isinstance(value, bool) or not in_range:
        low = ">= 0" if allow_zero else "> 0"
        problems.append(
            f"{name}: {shown(value)} must be a number of seconds {low} and <= {MAX_SECONDS:.0f}"
        )
        return default
    return parsed


def parse_bool(name: str, value: object, default: bool, problems: list[str]) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        if is_blank(value):
            return default
        parsed = bool_of_text(value)
        if parsed is not None:
            return parsed
    problems.append(f"{name}: {shown(value)} must be true or false")
    return default


def parse_list(
    name: str,
    item: str,
    value: object,
    problems: list[str],
    *,
    problem_of: Callable[[str], str | None] = id_problem,
    reserved: str | None = None,
) -> tuple[str, ...]:
    """A list of strings, each one ``item`` ("campaign id", "event name"): surrounding
    whitespace dropped (a CSV's ``a, b``), the rest kept exactly. A blank, a duplicate or what
    ``problem_of`` refuses is a problem; so is ``*`` when ``reserved`` says why."""
    if isinstance(value, str):
        try:
            value = list_of_text(value, names=True)
        except ValueError as exc:
            problems.append(f"{name}: {shown(value)} {exc}")
            return ()
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{name}: must be a list of {item}s, got {shown(value)}")
        return ()
    article = "an" if item[:1] in set("aeiou") else "a"
    items: dict[str, None] = {}  # ordered, and a lookup per item: 50,000 ids are linear
    for index, entry in enumerate(value):
        if is_blank(entry) or not isinstance(entry, str):
            problems.append(f"{name}[{index}]: {shown(entry)} is not {article} {item}")
            continue
        text = entry.strip()
        if text in items:
            problems.append(f"{name}[{index}]: duplicate {item} {shown(entry)}")
        elif reserved is not None and text == "*":
            problems.append(f"{name}[{index}]: '*' is reserved: {reserved}")
        elif problem := problem_of(text):
            problems.append(f"{name}[{index}]: the {item} {problem}")
        else:
            items[text] = None
    return tuple(items)


def parse_shard(
    name: str, value: object, default: tuple[int, int] | None, problems: list[str]
) -> tuple[int, int] | None:
    """``"k/n"`` with 1 <= k <= n as ``(k, n)``; blank or ``"all"`` as None (every partition)."""
    if is_blank(value) or (isinstance(value, str) and value.strip().lower() == "all"):
        return default
    match = _SHARD.fullmatch(value) if isinstance(value, str) else None
    if match:
        index, count = int(match.group(1)), int(match.group(2))
        if 1 <= index <= count:
            return index, count
    problems.append(
        f'{name}: {shown(value)} must be "k/n" with 1 <= k <= n, e.g. "2/8" for the second of '
        "eight jobs (or empty for all partitions)"
    )
    return default


def parse_path(name: str, value: object, default: str | None, problems: list[str]) -> str | None:
    if is_blank(value):
        return default
    if not isinstance(value, str):
        problems.append(f"{name}: {shown(value)} must be a file path")
        return default
    return value.strip()
