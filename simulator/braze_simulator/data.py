"""Deterministic Braze workspace data for the simulator (pure: no HTTP, no clock).

Every number is drawn from a seeded hash of (seed, entity, day, revision) rather than from a
shared random stream, so a day's content never depends on which request asked first or on
which thread asked: the simulator stays reproducible under any concurrency.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

# Braze keeps send analytics this many days after the send.
SEND_RETENTION_DAYS = 14
# Share of days that have no element at all in "data" (Braze omits days without activity).
SPARSE_RATE = 0.15

Metric = tuple[str, float, float]  # (name, low, high) as a share of the day's volume

_PUSH: tuple[Metric, ...] = (
    ("sent", 1.0, 1.0),
    ("direct_opens", 0.02, 0.08),
    ("total_opens", 0.05, 0.15),
    ("bounces", 0.0, 0.02),
    ("body_clicks", 0.01, 0.05),
)
# Per-channel campaign metrics, as documented (email also gets machine_open, as real responses do).
CHANNEL_METRICS: dict[str, tuple[Metric, ...]] = {
    "ios_push": _PUSH,
    "android_push": _PUSH,
    "kindle_push": _PUSH,
    "web_push": _PUSH,
    "webhook": (("sent", 1.0, 1.0), ("errors", 0.0, 0.01)),
    "email": (
        ("sent", 1.0, 1.0),
        ("opens", 0.2, 0.4),
        ("unique_opens", 0.15, 0.3),
        ("clicks", 0.02, 0.06),
        ("unique_clicks", 0.01, 0.05),
        ("unsubscribes", 0.0, 0.005),
        ("bounces", 0.0, 0.02),
        ("delivered", 0.95, 0.99),
        ("reported_spam", 0.0, 0.001),
        ("machine_open", 0.05, 0.2),
    ),
    "sms": (
        ("sent", 1.0, 1.0),
        ("sent_to_carrier", 0.97, 1.0),
        ("delivered", 0.9, 0.97),
        ("rejected", 0.0, 0.02),
        ("delivery_failed", 0.0, 0.02),
        ("clicks", 0.01, 0.05),
        ("opt_out", 0.0, 0.005),
        ("help", 0.0, 0.002),
    ),
    "whats_app": (
        ("sent", 1.0, 1.0),
        ("delivered", 0.9, 0.98),
        ("failed", 0.0, 0.03),
        ("read", 0.4, 0.8),
    ),
    "content_cards": (
        ("sent", 1.0, 1.0),
        ("total_clicks", 0.02, 0.08),
        ("total_dismissals", 0.05, 0.2),
        ("total_impressions", 0.5, 1.5),
        ("unique_clicks", 0.01, 0.05),
        ("unique_dismissals", 0.04, 0.15),
        ("unique_impressions", 0.4, 0.9),
    ),
    # A channel no Braze doc names, with metrics of its own: the tap must pass it through.
    "line": (("sent", 1.0, 1.0), ("delivered", 0.9, 0.99), ("friends_added", 0.0, 0.01)),
}
IN_APP_CHANNELS = frozenset({"in_app_message", "trigger_in_app_message"})
_IN_APP: tuple[Metric, ...] = (
    ("impressions", 1.0, 1.0),
    ("clicks", 0.02, 0.1),
    ("first_button_clicks", 0.01, 0.05),
    ("second_button_clicks", 0.0, 0.03),
)
# Any channel the simulator knows nothing about still gets plausible counts.
_GENERIC: tuple[Metric, ...] = (("sent", 1.0, 1.0), ("delivered", 0.9, 0.99))
_CHANNEL_POOL = (
    "ios_push",
    "android_push",
    "email",
    "webhook",
    "sms",
    "whats_app",
    "content_cards",
    "web_push",
    "kindle_push",
    "in_app_message",
    "trigger_in_app_message",
)
CONTROL_GROUP = "Control Group"


@dataclass(frozen=True)
class SimSend:
    campaign_id: str
    send_id: str
    send_date: date
    # Extensions (defaulted, so the documented constructor still works): the API campaign's
    # channels, and how many extra conversion events (conversions1..3) it tracks.
    channels: tuple[str, ...] = ("ios_push", "android_push")
    conversion_events: int = 0


@dataclass(frozen=True)
class SimCampaign:
    campaign_id: str
    channels: tuple[str, ...]
    multivariate: bool
    has_control: bool
    first_day: date
    datetime_times: bool = False
    # Extensions: extra conversion events (0..3) and "quirks": email gets machine_amp_open,
    # each day gets an undocumented "conversions4", and one channel list gets an entry with
    # neither variation_api_id nor variation_name.
    conversion_events: int = 0
    quirks: bool = False


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
        days = _days(max(first_day, send.send_date), min(last_day, retention_end, self.today))
        key = f"{send.campaign_id}/{send.send_id}"
        return [
            _send_day_json(send, d, self._revision_for(d), self.seed)
            for d in days
            if d == send.send_date or not is_sparse(self.seed, key, d)
        ]

    def campaign_fragments(self, campaign_id: str, first_day: date, last_day: date) -> list[str]:
        campaign = self.find_campaign(campaign_id)
        if campaign is None:
            raise KeyError(f"unknown campaign {campaign_id}")
        days = _days(max(first_day, campaign.first_day), min(last_day, self.today))
        return [
            _campaign_day_json(campaign, d, self._revision_for(d), self.seed)
            for d in days
            if d == campaign.first_day or not is_sparse(self.seed, campaign_id, d)
        ]

    def _revision_for(self, day: date) -> int:
        log = list(self._restatements)
        # A revision set by hand (not via restate()) counts as a restatement as of today.
        if self.revision > (log[-1][0] if log else 0):
            log.append((self.revision, self.today))
        for revision, as_of in reversed(log):
            if as_of - timedelta(days=self.restate_days) < day <= as_of:
                return revision
        return 0


# --- hashing -------------------------------------------------------------------------------


def digest(*parts: object) -> int:
    """A stable 64-bit hash (Python's hash() is salted per process, so unusable here)."""
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def _rng(*parts: object) -> random.Random:
    return random.Random(digest(*parts))


def is_sparse(seed: int, entity_key: str, day: date) -> bool:
    """Whether this entity has no element for this day (independent of restatements)."""
    return _rng(seed, "sparse", entity_key, day.isoformat()).random() < SPARSE_RATE


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _uuid(*parts: object) -> str:
    raw = hashlib.blake2b("|".join(str(p) for p in parts).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=raw))


