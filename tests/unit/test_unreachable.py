"""Which failures before api_url's first answer mean a wrong address (runtime/unreachable.py)."""

from __future__ import annotations

import socket

import pytest
import requests
import urllib3

from tap_braze_sends.runtime.unreachable import wrong_address

URL = "https://rest.iad-99.braze.com"


def unknown_host_error() -> requests.exceptions.ConnectionError:
    """A real resolver failure, without a DNS query (AI_NUMERICHOST), wrapped as requests
    and urllib3 wrap it (a test must send nothing beyond 127.0.0.1)."""
    try:
        socket.getaddrinfo("rest.iad-99.braze.com", 443, flags=socket.AI_NUMERICHOST)
    except socket.gaierror as gaierror:
        resolution = urllib3.exceptions.NameResolutionError("rest.iad-99.braze.com", None, gaierror)  # type: ignore[arg-type]
        resolution.__cause__ = gaierror
        retries = urllib3.exceptions.MaxRetryError(None, "/x", resolution)  # type: ignore[arg-type]
        return requests.exceptions.ConnectionError(retries)
    pytest.fail("a host name resolved as a numeric address")


def test_an_unknown_host_names_api_url_and_the_host() -> None:
    line = wrong_address(unknown_host_error(), URL)
    assert line is not None
    assert line.startswith(f"Cannot reach api_url={URL}: unknown host 'rest.iad-99.braze.com' (")
    assert "Check api_url" in line


def test_a_refused_connection_names_the_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        requests.get(url, timeout=5)
    line = wrong_address(caught.value, url)
    assert line == (
        f"Cannot reach api_url={url}: connection refused by 127.0.0.1, port {port}. Check "
        "api_url: your instance's REST endpoint, e.g. https://rest.iad-01.braze.com."
    )


@pytest.mark.parametrize(
    "exc",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError(ConnectionResetError(104, "reset")),
        requests.exceptions.ChunkedEncodingError("cut"),
    ],
    ids=["timeout", "reset", "cut-body"],
)
def test_an_outage_is_no_wrong_address(exc: Exception) -> None:
    assert wrong_address(exc, URL) is None
