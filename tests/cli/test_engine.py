"""The engine's fixes of issue 8, each shown on the real CLI against a local server.

Signals stop a run at once (even mid-backoff or mid-rate-limit wait) after the STATE of what
is complete; a certificate error is not retried; the HTTP pool holds every worker's
connection; the SDK's record counts and dry-run limits include the message-level streams;
``retry_initial_wait`` is validated like every other setting.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from braze_simulator import BrazeSimulator, FaultPlan, build_workspace
from conftest import (
    SIM_TODAY,
    TAP,
    QuietHandler,
    TapRun,
    log_lines,
    run_tap,
    serve_on_loopback,
    tap_config,
    tap_log_lines,
)
from singer_sdk.testing import SuiteConfig, TapTestRunner

from tap_braze_sends.tap import TapBrazeSends

STREAMS = (
    "send_analytics",
    "send_message_analytics",
    "campaign_analytics",
    "campaign_message_analytics",
)
CAMPAIGN_STREAMS = ("campaign_analytics", "campaign_message_analytics")
STOP_WITHIN_SECONDS = 2.0


# --- a tap run we can signal -------------------------------------------------------------------


class LiveTap:
    """``tap-braze-sends`` started with Popen; its stdout and stderr read as they come."""

    def __init__(self, config: dict[str, Any], tmp_path: Path) -> None:
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(config))
        self.proc = subprocess.Popen(
            [TAP, "--config", str(config_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=_collect, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=_collect, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"never saw {what}; stderr:\n{''.join(self.stderr)[-3000:]}")
            time.sleep(0.02)

    def states(self) -> list[dict]:
        return [json.loads(line)["value"] for line in list(self.stdout) if '"type":"STATE"' in line]

    def stop_with(self, signum: int) -> tuple[float, TapRun]:
        """Send ``signum``; the seconds until the process exited, and what it printed."""
        sent = time.monotonic()
        self.proc.send_signal(signum)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the tap did not exit within 15 s of {signal.Signals(signum).name}")
        elapsed = time.monotonic() - sent
        for reader in self._readers:
            reader.join(timeout=5)
        stdout = "".join(self.stdout)
        messages = [json.loads(line) for line in stdout.splitlines() if line.strip()]
        return elapsed, TapRun(self.proc.returncode, stdout, "".join(self.stderr), messages)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _collect(stream: Any, into: list[str]) -> None:
    for line in stream:
        into.append(line)


@pytest.fixture
def live_taps() -> Iterator[Callable[[dict[str, Any], Path], LiveTap]]:
    started: list[LiveTap] = []

    def start(config: dict[str, Any], tmp_path: Path) -> LiveTap:
        started.append(LiveTap(config, tmp_path))
        return started[-1]

    yield start
    for tap in started:
        tap.kill()


def campaign_bookmarks(state: dict) -> dict[str, dict[str, str | None]]:
    """stream -> campaign_id -> replication_key_value."""
    return {
        stream: {
            entry["context"]["campaign_id"]: entry.get("replication_key_value")
            for entry in state.get("bookmarks", {}).get(stream, {}).get("partitions", [])
        }
        for stream in CAMPAIGN_STREAMS
    }


def covers_finished(state: dict, finished: list[str], end_date: str) -> bool:
    bookmarks = campaign_bookmarks(state)
    return all(
        bookmarks[stream].get(campaign) == end_date
        for stream in CAMPAIGN_STREAMS
        for campaign in finished
    )


def assert_stopped_cleanly(
    elapsed: float,
    run: TapRun,
    signum: int,
    finished: list[str],
    unfinished: list[str],
    end_date: str,
) -> None:
    name = signal.Signals(signum).name
    assert elapsed < STOP_WITHIN_SECONDS, f"{name} took {elapsed:.2f} s to stop the tap"
    assert run.returncode == 128 + signum, run.stderr[-2000:]
    errors = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    assert len(errors) == 1, errors
    assert name in errors[0]
    # The last STATE covers every finished partition, and none of the others.
    assert run.messages[-1]["type"] == "STATE", "the last line on stdout is not a STATE"
    bookmarks = campaign_bookmarks(run.final_state)
    for stream in CAMPAIGN_STREAMS:
        assert {c: bookmarks[stream].get(c) for c in finished} == dict.fromkeys(
            finished, end_date
        ), stream
        assert not [c for c in unfinished if bookmarks[stream].get(c) is not None], stream
    assert "Traceback" not in run.stderr


# --- 1. signals --------------------------------------------------------------------------------

SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_mid_backoff_stops_at_once_after_the_state_of_finished_partitions(
    make_simulator: Callable[..., BrazeSimulator],
    live_taps: Callable[[dict[str, Any], Path], LiveTap],
    tmp_path: Path,
    signum: int,
) -> None:
    workspace = build_workspace(0, 40, today=SIM_TODAY, seed=7)
    campaigns = [c.campaign_id for c in workspace.campaigns]
    finished, stuck = campaigns[:4], campaigns[4]
    # Every request for the fifth campaign answers 503: it retries for minutes at these waits.
    sim = make_simulator(workspace, faults=FaultPlan(rate=1.0, kinds=("503",), only_ids=(stuck,)))
    # One worker: the first four partitions are written before the fifth is requested. Many
    # small partitions: no STATE is due by then (bookmarks.StateCadence), so the STATE that
    # covers them is the one the stop writes.
    config = tap_config(
        sim, max_retries=8, retry_initial_wait=30, max_parallel_requests=1,
        start_date=(SIM_TODAY - dt.timedelta(days=1)).isoformat(),
    )  # fmt: skip
    tap = live_taps(config, tmp_path)
    tap.wait_until(lambda: any("Retrying" in line for line in tap.stderr), "a retry")
    elapsed, run = tap.stop_with(signum)
    assert_stopped_cleanly(elapsed, run, signum, finished, campaigns[4:], config["end_date"])
    print(f"{signal.Signals(signum).name} mid-backoff: exited in {elapsed:.3f} s")


@pytest.fixture
def rate_limited_front() -> Iterator[Callable[[str, str, int], str]]:
    """A front for the simulator that answers 429 with Retry-After: 60 for one campaign.

    The 429 is held until ``others`` requests of other campaigns have been answered: the
    wait it starts holds every worker, and those partitions must finish first.
    """
    servers = contextlib.ExitStack()

    def start(simulator_url: str, limited_campaign: str, others: int) -> str:
        answered = threading.Semaphore(0)

        class Front(QuietHandler):
            def do_GET(self) -> None:
                if f"campaign_id={limited_campaign}" in self.path:
                    for _ in range(others):
                        answered.acquire(timeout=10)
                    self.reply(429, b'{"message":"API rate limit exceeded"}')
                    return
                upstream = requests.get(
                    simulator_url + self.path,
                    headers={"Authorization": self.headers["Authorization"]},
                    timeout=5,
                )
                self.reply(upstream.status_code, upstream.content)
                answered.release()

            def end_headers(self) -> None:
                if f"campaign_id={limited_campaign}" in self.path:
                    self.send_header("Retry-After", "60")
                super().end_headers()

        return servers.enter_context(serve_on_loopback(Front))

    with servers:
        yield start


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_signal_mid_rate_limit_wait_stops_at_once_after_the_state_of_finished_partitions(
    make_simulator: Callable[..., BrazeSimulator],
    rate_limited_front: Callable[[str, str, int], str],
    live_taps: Callable[[dict[str, Any], Path], LiveTap],
    tmp_path: Path,
    signum: int,
) -> None:
    workspace = build_workspace(0, 4, today=SIM_TODAY, seed=7)
    *finished, stuck = [c.campaign_id for c in workspace.campaigns]
    sim = make_simulator(workspace)
    front = rate_limited_front(sim.url, stuck, len(finished))
    config = tap_config(sim, api_url=front, max_rate_limit_wait=900, max_parallel_requests=4)
    tap = live_taps(config, tmp_path)
    tap.wait_until(
        lambda: any("waits 60.0 s" in line for line in tap.stderr), "the 429's 60 s wait"
    )
    tap.wait_until(
        lambda: any(covers_finished(s, finished, config["end_date"]) for s in tap.states()),
        "a STATE covering the finished partitions",
    )
    elapsed, run = tap.stop_with(signum)
    assert_stopped_cleanly(elapsed, run, signum, finished, [stuck], config["end_date"])
    print(f"{signal.Signals(signum).name} mid-rate-limit wait: exited in {elapsed:.3f} s")


# --- 2. TLS ------------------------------------------------------------------------------------


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that nobody trusts (unless told to), and its key."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        _certificate_with_cryptography(cert, key)
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("neither the cryptography package nor the openssl command is available")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
    return cert, key


def _certificate_with_cryptography(cert_path: Path, key_path: Path) -> None:
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@pytest.fixture
def untrusted_https(tmp_path: Path) -> Iterator[tuple[str, Counter[str]]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate; counts TLS handshakes."""
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    seen: Counter[str] = Counter()
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            seen["connections"] += 1
            conn.settimeout(2)
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    seen["handshakes"] += 1
                    tls.recv(4096)
            except (OSError, ssl.SSLError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}", seen
    done.set()
    thread.join(timeout=2)
    listener.close()


