"""Proxies from the environment: never for a plain-http api_url (the key would cross the proxy
in clear), through a CONNECT tunnel for https:// (the proxy sees no header)."""

from __future__ import annotations

import select
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

from braze_simulator import DEFAULT_KEY
from conftest import QuietHandler
from test_engine import self_signed_certificate
from test_hostile_servers import ONE_DAY, config_for, hostile, timed_run


class Proxy:
    """What a proxy on 127.0.0.1 was asked: each request's head, as received."""

    def __init__(self) -> None:
        self.heads: list[bytes] = []
        self.lock = threading.Lock()


@contextmanager
def recording_proxy() -> Iterator[tuple[str, Proxy]]:
    """A proxy that tunnels CONNECT and answers any other request 502 (after recording it)."""
    proxy = Proxy()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    done = threading.Event()

    def tunnel(client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        while not done.is_set():
            ready, _, _ = select.select(sockets, [], [], 0.1)
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)

    def handle(client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                data = client.recv(4096)
                if not data:
                    return
                head += data
            with proxy.lock:
                proxy.heads.append(head)
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            if method != b"CONNECT":
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                return
            host, port = target.decode().rsplit(":", 1)
            with socket.create_connection((host, int(port)), timeout=5) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                try:
                    tunnel(client, upstream)
                except OSError:
                    return  # either side hung up

    def serve() -> None:
        while not done.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(client,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", proxy
    finally:
        done.set()
        thread.join(timeout=2)
        listener.close()


def proxy_env(proxy_url: str) -> dict[str, str]:
    names = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
    return {
        **{name: proxy_url for name in names},
        **{name.lower(): proxy_url for name in names},
        "NO_PROXY": "",
        "no_proxy": "",
    }


def test_a_plain_http_api_url_never_goes_through_a_proxy(tmp_path: Path) -> None:
    """HTTP_PROXY set: the requests went to the proxy with the key in their headers (the
    proxy, and anyone between, read it in clear). Now they go straight to api_url."""

    def answer(h: QuietHandler, path: str, query: dict, count: int) -> None:
        h.reply(200, ONE_DAY)

    with recording_proxy() as (proxy_url, proxy), hostile(answer) as (url, server):
        run, _ = timed_run(config_for(url), tmp_path, env=proxy_env(proxy_url))
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.records["campaign_analytics"]
    assert proxy.heads == []
    assert server.requests == 1


@contextmanager
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A Braze stand-in on https://127.0.0.1 (its certificate, to trust, and the paths asked)."""
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    asked: list[str] = []

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            assert self.headers["Authorization"] == f"Bearer {DEFAULT_KEY}"
            self.reply(200, ONE_DAY)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert, asked
    finally:
        server.shutdown()
        server.server_close()


def test_an_https_api_url_goes_through_the_https_proxy_in_a_tunnel(tmp_path: Path) -> None:
    """HTTPS_PROXY still works for https:// (a corporate network's only way out): the proxy
    is asked to CONNECT to api_url's host and never sees the key; NO_PROXY bypasses it. The
    certificate is trusted through REQUESTS_CA_BUNDLE, which the tap ignored before."""
    with recording_proxy() as (proxy_url, proxy), https_server(tmp_path) as (url, cert, asked):
        env = {**proxy_env(proxy_url), "REQUESTS_CA_BUNDLE": str(cert)}
        run, _ = timed_run(config_for(url), tmp_path / "run", env=env)
        bypass = {**env, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
        bypassed, _ = timed_run(config_for(url), tmp_path / "bypassed", env=bypass)
    for each in (run, bypassed):
        assert each.returncode == 0, each.stderr[-3000:]
        assert each.records["campaign_analytics"]
    assert len(asked) == 2
    (head,) = proxy.heads
    assert head.startswith(f"CONNECT {url.removeprefix('https://')} ".encode()), head
    assert DEFAULT_KEY.encode() not in head
