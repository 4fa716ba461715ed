"""What a Braze answer means, once it has arrived: its status as an error, its body through
the endpoint's parser, the cursor of its next page.

Pure functions of the answer (fetch.py sends the request and decides whether to retry): a
status or body that might heal raises :class:`BrazeTransientError`, anything else a fatal
error that names what to change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.errors import (
    BrazeTransientError,
    ParserBug,
    braze_message,
    fatal_error_for,
)
from tap_braze_sends.redaction import redact
from tap_braze_sends.runtime.paging import ListingError

logger = logging.getLogger("tap_braze_sends.fetch")


@dataclass(frozen=True, slots=True)
class Asked:
    """What a request was for, as its errors name it."""

    path: str
    who: str
    """The partition (or listing) asked for."""
    what: str = ""
    """The endpoint and window, when there is one."""
    permission: str = ""
    """The endpoint's API key permission, named by a 403."""
    hint: str = ""
    """What else avoids a 403 (the stream or column to deselect)."""
    origin: str = ""
    """The settings the request's ids come from, named by a 400."""
    series: str = ""
    """The series read (its name), whose progress line counts the request; empty: a listing."""

    @property
    def counted_as(self) -> str:
        """The progress line that counts the request: its series', else its path's."""
        return self.series or self.path


def raise_for_status(
    status: int, content: bytes, asked: Asked, *, api_key: str, api_url: str
) -> None:
    """Nothing for a success; a 5xx is transient; any other error status is fatal and says
    what to change. Braze's own message is kept, with the key masked (some proxies echo it)."""
    if status < HTTPStatus.MULTIPLE_CHOICES:
        return
    message = braze_message(content, api_key)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        raise BrazeTransientError(f"HTTP {status} from {asked.path}: {message}")
    raise fatal_error_for(
        status,
        braze_message=message,
        path=asked.path,
        api_url=api_url,
        where=asked.who,
        permission=asked.permission,
        hint=asked.hint,
        origin=asked.origin,
    )


SUCCESS = "success"
"""The ``message`` of a body Braze completed: every endpoint the tap reads documents it as
required, "returns 'success' when completed without errors"."""


_QUOTED_CHARS = 200


def require_success(status: int, body: Any, asked: Asked, *, api_key: str) -> None:
    """Nothing for a body whose ``message`` is ``success``; anything else is transient.

    A 2xx alone does not say the export completed: Braze answers ``{"message": "queued"}``
    (202) while its API is paused for maintenance, and a fatal error is a ``message`` other
    than ``success``. Read as data, ``{"message": "error", "data": []}`` would be "no
    activity" and move the bookmarks over days never read; so it is retried (Braze may
    recover), then one error naming the endpoint and what it said. A body without a
    ``message`` shows no success either (a proxy's, or not Braze's)."""
    if isinstance(body, dict) and body.get("message") == SUCCESS:
        return
    if isinstance(body, dict) and "message" in body:
        # Masked, then cut (a cut through an echoed key would leave a piece no mask knows);
        # cut roughly first, so that a huge message costs no huge masking.
        said = redact(repr(body["message"])[: 16 * _QUOTED_CHARS], api_key)[:_QUOTED_CHARS]
        raise BrazeTransientError(
            f"HTTP {status} from {asked.path} with message {said}, not {SUCCESS!r}: Braze did "
            "not complete the export"
        )
    raise BrazeTransientError(
        f"HTTP {status} from {asked.path} without message {SUCCESS!r}: not a completed Braze export"
    )


def parse_body(parse: Callable[[Any], Any], body: Any, asked: Asked) -> Any:
    """The endpoint's reading of a decoded body. A body that breaks Braze's documented shape
    (a proxy may have cut it) is transient; any other exception is a bug in the tap, which
    retrying would only repeat: one clear line, the traceback at DEBUG."""
    try:
        return parse(body)
    except MalformedBody as exc:
        raise BrazeTransientError(f"unexpected body from {asked.path}: {exc}") from None
    except Exception as exc:
        logger.debug("Bug while reading the answer for %s", asked.who, exc_info=True)
        raise ParserBug(
            f"Bug in the tap while reading the answer for {asked.who} "
            f"({asked.what or asked.path}): {type(exc).__name__}: {exc}. Please report it (the "
            "traceback is logged at DEBUG: --log-level debug, or SINGER_SDK_LOG_CONFIG)."
        ) from None


def next_cursor(response: requests.Response, asked: Asked, *, api_key: str) -> str | None:
    """The ``cursor`` of the ``Link`` header's next page: only the cursor, since the tap never
    follows a URL an answer names (it could point elsewhere, and the key would go with it).
    None: no next page is named, Braze's documented end of the listing.

    A next URL that cannot be read (``<http://[::1/...>``) is transient, as a cut body is:
    whether more pages follow is unknown, and ending the listing there would drop them. A next
    page named without a cursor (``?page=1``, ``cursor=``, a renamed parameter) is one the tap
    cannot follow: an error naming the endpoint, never the end of the listing."""
    link = response.links.get("next")
    if link is None:
        return None
    url = link.get("url", "")
    try:
        query = urlsplit(url).query
    except ValueError as exc:
        raise BrazeTransientError(f"unreadable Link header from {asked.path}: {exc}") from None
    cursors = [c for c in parse_qs(query).get("cursor", []) if c]
    if cursors:
        return cursors[0]
    shown = redact(url[: 16 * _QUOTED_CHARS], api_key)[:_QUOTED_CHARS]
    msg = (
        f"{asked.who}: the Link header names a next page without a cursor (<{shown}>; "
        f'rel="next"), which the tap cannot follow; stopped rather than end {asked.path} there '
        "and miss the rest. Check api_url, or a proxy between the tap and Braze."
    )
    raise ListingError(msg)