# --- day objects ---------------------------------------------------------------------------


def _metrics(rng: random.Random, table: tuple[Metric, ...], volume: float) -> dict[str, int]:
    return {name: int(volume * rng.uniform(lo, hi)) for name, lo, hi in table}


def _conversions(
    rng: random.Random, volume: float, events: int, *, with_revenue: bool = True
) -> dict[str, Any]:
    conversions = int(volume * rng.uniform(0.0, 0.04))
    out: dict[str, Any] = {}
    if with_revenue:
        out["revenue"] = round(conversions * rng.uniform(5.0, 60.0), 2)
    out["conversions"] = conversions
    out["conversions_by_send_time"] = int(conversions * rng.uniform(0.5, 1.0))
    for n in range(1, events + 1):
        extra = int(volume * rng.uniform(0.0, 0.02))
        out[f"conversions{n}"] = extra
        out[f"conversions{n}_by_send_time"] = int(extra * rng.uniform(0.5, 1.0))
    return out


def _day_totals(
    rng: random.Random, variations: list[dict[str, Any]], volume: float, events: int
) -> dict[str, Any]:
    """Day totals: conversion sums over the variations that carry them, else drawn directly."""
    carriers = [v for v in variations if "conversions" in v]
    if carriers:
        totals: dict[str, Any] = {}
        for name in ("conversions", "conversions_by_send_time"):
            totals[name] = sum(v[name] for v in carriers)
        for n in range(1, events + 1):
            for name in (f"conversions{n}", f"conversions{n}_by_send_time"):
                totals[name] = sum(v.get(name, 0) for v in carriers)
        revenue = round(sum(v.get("revenue", 0.0) for v in carriers), 2)
    else:
        totals = _conversions(rng, volume, events, with_revenue=False)
        revenue = round(totals["conversions"] * rng.uniform(5.0, 60.0), 2)
    totals["unique_recipients"] = int(volume * rng.uniform(0.8, 1.0))
    totals["revenue"] = float(revenue)
    return totals


