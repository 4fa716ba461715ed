"""A local HTTP stand-in for Braze's REST export endpoints, on 127.0.0.1 only.

The endpoints themselves are routes (see :mod:`braze_simulator.routing`); this module owns
what they share, applied in Braze's order: path, auth, permission, rate limit, faults,
validation, latency, answer. Its statistics and request log are request_log.py's.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from braze_simulator.canvas_routes import CANVAS_ROUTES
from braze_simulator.catalog_routes import CATALOG_ROUTES
from braze_simulator.data import Workspace
from braze_simulator.faults import (
    FaultPlan,
    RateLimit,
    immediate_fault,
    rate_limit_headers,
    request_key,
)
from braze_simulator.http_handler import LoopbackServer, handler_for
from braze_simulator.keys import DEFAULT_KEY, KEYS
from braze_simulator.query import DAY_SEMANTICS, BadRequest
from braze_simulator.request_log import RequestLog
from braze_simulator.routing import (
    CAMPAIGN_SERIES_POOL,
    DEFAULT_POOL,
    EVENTS_POOL,
    Reply,
    Route,
    RouteRequest,
    json_body,
)
from braze_simulator.series_routes import CAMPAIGNS_PATH, SENDS_PATH, SERIES_ROUTES
from braze_simulator.workspace_routes import WORKSPACE_ROUTES
from braze_simulator.workspace_series import now_hour

__all__ = [
    "CAMPAIGNS_PATH",
    "DAY_SEMANTICS",
    "DEFAULT_KEY",
    "KEYS",
    "ROUTES",
    "SENDS_PATH",
    "BrazeSimulator",
]

# Every endpoint the simulator answers: path -> Route. Endpoint families add their table here.
ROUTES: dict[str, Route] = {
    **SERIES_ROUTES,
    **CATALOG_ROUTES,
    **CANVAS_ROUTES,
    **WORKSPACE_ROUTES,
}
PERMISSIONS = {path: route.permission for path, route in ROUTES.items()}
# Braze's documented budgets: the default pool (sends) and "export campaign analytics".
DEFAULT_SENDS_LIMIT = (250_000, 3600.0)
DEFAULT_CAMPAIGNS_LIMIT = (50_000, 60.0)
DEFAULT_EVENTS_LIMIT = (1_000, 3600.0)


class BrazeSimulator:
    def __init__(
        self,
        workspace: Workspace,
        *,
        keys: dict[str, set[str]] | None = None,
        day_semantics: str = "inclusive",
        latency_ms: float = 0,
        faults: FaultPlan | None = None,
        sends_rate_limit: RateLimit | None = None,
        campaigns_rate_limit: RateLimit | None = None,
        events_rate_limit: RateLimit | None = None,
        lowercase_headers: bool = False,
        port: int = 0,
    ) -> None:
        """`sends_rate_limit` is Braze's default pool (every route but the campaign series);
        `campaigns_rate_limit` is the campaign series' own; `events_rate_limit` is the small
        pool of the event and product listings and the purchase series."""
        if day_semantics not in DAY_SEMANTICS:
            raise ValueError(f"day_semantics must be one of {DAY_SEMANTICS}")
        self.workspace = workspace
        self.keys = dict(KEYS if keys is None else keys)
        self.day_semantics = day_semantics
        self.latency_ms = latency_ms
        self.faults = faults or FaultPlan()
        self.pools: dict[str, RateLimit] = {
            DEFAULT_POOL: sends_rate_limit or RateLimit(*DEFAULT_SENDS_LIMIT),
            CAMPAIGN_SERIES_POOL: campaigns_rate_limit or RateLimit(*DEFAULT_CAMPAIGNS_LIMIT),
            EVENTS_POOL: events_rate_limit or RateLimit(*DEFAULT_EVENTS_LIMIT),
        }
        self.routes: dict[str, Route] = dict(ROUTES)
        self.lowercase_headers = lowercase_headers
        self.port = port
        self.url = ""
        self.log = RequestLog()
        self.requests_log = self.log.entries
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    def date_header(self) -> str:
        """The ``Date`` of every answer: the workspace's clock (its today, at the hour that is
        "now"), not this machine's, as Braze's answers carry Braze's own clock."""
        return email.utils.formatdate(now_hour(self.workspace).timestamp(), usegmt=True)

    # lifecycle

    def start(self) -> str:
        if self._server is not None:
            return self.url
        self._server = LoopbackServer(("127.0.0.1", self.port), handler_for(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval keeps stop() quick (serve_forever checks for shutdown per poll).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="braze-simulator",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        # Keep-alive connections outlive serve_forever; close them so nothing answers after stop.
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> BrazeSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # statistics

    def stats(self) -> dict[str, Any]:
        """{"requests": n, "by_path": {path: n}, "by_status": {status: n}, "faults": {kind: n}}."""
        return self.log.stats()

    def reset_stats(self) -> None:
        """Clear counters, the request log and fault attempt counters (so a rerun meets the
        same faults again)."""
        self.log.reset()

    # request handling

    def _peek_headers(self, pool: RateLimit) -> list[tuple[str, str]]:
        remaining, reset = pool.peek()
        return rate_limit_headers(pool.limit, remaining, reset)

    def handle(self, raw_path: str, authorization: str | None) -> Reply:
        """Answer one GET; records it in stats and the request log."""
        began = time.monotonic()
        parts = urlsplit(raw_path)
        path = parts.path
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        params = dict(pairs)
        fault: str | None = None
        try:
            reply, fault = self._dispatch(path, pairs, params, authorization)
        except Exception as exc:  # a simulator bug must still answer, and visibly
            reply = Reply(500, json_body({"message": f"simulator error: {exc!r}"}))
        self.log.record(path, params, None if reply.reset else reply.status, fault, began)
        return reply

    def _dispatch(
        self,
        path: str,
        pairs: list[tuple[str, str]],
        params: dict[str, str],
        authorization: str | None,
    ) -> tuple[Reply, str | None]:
        # 1. path
        route = self.routes.get(path)
        if route is None:
            headers = self._peek_headers(self.pools[DEFAULT_POOL])
            return Reply(404, json_body({"message": "Not Found"}), headers), None
        pool = self.pools[route.pool]
        # 2. key
        auth = authorization or ""
        key = auth[len("Bearer ") :] if auth.startswith("Bearer ") else auth
        if not auth.startswith("Bearer ") or key not in self.keys:
            body = json_body({"message": f"Invalid API key: {key}"})
            return Reply(401, body, self._peek_headers(pool)), None
        # 3. permission
        if route.permission not in self.keys[key]:
            body = json_body(
                {
                    "message": "Access Denied: this API key lacks the "
                    f"{route.permission} permission",
                    "errors": [f"missing permission: {route.permission}"],
                }
            )
            return Reply(403, body, self._peek_headers(pool)), None
        # 4. rate limit
        allowed, remaining, reset = pool.take()
        limit_headers = rate_limit_headers(pool.limit, remaining, reset)
        if not allowed:
            body = json_body({"message": "API rate limit exceeded"})
            return Reply(429, body, limit_headers), None
        # 5. faults
        rkey = request_key(path, pairs)
        attempt = self.log.next_attempt(rkey)
        fault = self.faults.fault_for(rkey, attempt)
        immediate = immediate_fault(fault, self.faults, route, pool, limit_headers, rkey, attempt)
        if immediate is not None:
            return immediate, fault
        if fault == "slow":
            time.sleep(self.faults.slow_seconds)
        # 6. validation, 7. latency, 8. answer
        reply = self._answer(route, params, limit_headers)
        if fault == "truncated":
            reply.body = reply.body[: len(reply.body) // 2]
        return reply, fault

    def _answer(
        self, route: Route, params: dict[str, str], limit_headers: list[tuple[str, str]]
    ) -> Reply:
        request = RouteRequest(self.workspace, params, self.day_semantics, self.url)
        try:
            answer = route.prepare(request)
        except BadRequest as exc:
            return Reply(400, json_body({"message": str(exc)}), limit_headers)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        answered = answer()
        if isinstance(answered, tuple):
            body, own_headers = answered
            return Reply(200, body, [*limit_headers, *own_headers])
        return Reply(200, answered, limit_headers)

    # connection bookkeeping for the handler

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)
