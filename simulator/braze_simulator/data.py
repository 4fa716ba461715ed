"""The simulated Braze workspace: its sends and campaigns, its clock, restatements.

Every number is drawn from a seeded hash of (seed, entity, day, revision) rather than from a
shared random stream (see :mod:`braze_simulator.days`), so a day's content never depends on
which request asked first or on which thread asked: the simulator stays reproducible under any
concurrency.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from braze_simulator.days import campaign_day_json, send_day_json
from braze_simulator.draws import is_sparse
from braze_simulator.entities import SimCampaign, SimSend
from braze_simulator.hashing import days_between, digest

__all__ = [
    "SEND_RETENTION_DAYS",
    "CanvasEdit",
    "SimCampaign",
    "SimSend",
    "Workspace",
    "canvas_id_for",
    "digest",
]

# Braze keeps send analytics this many days after the send.
SEND_RETENTION_DAYS = 14


def canvas_id_for(index: int) -> str:
    """The id of a workspace's `index`-th Canvas (0-based)."""
    return f"canvas-{index + 1:04d}"


@dataclass(frozen=True)
class CanvasEdit:
    """A dashboard edit laid over a derived Canvas (see canvas_data.workspace_canvases)."""

    last_edited: datetime
    name: str | None = None


@dataclass
class Workspace:
    sends: list[SimSend]
    campaigns: list[SimCampaign]
    today: date
    seed: int = 0
    revision: int = 0
    restate_days: int = 7
    # Canvases are derived, not stored (canvas_data.workspace_canvases): how many, and the day
    # their dates count back from (None: `today`).
    n_canvases: int = 0
    canvas_epoch: date | None = None
    # Edits made "in the dashboard" between runs, by Canvas id, applied over the derived ones.
    canvas_edits: dict[str, CanvasEdit] = field(default_factory=dict)
    # The workspace series (workspace_model, workspace_series): how many apps, segments, custom
    # events and products; the hour of `today` that is "now" (UTC; later hours have no data);
    # the day segment dates count back from (None: `today`); events and products deleted in the
    # dashboard (gone from the listings, and their series answer 400); "vanished" ones are
    # deleted between a run's listing and its series: listed until their series is first asked
    # for (it answers 400), gone from the listings after.
    n_apps: int = 3
    n_segments: int = 4
    n_events: int = 7
    n_products: int = 5
    clock_hour: int = 12
    series_epoch: date | None = None
    deleted_events: set[str] = field(default_factory=set)
    deleted_products: set[str] = field(default_factory=set)
    vanished_events: set[str] = field(default_factory=set)
    vanished_products: set[str] = field(default_factory=set)
    # (revision, today at the time of restate()): a restated day keeps its new numbers even
    # after the clock moves on, as real restatements do.
    _restatements: list[tuple[int, date]] = field(
        default_factory=list, init=False, repr=False, compare=False
    )

    def restate(self) -> None:
        """New numbers for the `restate_days` days ending at (and including) `today`."""
        self.revision += 1
        self._restatements.append((self.revision, self.today))

    def find_campaign(self, campaign_id: str) -> SimCampaign | None:
        return next((c for c in self.campaigns if c.campaign_id == campaign_id), None)

    def list_campaigns(
        self,
        *,
        include_archived: bool = False,
        descending: bool = False,
        edited_after: datetime | None = None,
    ) -> list[SimCampaign]:
        """Campaigns as /campaigns/list orders them: by creation time (then id), oldest first."""
        chosen = [
            c
            for c in self.campaigns
            if (include_archived or not c.archived)
            and (edited_after is None or c.edited > edited_after)
        ]
        chosen.sort(key=lambda c: (c.created, c.campaign_id), reverse=descending)
        return chosen

    def edit_campaign(
        self,
        campaign_id: str,
        *,
        at: datetime,
        name: str | None = None,
        tags: tuple[str, ...] | None = None,
        description: str | None = None,
    ) -> SimCampaign:
        """Edit a campaign in the dashboard at `at` (aware): its last_edited moves to `at`."""
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        index = next(
            (i for i, c in enumerate(self.campaigns) if c.campaign_id == campaign_id), None
        )
        if index is None:
            raise KeyError(f"unknown campaign {campaign_id}")
        old = self.campaigns[index]
        changes: dict[str, Any] = {"last_edited": at}
        if name is not None:
            changes["name"] = name
        if tags is not None:
            changes["tags"] = tuple(tags)
        if description is not None:
            changes["description"] = description
        # Replacing one list item is atomic: a request in flight sees the old or the new one.
        self.campaigns[index] = edited = replace(old, **changes)
        return edited

    def edit_canvas(self, canvas_id: str, *, at: datetime, name: str | None = None) -> None:
        """Edit a Canvas in the dashboard at `at` (aware): its last_edited moves to `at`."""
        if at.tzinfo is None:
            raise ValueError("at must be timezone-aware")
        if canvas_id not in {canvas_id_for(i) for i in range(self.n_canvases)}:
            raise KeyError(f"unknown canvas {canvas_id}")
        earlier = self.canvas_edits.get(canvas_id)
        kept_name = earlier.name if earlier is not None else None
        # Assigning one dict item is atomic: a request in flight sees the old or the new edit.
        self.canvas_edits[canvas_id] = CanvasEdit(at, name if name is not None else kept_name)

    def find_send(self, campaign_id: str, send_id: str) -> SimSend | None:
        return next(
            (s for s in self.sends if s.campaign_id == campaign_id and s.send_id == send_id),
            None,
        )

    def has_api_campaign(self, campaign_id: str) -> bool:
        return any(s.campaign_id == campaign_id for s in self.sends)

    def send_series(
        self, campaign_id: str, send_id: str, first_day: date, last_day: date
    ) -> list[dict[str, Any]]:
        """The send's day objects with data in [first_day, last_day], ascending (fresh copies)."""
        return [
            json.loads(f) for f in self.send_fragments(campaign_id, send_id, first_day, last_day)
        ]

    def campaign_series(
        self, campaign_id: str, first_day: date, last_day: date
    ) -> list[dict[str, Any]]:
        """The campaign's day objects with data in [first_day, last_day], ascending."""
        return [json.loads(f) for f in self.campaign_fragments(campaign_id, first_day, last_day)]

    def send_fragments(
        self, campaign_id: str, send_id: str, first_day: date, last_day: date
    ) -> list[str]:
        """Like send_series but as the cached JSON text the server splices into its body."""
        send = self.find_send(campaign_id, send_id)
        if send is None:
            raise KeyError(f"unknown send {campaign_id}/{send_id}")
        retention_end = send.send_date + timedelta(days=SEND_RETENTION_DAYS)
        if self.today > retention_end:
            return []
        last = min(last_day, retention_end, self.today)
        days = days_between(max(first_day, send.send_date), last)
        key = f"{send.campaign_id}/{send.send_id}"
        return [
            send_day_json(send, d, self.revision_for(d), self.seed)
            for d in days
            if d == send.send_date or not is_sparse(self.seed, key, d)
        ]

    def campaign_fragments(self, campaign_id: str, first_day: date, last_day: date) -> list[str]:
        campaign = self.find_campaign(campaign_id)
        if campaign is None:
            raise KeyError(f"unknown campaign {campaign_id}")
        span = campaign.data_days(self.today)
        if span is None:
            return []
        days = days_between(max(first_day, span[0]), min(last_day, span[1]))
        return [
            campaign_day_json(campaign, d, self.revision_for(d), self.seed)
            for d in days
            if d == campaign.first_day or not is_sparse(self.seed, campaign_id, d)
        ]

    def revision_for(self, day: date) -> int:
        """Which revision of the numbers `day` shows now (0: never restated)."""
        log = list(self._restatements)
        # A revision set by hand (not via restate()) counts as a restatement as of today.
        if self.revision > (log[-1][0] if log else 0):
            log.append((self.revision, self.today))
        for revision, as_of in reversed(log):
            if as_of - timedelta(days=self.restate_days) < day <= as_of:
                return revision
        return 0