def _send_variation(
    rng: random.Random, name: str, volume: float, day_index: int, events: int
) -> dict[str, Any]:
    # Messages go out on the send day; opens and conversions trail off over the next days.
    sent = int(volume) if day_index == 0 else 0
    bounces = int(sent * rng.uniform(0.0, 0.02))
    delivery_failed = int(sent * rng.uniform(0.0, 0.01))
    engagement = volume * 0.5**day_index
    direct_opens = int(engagement * rng.uniform(0.02, 0.08))
    conv = _conversions(rng, engagement, events)
    return {
        "variation_name": name,
        "sent": sent,
        "delivered": sent - bounces - delivery_failed,
        "undelivered": bounces + delivery_failed,
        "delivery_failed": delivery_failed,
        "direct_opens": direct_opens,
        "total_opens": direct_opens + int(engagement * rng.uniform(0.0, 0.05)),
        "bounces": bounces,
        "body_clicks": int(engagement * rng.uniform(0.01, 0.04)),
        "revenue": conv.pop("revenue"),
        "unique_recipients": int(engagement * rng.uniform(0.3, 1.0)),
        **conv,
    }


def _share(rng: random.Random, volume: float, parts: int) -> float:
    """One variation's part of the volume, uneven as real audience splits are."""
    return volume / parts * rng.uniform(0.7, 1.3)


def _variation_names(seed: int, entity_id: str, minimum: int = 1) -> list[str]:
    count = minimum + digest(seed, "variations", entity_id) % (4 - minimum)
    return [f"Variant {i}" for i in range(1, count + 1)]


@lru_cache(maxsize=50_000)
def _send_day_json(send: SimSend, day: date, revision: int, seed: int) -> str:
    key = f"{send.campaign_id}/{send.send_id}"
    rng = _rng(seed, "send", key, day.isoformat(), revision)
    volume = _rng(seed, "volume", key).randint(2_000, 50_000)
    day_index = (day - send.send_date).days
    names = _variation_names(seed, send.campaign_id)
    events = send.conversion_events
    messages: dict[str, list[dict[str, Any]]] = {}
    all_variations: list[dict[str, Any]] = []
    for channel in send.channels:
        entries = [
            _send_variation(rng, name, _share(rng, volume, len(names)), day_index, events)
            for name in names
        ]
        messages[channel] = entries
        all_variations.extend(entries)
    obj: dict[str, Any] = {"time": day.isoformat(), "messages": messages}
    obj.update(_day_totals(rng, all_variations, volume * 0.5**day_index, events))
    return json.dumps(obj, separators=(",", ":"))


def _campaign_variation(
    rng: random.Random, campaign: SimCampaign, channel: str, volume: float
) -> dict[str, Any]:
    if channel in IN_APP_CHANNELS:
        out: dict[str, Any] = _metrics(rng, _IN_APP, volume)
        conv = _conversions(rng, volume, campaign.conversion_events)
        out["revenue"] = conv.pop("revenue")
        out["unique_recipients"] = int(volume * rng.uniform(0.5, 0.9))
        out.update(conv)
        return out
    out = _metrics(rng, CHANNEL_METRICS.get(channel, _GENERIC), volume)
    if campaign.quirks and channel == "email":
        out["machine_amp_open"] = int(volume * rng.uniform(0.0, 0.05))
    return out


def _control_group(rng: random.Random, volume: float) -> dict[str, Any]:
    # Enrolled users receive nothing, so no send metrics; Braze still counts their conversions.
    conv = _conversions(rng, volume, 0)
    return {
        "variation_name": CONTROL_GROUP,
        "enrolled": int(volume * rng.uniform(0.05, 0.15)),
        "revenue": conv["revenue"],
        "conversions": conv["conversions"],
        "conversions_by_send_time": conv["conversions_by_send_time"],
    }


@lru_cache(maxsize=50_000)
def _campaign_day_json(campaign: SimCampaign, day: date, revision: int, seed: int) -> str:
    cid = campaign.campaign_id
    rng = _rng(seed, "campaign", cid, day.isoformat(), revision)
    volume = _rng(seed, "volume", cid).randint(500, 20_000) * rng.uniform(0.6, 1.4)
    names = _variation_names(seed, cid, minimum=2 if campaign.multivariate else 1)
    anonymous_channel = (
        ("webhook" if "webhook" in campaign.channels else campaign.channels[0])
        if campaign.quirks and campaign.channels
        else None
    )
    messages: dict[str, list[dict[str, Any]]] = {}
    all_variations: list[dict[str, Any]] = []
    for channel in campaign.channels:
        entries: list[dict[str, Any]] = []
        for i, name in enumerate(names):
            ident = (
                {"variation_name": name}
                if campaign.multivariate
                else {"variation_api_id": _uuid(seed, cid, "variation", i)}
            )
            metrics = _campaign_variation(rng, campaign, channel, _share(rng, volume, len(names)))
            entries.append({**ident, **metrics})
        if channel == anonymous_channel:
            entries.append(_campaign_variation(rng, campaign, channel, volume / 10))
        if campaign.has_control:
            entries.append(_control_group(rng, volume))
        messages[channel] = entries
        all_variations.extend(entries)
    time = f"{day.isoformat()}T00:00:00+00:00" if campaign.datetime_times else day.isoformat()
    obj: dict[str, Any] = {"time": time, "messages": messages}
    obj.update(_day_totals(rng, all_variations, volume, campaign.conversion_events))
    if campaign.quirks:
        obj["conversions4"] = int(volume * rng.uniform(0.0, 0.01))
    return json.dumps(obj, separators=(",", ":"))


