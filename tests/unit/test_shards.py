"""Which job takes a partition (stable shards), and when a send's analytics have expired."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tap_braze_sends.braze.discovery import in_shard, send_expired, shard_of

# --- expired sends ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_data_day", "lookback", "expired"),
    [
        (dt.date(2026, 3, 1), 14, False),  # 30 days old: 14 + 14 + 2 = 30 is not more
        (dt.date(2026, 2, 28), 14, True),
        (dt.date(2026, 3, 15), 0, False),  # 16 days
        (dt.date(2026, 3, 14), 0, True),
        (dt.date(2026, 3, 31), 0, False),
        (dt.date(2026, 4, 5), 0, False),  # in the future (clock skew): not expired
        (None, 0, False),  # never returned data: keeps being requested
        (None, 14, False),
    ],
)
def test_send_expired(first_data_day: dt.date | None, lookback: int, expired: bool) -> None:
    assert send_expired(first_data_day, dt.date(2026, 3, 31), lookback) is expired


# --- shards -----------------------------------------------------------------------------------


def test_shard_values_are_fixed() -> None:
    # By hand: printf '%s' '["camp-0001"]' | sha256sum -> 08d5a255767c1f2c..., as an integer
    # 636593410286559020; mod 8 = 4, mod 3 = 2. A change of hash or encoding fails here.
    assert shard_of(("camp-0001",), 8) == 5
    assert shard_of(("camp-0001",), 3) == 3
    # '["api-camp-01", "send-0001"]' -> c78a156ca9058768 = 14378328316770092904.
    assert shard_of(("api-camp-01", "send-0001"), 8) == 1
    assert shard_of(("api-camp-01", "send-0001"), 3) == 1
    # '["cv-7"]' -> 096e01a0b7b03156 = 679482383567696214.
    assert shard_of(("cv-7",), 8) == 7
    assert shard_of(("cv-7",), 1) == 1


def test_ids_are_hashed_unambiguously() -> None:
    pairs = [(("a", "b"), ("a,b",)), (("a", "b"), ('a", "b',)), (("ab",), ("a", "b"))]
    differing = [shard_of(x, 1 << 30) != shard_of(y, 1 << 30) for x, y in pairs]
    assert all(differing)


@given(st.lists(st.text(min_size=1), min_size=1, max_size=3).map(tuple), st.integers(1, 12))
def test_every_partition_lands_in_exactly_one_shard(ids: tuple[str, ...], count: int) -> None:
    homes = [k for k in range(1, count + 1) if in_shard(ids, (k, count))]
    assert homes == [shard_of(ids, count)]
    assert in_shard(ids, None)


def test_shards_are_roughly_even() -> None:
    counts = Counter(shard_of((f"camp-{i:05d}",), 8) for i in range(8000))
    assert set(counts) == set(range(1, 9))
    assert all(850 <= n <= 1150 for n in counts.values()), counts  # 1000 expected, sd ~30
    sends = Counter(shard_of(("api-camp-01", f"send-{i}"), 3) for i in range(3000))
    assert all(850 <= n <= 1150 for n in sends.values()), sends


def test_shard_count_must_be_positive() -> None:
    with pytest.raises(ValueError, match="shard count must be >= 1, got 0"):
        shard_of(("c",), 0)
