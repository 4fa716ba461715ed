"""Pytest fixtures for anything tested against the simulator (the simulator's own tests and
the tap's), loaded with ``-p braze_simulator.testing`` (pyproject.toml's pytest addopts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from braze_simulator import BrazeSimulator, Workspace, build_workspace

SIM_TODAY = dt.date(2026, 3, 31)
"""The simulator's clock in tests: fixed, so that data and expectations never drift."""


def default_workspace() -> Workspace:
    return build_workspace(3, 2, today=SIM_TODAY, seed=7)


@pytest.fixture
def workspace() -> Workspace:
    return default_workspace()


@pytest.fixture
def make_simulator() -> Iterator[Callable[..., BrazeSimulator]]:
    """Start simulators (real HTTP on 127.0.0.1); all are stopped after the test."""
    started: list[BrazeSimulator] = []

    def start(workspace: Workspace | None = None, **kwargs: Any) -> BrazeSimulator:
        sim = BrazeSimulator(workspace or default_workspace(), **kwargs)
        sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(
    make_simulator: Callable[..., BrazeSimulator], workspace: Workspace
) -> BrazeSimulator:
    return make_simulator(workspace)
