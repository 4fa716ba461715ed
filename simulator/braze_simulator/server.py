"""A local HTTP stand-in for Braze's GET /sends/data_series and GET /campaigns/data_series.

Listens on 127.0.0.1 only. Request handling is split into pure steps (parse, validate, pick the
day range) and one dispatcher that applies them in Braze's order: path, auth, permission, rate
limit, faults, validation, latency, answer.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from braze_simulator.data import Workspace, digest
from braze_simulator.faults import FaultPlan, RateLimit, request_key

DEFAULT_KEY = "sim-secret-key"
KEYS: dict[str, set[str]] = {
    "sim-secret-key": {"sends.data_series", "campaigns.data_series"},
    "sim-sends-only": {"sends.data_series"},
    "sim-campaigns-only": {"campaigns.data_series"},
}
SENDS_PATH = "/sends/data_series"
CAMPAIGNS_PATH = "/campaigns/data_series"
PERMISSIONS = {SENDS_PATH: "sends.data_series", CAMPAIGNS_PATH: "campaigns.data_series"}
# Braze's documented budgets: the default pool (sends) and "export campaign analytics".
DEFAULT_SENDS_LIMIT = (250_000, 3600.0)
DEFAULT_CAMPAIGNS_LIMIT = (50_000, 60.0)
DAY_SEMANTICS = ("inclusive", "exclusive")
# Query parameters that could carry a credential; never recorded in the request log.
_SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "authorization", "token"})

_LENGTH = re.compile(r"[0-9]+")
# ISO-8601 as Braze's docs use it: a date, optionally a time, optionally "Z" or an offset whose
# hour may have one digit ("-5:00", as in the campaign example).
_ENDING_AT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?"
    r"(Z|z|[+-]\d{1,2}(?::?\d{2})?)?)?",
    re.ASCII,
)


class BadRequest(ValueError):
    """A query Braze would answer with 400; the message is the response's."""


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    reset: bool = False  # drop the connection without answering


# --- pure request logic ----------------------------------------------------------------------


def parse_ending_at(value: str) -> datetime:
    """Parse Braze's ISO-8601 `ending_at` to an aware datetime (naive values are UTC)."""
    m = _ENDING_AT.fullmatch(value)
    if not m:
        raise BadRequest(f"ending_at must be an ISO 8601 datetime, got {value!r}")
    year, month, day, hour, minute, second, offset = m.groups()
    tz = timezone.utc
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        hours, _, minutes = offset[1:].partition(":")
        if not minutes and len(hours) > 2:  # "+0530"
            hours, minutes = hours[:2], hours[2:]
        try:
            tz = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))
        except ValueError as exc:
            raise BadRequest(f"ending_at has an invalid UTC offset: {value!r}") from exc
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise BadRequest(f"ending_at must be a valid ISO 8601 datetime, got {value!r}") from exc


def parse_length(value: str | None) -> int:
    if value is None or value == "":
        raise BadRequest("length is required")
    if not _LENGTH.fullmatch(value) or not 1 <= int(value) <= 100:
        raise BadRequest("length must be an integer between 1 and 100")
    return int(value)


def end_day(params: dict[str, str], today: date) -> date:
    """The UTC calendar day of `ending_at` (the simulator's today when absent)."""
    raw = params.get("ending_at")
    if raw is None:
        return today
    try:
        day = parse_ending_at(raw).astimezone(timezone.utc).date()
    except OverflowError as exc:
        raise BadRequest(f"ending_at is out of range: {raw!r}") from exc
    # Keep `day - length` inside the calendar that datetime can represent.
    if day < date(2, 1, 1):
        raise BadRequest(f"ending_at is out of range: {raw!r}")
    return day


def day_range(end: date, length: int, semantics: str) -> tuple[date, date]:
    """Which days a series covers: Braze does not document whether `ending_at`'s day counts."""
    if semantics == "inclusive":
        return end - timedelta(days=length - 1), end
    return end - timedelta(days=length), end - timedelta(days=1)


def validate(path: str, params: dict[str, str], workspace: Workspace) -> tuple[int, date]:
    """Braze's 400 checks; returns (length, end day) for a valid query."""
    length = parse_length(params.get("length"))
    end = end_day(params, workspace.today)
    campaign_id = params.get("campaign_id", "")
    if path == SENDS_PATH:
        if not campaign_id or not workspace.has_api_campaign(campaign_id):
            raise BadRequest("campaign_id must be a string of the campaign api identifier")
        send_id = params.get("send_id", "")
        if not send_id:
            raise BadRequest("send_id must be a string of the send api identifier")
        if workspace.find_send(campaign_id, send_id) is None:
            raise BadRequest(f"send_id {send_id} is not a send of campaign {campaign_id}")
    elif not campaign_id or workspace.find_campaign(campaign_id) is None:
        raise BadRequest("campaign_id must be a string of the campaign api identifier")
    return length, end


