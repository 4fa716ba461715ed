"""The vocabulary every Braze endpoint is described in: one :class:`Series` per analytics
series, one :class:`CatalogFamily` per catalogue (list + details); where a series' partitions come
from is partition_sources.py.

A description is data and pure functions only. The runtime (planner, pool, writer, errors)
reads it and never asks which endpoint it has, so a new series is a new description, its
flattener and its schemas; streams are generated from the descriptions' tables.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from tap_braze_sends.braze.flatten.malformed import MalformedBody
from tap_braze_sends.braze.partition_sources import (
    ALL,
    PartitionSource,
    catalogues_of,
    param_names,
    settings_of,
)
from tap_braze_sends.braze.units import MAX_WINDOW_DAYS

__all__ = ["MalformedBody"]  # the one error a parser raises on purpose (flatten/malformed.py)

Row = dict[str, Any]
"""One record of a stream, built to its schema."""
Partition = dict[str, str]
"""The query parameters that name one partition (``{"campaign_id": "..."}``; ``{}``: none)."""
DayRows = dict[str, list[Row]]
"""One day of a response: the rows of each table role (``day``, ``message``, ...)."""


@dataclass(frozen=True)
class Table:
    """One stream fed by a description: which rows of its flattener (``role``) it takes."""

    role: str
    stream: str
    primary_keys: tuple[str, ...]
    schema: Mapping[str, Any]
    description: str
    selected_by_default: bool = True


@dataclass(frozen=True)
class Request:
    """One request of a series per partition and window.

    ``columns``: the columns it feeds (empty: every column of the series' tables). A request
    whose columns are all deselected in the catalog is not sent.
    """

    path: str
    permission: str
    columns: frozenset[str] = frozenset()
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    absent: Mapping[str, Any] | None = None
    """The values of a unit Braze leaves out of this request's answer (``{"count": 0}``): an
    activity series omits units without activity, so the run writes such a unit's row from
    these (a dense table: a unit restated to nothing gets its zero, not a stale row). None:
    an omitted unit is unknown and gets no row."""


# --- Descriptions ---------------------------------------------------------------------------


def _no_params(_settings: Any, _roles: frozenset[str]) -> dict[str, str]:
    return {}


def joined_paths(paths: list[str]) -> str:
    """Several paths as one name, their differing parts in braces:
    ``/kpi/{dau,mau}/data_series``; one path as it is."""
    if len(set(paths)) == 1:
        return paths[0]
    # Character by character on purpose (URL paths, not files); cut to whole segments.
    prefix = os.path.commonprefix(paths)  # noqa: RUF071
    prefix = prefix[: prefix.rfind("/") + 1]
    rests = [p[len(prefix) :] for p in paths]
    suffix = os.path.commonprefix([r[::-1] for r in rests])[::-1]  # noqa: RUF071
    # From a separator on, so that no middle loses its last letters ("dau", not "da").
    cuts = [i for i in (suffix.find("/"), suffix.find("_")) if i >= 0]
    suffix = suffix[min(cuts) :] if cuts else ""
    middles = [r[: len(r) - len(suffix)] for r in rests]
    return f"{prefix}{{{','.join(middles)}}}{suffix}"


@dataclass(frozen=True)
class Series:
    """One analytics series, read once per window of each partition."""

    requests: tuple[Request, ...]
    pool: str
    """Braze's rate-limit pool: requests to one pool share one budget."""
    partitions: PartitionSource
    days_of: Callable[[object], list[Mapping[str, Any]]]
    """The day objects of a body; :class:`MalformedBody` when it has none."""
    flatten: Callable[[Mapping[str, Any], Mapping[str, str]], DayRows]
    """Pure: one day object and its partition -> the rows of each role."""
    tables: tuple[Table, ...]
    max_window_days: int = MAX_WINDOW_DAYS
    unit: str = "day"
    """What ``length`` counts (``day``; ``hour`` for the hourly series)."""
    no_data_hint: str | None = None
    """Why a partition may legitimately return no data; shown in its warning."""
    extra_params: Callable[[Any, frozenset[str]], dict[str, str]] = _no_params
    """Query parameters beyond ids and window, from (settings, selected roles)."""
    asked: Callable[[Any], bool] | None = None
    """(settings) -> whether a bare run (no catalog) reads the series' default tables; None:
    always."""

    @property
    def path(self) -> str:
        """Its first request's path."""
        return self.requests[0].path

    @property
    def partition_fields(self) -> tuple[str, ...]:
        return self.partitions.fields

    @property
    def dense(self) -> bool:
        """Whether every unit of a range read gets a row (its requests say what an omitted
        unit holds: :attr:`Request.absent`)."""
        return any(request.absent is not None for request in self.requests)

    @property
    def name(self) -> str:
        """The series in logs and progress lines, and what one reading of ``ending_at`` holds
        for: its requests' paths, in its unit when not days (a path read daily and hourly is
        two series, and Braze may read a day's ending_at and an hour's differently)."""
        paths = joined_paths([r.path for r in self.requests])
        return paths if self.unit == "day" else f"{paths} ({self.unit})"

    def query(self, partition: Partition) -> dict[str, str]:
        """The query parameters naming ``partition``: ``*`` ("all") is no parameter."""
        names = param_names(self.partitions)
        return {names.get(k, k): v for k, v in partition.items() if v != ALL}

    def settings_of(self) -> dict[str, str]:
        """Each partition key column -> the setting its values come from."""
        return settings_of(self.partitions)

    def table(self, role: str) -> Table:
        return next(t for t in self.tables if t.role == role)


@dataclass(frozen=True)
class CatalogFamily:
    """One Braze catalogue: its list endpoint, its details endpoint, the id that joins them."""

    name: str
    noun: tuple[str, str]
    """How logs name one and several items (``campaign``, ``campaigns``)."""
    list_path: str
    list_permission: str
    items_key: str
    """The list body's key holding the entries (``campaigns``, ``canvases``)."""
    id_param: str
    """The id's column and query parameter (``campaign_id``, ``canvas_id``)."""
    list_rows: Callable[[Mapping[str, Any]], list[Row]]
    tables: tuple[Table, ...]
    """Roles: ``list`` (one row per listed item) and the keys of ``details_rows``."""
    asked_by: tuple[str, ...]
    """Settings that ask data of this catalogue (its ids, its discovery switch): without one
    of them set, its streams are not written (a sends-only config never lists campaigns)."""
    details_path: str | None = None
    """None: the list is the whole catalogue (no details endpoint, no details fields)."""
    details_permission: str = ""
    details_rows: Callable[[str, Mapping[str, Any]], dict[str, list[Row]]] | None = None
    """Only with ``details_path``: its body as rows of each details role."""
    details_stream: str | None = None
    """The stream whose state entries remember each item's last details read."""
    discovered_by: str | None = None
    """The boolean setting that adds every listed item to the partitions (``all_campaigns``):
    with it on, the list is read anyway, so its list table is selected in a bare run."""
    unknown_id_message: str = ""
    """The 400 message Braze documents for an id it does not know (empty: none documented;
    then only a fresh listing without the item proves a rejected item deleted)."""
    pool: str = "default"
    pool_per_hour: int = 250_000
    """The hourly budget Braze documents for ``pool`` (the default pool's 250,000), until its
    answers report one (``X-RateLimit-Limit``): a listing may spend half of it (paging.py)."""
    archivable: bool = True
    """Braze lists archived items on request (``include_archived``), and knows them apart."""
    cursor_paged: bool = False
    """Pages follow the cursor of the ``Link`` header's next URL, not a ``page`` number."""
    entries: Callable[[object], list[Mapping[str, Any]]] | None = None
    """A list body's entries as objects with an ``id`` (None: the ``items_key`` list)."""
    discoverable: Callable[[Mapping[str, Any]], bool] = lambda _entry: True
    """Which listed items discovery adds to the partitions (segments: tracked ones)."""
    details_wanted: Callable[[Mapping[str, Any], Any], bool] = lambda _entry, _settings: True
    """(entry, settings): whether a listed item's details are read."""

    def permission_of(self, path: str) -> str:
        return self.list_permission if path == self.list_path else self.details_permission


@dataclass(frozen=True)
class Descriptions:
    """Every endpoint a tap reads: catalogues (synced first) and series, in stream order."""

    catalogues: tuple[CatalogFamily, ...]
    series: tuple[Series, ...]

    def stream_names(self) -> list[str]:
        return [t.stream for d in (*self.catalogues, *self.series) for t in d.tables]

    def series_fed_by(self, family: CatalogFamily) -> list[Series]:
        return [s for s in self.series if family in catalogues_of(s.partitions)]
