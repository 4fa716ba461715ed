"""Errors a person must act on, and what each Braze HTTP status means for this tap.

The one place that turns a Braze response into "retry", "wait" or "stop and say what to do".
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

import msgspec
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_braze_sends.redaction import redact


class BrazeError(Exception):
    """Stops the run with one clear, key-free message on stderr."""


class BrazeFatalError(BrazeError, FatalAPIError):
    """A response that retrying cannot fix (401, 403, 400, 404, other 4xx)."""

    def __init__(self, message: str, status: int | None = None, braze_said: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.braze_said = braze_said
        """Braze's own message (key-masked): what tells a 400 for a deleted id from others."""

    @property
    def about_the_item(self) -> bool:
        """Braze rejected this id (400): the item may be gone, not the key or the URL."""
        return self.status == HTTPStatus.BAD_REQUEST


class BrazeTransientError(RetriableAPIError):
    """A response worth retrying with backoff (5xx, truncated or malformed bodies)."""


class BrazeGaveUp(BrazeError):
    """Retries of one request are exhausted."""


class BrazeStopped(BrazeError):
    """The run is stopping after an error elsewhere: this request was not made or retried."""


class ParserBug(BrazeError):
    """Reading a response raised something other than MalformedBody: a bug, not retried."""


class StateError(BrazeError):
    """The input state cannot be used."""


def describe_partition(partition: Mapping[str, str]) -> str:
    return " ".join(f"{key}={value!r}" for key, value in partition.items())


def fatal_error_for(
    status: int,
    *,
    braze_message: str,
    path: str,
    api_url: str,
    where: str,
    permission: str,
    hint: str = "",
    origin: str = "",
) -> BrazeFatalError:
    """The actionable error for a non-retryable status; ``where`` names the request,
    ``permission`` is the one its endpoint needs, ``hint`` what else turning off avoids it."""
    said = f" Braze said: {braze_message}" if braze_message else ""
    if status == HTTPStatus.UNAUTHORIZED:
        text = (
            f"Braze rejected the API key (401) at api_url={api_url}: the key is invalid, revoked, "
            "or belongs to another Braze instance. Check api_key, and that api_url is the REST "
            "endpoint of the instance that issued the key (e.g. https://rest.iad-01.braze.com)."
        )
    elif status == HTTPStatus.FORBIDDEN:
        text = (
            f"The API key lacks the '{permission}' permission needed for {path} (403), or the "
            f"account's plan does not allow it. Grant '{permission}' to the key in Braze "
            "(Settings > APIs and Identifiers), or deselect the streams that read this endpoint"
            f"{hint}."
        )
    elif status == HTTPStatus.NOT_FOUND:
        text = (
            f"api_url looks wrong: {api_url}{path} was not found (404). Use the REST endpoint of "
            "your Braze instance without a path, e.g. https://rest.iad-01.braze.com."
        )
    elif status == HTTPStatus.BAD_REQUEST:
        text = (
            f"Braze rejected the request for {where} (400). Check that these ids exist in this "
            f"workspace ({origin or 'send ids belong to API campaigns'})."
        )
    else:
        text = f"Braze answered {status} for {where} on {path}; this is not retried."
    return BrazeFatalError(text + said, status, braze_message)


def redirect_error(status: int, *, location: str, path: str, api_url: str) -> BrazeFatalError:
    """A 3xx: never followed, since the API key would go along to wherever it points."""
    where = f"to {location}" if location else "without a Location"
    return BrazeFatalError(
        f"api_url={api_url} answered {status} for {path}, redirecting {where}. The tap does "
        "not follow redirects (the API key would go along): set api_url to the REST endpoint "
        "of your Braze instance itself, e.g. https://rest.iad-01.braze.com.",
        status,
    )


_MESSAGE_CHARS = 300


def braze_message(content: bytes, secret: str = "") -> str:
    """Braze's own words from an error body (``message`` and ``errors``), or its text, on one
    line (an HTML error page's line breaks and indents collapsed to single spaces), at most
    300 characters, with ``secret`` masked before the cut: a cut through an echoed key would
    leave a piece of it that no mask of the whole key recognises."""
    try:
        body = msgspec.json.decode(content)
    except (msgspec.DecodeError, RecursionError):
        text = content[: 16 * _MESSAGE_CHARS].decode("utf-8", "replace")
    else:
        if isinstance(body, dict):
            parts = [str(body.get("message") or "")]
            if body.get("errors"):
                parts.append(str(body["errors"]))
            text = " ".join(p for p in parts if p)
        else:
            text = str(body)
    return redact(_one_line(text), secret)[:_MESSAGE_CHARS]


def _one_line(text: str) -> str:
    return " ".join(text.split())
