"""How the suite is spread over xdist's workers: the long runs first, expensive module set-ups
once (the hooks are bound in conftest.py).

Most of the suite's wall time is waiting (rate-limit holds, retries, Meltano and PostgreSQL
start-ups), so the Makefile runs more workers than cores; what is left to lose is a long test
started last, or a module fixture built once per worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_SETUPS = (
    # the two demo runs (meltano_pipeline.demo_runs), in the project's own .meltano
    (
        "tests/warehouse/test_meltano_warehouse.py::test_demo_",
        "tests/warehouse/test_workspace_warehouse.py::test_demo_",
        "tests/warehouse/test_marts.py::test_demo_",
        "tests/warehouse/test_marts.py::test_package_",
    ),
    # a user's Meltano project with the plugins installed (its module fixture)
    ("tests/warehouse/test_meltano_project.py",),
    # a wheel build
    ("tests/cli/test_packaging.py",),
)
"""Tests that share a set-up costing several seconds of CPU run together on one worker, each
group as one unit; every other test is a unit of its own. (The other Meltano runs go side by
side: each worker has its own Meltano system directory, meltano_pipeline.worker_sys_dir.)"""


def _module(item: pytest.Item) -> Path:
    return Path(str(item.path))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The warehouse modules first, then every module holding a test marked ``slow``, then
    the rest in pytest's order; a module's tests stay together, so that a worker sets its
    module fixtures up once."""
    slow_modules = {_module(i) for i in items if i.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("warehouse"):
            return 0
        return 1 if _module(item) in slow_modules else 2

    items.sort(key=rank)  # stable


def _unit(nodeid: str) -> str:
    """A test's unit of scheduling: the SHARED_SETUPS group that holds it, else the test."""
    group = next((g for g in SHARED_SETUPS if nodeid.startswith(g)), None)
    return group[0] if group else nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """For xdist's default ``--dist load``: one queue of single tests, in the order above, but
    each SHARED_SETUPS group as one unit."""
    if config.getvalue("dist") != "load":
        return None  # another --dist asked for explicitly
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return Scheduling(config, log)
