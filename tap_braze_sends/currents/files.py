"""One Currents file read through its store: its header (the writer schema) alone, or its
records. A truncated or corrupt file is one CurrentsError naming the object, never
fastavro's traceback, so a run can read every other file and name this one at the end."""

from __future__ import annotations

import zlib
from typing import Any

import fastavro
import fsspec
from fastavro.schema import SchemaParseException

from tap_braze_sends.currents.errors import CurrentsError

# What fastavro raised on 800 truncated and byte-flipped files (null and deflate codecs):
# a short read (EOFError), a bad magic, sync marker, header JSON, UTF-8 or type name
# (ValueError and its subclasses), a length past the data (IndexError), a block that does
# not decompress (zlib.error); and a header schema it cannot parse, or a huge length.
_BROKEN = (
    EOFError,
    ValueError,
    IndexError,
    KeyError,
    OverflowError,
    MemoryError,
    zlib.error,
    SchemaParseException,
)
ACTION = "every other file is read, and this file's hour stays open for the next run"


def _broken(path: str, exc: BaseException) -> CurrentsError:
    return CurrentsError(
        f"{path}: not a readable Avro file ({type(exc).__name__}: {exc}); {ACTION}"
    )


def read_header(fs: fsspec.AbstractFileSystem, path: str) -> dict[str, Any]:
    """The file's writer schema, from its header only (fastavro reads no block until
    iterated; the store reads one buffer of the file's start)."""
    try:
        with fs.open(path, "rb") as f:
            return fastavro.reader(f).writer_schema
    except (FileNotFoundError, PermissionError) as exc:
        raise CurrentsError(f"{path}: cannot be read ({type(exc).__name__})") from None
    except _BROKEN as exc:
        raise _broken(path, exc) from None


def read_records(fs: fsspec.AbstractFileSystem, path: str) -> list[dict[str, Any]]:
    """Every record of the file, read whole before any is handed on: a file broken in its
    last block gives no record rather than some, so its bookmark and its records agree.
    Braze writes at most ~100,000 events a file ([EDS]), which bounds this list."""
    try:
        with fs.open(path, "rb") as f:
            return list(fastavro.reader(f))
    except (FileNotFoundError, PermissionError) as exc:
        raise CurrentsError(f"{path}: cannot be read ({type(exc).__name__})") from None
    except _BROKEN as exc:
        raise _broken(path, exc) from None
