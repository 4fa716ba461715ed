"""Where a series' partitions come from: none, a list setting's ids (and a catalogue's
listing), a setting of id pairs, or the product of several; and what each source says about
its key columns (query parameter, setting, catalogue).

Data and pure functions only, like the rest of the description vocabulary (description.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # description.py imports this module; the catalogue is only a type here
    from tap_braze_sends.braze.description import CatalogFamily


@dataclass(frozen=True)
class NoPartitions:
    """The series is read whole: one partition, ``{}``."""

    @property
    def fields(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class ConfigIds:
    """One partition per id of a list setting, then (when the catalogue's ``discovered_by``
    setting is on) per id its listing finds; ``with_all``: the value ``*`` always comes first.
    """

    field: str
    """The partition's key: the query parameter and key column (``campaign_id``)."""
    setting: str
    """The setting listing the ids (``campaign_ids``)."""
    catalogue: CatalogFamily | None = None
    with_all: bool = False
    param: str = ""
    """The query parameter, when it is not named like the key column (``event`` for
    ``event_name``)."""

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,)


@dataclass(frozen=True)
class ConfigPairs:
    """One partition per item of a setting whose items carry several ids (``sends``)."""

    fields: tuple[str, ...]
    setting: str
    noun: tuple[str, str]
    """How logs name one and several items (``send``, ``sends``)."""
    expired: Callable[[dt.date | None, dt.date, int], bool] | None = None
    """(first day with data, last day of the range, lookback_days) -> gone for good."""
    expired_note: str = ""
    """Says why in the INFO line counting expired items."""
    also_from: tuple[str, ...] = ()
    """Other settings whose items join ``setting``'s (``sends_file``)."""


@dataclass(frozen=True)
class Product:
    """Every combination of several sources' partitions (e.g. event x app x segment)."""

    sources: tuple[PartitionSource, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for source in self.sources for f in source.fields)


PartitionSource = Union[NoPartitions, ConfigIds, ConfigPairs, Product]  # noqa: UP007


ALL = "*"
"""The key value of a partition over all apps, segments or products (its parameter left out)."""


def param_names(source: PartitionSource) -> dict[str, str]:
    if isinstance(source, ConfigIds) and source.param:
        return {source.field: source.param}
    if isinstance(source, Product):
        return {k: v for s in source.sources for k, v in param_names(s).items()}
    return {}


def settings_of(source: PartitionSource) -> dict[str, str]:
    if isinstance(source, ConfigIds):
        return {source.field: source.setting}
    if isinstance(source, ConfigPairs):
        return {field: source.setting for field in source.fields}
    if isinstance(source, Product):
        return {k: v for s in source.sources for k, v in settings_of(s).items()}
    return {}


def listed_ids(source: PartitionSource) -> list[ConfigIds]:
    """The parts of ``source`` whose ids a catalogue's listing may add."""
    if isinstance(source, ConfigIds):
        return [source] if source.catalogue is not None else []
    if isinstance(source, Product):
        return [part for s in source.sources for part in listed_ids(s)]
    return []


def catalogues_of(source: PartitionSource) -> list[CatalogFamily]:
    """The catalogues whose listing adds partitions to ``source``."""
    if isinstance(source, ConfigIds):
        return [source.catalogue] if source.catalogue is not None else []
    if isinstance(source, Product):
        return [f for s in source.sources for f in catalogues_of(s)]
    return []
