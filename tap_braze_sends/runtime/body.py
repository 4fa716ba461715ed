"""Reading a response's body within a deadline, and decoding it as JSON.

``request_timeout`` bounds each socket read, so a server that trickles its body (a byte a
second) would never be cut off by it alone: the body is read in pieces, against a deadline for
the whole response, and up to :data:`MAX_BODY_BYTES` (a server streaming without end over a
fast link would otherwise fill the memory long before the deadline).
"""

from __future__ import annotations

import time

import msgspec
import requests
import urllib3

CHUNK_BYTES = 64 * 1024
MAX_BODY_BYTES = 256 * 1024 * 1024
"""Far above any Braze answer: a 100-day series, or a Canvas's details with every step's
message bodies, is a few megabytes."""


class BodyError(Exception):
    """The body did not arrive whole, in time, or as JSON (worth a retry)."""


def read_body(
    response: requests.Response, deadline: float, max_bytes: int = MAX_BODY_BYTES
) -> bytes:
    """The whole (decoded) body of a streamed response, or :class:`BodyError` once the
    monotonic ``deadline`` passes or it outgrows ``max_bytes``; the connection is released
    either way."""
    raw = response.raw
    # read1 returns what has arrived (read() would wait for a whole chunk of a trickle).
    read = getattr(raw, "read1", None) or raw.read
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            if time.monotonic() > deadline:
                msg = f"the body was not complete within request_timeout ({size} bytes read)"
                raise BodyError(msg)
            chunk = read(CHUNK_BYTES, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                msg = f"the body outgrew {max_bytes:,} bytes (no Braze answer is that big)"
                raise BodyError(msg)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise BodyError(f"the body was cut off after {size} bytes: {type(exc).__name__}") from None
    finally:
        response.close()
    return b"".join(chunks)


def decode_json(content: bytes) -> object:
    """The decoded body, or :class:`BodyError` naming why it is not JSON."""
    try:
        return msgspec.json.decode(content)
    except msgspec.DecodeError as exc:
        raise BodyError(f"invalid JSON body ({len(content)} bytes): {exc}") from None
    except RecursionError:
        # msgspec stops at Python's recursion limit: no Braze body is nested that deep.
        raise BodyError(f"JSON body nested too deep ({len(content)} bytes)") from None
