"""The HTTP side of the simulator: a threading server on 127.0.0.1 and its request handler.

The handler only moves bytes; every decision is the simulator's (`handle(path, auth) -> Reply`).
"""

from __future__ import annotations

import socket
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from braze_simulator.routing import Reply


class Answerer(Protocol):
    lowercase_headers: bool

    def date_header(self) -> str: ...

    def handle(self, raw_path: str, authorization: str | None) -> Reply: ...

    def track(self, conn: socket.socket, *, add: bool) -> None: ...


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's listen backlog is 5: when more clients connect at once than the accept
    # loop takes in (16 workers opening their connections on a loaded machine), the kernel
    # drops the rest of the SYNs and each such request starts a whole second late (the SYN
    # retransmit), which no real Braze does.
    request_queue_size = 128
    # Idle keep-alive connections would make server_close() wait on their threads forever.
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or go away (the "slow" fault, aborted runs) are expected here.
        pass


def handler_for(sim: Answerer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive; every reply carries Content-Length
        # Buffer the reply so headers and body leave in one write: two small writes on a
        # keep-alive socket meet Nagle + delayed ACK and cost ~40 ms per request.
        wbufsize = -1
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            sim.track(self.connection, add=True)

        def finish(self) -> None:
            sim.track(self.connection, add=False)
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
                ("Date", sim.date_header()),
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
