"""The project's Meltano, installed once and reused: by the Makefile, scripts/demo.py, the tests.

    python scripts/meltano_env.py install              # meltano + every plugin of meltano.yml
    python scripts/meltano_env.py install target-jsonl # meltano + the extractor + that loader
    python scripts/meltano_env.py install dbt-duckdb   # ... + dbt with DuckDB (transform/)

Meltano lives in its own venv (.venv-meltano) so that its dependencies never meet
singer-sdk's; each plugin gets its own venv under .meltano/ (Meltano's layout). A plugin is
(re)installed only when meltano.yml or pyproject.toml changed since its last install, so a
second `make test` or `make demo` costs seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MELTANO_VENV = ROOT / ".venv-meltano"
MELTANO_VERSION = "4.4.1"
MELTANO = MELTANO_VENV / "bin" / "meltano"
EXTRACTOR = "tap-braze-sends"
LOADERS = ("target-duckdb", "target-postgres", "target-snowflake", "target-jsonl")
# dbt with one adapter each (the braze package in transform/), each in a venv of its own.
UTILITIES = ("dbt-duckdb", "dbt-postgres", "dbt-snowflake")
_EXECUTABLES = {"dbt-duckdb": "dbt", "dbt-postgres": "dbt", "dbt-snowflake": "dbt"}
LOCK = ROOT / ".meltano" / ".install.lock"

# Variables a person may have exported for real Braze or a real warehouse: tests and the
# simulator demo must not pick them up by accident (and must never send them anywhere).
_FOREIGN_PREFIXES = (
    "TAP_BRAZE_SENDS_",
    "TARGET_DUCKDB_",
    "TARGET_POSTGRES_",
    "TARGET_SNOWFLAKE_",
    "TARGET_JSONL_",
    "MELTANO_",
)


def plugin_type(name: str) -> str:
    if name in UTILITIES:
        return "utility"
    return "extractor" if name.startswith("tap-") else "loader"


def plugin_dir(kind: str) -> str:
    """Meltano's folder of a plugin type under .meltano/ (utility -> utilities)."""
    return "utilities" if kind == "utility" else f"{kind}s"


def plugin_executable(name: str) -> Path:
    executable = _EXECUTABLES.get(name, name)
    return ROOT / ".meltano" / plugin_dir(plugin_type(name)) / name / "venv" / "bin" / executable


def plugin_python(name: str) -> Path:
    return plugin_executable(name).with_name("python")


@contextlib.contextmanager
def install_lock() -> Iterator[None]:
    """One installer at a time (pytest-xdist workers, a demo beside a test run)."""
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_meltano() -> Path:
    """Create .venv-meltano with the pinned Meltano unless it is already there."""
    with install_lock():
        return _ensure_meltano_locked()


def _ensure_meltano_locked() -> Path:
    if _meltano_version() == MELTANO_VERSION:
        return MELTANO
    print(f"Installing meltano=={MELTANO_VERSION} into {MELTANO_VENV} ...", file=sys.stderr)
    python = MELTANO_VENV / "bin" / "python"
    uv = shutil.which("uv", path=Path(sys.executable).parent) or shutil.which("uv")
    if uv:  # the Makefile puts uv in .venv: seconds where pip takes tens of them
        if not python.exists():
            # from the interpreter this one was made from, as `python -m venv` would
            subprocess.run([uv, "venv", "-q", "--python", sys.executable, MELTANO_VENV], check=True)
        # compiled now, as pip does: else the first Meltano runs compile it, side by side
        install = [uv, "pip", "install", "-q", "--compile-bytecode", "--python", str(python)]
    else:
        if not python.exists():
            venv.EnvBuilder(with_pip=True).create(MELTANO_VENV)
        install = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*install, f"meltano=={MELTANO_VERSION}"], check=True)
    return MELTANO


def _meltano_version() -> str | None:
    if not MELTANO.exists():
        return None
    probe = subprocess.run(
        [
            str(MELTANO_VENV / "bin" / "python"),
            "-c",
            "from importlib.metadata import version; print(version('meltano'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def _fingerprint() -> str:
    """What a plugin install depends on: the plugin definitions and the tap's own package."""
    digest = hashlib.sha256()
    for name in ("meltano.yml", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _stamp(name: str) -> Path:
    return ROOT / ".meltano" / f".installed-{name}"


def ensure_plugins(names: Sequence[str] = (EXTRACTOR, *LOADERS, *UTILITIES)) -> None:
    """Install the named plugins whose venv is missing or older than the definitions."""
    with install_lock():
        _ensure_meltano_locked()
        fingerprint = _fingerprint()
        stale = [
            name
            for name in names
            if not plugin_executable(name).exists()
            or not _stamp(name).exists()
            or _stamp(name).read_text() != fingerprint
        ]
        for kind in ("extractor", "loader", "utility"):
            batch = [name for name in stale if plugin_type(name) == kind]
            if not batch:
                continue
            print(f"meltano install {kind} {' '.join(batch)} ...", file=sys.stderr, flush=True)
            # Not captured: on a fresh machine this takes minutes, and a person should see why.
            # UV_COMPILE_BYTECODE: Meltano installs with uv, which leaves the compiling to the
            # first runs (several at once in the tests) unless asked to, as pip does.
            env = clean_env({"UV_COMPILE_BYTECODE": "1"}, keep_foreign=True)
            proc = meltano(["install", kind, *batch], env=env, timeout=1800)
            if proc.returncode != 0:
                raise RuntimeError(f"meltano install {kind} {' '.join(batch)} failed")
            for name in batch:
                _stamp(name).write_text(fingerprint)


def clean_env(extra: Mapping[str, str] | None = None, *, keep_foreign: bool = False) -> dict:
    """The environment for a Meltano subprocess: no stray credentials unless asked for."""
    env = {
        key: value
        for key, value in os.environ.items()
        if keep_foreign or not key.startswith(_FOREIGN_PREFIXES)
    }
    # Never phone home: the project must run with no network but PyPI.
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(extra or {})
    return env


def meltano(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
    timeout: float = 600,
) -> subprocess.CompletedProcess:
    """Run the project's meltano in the project root."""
    return subprocess.run(
        [str(MELTANO), *args],
        cwd=ROOT,
        env=dict(env) if env is not None else clean_env(keep_foreign=True),
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=False,
    )


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] != "install":
        print(__doc__, file=sys.stderr)
        return 2
    wanted = list(argv[1:])
    ensure_plugins(
        [EXTRACTOR, *[n for n in wanted if n != EXTRACTOR]]
        if wanted
        else [EXTRACTOR, *LOADERS, *UTILITIES]
    )
    print(f"meltano {MELTANO_VERSION} and plugins ready in {ROOT / '.meltano'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
