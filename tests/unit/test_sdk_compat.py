"""Every private singer-sdk name the tap touches is listed in sdk_compat.py, and still exists.

An SDK upgrade that drops or renames one of them fails here, naming the symbol, instead of
breaking a user's run; a private touch anywhere else in the package fails here too.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
import singer_sdk

import tap_braze_sends
from tap_braze_sends.sdk_compat import PRIVATE_NAMES

PACKAGE = Path(tap_braze_sends.__file__).parent
SDK = Path(singer_sdk.__file__).parent
COMPAT_MODULE = PACKAGE / "sdk_compat.py"


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


# --- each listed name exists in the installed SDK ----------------------------------------------


def _resolve_owner(dotted_owner: str) -> object:
    """``Tap`` (a name singer_sdk exports) or ``singer_sdk.x.y.Name`` (a module path)."""
    if hasattr(singer_sdk, dotted_owner):
        return getattr(singer_sdk, dotted_owner)
    module_name, _, attribute = dotted_owner.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _assigned_on_self(cls: type, attribute: str) -> bool:
    """Whether a method of ``cls`` (or a base) assigns or annotates ``self.<attribute>``."""
    for klass in inspect.getmro(cls):
        if attribute in getattr(klass, "__annotations__", {}):
            return True
        try:
            tree = ast.parse(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        for node in ast.walk(tree):
            target = node.target if isinstance(node, ast.AnnAssign) else None
            targets = node.targets if isinstance(node, ast.Assign) else [target]
            for t in targets:
                if (
                    isinstance(t, ast.Attribute)
                    and t.attr == attribute
                    and isinstance(t.value, ast.Name)
                    and t.value.id == "self"
                ):
                    return True
    return False


@pytest.mark.parametrize("symbol", sorted(PRIVATE_NAMES))
def test_private_sdk_name_still_exists(symbol: str) -> None:
    owner_name, _, attribute = symbol.rpartition(".")
    version = singer_sdk.__version__ if hasattr(singer_sdk, "__version__") else "installed"
    try:
        owner = _resolve_owner(owner_name)
    except (ImportError, AttributeError):
        pytest.fail(f"singer-sdk {version} no longer provides {owner_name} (for {symbol})")
    exists = hasattr(owner, attribute) or (
        inspect.isclass(owner) and _assigned_on_self(owner, attribute)
    )
    assert exists, (
        f"singer-sdk {version} no longer provides {symbol}, which tap_braze_sends/sdk_compat.py "
        f"relies on: {PRIVATE_NAMES[symbol]}"
    )


def test_every_listed_name_says_why() -> None:
    assert PRIVATE_NAMES
    for symbol, why in PRIVATE_NAMES.items():
        assert _is_private(symbol.rpartition(".")[2]), f"{symbol} is not private"
        assert len(why.split()) >= 5, f"{symbol}: say why the tap needs it"


def test_validate_config_still_takes_raise_errors() -> None:
    # sdk_compat.ValidateConfigFirst calls the SDK's own check with this keyword.
    parameters = inspect.signature(singer_sdk.Tap._validate_config).parameters
    assert "raise_errors" in parameters, "Tap._validate_config lost its raise_errors keyword"


# --- no private touch outside sdk_compat.py ----------------------------------------------------


def _sdk_private_names() -> frozenset[str]:
    """Private names the installed singer-sdk defines: modules, functions, attributes."""
    names: set[str] = set()
    for path in SDK.rglob("*.py"):
        for part in path.relative_to(SDK).with_suffix("").parts:
            if _is_private(part):
                names.add(part)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = node.name
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                name = node.attr
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                name = node.id
            else:
                continue
            if _is_private(name):
                names.add(name)
    return frozenset(names)


SDK_PRIVATE = _sdk_private_names()


def _sdk_derived_classes(trees: dict[str, ast.Module]) -> set[str]:
    """Names of the package's classes that derive (directly or not) from a singer_sdk class."""
    sdk_imported: set[str] = set()
    classes: dict[str, list[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
                sdk_imported.update(alias.asname or alias.name for alias in node.names)
            elif isinstance(node, ast.ClassDef):
                classes[node.name] = [ast.unparse(base).split(".")[-1] for base in node.bases]
    derived: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, bases in classes.items():
            if name not in derived and any(b in sdk_imported or b in derived for b in bases):
                derived.add(name)
                changed = True
    return derived


def _own_private_names(tree: ast.Module, sdk_derived: set[str]) -> set[str]:
    """Private names a module defines for itself: module level, or in a non-SDK class."""
    own: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and _is_private(node.name):
            own.add(node.name)
        if isinstance(node, ast.ClassDef) and node.name not in sdk_derived:
            for inner in ast.walk(node):
                if isinstance(inner, ast.FunctionDef) and _is_private(inner.name):
                    own.add(inner.name)
                elif isinstance(inner, ast.Attribute) and isinstance(inner.ctx, ast.Store):
                    own.add(inner.attr)
    return own


def private_touches(source: str, *, own: frozenset[str] = frozenset()) -> list[str]:
    """Each place ``source`` imports a private singer_sdk module or name, or reaches an
    attribute, method or ``getattr`` name that the SDK defines privately.

    ``own``: private names the scanned package defines itself (on objects of its own).
    """
    tree = ast.parse(source)
    sdk_derived = _sdk_derived_classes({"": tree})
    own_here = own | _own_private_names(tree, sdk_derived)
    found: list[str] = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(f"line {getattr(node, 'lineno', '?')}: {what}")

    def visit(node: ast.AST, in_sdk_class: bool) -> None:
        if isinstance(node, ast.ClassDef):
            in_sdk_class = node.name in sdk_derived
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("singer_sdk"):
            if any(_is_private(part) for part in node.module.split(".")):
                flag(node, f"from {node.module} import ...")
            for alias in node.names:
                if _is_private(alias.name):
                    flag(node, f"from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("singer_sdk") and any(
                    _is_private(part) for part in alias.name.split(".")
                ):
                    flag(node, f"import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in SDK_PRIVATE:
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            # On an SDK object (self in an SDK subclass, or any other object whose attribute
            # the package does not define itself), the name is the SDK's.
            if (on_self and in_sdk_class) or (not on_self and node.attr not in own_here):
                flag(node, f".{node.attr}")
        elif isinstance(node, ast.FunctionDef) and in_sdk_class and node.name in SDK_PRIVATE:
            flag(node, f"overrides {node.name}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in SDK_PRIVATE
        ):
            flag(node, f"{node.func.id}(..., {node.args[1].value!r})")
        for child in ast.iter_child_nodes(node):
            visit(child, in_sdk_class)

    visit(tree, in_sdk_class=False)
    return found


def _package_sources() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_but_sdk_compat_touches_a_private_sdk_name() -> None:
    sources = _package_sources()
    trees = {str(path): ast.parse(text) for path, text in sources.items()}
    sdk_derived = _sdk_derived_classes(trees)
    own = frozenset().union(*(_own_private_names(tree, sdk_derived) for tree in trees.values()))
    offenders = {
        str(path.relative_to(PACKAGE.parent)): touches
        for path, text in sources.items()
        if path != COMPAT_MODULE and (touches := private_touches(text, own=own))
    }
    assert not offenders, f"private singer-sdk names outside sdk_compat.py: {offenders}"


def test_sdk_compat_is_where_the_private_names_are() -> None:
    """The scan sees the names sdk_compat.py lists: it would see them anywhere else too."""
    touches = " ".join(private_touches(COMPAT_MODULE.read_text(encoding="utf-8")))
    for symbol in PRIVATE_NAMES:
        assert symbol.rpartition(".")[2] in touches, symbol


FORBIDDEN_EXAMPLES = {
    "from singer_sdk.helpers._util import utc_now": "singer_sdk.helpers._util",
    "from singer_sdk.helpers._state import StateWriter": "singer_sdk.helpers._state",
    "import singer_sdk.helpers._typing": "singer_sdk.helpers._typing",
    "def f(tap):\n    return tap._state_writer": "._state_writer",
    "def f(stream, r):\n    stream._write_record_message(r)": "._write_record_message",
    "def f(stream):\n    return stream._tap": "._tap",
    "def f(s):\n    return getattr(s, '_stream_version')": "'_stream_version'",
    (
        "from singer_sdk import Stream\n"
        "class S(Stream):\n"
        "    def _write_state_message(self):\n"
        "        pass\n"
    ): "overrides _write_state_message",
    (
        "from singer_sdk import Stream\n"
        "class S(Stream):\n"
        "    def f(self):\n"
        "        return self._tap\n"
    ): "._tap",
}


@pytest.mark.parametrize("source", list(FORBIDDEN_EXAMPLES))
def test_the_scan_finds_a_private_touch(source: str) -> None:
    touches = private_touches(source)
    assert any(FORBIDDEN_EXAMPLES[source] in touch for touch in touches), touches


def test_the_scan_leaves_the_packages_own_private_names_alone() -> None:
    source = (
        "import datetime as dt\n"
        "from singer_sdk import Stream\n"
        "class Cadence:\n"
        "    def __init__(self):\n"
        "        self._partitions = 0\n"
        "    def done(self):\n"
        "        self._partitions += 1\n"
        "def _session():\n"
        "    return dt.datetime.now(dt.timezone.utc)\n"
    )
    assert "_partitions" in SDK_PRIVATE  # the SDK has a private name of the same spelling
    assert private_touches(source) == []
