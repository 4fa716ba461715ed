"""The HTTP session every request to Braze goes through, and the proxies it uses."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

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


def environment_for(url: str, session: requests.Session) -> dict[str, Any]:
    """What the environment says of a request to ``url``, as requests' own
    ``Session.request`` would merge it (``Session.send``, which the tap calls, reads none of
    it): the CA bundle to trust (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) and the proxies
    (HTTPS_PROXY, NO_PROXY, ...), the latter for an https:// api_url only.

    Plain http is allowed to this machine alone (connection_values.py), so it never needs a
    proxy; through one, the ``Authorization: Bearer`` key would cross the network in clear
    (an HTTPS proxy only sees a CONNECT and the TLS bytes)."""
    merged = session.merge_environment_settings(url, {}, None, None, None)
    https = urlsplit(url).scheme == "https"
    return {"proxies": merged["proxies"] if https else {}, "verify": merged["verify"]}
