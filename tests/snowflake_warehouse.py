"""Snowflake as the Meltano tests read it back: the emulator (tests/snowflake_shim), asked over
the Snowflake connector's own wire protocol, the way a user's client asks a real account.

Rows as warehouses.py gives them (column names as the records have them, dates and times as ISO
text, VARIANT parsed); column types as Snowflake's information_schema names them, integers with
their scale (``NUMBER(38,0)``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import warehouses
from warehouses import clean_row

if TYPE_CHECKING:
    from snowflake_shim.emulator import Emulator

# What a Snowflake user expects for each kind of property. MeltanoLabs' target maps date-time
# to TIMESTAMP_NTZ (its timestamp_type setting): the tap's instants are UTC, written without
# zone.
TYPES = {
    warehouses.DATE: {"DATE"},
    warehouses.TIMESTAMP: {"TIMESTAMP_NTZ"},
    warehouses.INTEGER: {"NUMBER(38,0)"},
    warehouses.NUMBER: {"FLOAT"},
    warehouses.BOOLEAN: {"BOOLEAN"},
    warehouses.OBJECT: {"VARIANT"},
    warehouses.TEXTS: {"VARIANT"},
    warehouses.OBJECTS: {"VARIANT"},
    warehouses.STRING: {"TEXT"},
}
SCHEMA = "BRAZE"


class SnowflakeWarehouse:
    loader = "target-snowflake"
    types = TYPES

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.schema = f"{emulator.database}.{SCHEMA}"

    def env(self) -> dict[str, str]:
        """target-snowflake's settings as a deployment sets them (the account is never
        resolved: the run's sitecustomize sends the connector to the emulator)."""
        return {
            "TARGET_SNOWFLAKE_ACCOUNT": "emulated-account",
            "TARGET_SNOWFLAKE_USER": "loader",
            "TARGET_SNOWFLAKE_PASSWORD": "not-a-secret",
            "TARGET_SNOWFLAKE_DATABASE": self.emulator.database,
            "TARGET_SNOWFLAKE_DEFAULT_TARGET_SCHEMA": SCHEMA,
        }

    def query(self, sql: str) -> list[tuple]:
        with self.emulator.connect() as conn:
            return conn.cursor().execute(sql.format(s=self.schema)).fetchall()

    def null_counts(self, table: str, column: str) -> tuple[int, int]:
        """Rows where a VARIANT column is SQL NULL, and where it holds the JSON value null."""
        ((sql_nulls, json_nulls),) = self.query(
            f"SELECT count_if({column} IS NULL), count_if(IS_NULL_VALUE({column})) "  # noqa: S608
            f"FROM {{s}}.{table}"
        )
        return sql_nulls, json_nulls

    def rows(self, table: str) -> list[dict[str, Any]]:
        variants = {n for n, t in self.column_types(table).items() if t == "VARIANT"}
        with self.emulator.connect() as conn:
            cur = conn.cursor().execute(f"SELECT * FROM {self.schema}.{table}")  # noqa: S608
            names = [c.name.lower() for c in cur.description]
            rows = []
            for raw in cur.fetchall():
                row = dict(zip(names, raw, strict=True))
                for name in variants:
                    row[name] = None if row[name] is None else json.loads(row[name])
                rows.append(clean_row(row))
            return rows

    def column_types(self, table: str) -> dict[str, str]:
        columns = self.query(
            "SELECT column_name, data_type, numeric_precision, numeric_scale "  # noqa: S608
            f"FROM {self.emulator.database}.information_schema.columns "
            f"WHERE table_schema = '{SCHEMA}' AND table_name = '{table.upper()}'"
        )
        return {
            name.lower(): f"{kind}({precision},{scale})" if kind == "NUMBER" else kind
            for name, kind, precision, scale in columns
        }
