"""Placing the values of one Braze object into a row: the rules every series flattener shares.

Every value Braze returns ends up in exactly one place: a typed column when the schema names it
and the value has the column's JSON type, else the row's ``extra_metrics`` object. Values are
passed through untouched (no rounding, no int/float conversion).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tap_braze_sends.braze.description import Row
from tap_braze_sends.braze.schemas.metrics import VARIATION_PLACEHOLDER, metric_type

IDENTITY_KEYS = ("variation_api_id", "variation_name")
"""The keys that name a per-message entry, in order of preference for its ``variation``."""


def metric_columns(names: Iterable[str]) -> Mapping[str, str]:
    """Column name -> JSON type for metrics of the catalogue (money is a number, else a count)."""
    return {name: metric_type(name) for name in names}


def fits(json_type: str, value: object) -> bool:
    """Whether a value has the JSON type of its typed column (else it goes to extras).

    A bool is never a number and a float never a count: a target would change their type.
    """
    if value is None:
        return True
    if isinstance(value, bool):
        return json_type == "boolean"
    if json_type == "number":
        return isinstance(value, int | float)
    if json_type == "integer":
        return isinstance(value, int)
    if json_type == "string":
        return isinstance(value, str)
    return False


def split_values(
    source: Mapping[str, Any],
    columns: Mapping[str, str],
    row: Row,
    skip: Iterable[str] = (),
) -> None:
    """Put each value of ``source`` into its typed column of ``row`` or into its extras."""
    skipped = frozenset(skip)
    extras: dict[str, Any] = {}
    for name, value in source.items():
        if name in skipped:
            continue
        json_type = columns.get(name)
        if json_type is not None and fits(json_type, value):
            row[name] = value
        else:
            extras[name] = value
    row["extra_metrics"] = extras or None


def variation_id(entry: Mapping[str, Any]) -> str:
    """``variation_api_id``, else ``variation_name``, else the placeholder."""
    for key in IDENTITY_KEYS:
        value = entry.get(key)
        if value is not None and value != "":
            return str(value)
    return VARIATION_PLACEHOLDER


def unique_variation(variation: str, used: dict[str, int]) -> str:
    """``variation``, or with a ``#2``, ``#3`` suffix when already used; records the result.

    ``used``: each variation taken, and the last suffix tried with it as the base name, so
    that n copies of one name cost n steps (counting from 1 each time cost n^2 / 2: 136,000
    copies in one body, minutes of CPU)."""
    # Suffix until unused, so that even a Braze name like "A#2" beside two "A"s stays unique.
    count = used.get(variation)
    if count is None:
        used[variation] = 1
        return variation
    candidate = f"{variation}#{count}" if count > 1 else variation
    while candidate in used:
        count += 1
        candidate = f"{variation}#{count}"
    used[variation] = count
    used.setdefault(candidate, 1)
    return candidate


def channel_entries(value: object) -> list:
    """The entries of one channel: Braze documents a list; a lone object is a list of one."""
    if isinstance(value, list):
        return value
    return [value]


def entry_row(entry: Mapping[str, Any], keys: Row, columns: Mapping[str, str]) -> Row:
    """The row of one per-message entry: ``keys``, the ids Braze gave it, its values."""
    ids = {k: entry.get(k) for k in IDENTITY_KEYS if isinstance(entry.get(k), str)}
    row: Row = {
        **keys,
        "variation_api_id": ids.get("variation_api_id"),
        "variation_name": ids.get("variation_name"),
    }
    # A null id is its column's value; an id that is not a string goes to extras.
    skip = [k for k in IDENTITY_KEYS if k in ids or entry.get(k) is None]
    split_values(entry, columns, row, skip=skip)
    return row


def message_row(
    entry: Mapping[str, Any],
    keys: Row,
    columns: Mapping[str, str],
    used: dict[str, int],
) -> Row:
    """The row of one per-variation entry of a send or campaign: ``keys``, a unique
    ``variation``, its ids, its values.

    ``used`` holds the variations already taken in the same channel and day.
    """
    variation = unique_variation(variation_id(entry), used)
    return entry_row(entry, {**keys, "variation": variation}, columns)
