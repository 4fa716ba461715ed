"""Reading a response's body within a deadline and a size, and decoding it as JSON.

``request_timeout`` bounds each socket read, so a server that trickles its body (a byte a
second) would never be cut off by it alone: the body is read in pieces, against a deadline for
the whole response. A server streaming without end over a fast link would fill the memory long
before the deadline, and bytes alone do not bound memory: 64 MiB of ``{},`` decode into 1.6 GB
of Python objects. So each request has a :class:`BodyLimit` of bytes *and* JSON values, from
what it can legitimately hold (a series window: its units x a margin per unit; anything else:
one listing page or item), counted as the body arrives and before it is decoded.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import msgspec
import requests
import urllib3

CHUNK_BYTES = 64 * 1024

UNIT_BYTES = 128 * 1024
UNIT_VALUES = 4_096
"""The margin of one day (hour) of a series: Braze's largest, a Canvas day with a step
breakdown, is some 200 steps x 40 values (Canvas windows are 14 days); a campaign day with
every channel and 8 variations about 1,100 values in 30 KB."""

FLOOR_BYTES = 8 * 2**20
FLOOR_VALUES = 256 * 1024
"""What any body may hold, however short its window: a listing page (100 or 250 entries) or
one item's details (a Canvas's every step) is far below it."""

DETAILS_BYTES = 32 * 2**20
"""A details body may carry every message body of an item (HTML emails), a few megabytes."""

BYTES_PER_VALUE = 100
"""Python's memory per decoded JSON value at worst (an empty object or list, a one-character
string: 60-90 bytes with its slot in the container), measured with msgspec."""


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The most a body may hold: bytes, and JSON values (each ``,`` ``:`` ``[`` ``{`` starts at
    most one; counted in strings too, so the count is an upper bound of what decoding makes).
    Worst-case memory: ``max_bytes`` (the body) + ``max_values`` x BYTES_PER_VALUE."""

    max_bytes: int
    max_values: int
    holds: str
    """What the limit is derived from, for the error ("a window of 100 days")."""

    @classmethod
    def for_units(cls, units: int, unit: str = "day") -> BodyLimit:
        """A series window of ``units`` days (hours): its units x the margin of one."""
        return cls(
            max(FLOOR_BYTES, units * UNIT_BYTES),
            max(FLOOR_VALUES, units * UNIT_VALUES),
            f"a window of {units} {unit}{'s' if units != 1 else ''}",
        )


ANY_BODY = BodyLimit(FLOOR_BYTES, FLOOR_VALUES, "one listing page")
DETAILS_BODY = BodyLimit(DETAILS_BYTES, FLOOR_VALUES, "one item's details")


class BodyError(Exception):
    """The body did not arrive whole, in time, or as JSON (worth a retry)."""


def read_body(
    response: requests.Response, deadline: float, limit: BodyLimit = ANY_BODY
) -> bytearray:
    """The whole (decoded) body of a streamed response, or :class:`BodyError` once the
    monotonic ``deadline`` passes or it outgrows ``limit``; the connection is released
    either way."""
    raw = response.raw
    # read1 returns what has arrived (read() would wait for a whole chunk of a trickle).
    read = getattr(raw, "read1", None) or raw.read
    content = bytearray()  # grown in place: no second copy joining the chunks
    values = 0
    try:
        while True:
            if time.monotonic() > deadline:
                msg = (
                    f"the body was not complete within request_timeout ({len(content)} bytes read)"
                )
                raise BodyError(msg)
            chunk = read(CHUNK_BYTES, decode_content=True)
            if not chunk:
                break
            content += chunk
            values += sum(map(chunk.count, (b",", b":", b"[", b"{")))
            if len(content) > limit.max_bytes or values > limit.max_values:
                msg = (
                    f"the body outgrew {limit.max_bytes:,} bytes or {limit.max_values:,} JSON "
                    f"values, more than {limit.holds} can hold ({len(content):,} bytes, "
                    f"{values:,} values read)"
                )
                raise BodyError(msg)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        msg = f"the body was cut off after {len(content)} bytes: {type(exc).__name__}"
        raise BodyError(msg) from None
    finally:
        response.close()
    return content


def decode_json(content: bytes | bytearray) -> object:
    """The decoded body, or :class:`BodyError` naming why it is not JSON."""
    try:
        return msgspec.json.decode(content)
    except msgspec.DecodeError as exc:
        raise BodyError(f"invalid JSON body ({len(content)} bytes): {exc}") from None
    except RecursionError:
        # msgspec stops at Python's recursion limit: no Braze body is nested that deep.
        raise BodyError(f"JSON body nested too deep ({len(content)} bytes)") from None