def json_body(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def success_body(fragments: list[str]) -> bytes:
    # Splice cached day JSON rather than re-encoding dicts: the CPU benchmark is the tap's.
    return ('{"data":[' + ",".join(fragments) + '],"message":"success"}').encode()


def bad_shape_body(request_key_: str, attempt: int) -> bytes:
    variants: list[dict[str, Any]] = [
        {"message": "success"},
        {"data": {"time": "unexpected"}, "message": "success"},
        {"data": None, "message": "success"},
        {"data": "[]", "message": "success"},
    ]
    return json_body(variants[digest("shape", request_key_, attempt) % len(variants)])


# --- the server --------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections would make server_close() wait on their threads forever.
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or go away (the "slow" fault, aborted runs) are expected here.
        pass


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
        lowercase_headers: bool = False,
        port: int = 0,
    ) -> None:
        if day_semantics not in DAY_SEMANTICS:
            raise ValueError(f"day_semantics must be one of {DAY_SEMANTICS}")
        self.workspace = workspace
        self.keys = dict(KEYS if keys is None else keys)
        self.day_semantics = day_semantics
        self.latency_ms = latency_ms
        self.faults = faults or FaultPlan()
        self.pools = {
            SENDS_PATH: sends_rate_limit or RateLimit(*DEFAULT_SENDS_LIMIT),
            CAMPAIGNS_PATH: campaigns_rate_limit or RateLimit(*DEFAULT_CAMPAIGNS_LIMIT),
        }
        self.lowercase_headers = lowercase_headers
        self.port = port
        self.url = ""
        self.requests_log: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._attempts: Counter[str] = Counter()
        self._stats = self._empty_stats()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    # lifecycle

    def start(self) -> str:
        if self._server is not None:
            return self.url
        self._server = _Server(("127.0.0.1", self.port), _handler_for(self))
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

    @staticmethod
    def _empty_stats() -> dict[str, Any]:
        return {"requests": 0, "by_path": Counter(), "by_status": Counter(), "faults": Counter()}

    def stats(self) -> dict[str, Any]:
        with self._lock:
            s = self._stats
            return {
                "requests": s["requests"],
                "by_path": dict(s["by_path"]),
                "by_status": dict(s["by_status"]),
                "faults": dict(s["faults"]),
            }

    def reset_stats(self) -> None:
        """Clear counters, the request log and fault attempt counters (so a rerun meets the
        same faults again)."""
        with self._lock:
            self._stats = self._empty_stats()
            self.requests_log.clear()
            self._attempts.clear()

    def _record(
        self, path: str, params: dict[str, str], status: int | None, fault: str | None
    ) -> None:
        safe = {k: v for k, v in params.items() if k.lower() not in _SECRET_PARAMS}
        with self._lock:
            self._stats["requests"] += 1
            self._stats["by_path"][path] += 1
            if status is not None:
                self._stats["by_status"][status] += 1
            if fault is not None:
                self._stats["faults"][fault] += 1
            self.requests_log.append({"path": path, "params": safe, "status": status})

    def _next_attempt(self, key: str) -> int:
        with self._lock:
            self._attempts[key] += 1
            return self._attempts[key]

    # request handling

    def _limit_headers(self, limit: int, remaining: int, reset: float) -> list[tuple[str, str]]:
        return [
            ("X-RateLimit-Limit", str(limit)),
            ("X-RateLimit-Remaining", str(max(remaining, 0))),
            ("X-RateLimit-Reset", str(reset)),
        ]

    def _peek_headers(self, pool: RateLimit) -> list[tuple[str, str]]:
        remaining, reset = pool.peek()
        return self._limit_headers(pool.limit, remaining, reset)

    def handle(self, raw_path: str, authorization: str | None) -> Reply:
        """Answer one GET; records it in stats and the request log."""
        parts = urlsplit(raw_path)
        path = parts.path
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        params = dict(pairs)
        fault: str | None = None
        try:
            reply, fault = self._dispatch(path, pairs, params, authorization)
        except Exception as exc:  # a simulator bug must still answer, and visibly
            reply = Reply(500, json_body({"message": f"simulator error: {exc!r}"}))
        self._record(path, params, None if reply.reset else reply.status, fault)
        return reply

    def _dispatch(
        self,
        path: str,
        pairs: list[tuple[str, str]],
        params: dict[str, str],
        authorization: str | None,
    ) -> tuple[Reply, str | None]:
        # 1. path
        if path not in PERMISSIONS:
            headers = self._peek_headers(self.pools[SENDS_PATH])
            return Reply(404, json_body({"message": "Not Found"}), headers), None
        pool = self.pools[path]
        # 2. key
        auth = authorization or ""
        key = auth[len("Bearer ") :] if auth.startswith("Bearer ") else auth
        if not auth.startswith("Bearer ") or key not in self.keys:
            body = json_body({"message": f"Invalid API key: {key}"})
            return Reply(401, body, self._peek_headers(pool)), None
        # 3. permission
        permission = PERMISSIONS[path]
        if permission not in self.keys[key]:
            body = json_body(
                {
                    "message": f"Access Denied: this API key lacks the {permission} permission",
                    "errors": [f"missing permission: {permission}"],
                }
            )
            return Reply(403, body, self._peek_headers(pool)), None
        # 4. rate limit
        allowed, remaining, reset = pool.take()
        limit_headers = self._limit_headers(pool.limit, remaining, reset)
        if not allowed:
            body = json_body({"message": "API rate limit exceeded"})
            return Reply(429, body, limit_headers), None
        # 5. faults
        rkey = request_key(path, pairs)
        attempt = self._next_attempt(rkey)
        fault = self.faults.fault_for(rkey, attempt)
        immediate = self._immediate_fault(fault, pool, limit_headers, rkey, attempt)
        if immediate is not None:
            return immediate, fault
        if fault == "slow":
            time.sleep(self.faults.slow_seconds)
        # 6. validation, 7. latency, 8. answer
        reply = self._answer(path, params, limit_headers)
        if fault == "truncated":
            reply.body = reply.body[: len(reply.body) // 2]
        return reply, fault

    def _immediate_fault(
        self,
        fault: str | None,
        pool: RateLimit,
        limit_headers: list[tuple[str, str]],
        rkey: str,
        attempt: int,
    ) -> Reply | None:
        if fault in ("429", "429_retry_after"):
            wait = self.faults.rate_limit_seconds
            whole = wait == int(wait)
            reset = int(time.time()) + int(wait) if whole else round(time.time() + wait, 3)
            headers = self._limit_headers(pool.limit, 0, reset)
            if fault == "429_retry_after":
                headers.append(("Retry-After", str(int(wait)) if whole else str(wait)))
            return Reply(429, json_body({"message": "API rate limit exceeded"}), headers)
        if fault in ("500", "502", "503", "504"):
            messages = {
                "500": "Internal Server Error",
                "502": "Bad Gateway",
                "503": "Service Unavailable",
                "504": "Gateway Timeout",
            }
            return Reply(int(fault), json_body({"message": messages[fault]}), limit_headers)
        if fault == "reset":
            return Reply(0, reset=True)
        if fault == "bad_shape":
            return Reply(200, bad_shape_body(rkey, attempt), limit_headers)
        return None

    def _answer(
        self, path: str, params: dict[str, str], limit_headers: list[tuple[str, str]]
    ) -> Reply:
        ws = self.workspace
        try:
            length, end = validate(path, params, ws)
        except BadRequest as exc:
            return Reply(400, json_body({"message": str(exc)}), limit_headers)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        first, last = day_range(end, length, self.day_semantics)
        if path == SENDS_PATH:
            fragments = ws.send_fragments(params["campaign_id"], params["send_id"], first, last)
        else:
            fragments = ws.campaign_fragments(params["campaign_id"], first, last)
        return Reply(200, success_body(fragments), limit_headers)

    # connection bookkeeping for the handler

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)


def _handler_for(sim: BrazeSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive; every reply carries Content-Length
        # Buffer the reply so headers and body leave in one write: two small writes on a
        # keep-alive socket meet Nagle + delayed ACK and cost ~40 ms per request.
        wbufsize = -1
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            sim._track(self.connection, add=True)

        def finish(self) -> None:
            sim._track(self.connection, add=False)
            super().finish()

        def do_GET(self) -> None:
            reply = sim.handle(self.path, self.headers.get("Authorization"))
            if reply.reset:
                self._reset()
                return
            self._write(reply)

        def _write(self, reply: Reply) -> None:
            self.send_response_only(reply.status)
            headers = [
                ("Date", self.date_time_string()),
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(reply.body))),
                *reply.headers,
            ]
            for name, value in headers:
                self.send_header(name.lower() if sim.lowercase_headers else name, value)
            self.end_headers()
            self.wfile.write(reply.body)

        def _reset(self) -> None:
            # SO_LINGER 0 makes close() send RST instead of FIN: the client sees a reset.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # tests and benchmarks read stats(), not access logs

    return Handler
