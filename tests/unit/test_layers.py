"""Layers run one way: Braze knowledge, the settings and the errors import nothing from the
runtime (docs/architecture.md), so a Braze fact or a setting never depends on how a run goes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "tap_braze_sends"
BELOW_THE_RUNTIME = [
    *sorted((PACKAGE / "braze").rglob("*.py")),
    *sorted((PACKAGE / "currents").rglob("*.py")),
    *(
        PACKAGE / name
        for name in (
            "errors.py",
            "redaction.py",
            "keys.py",
            "settings.py",
            "source_settings.py",
            "config_schema.py",
            "setting_spec.py",
            "setting_values.py",
            "connection_values.py",
            "sends_file.py",
        )
    ),
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", BELOW_THE_RUNTIME, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_nothing_from_the_runtime(path: Path) -> None:
    assert path.is_file(), f"{path} is listed as a layer below the runtime but does not exist"
    runtime = sorted(
        name
        for name in imported_modules(path)
        if name == "tap_braze_sends.runtime" or name.startswith("tap_braze_sends.runtime.")
    )
    assert runtime == [], f"{path.relative_to(PACKAGE)} imports the runtime: {runtime}"
