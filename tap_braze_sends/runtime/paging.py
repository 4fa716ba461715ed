"""The one bounded pager for Braze's ``page``-numbered lists: every listing reads through it.

A server that ignores ``page`` (answering the same full page for ever) or never runs out must
not turn into an endless stream of requests: a page whose ids were all seen on earlier pages,
or a listing past :data:`MAX_PAGES` or past half of its pool's hourly budget (the other half
is the series' that share the pool), stops the run with an error naming the endpoint. The
listing ends on an empty page or on one shorter than page 0: the page size Braze used, not
the 100 its documentation gives (a page of 50 must not end a listing of 250 silently). A
listing paged by the ``Link`` header's cursor ends only where no next page is named (its
``fetch_page`` then answers None): a short or empty page before it is no end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from tap_braze_sends.errors import BrazeError

Item = TypeVar("Item")

MAX_PAGES = 2_000
"""200,000 items at Braze's 100 a page: far beyond any workspace's campaigns or Canvases."""


class ListingError(BrazeError):
    """A list endpoint answered in a way that would never end; the run stops."""


def read_all_pages(
    fetch_page: Callable[[int], Sequence[Item] | None],
    item_id: Callable[[Item], str],
    *,
    endpoint: str,
    max_pages: int = MAX_PAGES,
    pool_budget: Callable[[], int] | None = None,
    short_page_ends: bool = True,
) -> tuple[list[Item], int]:
    """Every item of the listing, each id once (the first copy wins), and how many copies
    were dropped. ``fetch_page(n)`` returns page ``n`` (from 0), or None where the listing
    named no page ``n`` (a cursor listing's end). ``pool_budget()``: the
    requests an hour of the listing's pool, asked before each page (the first answer may
    report it); the listing stops at half of it. ``short_page_ends``: a page shorter than
    page 0 is the last (False: only None is; an empty page that names a next one is none).
    """
    items: list[Item] = []
    seen: set[str] = set()
    dropped = 0
    page_size = 0
    page = 0
    while True:
        budget = pool_budget() if pool_budget is not None else None
        if budget is not None and page >= max(1, budget // 2):
            msg = (
                f"{endpoint} still named more pages after {page} pages ({len(items)} items): "
                f"half of its rate-limit pool's {budget:,} requests an hour, which the series "
                "sharing that pool need; stopped there rather than spend it. Check api_url, or "
                "a proxy between the tap and Braze."
            )
            raise ListingError(msg)
        if page >= max_pages:
            break
        entries = fetch_page(page)
        if entries is None or (not entries and short_page_ends):
            return items, dropped
        if not entries:
            page += 1  # an empty page that names a next one: Braze has not ended the listing
            continue
        ids = [item_id(entry) for entry in entries]
        if page and seen.issuperset(ids):
            msg = (
                f"{endpoint} page {page} holds only items of earlier pages (the server seems "
                f"to ignore 'page'); stopped after {page + 1} requests with {len(items)} "
                "items. Check api_url, or a proxy between the tap and Braze."
            )
            raise ListingError(msg)
        for entry, entry_id in zip(entries, ids, strict=True):
            if entry_id in seen:
                dropped += 1
            else:
                seen.add(entry_id)
                items.append(entry)
        page_size = page_size or len(entries)
        if short_page_ends and len(entries) < page_size:
            return items, dropped
        page += 1
    msg = (
        f"{endpoint} still had full pages after {max_pages} pages ({len(items)} items); "
        "stopped there rather than request for ever. Check api_url, or a proxy between the "
        "tap and Braze."
    )
    raise ListingError(msg)
