"""Reading a catalogue: every list page, then the details of what changed since the last run.

The list is read whole each run (ceil(N / 100) requests, one more when N is a multiple of
the page size or under 100: paging.py): it is how new campaigns and
Canvases are found, and each entry's ``last_edited`` tells whether its details changed. A
details request goes out only for an item whose ``last_edited`` differs from the one its
details were last read at (first run: every item), so a daily run on an unchanged workspace
costs the list pages alone. What the skip rule needs from the details (archived, draft, last
send, conversion windows) is kept in the state beside that ``last_edited``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tap_braze_sends.braze.catalog import list_entries
from tap_braze_sends.braze.description import CatalogFamily
from tap_braze_sends.braze.discovery import CampaignFacts, facts_from_listing, with_details
from tap_braze_sends.braze.timestamps import parse_timestamp
from tap_braze_sends.errors import BrazeFatalError
from tap_braze_sends.runtime.body import DETAILS_BODY
from tap_braze_sends.runtime.bookmarks import Bookmarks
from tap_braze_sends.runtime.fetch import Fetcher
from tap_braze_sends.runtime.paging import ListingError, read_all_pages
from tap_braze_sends.runtime.prefetch import OrderedPrefetcher

logger = logging.getLogger("tap_braze_sends.dimensions")

RowSink = Callable[[str, list[dict[str, Any]], dt.datetime], None]
"""Where rows of a role go: (role, rows, time extracted)."""
WhyDeleted = Callable[[Sequence[tuple[CatalogFamily, str]], BrazeFatalError], str]
"""(items, their 400) -> why one of them is deleted, else the 400 raised (runtime/gone.py)."""

_FACT_KEYS = ("archived", "draft", "first_sent", "last_sent", "first_entry", "last_entry")


@dataclass(frozen=True)
class CatalogRead:
    facts: list[CampaignFacts]
    """The discoverable items (a list may hold items no series reads, e.g. untracked segments)."""
    details_requests: int
    listed: int
    """Every item the list returned."""


def read_list(
    fetcher: Fetcher, family: CatalogFamily, *, include_archived: bool
) -> list[tuple[Mapping[str, Any], list[dict[str, Any]], dt.datetime]]:
    """Every page of the list: (raw entry, its rows, time extracted) per item, in order."""

    cursor: list[str | None] = [None]
    followed: set[str] = set()

    def fetch_page(page: int) -> list[tuple[Mapping[str, Any], list[dict[str, Any]], Any]] | None:
        params: dict[str, Any] = {"page": page}
        if family.cursor_paged:
            if page and cursor[0] is None:
                return None  # no next link: the listing is complete
            if cursor[0] in followed:
                msg = (
                    f"{family.list_path} page {page - 1} names as its next page one already "
                    f"read (cursor {cursor[0]!r}): the listing would never end. Check api_url, "
                    "or a proxy between the tap and Braze."
                )
                raise ListingError(msg)
            if cursor[0] is not None:
                followed.add(cursor[0])
            params = {"cursor": cursor[0]} if page else {}
        if family.archivable:
            params["include_archived"] = str(include_archived).lower()
        fetched = fetcher.get_json(
            family.list_path,
            params,
            pool=family.pool,
            permission=family.list_permission,
            hint=_discovery_hint(family),
            who=f"{family.list_path} page {page}",
            parse=lambda body: (_entries(body, family), family.list_rows(body)),
            paged=family.cursor_paged,
        )
        cursor[0] = fetched.next_cursor
        entries, rows = fetched.body
        return [
            (entry, [row], fetched.extracted_at) for entry, row in zip(entries, rows, strict=True)
        ]

    budget = fetcher.budgets[family.pool]
    items, dropped = read_all_pages(
        fetch_page,
        lambda item: str(item[0]["id"]),
        endpoint=family.list_path,
        pool_budget=lambda: budget.limit or family.pool_per_hour,
        short_page_ends=not family.cursor_paged,  # the Link header says where it ends
    )
    if dropped:
        logger.warning(
            "%s listed %d %s twice; each is read once",
            family.list_path,
            dropped,
            "item" if dropped == 1 else "items",
        )
    return items


def _entries(body: object, family: CatalogFamily) -> list[Mapping[str, Any]]:
    return family.entries(body) if family.entries is not None else list_entries(body, family)


def _discovery_hint(family: CatalogFamily) -> str:
    if family.discovered_by is None:
        return ""
    return f" (and turn off {family.discovered_by}, which lists {family.noun[1]})"


def read_catalog(
    fetcher: Fetcher,
    family: CatalogFamily,
    *,
    include_archived: bool,
    bookmarks: Bookmarks,
    read_details: bool,
    sink: RowSink | None,
    workers: int,
    mark_archived: bool = False,
    enough: Callable[[], bool] = lambda: False,
    details_wanted: Callable[[Mapping[str, Any]], bool] = lambda _entry: True,
    why_deleted: WhyDeleted | None = None,
) -> CatalogRead:
    """List the catalogue, read changed details, hand every row to ``sink`` (None: no rows).

    ``mark_archived``: also list without archived items, so that discovery knows which are
    archived without reading details (ceil(M / 100) more pages for M unarchived items).
    ``enough``: asked after each details read; True (a dry run has its records) stops them.
    ``why_deleted``: whether an item whose details Braze rejects (400) is deleted since the
    listing (None: no 400 is taken as a deletion).
    """
    # Unarchived first: an item archived between the two listings then counts as unarchived
    # (requested), never the reverse; one unarchived in between shows a fresh last_edited.
    unarchived = (
        {str(entry["id"]) for entry, _, _ in read_list(fetcher, family, include_archived=False)}
        if mark_archived and include_archived and family.archivable
        else None
    )
    listed = read_list(fetcher, family, include_archived=include_archived)
    facts: list[CampaignFacts] = []
    changed: list[tuple[int, str, Any]] = []
    discoverable: list[bool] = []
    for entry, rows, extracted_at in listed:
        discoverable.append(family.discoverable(entry))
        if sink is not None:
            sink("list", rows, extracted_at)
        item = facts_from_listing(
            entry, listed_as_archived=unarchived is not None and entry["id"] not in unarchived
        )
        if family.details_stream is None:
            facts.append(item)
            continue
        state = bookmarks.entry(family.details_stream, {family.id_param: item.campaign_id})
        stored = state.get("facts")
        if isinstance(stored, Mapping):
            item = with_details(item, stored)
        facts.append(item)
        if (
            read_details
            and details_wanted(entry)
            and not _same_edit(state.get("replication_key_value"), entry)
        ):
            changed.append((len(facts) - 1, item.campaign_id, entry.get("last_edited")))
    if changed:
        _read_details(
            fetcher, family, changed, facts, bookmarks, sink, workers, enough, why_deleted
        )
    found = [item for item, keep in zip(facts, discoverable, strict=True) if keep]
    return CatalogRead(found, len(changed), len(facts))


def _read_details(
    fetcher: Fetcher,
    family: CatalogFamily,
    changed: Sequence[tuple[int, str, Any]],
    facts: list[CampaignFacts],
    bookmarks: Bookmarks,
    sink: RowSink | None,
    workers: int,
    enough: Callable[[], bool],
    why_deleted: WhyDeleted | None,
) -> None:
    def fetch(job: tuple[int, str, Any]) -> Any:
        _, item_id, _ = job
        try:
            return fetcher.get_json(
                family.details_path,
                {family.id_param: item_id},
                pool=family.pool,
                permission=family.details_permission,
                who=f"{family.id_param}={item_id!r}",
                what=family.details_path,
                parse=lambda body: (body, family.details_rows(item_id, body)),
                limit=DETAILS_BODY,
            )
        except BrazeFatalError as exc:
            if not exc.about_the_item or why_deleted is None:
                raise
            # Deleted between the list and its details, if Braze or a fresh listing says so:
            # the next run lists it no more (its details were not marked read).
            why = why_deleted([(family, item_id)], exc)
            logger.warning(
                "Skipping the details of %s=%r, deleted since the listing (%s): %s",
                family.id_param,
                item_id,
                why,
                exc,
            )
            return None

    with OrderedPrefetcher(fetch, changed, workers=workers) as details:
        for (index, item_id, last_edited), fetched in details:
            if fetched is None:
                continue
            body, rows = fetched.body
            if sink is not None:
                for role, role_rows in rows.items():
                    sink(role, role_rows, fetched.extracted_at)
            facts[index] = with_details(facts[index], body)
            state = bookmarks.entry(family.details_stream, {family.id_param: item_id})
            state["replication_key"] = "last_edited"
            state["replication_key_value"] = last_edited
            state["facts"] = _facts_to_keep(body)
            if enough():
                return


def _same_edit(read_at: object, entry: Mapping[str, Any]) -> bool:
    if read_at is None:
        return False
    before, now = parse_timestamp(read_at), parse_timestamp(entry.get("last_edited"))
    if before is None or now is None:
        return read_at == entry.get("last_edited")
    return before == now


def _facts_to_keep(body: Mapping[str, Any]) -> dict[str, Any]:
    """What the skip rule needs of a details body (as with_details reads it), nothing more."""
    kept: dict[str, Any] = {key: body[key] for key in _FACT_KEYS if key in body}
    behaviors = body.get("conversion_behaviors")
    if isinstance(behaviors, list):
        kept["conversion_behaviors"] = [
            {"window": b.get("window")} for b in behaviors if isinstance(b, Mapping)
        ]
    return kept
