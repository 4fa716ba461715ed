"""fakesnow 0.12's server on 127.0.0.1, with what it lacks for MeltanoLabs target-snowflake 0.20.

fakesnow translates Snowflake SQL to DuckDB; the target's file-staging load (one batch: PUT the
gzipped JSON lines to the user stage, MERGE them in, REMOVE them, DROP the file format) uses
five things it does not handle, each filled in here, as narrowly as the target's own text:

- the user stage ``@~``: fakesnow knows named stages only, so ``@~`` is the named stage
  USER_STAGE (PUT uploads to it over HTTP, as to a real stage);
- ``REMOVE '@~/path/'``: deletes the staged files;
- ``MERGE ... USING (SELECT $1:col::TYPE ... FROM '@~/path'(file_format => f) QUALIFY
  ROW_NUMBER() OVER (PARTITION BY keys ORDER BY SEQ8() DESC) = 1) s``: the staged lines are
  read into a temporary table (V: the line as JSON, _SEQ: its place), the casts read V, and
  the newest line of a key wins as SEQ8() makes it; fakesnow's MERGE also wants a current
  schema, which a Snowflake session need not have (the target's names are all qualified);
- ``DROP FILE FORMAT IF EXISTS``: deletes fakesnow's row for it;
- a NULL timestamp read back through the server arrives as 1970-01-01 (its Arrow struct has
  no null mask): masked.

And one for the tests' sake: an error fakesnow did not foresee is answered as a SQL error, not
an HTTP 500, which the connector retries for minutes.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import fakesnow
import fakesnow.arrow
import pyarrow as pa
import snowflake.connector
from fakesnow.cursor import FakeSnowflakeCursor
from fakesnow.transforms import stage
from snowflake.connector.errors import OperationalError, ProgrammingError

USER_STAGE = "FAKESNOW_USER.PUBLIC.USER_STAGE"

_PUT = re.compile(r"^\s*put\s+(?P<file>'[^']*')\s+'@~/(?P<path>[^']*)'\s*$", re.I)
_REMOVE = re.compile(r"^\s*remove\s+'@~/(?P<path>[^']*)'\s*$", re.I)
_DROP_FILE_FORMAT = re.compile(r"^\s*drop file format if exists\s+(?P<name>\S+)\s*$", re.I)
_MERGE_INTO = re.compile(r'^\s*merge into (?P<schema>"[^"]+"\."[^"]+")\.', re.I)
_MERGE_SOURCE = re.compile(
    r"using \(select (?P<columns>.*?) from '@~/(?P<path>[^']*)'\s*\(file_format => [^)]*\)\s*"
    r"QUALIFY ROW_NUMBER\(\) OVER \(PARTITION BY (?P<keys>[^)]*) ORDER BY SEQ8\(\) DESC\) = 1\) s ",
    re.I | re.S,
)
_STATUS = "SELECT 'Statement executed successfully.' AS status"


def _staged(path: str) -> str:
    return stage.internal_dir(USER_STAGE, path)


def _rewrite(cur: FakeSnowflakeCursor, sql: str, temporary: list[str]) -> str:
    """The statement fakesnow can run for one the target sent (most pass unchanged)."""
    if m := _PUT.match(sql):
        return f"PUT {m['file']} @{USER_STAGE}/{m['path']}"
    if m := _REMOVE.match(sql):
        shutil.rmtree(_staged(m["path"]), ignore_errors=True)
        return _STATUS
    if m := _DROP_FILE_FORMAT.match(sql):
        name = stage.parts_from_var(m["name"], cur._conn.database, cur._conn.schema)
        cur._duck_conn.execute(
            "DELETE FROM _fs_global._fs_information_schema._fs_file_formats "
            "WHERE database_name = ? AND schema_name = ? AND name = ?",
            name,
        )
        return _STATUS
    if m := _MERGE_SOURCE.search(sql):
        if cur._conn.schema is None and (into := _MERGE_INTO.match(sql)):
            _execute(cur, f"USE SCHEMA {into['schema']}")
        table = f"temp.main._STAGED_{uuid.uuid4().hex}"
        cur._duck_conn.execute(
            f"CREATE TEMPORARY TABLE {table} AS SELECT row_number() OVER () AS _SEQ, json AS V "  # noqa: S608
            "FROM read_json_objects(?, format = 'newline_delimited')",
            [_staged(m["path"]).rstrip("/") + "/*"],
        )
        temporary.append(table)
        columns = m["columns"].replace("$1:", "V:")
        source = (
            f"using (SELECT * EXCLUDE (_SEQ) FROM (SELECT {columns}, _SEQ FROM {table}) "  # noqa: S608
            f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {m['keys']} ORDER BY _SEQ DESC) = 1) s "
        )
        return sql[: m.start()] + source + sql[m.end() :]
    return sql


_execute = FakeSnowflakeCursor.execute


def _execute_rewritten(self: FakeSnowflakeCursor, command: str, *args: Any, **kwargs: Any) -> Any:
    temporary: list[str] = []
    try:
        return _execute(self, _rewrite(self, command, temporary), *args, **kwargs)
    except (ProgrammingError, OperationalError):
        raise
    except Exception as exc:
        msg = f"emulator: {type(exc).__name__}: {exc}"
        raise ProgrammingError(msg=msg, errno=1003, sqlstate="42000") from exc
    finally:
        for table in temporary:
            self._duck_conn.execute(f"DROP TABLE IF EXISTS {table}")


_timestamp_to_sf_struct = fakesnow.arrow.timestamp_to_sf_struct


def _masked_timestamps(ts: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(ts, pa.ChunkedArray):
        ts = ts.combine_chunks()
    struct = _timestamp_to_sf_struct(ts)
    return pa.StructArray.from_arrays(struct.flatten(), fields=list(struct.type), mask=ts.is_null())


@dataclass(frozen=True)
class Emulator:
    """A running emulator: where it listens, and a database created for the test."""

    host: str
    port: int
    database: str
    connect_args: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def connect(self) -> snowflake.connector.SnowflakeConnection:
        return snowflake.connector.connect(**self.connect_args, database=self.database)


@contextlib.contextmanager
def _patched() -> Iterator[None]:
    FakeSnowflakeCursor.execute = _execute_rewritten  # type: ignore[method-assign]
    fakesnow.arrow.timestamp_to_sf_struct = _masked_timestamps
    try:
        yield
    finally:
        FakeSnowflakeCursor.execute = _execute  # type: ignore[method-assign]
        fakesnow.arrow.timestamp_to_sf_struct = _timestamp_to_sf_struct


@contextlib.contextmanager
def running_emulator() -> Iterator[Emulator]:
    """The emulator in a thread of this process, with a fresh database and the user stage."""
    database = f"BRAZE_{uuid.uuid4().hex[:8].upper()}"
    with _patched(), fakesnow.server(host="127.0.0.1") as connect_args:
        with snowflake.connector.connect(**connect_args) as conn:
            cur = conn.cursor()
            cur.execute(f"CREATE DATABASE {database}")
            cur.execute("CREATE DATABASE IF NOT EXISTS FAKESNOW_USER")
            cur.execute(f"CREATE STAGE IF NOT EXISTS {USER_STAGE}")
        try:
            yield Emulator("127.0.0.1", connect_args["port"], database, connect_args)
        finally:
            shutil.rmtree(_staged(""), ignore_errors=True)
