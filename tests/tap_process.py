"""How the tests start the tap's CLI: a new process per run, forked from one that has already
imported the tap.

The console script ``tap-braze-sends`` imports ``tap_braze_sends.tap`` (singer-sdk with it:
0.3 s of CPU, most of a short run's cost) and calls ``TapBrazeSends.cli()``. Here a launcher
process does the import once; each run is a ``fork`` of it that takes the run's argv,
environment, working directory and files for stdin, stdout and stderr, calls the same
``TapBrazeSends.cli()`` and exits with its code: a separate process running the real
singer-sdk CLI, as the console script would, for a sixth of the CPU. ``TAP_CLI_RUNS=exec``
runs the console script itself instead (CI's second singer-sdk run does).

Run as a script, this module is the launcher: one JSON request per line on stdin, answered
on stdout with the child's pid, then its exit code.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import re
import resource
import select
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

EXEC = os.environ.get("TAP_CLI_RUNS") == "exec"
_idle: list[subprocess.Popen] = []
_lock = threading.Lock()


def run(
    args: Sequence[str],
    *,
    env: dict[str, str],
    files: Path,
    timeout: float,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess:
    """``subprocess.run(args, capture_output=True, text=True, timeout=..., env=..., cwd=...)``,
    with ``args[0]`` the console script, forked from a launcher unless TAP_CLI_RUNS=exec; the
    run's output goes through two files in the folder ``files``. Its ``peak_rss_mib`` is the
    run's peak RSS: of the fork alone (``os.wait4``), or under TAP_CLI_RUNS=exec the largest of
    this process's children so far (never less than the run's own)."""
    folder = str(cwd or os.getcwd())
    if EXEC:
        proc = subprocess.run(
            list(args),
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=folder,
            check=False,
        )
        proc.peak_rss_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return proc
    launcher = _take_launcher()
    out, err = files / ".tap-stdout", files / ".tap-stderr"
    request = {"args": list(args), "env": env, "cwd": folder, "out": str(out), "err": str(err)}
    try:
        launcher.stdin.write(json.dumps(request).encode() + b"\n")
        launcher.stdin.flush()
        # Unbuffered: select() must see the exit line, not a buffer that already holds it.
        pid = json.loads(launcher.stdout.readline())["pid"]
        ready, _, _ = select.select([launcher.stdout], [], [], timeout)
        if not ready:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        ended = json.loads(launcher.stdout.readline())
    except (OSError, ValueError, KeyError):
        launcher.kill()
        raise
    with _lock:
        _idle.append(launcher)
    stdout, stderr = out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
    out.unlink()
    err.unlink()
    if not ready:
        raise subprocess.TimeoutExpired(list(args), timeout, stdout, stderr)
    proc = subprocess.CompletedProcess(list(args), ended["returncode"], stdout, stderr)
    proc.peak_rss_mib = ended["maxrss_kib"] / 1024
    return proc


def _take_launcher() -> subprocess.Popen:
    """An idle launcher, or a new one (runs from several threads each get their own)."""
    with _lock:
        if _idle:
            return _idle.pop()
    return subprocess.Popen(
        [sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
    )


def stop_launchers() -> None:
    with _lock:
        while _idle:
            launcher = _idle.pop()
            launcher.stdin.close()
            launcher.wait(timeout=10)


# --- the launcher ----------------------------------------------------------------------------


def _child(request: dict) -> None:
    """The forked run: the request's files, environment and directory, then the CLI."""
    from tap_braze_sends.tap import TapBrazeSends  # imported once, by the launcher

    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 1)
    os.dup2(os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    random.seed()  # not the launcher's sequence, shared by every fork
    sys.argv = [re.sub(r"(-script\.pyw|\.exe)?$", "", request["args"][0]), *request["args"][1:]]
    code = 1
    try:
        TapBrazeSends.cli()
        code = 0
    except SystemExit as exc:  # what the interpreter does with it
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
    except BaseException:
        traceback.print_exc()
    finally:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve() -> None:
    from tap_braze_sends.tap import TapBrazeSends  # noqa: F401  (the import every run shares)

    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({"pid": pid}), flush=True)
        _, status, usage = os.wait4(pid, 0)  # ru_maxrss: this fork's own peak, in KiB
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"returncode": code, "maxrss_kib": usage.ru_maxrss}), flush=True)


if __name__ == "__main__":
    _serve()
