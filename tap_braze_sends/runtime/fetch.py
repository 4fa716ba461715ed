"""The one place for a request to Braze: auth, pacing, what a status means, retries, the body.

Every worker thread calls :meth:`Fetcher.get_json`. A failed request's retries wait its own
short, growing backoff and its pool's pace of retries (retry_pacing.py), and a 429 holds its
whole pool (pacing.py, too_many_requests.py); every retry and 429 counts against
``max_retries``, and a request's rate-limit waits together against ``max_rate_limit_wait``.
The waits happen on the run's ``stop`` event, so a run told to stop (a signal, an error
elsewhere) never sleeps out a backoff or a rate-limit wait.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import requests

from tap_braze_sends.errors import (
    BrazeFatalError,
    BrazeGaveUp,
    BrazeStopped,
    BrazeTransientError,
    redirect_error,
)
from tap_braze_sends.redaction import redact
from tap_braze_sends.runtime.answers import (
    Asked,
    next_cursor,
    parse_body,
    raise_for_status,
    require_success,
)
from tap_braze_sends.runtime.body import ANY_BODY, BodyError, BodyLimit, decode_json, read_body
from tap_braze_sends.runtime.pacing import AcquireCancelled, Budgets, RateBudget
from tap_braze_sends.runtime.progress import Progress
from tap_braze_sends.runtime.rate_limits import read_rate_limit_headers, server_clock
from tap_braze_sends.runtime.retry_pacing import RetryPaces, RetryWaits
from tap_braze_sends.runtime.session import environment_for, pooled_session
from tap_braze_sends.runtime.spent_pool import PoolSpent, RateBudgetExceeded, rate_limited_message
from tap_braze_sends.runtime.too_many_requests import RateLimited, WaitTooLong, hold_pool
from tap_braze_sends.runtime.unreachable import wrong_address
from tap_braze_sends.settings import Settings

logger = logging.getLogger("tap_braze_sends.fetch")

_TRANSIENT_EXCEPTIONS = (
    ConnectionResetError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True, slots=True)
class Fetched:
    body: Any
    extracted_at: dt.datetime
    """When the response arrived: its records' ``time_extracted``."""
    next_cursor: str | None = None
    """The ``cursor`` of the ``Link`` header's next page (only the cursor: the tap never
    follows a URL a response names, which could point elsewhere with the key)."""
    served_at: dt.datetime | None = None
    """Braze's clock when it answered (its ``Date`` header; None: none readable)."""