def test_a_certificate_error_fails_at_once_naming_api_url_and_the_cause(
    make_simulator: Callable[..., BrazeSimulator],
    untrusted_https: tuple[str, Counter[str]],
    tmp_path: Path,
) -> None:
    url, seen = untrusted_https
    sim = make_simulator(build_workspace(0, 1, today=SIM_TODAY, seed=7))
    # One partition, one worker: a retry would be a second connection.
    config = tap_config(sim, api_url=url, max_retries=8, retry_initial_wait=0.5,
                        max_parallel_requests=1)  # fmt: skip
    started = time.monotonic()
    run = run_tap(config, tmp_path, check=False, timeout=60)
    elapsed = time.monotonic() - started
    assert run.returncode != 0
    errors = [line.message for line in tap_log_lines(run.stderr, "ERROR")]
    assert len(errors) == 1, errors
    assert f"api_url={url}" in errors[0]
    assert "CERTIFICATE_VERIFY_FAILED" in errors[0] or "certificate" in errors[0].lower()
    assert not tap_log_lines(run.stderr, "WARNING"), "a certificate error was retried"
    assert seen["connections"] == 1, seen
    # Retried, the 8 retries would wait 0.5 s, 1 s, 2 s, ...: over two minutes. The bound leaves
    # room for a CLI start-up of several seconds on a loaded machine (6 xdist workers on 2 cores).
    assert elapsed < 15, f"the run took {elapsed:.1f} s"
    print(f"TLS error: exited {run.returncode} after {elapsed:.2f} s")


