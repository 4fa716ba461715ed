"""What one declaration of a setting holds, and what is derived from a list of them.

A :class:`SettingSpec` is everything the tap says about a setting: its name, JSON type,
default, title, description, whether it is secret or required, its parser, and which
partitions it gives. The JSON schema (`--about`, the README table, the Meltano Hub file and
meltano.yml, through scripts/plugin_defs.py), the `Settings` defaults and the parsing all come
from it; nothing else repeats a setting's default or its type. A value given as text (an
environment variable) becomes its type here (`value_from_text`).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from singer_sdk import typing as th

from tap_braze_sends.keys import name_problem
from tap_braze_sends.setting_values import (
    bool_of_text,
    int_of_text,
    is_blank,
    list_of_text,
    object_of_text,
    parse_int,
    parse_list,
)

Parser = Callable[[str, object, Any, list[str]], Any]
"""``(name, value, default, problems) -> typed value``: the default for an absent value, and
the default after appending one problem that starts with ``name`` for a bad one."""


@dataclass(frozen=True)
class SettingSpec:
    name: str
    title: str
    type: th.JSONTypeHelper | type[th.JSONTypeHelper]
    parse: Parser
    description: str
    default: Any = None
    """The typed default (a tuple for a list); None: no default the schema can show."""
    required: bool = False
    secret: bool = False
    gives: str | None = None
    """The partitions this setting asks data of ("campaign", "event", ...); None: it only
    says how to read them."""

    def read(self, value: object, problems: list[str]) -> Any:
        return self.parse(self.name, value, self.default, problems)

    @property
    def json_default(self) -> Any:
        if self.required or self.default is None:
            return None
        return list(self.default) if isinstance(self.default, tuple) else self.default

    def schema_property(self) -> th.Property:
        extra = {} if self.json_default is None else {"default": self.json_default}
        return th.Property(
            self.name,
            self.type,
            required=self.required,
            secret=self.secret,
            title=self.title,
            description=self.description,
            **extra,
        )


def config_schema(specs: Iterable[SettingSpec]) -> dict[str, Any]:
    return th.PropertiesList(*(spec.schema_property() for spec in specs)).to_dict()


def int_between(low: int, high: int) -> Parser:
    return lambda name, value, default, problems: parse_int(
        name, value, default, low, high, problems
    )


def id_list(item: str, reserved: str | None = None) -> Parser:
    """A list of Braze identifiers, each an ``item`` ("campaign id")."""
    return lambda name, value, _default, problems: parse_list(
        name, item, value, problems, reserved=reserved
    )


def name_list(item: str, reserved: str) -> Parser:
    """A list of free-text names (custom events, products), each an ``item``."""
    return lambda name, value, _default, problems: parse_list(
        name, item, value, problems, problem_of=name_problem, reserved=reserved
    )


def allowing_zero(parse: Callable[..., Any]) -> Parser:
    return functools.partial(parse, allow_zero=True)


MELTANO_KIND = "string"
"""The Meltano `kind` of every setting. Meltano 4.4 casts a text value (an environment
variable, a quoted value in meltano.yml) by its setting's kind before the tap sees it, and a
kind other than text either fails with a traceback of Meltano's own (integer: "1e3"; array:
"A,B", the comma form; decimal: any number, which it then cannot write as JSON) or rewrites
the value silently (date_iso8601: 2026-13-01 became 2026-01-13, a 329-day backfill; boolean:
"maybe" became false). As text, every value reaches the tap as given: its parsers read each
type's text form and name the setting of a bad one (a YAML list, number or boolean in
meltano.yml still arrives as itself). A secret is `sensitive: true` beside it."""


def value_from_text(text: str, prop: dict[str, Any]) -> Any:
    """A setting's value from its text form, by its JSON-schema property ``prop``: the text
    itself where the type takes text, None where it is blank (no value: the default), else
    the typed value; a ValueError says what is wrong."""
    types = prop.get("type", ["string"])
    types = [types] if isinstance(types, str) else types
    if "string" in types:
        return text
    if is_blank(text):
        return None
    if "integer" in types and (number := int_of_text(text)) is not None:
        return number
    if "number" in types:
        with contextlib.suppress(ValueError):
            return float(text)
    if "boolean" in types and (flag := bool_of_text(text)) is not None:
        return flag
    if "array" in types:
        items = prop.get("items", {}).get("type", "string")
        return list_of_text(text, names="string" in ([items] if isinstance(items, str) else items))
    if "object" in types:
        return object_of_text(text)
    kinds = {"integer": "an integer", "number": "a number", "boolean": "true or false"}
    raise ValueError("is not " + " or ".join(kinds.get(t, f"a {t}") for t in types if t != "null"))
