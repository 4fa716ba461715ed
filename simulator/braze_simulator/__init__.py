"""Braze simulator: a local, seeded stand-in for Braze's send, campaign and Canvas exports."""

from braze_simulator.canvas_data import find_canvas, workspace_canvases
from braze_simulator.canvas_model import SimCanvas
from braze_simulator.data import SimCampaign, SimSend, Workspace, build_workspace
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
    "SimCanvas",
    "SimSend",
    "Workspace",
    "build_workspace",
    "find_canvas",
    "workspace_canvases",
]
