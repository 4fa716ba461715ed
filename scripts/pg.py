"""A throwaway PostgreSQL server on 127.0.0.1, for the warehouse tests and for trying the tap.

    python scripts/pg.py            # start one, print its URL, stop it on Ctrl-C

Uses the Debian server binaries (``apt-get install postgresql``; .ci/run installs them). The
server refuses to run as root, so as root every server command runs as the ``postgres`` user,
in a temporary directory that user owns. Nothing listens beyond the loopback address.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"
DATABASE = "braze"
# A password, not trust auth, so the targets' password settings are exercised for real.
PASSWORD = "braze-local-pw"  # noqa: S105 (a throwaway local test server)


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing: install Debian's `postgresql` package."""


def find_bindir() -> Path:
    """Directory with initdb/pg_ctl: $PG_BINDIR, then Debian's newest version, then $PATH."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    on_path = shutil.which("pg_ctl")
    candidates.append(str(Path(on_path).parent) if on_path else "")
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (initdb/pg_ctl); "
        "install them with: apt-get update && apt-get install -y postgresql"
    )


def _version_key(path: str) -> int:
    version = Path(path).parent.name
    return int(version) if version.isdigit() else 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server; `url` is a SQLAlchemy/psycopg URL to its `braze` database."""

    host: str
    port: int
    user: str
    password: str
    database: str
    datadir: Path

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"

    def conninfo(self, database: str | None = None) -> str:
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={database or self.database}"
        )

    def target_env(self) -> dict[str, str]:
        """Meltano's environment variables for the target-postgres loader."""
        return {
            "TARGET_POSTGRES_HOST": self.host,
            "TARGET_POSTGRES_PORT": str(self.port),
            "TARGET_POSTGRES_USER": self.user,
            "TARGET_POSTGRES_PASSWORD": self.password,
            "TARGET_POSTGRES_DATABASE": self.database,
        }


def _as_server_user(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess:
    """Run a server command, as `postgres` when we are root (initdb/postgres refuse root)."""
    if os.geteuid() == 0:
        args = ["su", SERVER_USER, "-s", "/bin/sh", "-c", shlex.join(args)]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=check)


def _server_user() -> str:
    """The database superuser's name: initdb names it after the OS user that ran it."""
    return SERVER_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


@contextlib.contextmanager
def running_postgres(port: int | None = None) -> Iterator[PostgresServer]:
    """Start a fresh server (initdb, password auth, loopback only), yield it, then stop it."""
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="braze-pg-"))
    datadir, sockdir = root / "data", root / "sock"
    sockdir.mkdir()
    pwfile = root / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        # The temp dir is root's; the server user must own everything it reads and writes.
        owner = pwd.getpwnam(SERVER_USER)
        for path in (root, sockdir, pwfile):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    port = port or free_port()
    user = _server_user()
    try:
        _init_and_start(bindir, datadir, sockdir, pwfile, root / "server.log", port)
        server = PostgresServer("127.0.0.1", port, user, PASSWORD, DATABASE, datadir)
        _wait_ready(bindir, server)
        _create_database(server)
        yield server
    finally:
        _as_server_user(
            [str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop"],
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def _init_and_start(
    bindir: Path, datadir: Path, sockdir: Path, pwfile: Path, log: Path, port: int
) -> None:
    init = _as_server_user(
        [
            str(bindir / "initdb"),
            *("-D", str(datadir), "-A", "scram-sha-256", f"--pwfile={pwfile}"),
            *("-E", "UTF8", "--no-sync"),
        ],
        check=False,
    )
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    # fsync off: a test database need not survive a power cut, and it halves load times.
    options = f"-p {port} -k {sockdir} -h 127.0.0.1 -c fsync=off -c full_page_writes=off"
    start = _as_server_user(
        [str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log), "-o", options, "-w", "start"],
        check=False,
    )
    if start.returncode != 0:
        log_text = log.read_text() if log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed:\n{start.stdout}\n{start.stderr}\n{log_text}")


def _wait_ready(bindir: Path, server: PostgresServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = subprocess.run(
            [str(bindir / "pg_isready"), "-h", server.host, "-p", str(server.port)],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL on port {server.port} did not become ready")


def _create_database(server: PostgresServer) -> None:
    import psycopg  # imported late: only the server side of this module runs without it

    with psycopg.connect(server.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{server.database}"')


def main() -> int:
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    with running_postgres() as server:
        print(f"POSTGRES_URL={server.url}", flush=True)
        exports = " ".join(f"{k}={v}" for k, v in server.target_env().items())
        print(f"export {exports}", file=sys.stderr, flush=True)
        while not stop:
            time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