# --- 3. the connection pool --------------------------------------------------------------------


def test_32_workers_never_discard_a_pooled_connection(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    sim = make_simulator(build_workspace(0, 60, today=SIM_TODAY, seed=7), latency_ms=50)
    config = tap_config(sim, max_parallel_requests=32, start_date="2026-03-01")
    run = run_tap(config, tmp_path)
    assert sim.stats()["requests"] >= 60
    assert len(run.records["campaign_analytics"]) > 60
    assert "Connection pool is full" not in run.stderr


# --- 4. SDK metrics and dry-run limits ---------------------------------------------------------


def record_count_metrics(stderr: str) -> Counter[str]:
    """The SDK's record_count counters on stderr, summed per stream."""
    counts: Counter[str] = Counter()
    for line in log_lines(stderr):
        if line.logger != "singer_sdk.metrics" or "METRIC:" not in line.message:
            continue
        metric = json.loads(line.message.split("METRIC:", 1)[1])
        if metric["metric"] == "record_count":
            counts[metric["tags"]["stream"]] += metric["value"]
    return counts


def test_sdk_record_count_metrics_count_every_stream_record(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    run = run_tap(tap_config(simulator), tmp_path)
    written = Counter({stream: len(records) for stream, records in run.records.items()})
    assert set(STREAMS) <= set(written)
    # Message rows outnumber day rows: a counter of day rows only cannot pass.
    assert written["campaign_message_analytics"] > written["campaign_analytics"]
    assert record_count_metrics(run.stderr) == written


def test_dry_run_test_flag_caps_every_stream_at_one_record(
    simulator: BrazeSimulator, tmp_path: Path
) -> None:
    run = run_tap(tap_config(simulator), tmp_path, extra_args=("--test",))
    counts = {stream: len(records) for stream, records in run.records.items()}
    # Streams added later (other endpoints) may join; each stream still gets one record.
    assert set(STREAMS) <= set(counts)
    assert counts == dict.fromkeys(counts, 1)


def test_suite_max_records_limit_caps_every_stream(simulator: BrazeSimulator) -> None:
    limit = 5
    suite = SuiteConfig(max_records_limit=limit)
    runner = TapTestRunner(TapBrazeSends, config=tap_config(simulator), suite_config=suite)
    runner.sync_all()
    counts = {stream: len(records) for stream, records in runner.records.items()}
    # Each of the four streams has more than `limit` rows in a full run (see the test above).
    assert set(STREAMS) <= set(counts)
    assert {stream: counts[stream] for stream in STREAMS} == dict.fromkeys(STREAMS, limit)
    assert all(count <= limit for count in counts.values()), counts  # catalogues: fewer rows


# --- 5. retry_initial_wait ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [-1, "abc"])
def test_a_bad_retry_initial_wait_is_a_config_error_before_any_request(
    simulator: BrazeSimulator, tmp_path: Path, value: object
) -> None:
    run = run_tap(tap_config(simulator, retry_initial_wait=value), tmp_path, check=False)
    assert run.returncode != 0
    assert "retry_initial_wait" in run.stderr
    assert "Traceback" not in run.stderr
    assert simulator.stats()["requests"] == 0


RETRY_WAIT = re.compile(r"^Retrying .* in (?P<wait>\d+\.\d) s after attempt")


def test_retry_initial_wait_zero_retries_without_waiting(
    make_simulator: Callable[..., BrazeSimulator], tmp_path: Path
) -> None:
    # The first two attempts of every request answer 503.
    sim = make_simulator(faults=FaultPlan(first_n=2, kinds=("503",)))
    run = run_tap(tap_config(sim, retry_initial_wait=0), tmp_path)
    waits = [
        float(match["wait"])
        for line in tap_log_lines(run.stderr, "WARNING")
        if (match := RETRY_WAIT.match(line.message))
    ]
    assert sim.stats()["by_status"][503] >= 10
    assert len(waits) == sim.stats()["by_status"][503]
    assert set(waits) == {0.0}
