"""The warehouses the Meltano tests load, read back by SQL: PostgreSQL and DuckDB.

Each reads a table as rows (dates as ISO text, JSON parsed, the targets' _sdc_* columns
dropped), its column types, and the result of a query written with ``{s}`` for the schema.
The accepted column types are per kind of JSON-schema property (:func:`kind`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any, Protocol

import duckdb
import psycopg

# The kinds of the tap's properties, as the column-type tables below name them.
DATE, TIMESTAMP, INTEGER, NUMBER, BOOLEAN, OBJECT, TEXTS, OBJECTS, STRING = (
    "date",
    "timestamp",
    "integer",
    "number",
    "boolean",
    "object",
    "array of strings",
    "array of objects",
    "string",
)


def kind(prop: dict[str, Any]) -> str:
    """The kind of one JSON-schema property of the tap's streams."""
    types = prop.get("type", [])
    types = [types] if isinstance(types, str) else types
    if prop.get("format") == "date":
        return DATE
    if prop.get("format") == "date-time":
        return TIMESTAMP
    if "array" in types:
        items = prop.get("items", {}).get("type", [])
        return TEXTS if items == "string" or items == ["string"] else OBJECTS
    for name in (INTEGER, NUMBER, BOOLEAN, OBJECT):
        if name in types:
            return name
    return STRING


class Warehouse(Protocol):
    loader: str
    # Accepted column types per kind of JSON-schema property (see kind).
    types: dict[str, set[str]]

    def env(self) -> dict[str, str]: ...
    def rows(self, table: str) -> list[dict[str, Any]]: ...
    def column_types(self, table: str) -> dict[str, str]: ...
    def query(self, sql: str) -> list[tuple]: ...
    def null_counts(self, table: str, column: str) -> tuple[int, int]: ...


class PostgresWarehouse:
    loader = "target-postgres"
    types = {
        DATE: {"date"},
        # target-postgres: TIMESTAMP without time zone; the tests check the instants (UTC).
        TIMESTAMP: {"timestamp without time zone", "timestamp with time zone"},
        INTEGER: {"bigint", "integer"},
        NUMBER: {"numeric", "double precision"},
        BOOLEAN: {"boolean"},
        OBJECT: {"jsonb", "json"},
        # Lists of strings are PostgreSQL arrays (information_schema's udt_name: text[]);
        # lists of objects are one jsonb value each, which every tool reads (not jsonb[]).
        TEXTS: {"_text", "_varchar"},
        OBJECTS: {"jsonb"},
        STRING: {"text", "character varying"},
    }

    def __init__(self, server: Any) -> None:
        self.server = server
        # A schema per test: tests never see each other's tables.
        self.schema = f"braze_{uuid.uuid4().hex[:8]}"

    def env(self) -> dict[str, str]:
        return {**self.server.target_env(), "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": self.schema}

    def query(self, sql: str) -> list[tuple]:
        with psycopg.connect(self.server.conninfo()) as conn:
            return conn.execute(sql.format(s=f'"{self.schema}"')).fetchall()

    def null_counts(self, table: str, column: str) -> tuple[int, int]:
        """Rows where a JSON column is SQL NULL, and where it holds the JSON value null."""
        sql = (
            f'SELECT count(*) FILTER (WHERE "{column}" IS NULL), '  # noqa: S608
            f'count(*) FILTER (WHERE "{column}" = \'null\'::jsonb) FROM {{s}}."{table}"'
        )
        ((sql_nulls, json_nulls),) = self.query(sql)
        return sql_nulls, json_nulls

    def rows(self, table: str) -> list[dict[str, Any]]:
        with psycopg.connect(self.server.conninfo()) as conn:
            cur = conn.execute(f'SELECT * FROM "{self.schema}"."{table}"')  # noqa: S608
            names = [c.name for c in cur.description]
            return [clean_row(dict(zip(names, r, strict=True))) for r in cur.fetchall()]

    def column_types(self, table: str) -> dict[str, str]:
        with psycopg.connect(self.server.conninfo()) as conn:
            return {
                name: udt if data_type == "ARRAY" else data_type
                for name, data_type, udt in conn.execute(
                    "SELECT column_name, data_type, udt_name FROM information_schema.columns "
                    "WHERE table_schema = %s AND table_name = %s",
                    (self.schema, table),
                ).fetchall()
            }


class DuckDBWarehouse:
    loader = "target-duckdb"
    types = {
        # target-duckdb 0.8.0 maps only `format: date-time`; the project's wrapper
        # (loaders/target-duckdb-headerless) gives `format: date` a DATE column.
        DATE: {"DATE"},
        TIMESTAMP: {"TIMESTAMP", "TIMESTAMP WITH TIME ZONE"},
        INTEGER: {"HUGEINT", "BIGINT", "INTEGER"},
        NUMBER: {"DOUBLE"},
        BOOLEAN: {"BOOLEAN"},
        OBJECT: {"JSON"},
        TEXTS: {"JSON"},
        OBJECTS: {"JSON"},
        STRING: {"VARCHAR"},
    }
    schema = "braze"

    def __init__(self, path: Path) -> None:
        self.path = path

    def env(self) -> dict[str, str]:
        return {
            "TARGET_DUCKDB_FILEPATH": str(self.path),
            "TARGET_DUCKDB_DEFAULT_TARGET_SCHEMA": self.schema,
        }

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as conn:
            return conn.execute(sql.format(s=self.schema)).fetchall()

    def null_counts(self, table: str, column: str) -> tuple[int, int]:
        """Rows where a JSON column is SQL NULL, and where it holds the JSON value null."""
        sql = (
            f'SELECT count(*) FILTER (WHERE "{column}" IS NULL), '  # noqa: S608
            f"count(*) FILTER (WHERE CAST(\"{column}\" AS VARCHAR) = 'null') "
            f'FROM {{s}}."{table}"'
        )
        ((sql_nulls, json_nulls),) = self.query(sql)
        return sql_nulls, json_nulls

    def rows(self, table: str) -> list[dict[str, Any]]:
        json_cols = {n for n, t in self.column_types(table).items() if t == "JSON"}
        with duckdb.connect(str(self.path), read_only=True) as conn:
            cur = conn.execute(f'SELECT * FROM "{self.schema}"."{table}"')  # noqa: S608
            names = [c[0] for c in cur.description]
            rows = []
            for raw in cur.fetchall():
                row = dict(zip(names, raw, strict=True))
                for name in json_cols:
                    row[name] = None if row[name] is None else json.loads(row[name])
                rows.append(clean_row(row))
            return rows

    def column_types(self, table: str) -> dict[str, str]:
        with duckdb.connect(str(self.path), read_only=True) as conn:
            return dict(
                conn.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ?",
                    [self.schema, table],
                ).fetchall()
            )


def clean_row(row: dict[str, Any]) -> dict[str, Any]:
    """Drop the targets' _sdc_* metadata; dates and times as ISO text, like the tap's records."""
    out = {}
    for name, value in row.items():
        if name.startswith("_sdc_"):
            continue
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def instant(value: str | None) -> dt.datetime | None:
    """A loaded timestamp as an aware datetime; a column without time zone holds UTC."""
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
