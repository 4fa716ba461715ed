"""Braze simulator: a local, seeded stand-in for Braze's REST export endpoints (send and
campaign analytics, the campaign list and details, Canvas list, details and analytics, and the
workspace series: segments, KPIs, sessions, custom events and purchases)."""

from braze_simulator.build import build_workspace
from braze_simulator.canvas_data import find_canvas, workspace_canvases
from braze_simulator.canvas_model import SimCanvas
from braze_simulator.data import SimCampaign, SimSend, Workspace
from braze_simulator.entities import ConversionBehavior
from braze_simulator.faults import FAULT_KINDS, FaultPlan, RateLimit
from braze_simulator.keys import (
    CAMPAIGNS_ONLY_KEY,
    DEFAULT_KEY,
    KEYS,
    NO_DETAILS_KEY,
    NO_LIST_KEY,
    SENDS_ONLY_KEY,
    WORKSPACE_ONLY_KEY,
)
from braze_simulator.lifecycles import CATALOG_MIX, CampaignMix
from braze_simulator.server import BrazeSimulator
from braze_simulator.workspace_model import SimApp, SimEvent, SimProduct, SimSegment

__all__ = [
    "CAMPAIGNS_ONLY_KEY",
    "CATALOG_MIX",
    "DEFAULT_KEY",
    "FAULT_KINDS",
    "KEYS",
    "NO_DETAILS_KEY",
    "NO_LIST_KEY",
    "SENDS_ONLY_KEY",
    "WORKSPACE_ONLY_KEY",
    "BrazeSimulator",
    "CampaignMix",
    "ConversionBehavior",
    "FaultPlan",
    "RateLimit",
    "SimApp",
    "SimCampaign",
    "SimCanvas",
    "SimEvent",
    "SimProduct",
    "SimSegment",
    "SimSend",
    "Workspace",
    "build_workspace",
    "find_canvas",
    "workspace_canvases",
]
