"""How the suite is spread over xdist's workers: the long runs first, expensive module set-ups
once (the hooks are bound in conftest.py).

Most of the suite's wall time is waiting (rate-limit holds, retries, Meltano and PostgreSQL
start-ups), so the Makefile runs more workers than cores; what is left to lose is a long test
started last, or a module fixture built once per worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ONE_WORKER = ("tests/warehouse/", "tests/cli/test_packaging.py")
"""Folders and modules whose tests all run on one worker: the warehouse tests' Meltano runs
take turns anyway (meltano_pipeline.run_lock), and their session and module fixtures
(PostgreSQL, a Meltano project with its plugins installed, the two demo runs, a wheel build)
cost a minute of CPU each time one is set up."""


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
    """A test's unit of scheduling: the ONE_WORKER entry that holds it, else the test alone."""
    module = nodeid.split("::", 1)[0]
    return next((entry for entry in ONE_WORKER if module.startswith(entry)), nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """For xdist's default ``--dist load``: one queue of single tests, in the order above, but
    each ONE_WORKER entry as one unit (its units are sent first: they are the largest)."""
    if config.getvalue("dist") != "load":
        return None  # another --dist asked for explicitly
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return Scheduling(config, log)