class Fetcher:
    """GET a Braze endpoint and return its decoded JSON body, or raise a clear error."""

    def __init__(
        self,
        settings: Settings,
        *,
        progress: Progress,
        stop: threading.Event,
        budgets: Budgets | None = None,
    ) -> None:
        self.settings = settings
        self.progress = progress
        self.stop = stop
        self.budgets = budgets or Budgets()
        self.retry_paces = RetryPaces()
        self.session = pooled_session(pool_size=settings.max_parallel_requests)
        self._environment: dict[str, Any] | None = None
        self._answered = False  # till api_url answers, a wrong address is not retried

    def close(self) -> None:
        self.session.close()

    def get_json(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        pool: str,
        permission: str,
        who: str,
        what: str = "",
        hint: str = "",
        origin: str = "",
        series: str = "",
        parse: Callable[[Any], Any] = lambda body: body,
        still_needed: Callable[[], bool] = lambda: True,
        paged: bool = False,
        limit: BodyLimit = ANY_BODY,
    ) -> Fetched | None:
        """One request with its retries; ``who`` (the partition) and ``what`` (the endpoint
        and window) name it in errors.

        ``permission`` (the endpoint's) and ``hint`` (what else avoids it) go into a 403's
        error, ``origin`` (the settings its ids come from) into a 400's; ``series`` (its name)
        is the progress line that counts it. ``parse`` turns the decoded body into the caller's
        result; a MalformedBody from it is retried (answers.parse_body). ``still_needed`` is
        asked once the budget lets the request go (a wait may have taught the run something
        meanwhile); False: it is not sent, and None is returned. ``paged``: read the next
        page's cursor from the ``Link`` header (a series ignores a proxy's stray one).
        ``limit``: the most its body may hold (body.py)."""
        settings = self.settings
        asked = Asked(path, who, what, permission, hint, origin, series)
        where = f"{who} ({what})" if what else who
        brief = f"{who} ({path})"
        request = requests.Request(
            "GET",
            settings.api_url + path,
            params=dict(params),
            headers={
                "Authorization": f"Bearer {settings.api_key}",
                "Accept": "application/json",
            },
        ).prepare()
        budget, pace = self.budgets[pool], self.retry_paces[pool]
        waits = RetryWaits(settings.retry_initial_wait, pace)
        attempt = 0
        rate_limited_since: float | None = None
        while True:
            if self.stop.is_set():
                raise BrazeStopped(f"not requested: the run is stopping ({path})")
            attempt += 1
            try:
                fetched = self._attempt(request, asked, budget, parse, still_needed, paged, limit)
                if fetched is not None:
                    pace.answered()
                return fetched
            except RateLimited as exc:
                # The pool's budget holds every worker (the next acquire waits on the stop
                # event); the pool logged the hold once.
                now = time.monotonic()
                rate_limited_since = rate_limited_since or now
                if now - rate_limited_since + exc.wait > settings.max_rate_limit_wait:
                    raise PoolSpent.giving_up(
                        where,
                        f"still rate limited after waiting max_rate_limit_wait="
                        f"{settings.max_rate_limit_wait:.0f} s; last: {exc}",
                        budget.name,
                        exc.wait,
                    ) from None
                if attempt > settings.max_retries:
                    # Refused though the pool names no long wait: not a spent pool to defer.
                    raise BrazeGaveUp(
                        rate_limited_message(
                            where,
                            f"rate limited on each of {attempt} attempts "
                            f"(max_retries={settings.max_retries}); last: {exc}",
                        )
                    ) from None
            except (RateBudgetExceeded, WaitTooLong) as exc:
                raise PoolSpent.giving_up(where, str(exc), budget.name, exc.wait) from None
            except AcquireCancelled:
                raise BrazeStopped(f"not requested: the run is stopping ({path})") from None
            except (BrazeTransientError, *_TRANSIENT_EXCEPTIONS) as exc:
                if not self._answered and (line := wrong_address(exc, settings.api_url)):
                    raise BrazeFatalError(line) from None
                cause = redact(f"{type(exc).__name__}: {exc}", settings.api_key)
                if attempt > settings.max_retries:
                    msg = (
                        f"Giving up on {where} after {attempt} attempts "
                        f"(max_retries={settings.max_retries}); last cause: {cause}"
                    )
                    raise BrazeGaveUp(msg) from None
                wait = waits.next()
                self.progress.count_retry(asked.counted_as)
                logger.warning(
                    "Retrying %s in %.1f s after attempt %d of %d: %s",
                    brief,
                    wait,
                    attempt,
                    settings.max_retries + 1,
                    cause,
                )
                if self.stop.wait(wait):
                    raise BrazeStopped(f"not retried: the run is stopping ({path})") from None

    def _attempt(
        self,
        request: requests.PreparedRequest,
        asked: Asked,
        budget: RateBudget,
        parse: Callable[[Any], Any],
        still_needed: Callable[[], bool],
        paged: bool,
        limit: BodyLimit,
    ) -> Fetched | None:
        settings = self.settings
        path = asked.path
        budget.acquire(max_wait=settings.max_rate_limit_wait, stop=self.stop)
        if not still_needed():
            budget.release(None)
            return None
        headers = None
        hold: float | None = None
        deadline = time.monotonic() + settings.request_timeout
        try:
            response = self.session.send(
                request,
                timeout=settings.request_timeout,
                allow_redirects=False,
                stream=True,  # read_body cuts off a body that trickles past the deadline
                **self._environment_for(request),
            )
            self._answered = True
            headers = read_rate_limit_headers(response.headers)
            if response.status_code == HTTPStatus.TOO_MANY_REQUESTS:
                self.progress.count_rate_limited(asked.counted_as)
                hold = hold_pool(headers, path, budget, settings.max_rate_limit_wait)
        except requests.exceptions.SSLError as exc:
            raise self._tls_error(exc) from None
        finally:
            budget.release(headers, rate_limited=hold is not None)
        self.progress.count_request(asked.counted_as)
        status = response.status_code
        if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
            response.close()
            location = redact(response.headers.get("Location") or "", settings.api_key)
            raise redirect_error(status, location=location, path=path, api_url=settings.api_url)
        try:
            content = read_body(response, deadline, limit)
            body = None if status >= HTTPStatus.MULTIPLE_CHOICES else decode_json(content)
        except BodyError as exc:
            raise BrazeTransientError(f"{exc} from {path}") from None
        if hold is not None:
            raise RateLimited(f"HTTP 429 from {path}; the pool holds {hold:.1f} s", hold)
        raise_for_status(status, content, asked, api_key=settings.api_key, api_url=settings.api_url)
        require_success(status, body, asked, api_key=settings.api_key)
        result = parse_body(parse, body, asked)
        cursor = next_cursor(response, asked, api_key=settings.api_key) if paged else None
        now = dt.datetime.now(dt.timezone.utc)
        return Fetched(result, now, cursor, server_clock(response.headers))

    def _tls_error(self, exc: Exception) -> BrazeFatalError:
        # A certificate problem does not heal by retrying: say so at once.
        cause = redact(str(exc), self.settings.api_key)
        return BrazeFatalError(
            f"TLS error talking to api_url={self.settings.api_url}: {cause}. Check that "
            "api_url is your instance's REST endpoint and that this machine trusts its "
            "certificate (REQUESTS_CA_BUNDLE for a corporate proxy)."
        )

    def _environment_for(self, request: requests.PreparedRequest) -> dict[str, Any]:
        # Every request goes to the one api_url host, so the environment (HTTPS_PROXY,
        # NO_PROXY, REQUESTS_CA_BUNDLE, ...) is read once, not on every send.
        if self._environment is None:
            self._environment = environment_for(request.url or "", self.session)
        return self._environment
