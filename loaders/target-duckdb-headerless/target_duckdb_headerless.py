"""target-duckdb 0.8.0, except that the first row of each batch is loaded too.

target-duckdb (jwills) 0.8.0 loads a batch by writing a CSV file without a header line and
running ``COPY <table> FROM <file> WITH (new_line '\\r\\n')``. DuckDB's COPY detects a header
line by itself, so whenever the first row of a batch looks like one to its CSV sniffer (only
text, or a timestamp with a UTC offset: the campaigns and Canvases tables), that row is
silently dropped. The fix (``header false``) is merged upstream (jwills/target-duckdb#58) but
not released; this adds it to the COPY statement. Remove that part once a released
target-duckdb has the fix.

A table whose columns are all primary-key columns (`products`) crashed the target: its
"nothing to update" is an UPDATE query of None, which it executes; that call is skipped.

It also gives a `format: date` property a DATE column: 0.8.0 maps only `date-time` (to
TIMESTAMP), so every day column (`time`) was VARCHAR. The batch file holds ISO dates
(YYYY-MM-DD), which COPY reads into DATE as they are. Nothing else changes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import target_duckdb
from target_duckdb import db_sync
from target_duckdb.db_sync import DbSync

COPY_OPTIONS = "WITH (new_line '\\r\\n')"
HEADERLESS_COPY_OPTIONS = "WITH (new_line '\\r\\n', header false)"


def headerless(query: Any) -> Any:
    """The target's COPY of a batch file, told that the file has no header line."""
    if isinstance(query, str) and query.lstrip().upper().startswith("COPY "):
        return query.replace(COPY_OPTIONS, HEADERLESS_COPY_OPTIONS)
    return query


class HeaderlessCopyConnection:
    """A DuckDB connection whose ``execute`` makes the target's COPY header-less."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        if query is None:
            # The target's UPDATE of a table whose columns are all keys (e.g. products) is
            # None, "nothing to update", which DuckDB's execute() refuses with a TypeError.
            return self._connection
        return self._connection.execute(headerless(query), *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def _check_target_unchanged() -> None:
    # A target-duckdb whose COPY reads differently is another version: fail, don't guess.
    # (In the source the backslashes of the options are escaped.)
    if COPY_OPTIONS.replace("\\", "\\\\") not in inspect.getsource(DbSync.load_rows):
        msg = (
            "target-duckdb-headerless: target_duckdb.db_sync.DbSync.load_rows has no "
            f"{COPY_OPTIONS!r}: this shim is for target-duckdb 0.8.0 only"
        )
        raise RuntimeError(msg)


def with_headerless_copy(connect: Callable[[dict], Any]) -> Callable[[dict], Any]:
    def connect_headerless(config: dict) -> Any:
        return HeaderlessCopyConnection(connect(config))

    return connect_headerless


def with_date_columns(column_type: Callable[[dict], str]) -> Callable[[dict], str]:
    """The target's column type, except DATE for a string of `format: date`."""

    def column_type_with_dates(schema_property: dict) -> str:
        if schema_property.get("format") == "date" and "string" in schema_property.get("type", ()):
            return "date"
        return column_type(schema_property)

    return column_type_with_dates


def main() -> None:
    _check_target_unchanged()
    target_duckdb.duckdb_connect = with_headerless_copy(target_duckdb.duckdb_connect)
    # column_clause (CREATE and ALTER TABLE) looks column_type up in the module.
    db_sync.column_type = with_date_columns(db_sync.column_type)
    target_duckdb.main()


if __name__ == "__main__":
    main()
