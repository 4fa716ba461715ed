"""The workspace records a correct run emits against a Braze simulator: the simulator's answers
(asked over HTTP, as Braze would be) mapped by the independent oracle (oracle_workspace.py).

Ask before the tap runs and call ``sim.reset_stats()`` afterwards, so that request counts are
the tap's alone. Imports nothing from ``tap_braze_sends``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from typing import Any

import requests
from braze_simulator import DEFAULT_KEY, BrazeSimulator
from oracle_workspace import (
    SERIES_STREAMS,
    custom_events_records,
    partitions,
    products_records,
    query_params,
    segment_details_record,
    segments_records,
    series_records,
)

Row = dict[str, Any]
HOUR = dt.timedelta(hours=1)


def ask(sim: BrazeSimulator, path: str, **params: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {DEFAULT_KEY}"}
    r = requests.get(sim.url + path, params=params, headers=headers, timeout=30)
    r.raise_for_status()
    return r


def listed(sim: BrazeSimulator, path: str, key: str) -> list[Any]:
    """Every entry of a `page`-paged listing."""
    out: list[Any] = []
    page = 0
    while True:
        entries = ask(sim, path, page=page).json()[key]
        out += entries
        if not entries:
            return out
        page += 1


def events_body(sim: BrazeSimulator) -> Row:
    """/events followed through its Link cursor, as one body."""
    url: str | None = sim.url + "/events"
    events: list[Row] = []
    while url:
        r = requests.get(url, headers={"Authorization": f"Bearer {DEFAULT_KEY}"}, timeout=30)
        r.raise_for_status()
        events += r.json()["events"]
        url = r.links.get("next", {}).get("url")
    return {"events": events, "message": "success"}


def effective_config(sim: BrazeSimulator, config: dict[str, Any]) -> dict[str, Any]:
    """The config with all_segments / all_events / all_products expanded (without duplicates)."""
    out = dict(config)

    def merged(setting: str, more: list[str]) -> list[str]:
        return list(dict.fromkeys([*config.get(setting, []), *more]))

    if config.get("all_segments"):
        segments = listed(sim, "/segments/list", "segments")
        tracked = [s["id"] for s in segments if s["analytics_tracking_enabled"]]
        out["segment_ids"] = merged("segment_ids", tracked)
    if config.get("all_events"):
        out["event_names"] = merged("event_names", listed(sim, "/events/list", "events"))
    if config.get("all_products"):
        names = listed(sim, "/purchases/product_list", "products")
        out["products"] = merged("products", names)
    return out


def _rows(
    sim: BrazeSimulator, path: str, params: dict[str, str], first: Any, last: Any, hourly: bool
) -> list[Row]:
    """Every row the simulator holds for ``[first, last]`` (one request covers it under both
    readings of ending_at: it asks one unit more, ending the unit after ``last``)."""
    if hourly:
        count = int((last - first) / HOUR) + 1
        ending_at, unit = (last + HOUR).isoformat(), "hour"
    else:
        count = (last - first).days + 1
        ending_at, unit = f"{last + dt.timedelta(days=1)}T00:00:00+00:00", "day"
    assert count + 1 <= 100, "keep oracle ranges within one request"
    return ask(sim, path, length=count + 1, unit=unit, ending_at=ending_at, **params).json()["data"]


def braze_now(sim: BrazeSimulator, hourly: bool) -> str:
    """The unit Braze's clock is in, from the `Date` of its answer (as the record writes it)."""
    moment = email.utils.parsedate_to_datetime(ask(sim, "/segments/list").headers["Date"])
    moment = moment.astimezone(dt.timezone.utc)
    if not hourly:
        return moment.date().isoformat()
    return moment.replace(minute=0, second=0, microsecond=0).isoformat()


def expected_workspace_records(
    sim: BrazeSimulator,
    config: dict[str, Any],
    streams: set[str],
    hours: tuple[dt.datetime, dt.datetime] | None = None,
) -> dict[str, list[Row]]:
    """The records of ``streams`` a correct run of ``config`` emits: daily streams over
    [start_date, end_date], hourly ones over ``hours`` (first and last hour start, UTC; default:
    every hour of those days)."""
    first_day = dt.date.fromisoformat(config["start_date"])
    last_day = dt.date.fromisoformat(config["end_date"])
    if hours is None:
        midnight = dt.datetime.combine(first_day, dt.time(0), dt.timezone.utc)
        hours = (midnight, dt.datetime.combine(last_day, dt.time(23), dt.timezone.utc))
    config = effective_config(sim, config)
    out: dict[str, list[Row]] = {}
    for stream in sorted(streams & set(SERIES_STREAMS)):
        spec = SERIES_STREAMS[stream]
        first, last = hours if spec.hourly else (first_day, last_day)
        bounds = (first.isoformat(), last.isoformat())
        records = []
        for partition in partitions(stream, config):
            params = query_params(partition)
            bodies = {
                s.path: _rows(sim, s.path, params, first, last, spec.hourly) for s in spec.sources
            }
            records += series_records(
                stream, partition, bodies, *bounds, now=braze_now(sim, spec.hourly)
            )
        out[stream] = records
    if "segments" in streams:
        out["segments"] = segments_records(ask(sim, "/segments/list").json())
    if "segment_details" in streams:
        out["segment_details"] = [
            segment_details_record(s, ask(sim, "/segments/details", segment_id=s).json())
            for s in config.get("segment_ids", [])
        ]
    if "custom_events" in streams:
        out["custom_events"] = custom_events_records(events_body(sim))
    if "products" in streams:
        names = listed(sim, "/purchases/product_list", "products")
        out["products"] = products_records({"products": names})
    return out
