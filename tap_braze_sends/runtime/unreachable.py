"""Which connection errors mean a wrong address, and the line that says so (pure).

Connection refused, an unknown host, or a proxy that refuses: on a run's first request these
mean the address is wrong (a typo in api_url, the wrong port, a proxy variable left over), and
retrying them with backoff only delays that news by minutes. Once api_url has answered, the
same errors are an outage, and fetch.py retries them as before. (A certificate whose name does
not match is a TLS error, which fetch.py never retries.)
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests


def wrong_address(exc: BaseException, api_url: str) -> str | None:
    """The error line when ``exc`` (a request's failure before any answer) says that nothing
    can be reached at ``api_url``; None for any other failure."""
    host = urlsplit(api_url).hostname or api_url
    proxied = isinstance(exc, requests.exceptions.ProxyError)
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            if proxied:
                why = f"the proxy's host is unknown ({cause.strerror or cause})"
            else:
                why = f"unknown host {host!r} ({cause.strerror or cause})"
            break
        if isinstance(cause, ConnectionRefusedError):
            where = "the proxy" if proxied else f"{host}, port {_port(api_url)}"
            why = f"connection refused by {where}"
            break
    else:
        return None
    if proxied:
        check = "Check HTTPS_PROXY / ALL_PROXY (or set NO_PROXY for this host)"
    else:
        check = "Check api_url: your instance's REST endpoint, e.g. https://rest.iad-01.braze.com"
    return f"Cannot reach api_url={api_url}: {why}. {check}."


def _port(url: str) -> int:
    parts = urlsplit(url)
    try:
        return parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # the settings reject such a URL; say something all the same
        return 443


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps: requests wraps urllib3's MaxRetryError, whose
    ``reason`` wraps the socket's error as its cause."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = (current.__cause__, current.__context__, getattr(current, "reason", None))
        todo += [c for c in (*wrapped, *current.args) if isinstance(c, BaseException)]