# --- workspace builder ---------------------------------------------------------------------


def _fixed_campaigns(today: date) -> list[SimCampaign]:
    # The first two cover every feature between them, so the smallest workspace tests it all.
    return [
        SimCampaign(
            campaign_id="camp-0001",
            channels=(
                "ios_push",
                "android_push",
                "email",
                "webhook",
                "sms",
                "whats_app",
                "content_cards",
                "line",
            ),
            multivariate=False,
            has_control=False,
            first_day=today - timedelta(days=120),
            conversion_events=3,
            quirks=True,
        ),
        SimCampaign(
            campaign_id="camp-0002",
            channels=("trigger_in_app_message", "in_app_message", "web_push"),
            multivariate=True,
            has_control=True,
            first_day=today - timedelta(days=10),
            datetime_times=True,
            conversion_events=1,
        ),
    ]


def _random_campaign(index: int, today: date, seed: int) -> SimCampaign:
    rng = _rng(seed, "build-campaign", index)
    channels = tuple(rng.sample(_CHANNEL_POOL, rng.randint(1, 4)))
    return SimCampaign(
        campaign_id=f"camp-{index + 1:04d}",
        channels=channels,
        multivariate=rng.random() < 0.3,
        has_control=rng.random() < 0.3,
        first_day=today - timedelta(days=rng.randint(3, 150)),
        datetime_times=rng.random() < 0.05,
        conversion_events=rng.choice((0, 0, 1, 2, 3)),
    )


_API_CAMPAIGN_PROFILES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("ios_push", "android_push"), 0),
    (("email",), 3),
    (("webhook", "line"), 1),  # "line": a channel no doc names
)


def _api_campaign_profile(index: int, seed: int) -> tuple[tuple[str, ...], int]:
    if index < len(_API_CAMPAIGN_PROFILES):
        return _API_CAMPAIGN_PROFILES[index]
    rng = _rng(seed, "build-api-campaign", index)
    channels = tuple(rng.sample(_CHANNEL_POOL[:7], rng.randint(1, 3)))
    return channels, rng.choice((0, 1, 3))


def _send_days_ago(index: int, seed: int) -> int:
    # First three: a recent send (inside the restate window), an older live one, and one past
    # retention. After that mostly live sends, about a quarter past retention.
    if index < 3:
        return (1, 8, 20)[index]
    rng = _rng(seed, "build-send", index)
    if rng.random() < 0.75:
        return rng.randint(0, SEND_RETENTION_DAYS)
    return rng.randint(SEND_RETENTION_DAYS + 1, 30)


def build_workspace(
    n_sends: int = 3,
    n_campaigns: int = 2,
    *,
    today: date | None = None,
    seed: int = 0,
    n_canvases: int = 5,
) -> Workspace:
    """A reproducible workspace; `today` defaults to the real UTC date."""
    today = today or datetime.now(timezone.utc).date()
    campaigns = _fixed_campaigns(today)[:n_campaigns]
    campaigns += [_random_campaign(i, today, seed) for i in range(len(campaigns), n_campaigns)]
    n_api = min(99, 3 + n_sends // 100)
    sends = []
    for i in range(n_sends):
        api_index = i % n_api
        channels, events = _api_campaign_profile(api_index, seed)
        sends.append(
            SimSend(
                campaign_id=f"api-camp-{api_index + 1:02d}",
                send_id=f"send-{i + 1:04d}",
                send_date=today - timedelta(days=_send_days_ago(i, seed)),
                channels=channels,
                conversion_events=events,
            )
        )
    return Workspace(
        sends=sends,
        campaigns=campaigns,
        today=today,
        seed=seed,
        n_canvases=n_canvases,
        canvas_epoch=today,
    )
