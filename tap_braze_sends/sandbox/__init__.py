"""Braze simulator: a local, seeded stand-in for Braze's send and campaign analytics export."""

from tap_braze_sends.sandbox.data import SimCampaign, SimSend, Workspace, build_workspace
from tap_braze_sends.sandbox.faults import FAULT_KINDS, FaultPlan, RateLimit
from tap_braze_sends.sandbox.server import DEFAULT_KEY, KEYS, BrazeSimulator

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
