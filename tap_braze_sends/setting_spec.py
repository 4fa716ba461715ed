"""What one declaration of a setting holds, and what is derived from a list of them.

A :class:`SettingSpec` is everything the tap says about a setting: its name, JSON type,
default, title, description, whether it is secret or required, its parser, and which
partitions it gives. The JSON schema (`--about`, the README table, the Meltano Hub file and
meltano.yml, through scripts/plugin_defs.py), the `Settings` defaults and the parsing all come
from it; nothing else repeats a setting's default or its type.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from singer_sdk import typing as th

from tap_braze_sends.keys import name_problem
from tap_braze_sends.setting_values import parse_int, parse_list

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


# JSON-schema type -> Meltano setting kind (string formats first).
_FORMAT_KINDS = {"date": "date_iso8601", "date-time": "date_iso8601", "email": "email"}
_TYPE_KINDS = {
    "integer": "integer",
    # Not `decimal`: Meltano 4.4 turns a decimal setting given through an environment
    # variable into a Decimal that it then cannot write into the tap's JSON config. As text,
    # any number passes through; the tap reads numbers from text (tap._numbers_from_text).
    "number": "string",
    "boolean": "boolean",
    "array": "array",
    "object": "object",
    "string": "string",
}


def meltano_kind(prop: dict[str, Any]) -> str:
    """The Meltano `kind` of a setting whose JSON-schema property is ``prop``.

    A secret is `sensitive: true` beside its kind (Meltano 4.4 deprecates `kind: password`).
    """
    if prop.get("format") in _FORMAT_KINDS:
        return _FORMAT_KINDS[prop["format"]]
    types = prop.get("type", [])
    types = [types] if isinstance(types, str) else types
    for json_type in ("integer", "number", "boolean", "array", "object", "string"):
        if json_type in types:
            return _TYPE_KINDS[json_type]
    return "string"
