"""Identifiers of what the tap extracts, shared by the settings and the files they name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendKey:
    """One send of an API campaign: the partition of the send streams."""

    campaign_id: str
    send_id: str
