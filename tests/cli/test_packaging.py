"""What `pip install tap-braze-sends` installs: the tap only, never the Braze simulator."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
# Local state that is no part of a clean checkout (a stale build/ would leak into the wheel).
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis",
    ".meltano", "output", "demo", "*.duckdb*",
)  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The wheel built from a clean copy of the project, as pip builds it for a user."""
    root = tmp_path_factory.mktemp("packaging")
    source, out = root / "source", root / "dist"
    shutil.copytree(PROJECT, source, ignore=NOT_SOURCE)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, f"pip wheel failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    (built,) = out.glob("tap_braze_sends-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_holds_only_the_tap_package(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert "tap_braze_sends/tap.py" in names
    assert "tap_braze_sends/braze/schemas/campaign_series.py" in names
    outside = [
        name
        for name in names
        if not name.startswith("tap_braze_sends/")
        and not name.startswith("tap_braze_sends-")  # the .dist-info directory
    ]
    assert outside == []
    dist_info = {name.split("/", 1)[0] for name in names if ".dist-info/" in name}
    assert len(dist_info) == 1, dist_info
    assert not [name for name in names if "simulator" in name or "sandbox" in name]
    assert not [name for name in names if name.startswith("tap_braze_sends/tests")]


def dist_info_text(wheel: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode()


def test_the_wheel_puts_only_the_tap_on_path(wheel: zipfile.ZipFile) -> None:
    text = dist_info_text(wheel, "entry_points.txt")
    entry_points = configparser.ConfigParser()
    entry_points.read_string(text)
    scripts = dict(entry_points["console_scripts"])
    assert scripts == {"tap-braze-sends": "tap_braze_sends.tap:TapBrazeSends.cli"}
    assert "braze-simulator" not in text


def test_the_wheel_depends_on_no_test_tool(wheel: zipfile.ZipFile) -> None:
    names = {
        re.match(r"[A-Za-z0-9._-]+", line.removeprefix("Requires-Dist: "))[0].lower()
        for line in dist_info_text(wheel, "METADATA").splitlines()
        if line.startswith("Requires-Dist: ") and "extra ==" not in line
    }
    assert "singer-sdk" in names
    assert not names & {"pytest", "braze-simulator", "hypothesis", "duckdb"}, names


def test_the_dev_venv_runs_the_oldest_singer_sdk_the_pin_admits() -> None:
    """CI runs the CLI tests on both ends of the pin: `make`'s venv must be the oldest end."""
    pin = re.search(r'"singer-sdk\[msgspec\]([^"]+)"', (PROJECT / "pyproject.toml").read_text())
    assert pin, "pyproject.toml no longer pins singer-sdk[msgspec]"
    lower = re.search(r">=\s*([\w.]+)", pin[1])
    makefile = re.search(r"^SDK_OLDEST := (\S+)$", (PROJECT / "Makefile").read_text(), re.M)
    assert lower, pin[1]
    assert makefile, "Makefile sets no SDK_OLDEST"
    assert makefile[1] == lower[1], (
        f"Makefile's SDK_OLDEST={makefile[1]} is not the lower bound of singer-sdk{pin[1]}"
    )


def test_the_wheel_says_where_it_comes_from_and_its_license(wheel: zipfile.ZipFile) -> None:
    """What PyPI, pip and the Meltano Hub show a user: project URLs, license, classifiers."""
    lines = dist_info_text(wheel, "METADATA").splitlines()
    urls = {
        line.removeprefix("Project-URL: ").split(", ", 1)[0]
        for line in lines
        if line.startswith("Project-URL: ")
    }
    assert {"Homepage", "Repository", "Issues"} <= urls, urls
    assert "License-Expression: Apache-2.0" in lines
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in wheel.namelist())
    classifiers = [line for line in lines if line.startswith("Classifier: ")]
    assert "Classifier: Programming Language :: Python :: 3" in classifiers
    assert len(classifiers) >= 5, classifiers
