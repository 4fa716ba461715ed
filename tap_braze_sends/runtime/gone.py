"""Whether a discovered item Braze rejected with a 400 is deleted, on positive evidence only.

A 400 says only that Braze refused the request: an id it no longer knows, but as well a bad
parameter, a segment without analytics tracking, or whatever a proxy makes of it. Read as
"deleted", any of those skipped the partition and moved its bookmark over days never read. So
an item counts as deleted only where Braze says so (the 400 message its family documents for
an unknown id) or where a listing read after the 400 no longer holds it; anything else stays
the error it is. A listing is read again at most :data:`MAX_RELISTINGS` times per catalogue and
run, each one shared by every 400 that came before it began.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tap_braze_sends.braze.description import CatalogFamily
from tap_braze_sends.braze.partition_sources import ALL, PartitionSource, listed_ids
from tap_braze_sends.errors import BrazeFatalError
from tap_braze_sends.runtime.catalog_reader import read_list
from tap_braze_sends.runtime.fetch import Fetcher
from tap_braze_sends.settings import Settings

MAX_RELISTINGS = 2
"""Fresh listings of one catalogue per run, to tell a deleted item from another 400."""


@dataclass
class _Listing:
    started: float
    """When the listing's first request went (time.monotonic)."""
    ids: frozenset[str]


Item = tuple[CatalogFamily, str]
"""A catalogue's item: its family and id."""


def discovered_items(
    source: PartitionSource, partition: Mapping[str, str], settings: Settings
) -> list[Item]:
    """The partition's ids a listing adds (not ``*``, not named by the config: an id the
    config names is the user's to fix, whatever Braze says)."""
    items: list[Item] = []
    for part in listed_ids(source):
        item = partition.get(part.field)
        if part.catalogue is None or item is None or item == ALL:
            continue
        if item not in getattr(settings, part.setting):
            items.append((part.catalogue, item))
    return items


@dataclass
class GoneItems:
    """The evidence that discovered items are deleted, shared by the run's workers."""

    fetcher: Fetcher
    settings: Settings
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _family_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _listings: dict[str, _Listing] = field(default_factory=dict)
    _relisted: Counter[str] = field(default_factory=Counter)

    def why_deleted(self, items: Sequence[Item], error: BrazeFatalError) -> str:
        """Why one of ``items``, which Braze rejected (``error``, a 400 that has just
        arrived), is deleted; without evidence, ``error`` is raised, saying why it is not
        taken as deleted."""
        rejected_at = time.monotonic()
        for family, item in items:
            documented = family.unknown_id_message
            if documented and documented.lower() in error.braze_said.lower():
                return f"Braze's message is the one it documents for an unknown {family.id_param}"
            if self._absent(family, item, rejected_at):
                return f"{family.list_path} no longer lists it"
        raise BrazeFatalError(
            f"{error} (Found by listing, but not shown deleted: Braze's message is not its "
            "documented one for an unknown id, and a fresh listing still holds it.)",
            error.status,
            error.braze_said,
        )

    def _absent(self, family: CatalogFamily, item: str, rejected_at: float) -> bool:
        """Whether a listing read since the discovery lacks ``item``; one read after the 400
        when the last one still held it (the item may have gone in between)."""
        with self._lock:
            lock = self._family_locks.setdefault(family.name, threading.Lock())
        with lock:  # concurrent 400s of one catalogue share one listing
            listing = self._listings.get(family.name)
            if listing is not None and (item not in listing.ids or listing.started >= rejected_at):
                return item not in listing.ids
            if self._relisted[family.name] >= MAX_RELISTINGS:
                return False
            self._relisted[family.name] += 1
            started = time.monotonic()
            entries = read_list(
                self.fetcher, family, include_archived=self.settings.include_archived
            )
            listing = _Listing(started, frozenset(str(entry["id"]) for entry, _, _ in entries))
            self._listings[family.name] = listing
            return item not in listing.ids
