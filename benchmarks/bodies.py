"""Peak RSS while a hostile server answers every request with a huge body of small elements.

Eight campaigns at the default parallelism (8 requests in flight), each answered a body of
``size`` MiB: elements Braze would never send (empty objects, nested lists), and a day whose
one channel holds a huge list of variations (each one a row of campaign_message_analytics).
The server runs in this process (its memory is not the tap's); the tap's peak RSS is its own
(os.wait4). Goal: under 1 GiB whatever the body (issue 22: a 64 MiB body of small elements
peaked at 1.6 GB, five at once 8.2 GB).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from harness import TAP, Row, Sizes, run_child, verdict, write_config

GOAL_MIB = 1024.0
CAMPAIGNS = 8


def _body(shape: str, size: int) -> bytes:
    if shape == "empty objects":
        head, element, tail = b'{"message": "success", "data": [', b"{},", b"{}]}"
    elif shape == "nested lists":
        head, element, tail = b'{"message": "success", "data": [', b"[[[]]],", b"[]]}"
    else:  # a day of one channel with endless variations (each a row)
        head = b'{"message": "success", "data": [{"time": "2026-03-30", "messages": {"email": ['
        element, tail = b'{"sent": 1},', b'{"sent": 1}]}}]}'
    return head + element * ((size - len(head) - len(tail)) // len(element)) + tail


@contextmanager
def _serving(body: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the tap hung up (it refused the body)
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "| ERROR" in line or "Error" in line]
    return lines[-1].split("| ", 3)[-1][:160] if lines else "(no error line)"


def bench_bodies(workdir: Path, sizes: Sizes) -> list[Row]:
    size_mib = 64 if sizes.memory_large >= 2000 else 32
    rows = []
    for shape in ("empty objects", "nested lists", "endless variations"):
        body = _body(shape, size_mib * 2**20)
        with _serving(body) as url:
            config = {
                "api_key": "bench-key-0000",
                "api_url": url,
                "campaign_ids": [f"camp-{n}" for n in range(CAMPAIGNS)],
                "start_date": "2025-12-22",  # a window of 100 days
                "end_date": "2026-03-31",
                "max_retries": 1,
                "retry_initial_wait": 0.1,
                "request_timeout": 120,
            }
            path = write_config(workdir, config, f"bodies-{shape.replace(' ', '-')}")
            measured = run_child([TAP, "--config", str(path)], workdir, check=False)
        traceback = "Traceback" in measured.stderr or "MemoryError" in measured.stderr
        holds = measured.rss_mib < GOAL_MIB and not traceback
        line = _error_line(measured.stderr)
        print(
            f"bodies: {CAMPAIGNS} x {size_mib} MiB of {shape}: peak RSS "
            f"{measured.rss_mib:.0f} MiB ({measured.rss_mib / GOAL_MIB:.2f} of 1 GiB), "
            f"{measured.wall:.1f} s, {'a traceback' if traceback else 'ends: ' + line}: "
            f"{verdict(holds)}",
            flush=True,
        )
        rows.append(
            Row(
                f"Peak RSS, {CAMPAIGNS} concurrent {size_mib} MiB bodies of {shape}",
                f"{measured.rss_mib:.0f} MiB",
                f"{measured.rss_mib / GOAL_MIB:.2f} of 1 GiB",
                "under 1 GiB, one error line",
                holds,
            )
        )
    return rows


if __name__ == "__main__":
    import sys
    import tempfile

    from harness import FULL, SMALL

    with tempfile.TemporaryDirectory() as tmp:
        bench_bodies(Path(tmp), SMALL if "--small" in sys.argv else FULL)
