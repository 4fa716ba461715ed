"""Braze simulator: a local, seeded stand-in for Braze's send and campaign analytics export."""

from braze_simulator.build import build_workspace
from braze_simulator.data import SimCampaign, SimSend, Workspace
from braze_simulator.faults import FAULT_KINDS, FaultPlan, RateLimit
from braze_simulator.server import DEFAULT_KEY, KEYS, BrazeSimulator

__all__ = [
    "DEFAULT_KEY",
    "FAULT_KINDS",
    "KEYS",
    "BrazeSimulator",
    "FaultPlan",
    "RateLimit",
    "SimCampaign",
    "SimSend",
    "Workspace",
    "build_workspace",
]
