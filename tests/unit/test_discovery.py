"""Discovery's pure rules: which campaigns are skipped (never one with data in the range), when a
send's analytics have expired, and which shard takes a partition."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_braze_sends.braze.discovery import (
    CampaignFacts,
    analytics_skip_reason,
    facts_from_listing,
    summarize_skips,
    with_details,
)

UTC = dt.timezone.utc
FIRST_DAY = dt.date(2026, 3, 17)  # lookback 14 -> nothing ending before 2026-03-03 can matter


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def skip(facts: CampaignFacts, lookback: int = 14) -> str | None:
    return analytics_skip_reason(facts, first_day=FIRST_DAY, lookback_days=lookback)


# --- the skip rule, by hand -----------------------------------------------------------------


def test_a_draft_that_never_sent_is_skipped() -> None:
    assert skip(CampaignFacts("c", draft=True)) == "draft that never sent"


@pytest.mark.parametrize(
    "facts",
    [
        CampaignFacts("c", draft=True, first_sent=at("2026-03-01T10:00:00")),
        CampaignFacts("c", draft=True, last_sent=at("2020-03-01T10:00:00")),
        CampaignFacts("c", draft=False),
        CampaignFacts("c", draft=None),
    ],
    ids=["draft-first-sent", "draft-last-sent", "not-draft", "unknown"],
)
def test_a_draft_that_sent_or_an_unknown_is_requested(facts: CampaignFacts) -> None:
    assert skip(facts) is None


def test_not_archived_is_requested_however_old() -> None:
    old = at("2019-01-01T00:00:00")
    assert skip(CampaignFacts("c", last_edited=old, last_sent=old, archived=False)) is None
    assert skip(CampaignFacts("c", last_edited=old)) is None  # archived unknown


def test_archived_and_dormant_is_skipped_with_its_dates() -> None:
    facts = CampaignFacts("c", last_edited=at("2025-01-01T08:00:00"), listed_as_archived=True)
    # 2025-01-01 + 30 days window + 1 day = 2025-02-01; cutoff 2026-03-17 - 14 = 2026-03-03.
    assert skip(facts) == (
        "archived and dormant: last activity 2025-01-01, data ends by 2025-02-01, before 2026-03-03"
    )


def test_archived_without_any_date_is_requested() -> None:
    assert skip(CampaignFacts("c", archived=True)) is None
    assert skip(CampaignFacts("c", listed_as_archived=True)) is None


def test_the_boundary_day() -> None:
    # Data may last to 2026-01-31T12:00 + 30 days (+1 day of time zone) = 2026-03-03: kept.
    kept = CampaignFacts("c", archived=True, last_edited=at("2026-01-31T12:00:00"))
    assert skip(kept) is None
    gone = CampaignFacts("c", archived=True, last_edited=at("2026-01-30T23:59:59"))
    assert skip(gone) is not None
    # Same instant written with an offset: 2026-01-30T23:59:59-05:00 is 04:59:59Z on the 31st.
    offset = dt.datetime.fromisoformat("2026-01-30T23:59:59-05:00")
    assert skip(CampaignFacts("c", archived=True, last_edited=offset)) is None


def test_lookback_widens_what_is_kept() -> None:
    facts = CampaignFacts("c", archived=True, last_edited=at("2026-01-20T00:00:00"))
    # 2026-01-20 + 31 days = 2026-02-20: before 2026-03-03 (lookback 14), not before 2026-02-15.
    assert skip(facts, lookback=14) is not None
    assert skip(facts, lookback=30) is None


def test_a_long_conversion_window_keeps_it_a_short_one_does_not_shorten_30_days() -> None:
    last_sent = at("2025-12-20T00:00:00")
    base = CampaignFacts("c", archived=True, last_sent=last_sent, last_edited=last_sent)
    # +60 days +1 = 2026-02-19 < 2026-03-03: skipped; +75 days +1 = 2026-03-06: kept.
    assert skip(with_windows(base, 60)) is not None
    assert skip(with_windows(base, 75, 3)) is None
    # A 1-day window still counts as 30 days: 2026-02-01 + 31 = 2026-03-04 >= 2026-03-03.
    recent = CampaignFacts("c", archived=True, last_sent=at("2026-02-01T00:00:00"))
    assert skip(with_windows(recent, 1)) is None


def with_windows(facts: CampaignFacts, *days: int) -> CampaignFacts:
    return CampaignFacts(
        facts.campaign_id,
        archived=facts.archived,
        last_sent=facts.last_sent,
        last_edited=facts.last_edited,
        conversion_windows=tuple(d * 86400 for d in days),
    )


@pytest.mark.parametrize(
    "details",
    [
        {"conversion_behaviors": [{"type": "a", "window": 10**30}]},  # past timedelta's range
        {"conversion_behaviors": [{"type": "a", "window": 1e300}]},
        {"last_sent": "9999-12-31T23:00:00-05:00"},  # its UTC instant is past year 9999
        {"last_sent": "9999-12-31T23:00:00Z"},  # the window then runs past year 9999
    ],
)
def test_a_window_or_date_past_datetimes_range_is_requested_not_a_crash(details: dict) -> None:
    """Legal JSON numbers and ISO dates that datetime cannot add up: such a campaign may have
    data on any day, so it is requested (an OverflowError here was a traceback)."""
    listed = facts_from_listing(
        {"id": "c", "last_edited": "2020-01-01T00:00:00Z"}, listed_as_archived=True
    )
    facts = with_details(listed, {"archived": True, **details})
    assert skip(facts) is None
    assert skip(with_details(listed, {"archived": True})) is not None  # the same, dormant


def test_the_later_of_last_sent_and_last_edited_counts() -> None:
    facts = CampaignFacts(
        "c",
        archived=True,
        last_sent=at("2024-05-01T00:00:00"),
        last_edited=at("2026-02-20T00:00:00"),
    )
    assert skip(facts) is None
    facts = CampaignFacts(
        "c",
        archived=True,
        last_sent=at("2026-02-20T00:00:00"),
        last_edited=at("2024-05-01T00:00:00"),
    )
    assert skip(facts) is None


def test_details_say_not_archived_even_if_listing_said_so() -> None:
    facts = CampaignFacts(
        "c", archived=False, listed_as_archived=True, last_edited=at("2020-01-01T00:00:00")
    )
    assert skip(facts) is None


# --- the skip rule, against a model of a campaign's data ------------------------------------

_MOMENTS = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 6, 1), timezones=st.just(UTC)
)


@st.composite
def campaigns(draw: st.DrawFn) -> tuple[CampaignFacts, tuple[dt.date, dt.date] | None]:
    """Facts as Braze would show them, and the days on which the campaign truly has data.

    Model: a campaign that sent has data from its first send's day through its last send plus
    its longest conversion window (30 days without conversion events), on the days of the
    workspace's time zone. Archiving happens after the last send and moves last_edited.
    """
    sent = draw(st.booleans())
    first = last = None
    if sent:
        first = draw(_MOMENTS)
        last = first + draw(
            st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400))
        )
    windows = draw(
        st.one_of(st.just([]), st.lists(st.integers(1, 120 * 86400), min_size=1, max_size=4))
    )
    archived = draw(st.booleans())
    edited = draw(_MOMENTS)
    if archived and last is not None:
        # Archived after the last send (often right then: the edge the rule must get right);
        # archiving is an edit.
        edited = last + draw(
            st.one_of(
                st.just(dt.timedelta(0)),
                st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=60)),
            )
        )
    draft = not sent and draw(st.booleans())

    details_read = draw(st.booleans())
    if not details_read:
        # Unread details cannot name a window: the rule takes Braze's 30-day maximum
        # conversion deadline, so a campaign it knows only from the list has windows <= 30 d.
        windows = [min(w, 30 * 86400) for w in windows]
    zone = dt.timezone(dt.timedelta(hours=draw(st.integers(-12, 14))))
    data_days = None
    if first and last:
        window = dt.timedelta(seconds=max(windows)) if windows else dt.timedelta(days=30)
        data_days = (first.astimezone(zone).date(), (last + window).astimezone(zone).date())

    listed_as_archived = archived and draw(st.booleans())
    facts = CampaignFacts(
        campaign_id="c",
        last_edited=edited if draw(st.booleans()) else None,
        listed_as_archived=listed_as_archived,
        archived=archived if details_read else None,
        draft=draft if details_read else None,
        first_sent=first if details_read else None,
        last_sent=last if details_read else None,
        conversion_windows=tuple(windows) if details_read else (),
    )
    return facts, data_days


@settings(max_examples=1000, deadline=None)
@given(campaigns(), st.data())
def test_never_skips_a_campaign_with_data_in_the_range(
    campaign: tuple[CampaignFacts, tuple[dt.date, dt.date] | None], data: st.DataObject
) -> None:
    facts, data_days = campaign
    lookback = data.draw(st.one_of(st.just(0), st.integers(0, 30)), label="lookback")
    if data_days is None:
        first_day = data.draw(st.dates(dt.date(2024, 1, 1), dt.date(2026, 6, 1)))
    else:  # a range starting near the campaign's last data day, where mistakes would show
        near = data_days[1] - dt.timedelta(days=lookback)
        shift = data.draw(st.one_of(st.integers(-2, 2), st.integers(-45, 45)), label="shift")
        first_day = near + dt.timedelta(days=shift)
    today = first_day + dt.timedelta(days=data.draw(st.integers(0, 120), label="range_days"))
    reason = analytics_skip_reason(facts, first_day=first_day, lookback_days=lookback)
    if data_days is not None and data_days[0] <= today and data_days[1] >= first_day:
        assert reason is None, (facts, data_days, first_day)


def test_the_model_does_skip_dormant_archived_campaigns() -> None:
    # The property above must not pass by never skipping: the same rule skips these.
    dormant = CampaignFacts("c", archived=True, last_sent=at("2024-01-01T00:00:00"))
    assert analytics_skip_reason(dormant, first_day=dt.date(2026, 1, 1), lookback_days=40)
    assert analytics_skip_reason(
        CampaignFacts("c", draft=True), first_day=FIRST_DAY, lookback_days=0
    )


# --- facts from Braze bodies ----------------------------------------------------------------


def test_facts_from_a_listing_entry() -> None:
    entry = {
        "id": "c-1",
        "name": "Spring sale",
        "last_edited": "2020-06-28T23:59:59-5:00",
        "is_api_campaign": False,
        "tags": ["promo"],
    }
    assert facts_from_listing(entry, listed_as_archived=True) == CampaignFacts(
        "c-1",
        name="Spring sale",
        last_edited=dt.datetime(
            2020, 6, 28, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))
        ),
        listed_as_archived=True,
    )
    assert facts_from_listing({"id": "c-2"}) == CampaignFacts("c-2")


def test_facts_completed_from_details() -> None:
    listed = CampaignFacts("c-1", name="Old name", last_edited=at("2026-01-01T00:00:00"))
    body = {
        "name": "New name",
        "archived": True,
        "draft": False,
        "first_sent": "2025-11-01T10:00:00+00:00",
        "last_sent": "2025-12-24T18:30:00Z",
        "conversion_behaviors": [
            {"type": "Clicks Email", "window": 86400},
            {"type": "Makes Any Purchase", "window": 604800},
            {"type": "Upgrades App", "window": None, "app_ids": None},
            "junk",
        ],
    }
    assert with_details(listed, body) == CampaignFacts(
        "c-1",
        name="New name",
        last_edited=at("2026-01-01T00:00:00"),
        archived=True,
        draft=False,
        first_sent=at("2025-11-01T10:00:00"),
        last_sent=at("2025-12-24T18:30:00"),
        conversion_windows=(86400, 604800),
    )


def test_canvas_details_use_first_and_last_entry() -> None:
    body = {"archived": "yes", "first_entry": "2026-01-02", "last_entry": "2026-02-03T04:05:06"}
    facts = with_details(CampaignFacts("cv"), body)
    assert (facts.archived, facts.draft) == (None, None)  # not booleans: unknown
    assert facts.first_sent == at("2026-01-02T00:00:00")
    assert facts.last_sent == at("2026-02-03T04:05:06")


# --- the INFO line ------------------------------------------------------------------------


def test_summary_of_skips() -> None:
    reasons = [
        None,
        "draft that never sent",
        "archived and dormant: last activity 2025-01-01, data ends by 2025-02-01, before x",
        None,
        "draft that never sent",
        "archived and dormant: last activity 2024-01-01, data ends by 2024-02-01, before x",
        "archived and dormant: last activity 2023-01-01, data ends by 2023-02-01, before x",
    ]
    assert summarize_skips(reasons) == (
        "found 7 campaigns, skipping 5: 3 archived and dormant, 2 drafts never sent"
    )
    assert summarize_skips([None, None]) == "found 2 campaigns, skipping none"
    assert summarize_skips(["draft that never sent"], noun=("Canvas", "Canvases")) == (
        "found 1 Canvas, skipping 1: 1 draft never sent"
    )
    assert summarize_skips([]) == "found 0 campaigns, skipping none"
