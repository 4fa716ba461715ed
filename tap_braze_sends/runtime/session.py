"""The HTTP session every request to Braze goes through."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter


def pooled_session(*, pool_size: int) -> requests.Session:
    """A session whose connection pool holds a connection per worker, so that none is
    discarded and reopened (TLS handshakes) while ``pool_size`` requests are in flight."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(10, pool_size))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
