"""A pool's pace of retries and one request's own waits (runtime/retry_pacing.py), on a fake
clock: a burst of 8, then 4 a second while no answer comes; each answer gives one back."""

from __future__ import annotations

import pytest

from tap_braze_sends.runtime.retry_pacing import RetryPace, RetryWaits


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_eight_goes_at_once_then_four_a_second() -> None:
    clock = Clock()
    pace = RetryPace(clock=clock)
    waits = [pace.slot(0.0) for _ in range(16)]
    assert waits[:8] == [0.0] * 8
    assert waits[8:] == pytest.approx([0.25 * n for n in range(1, 9)])


def test_a_retry_never_goes_before_its_own_wait() -> None:
    pace = RetryPace(clock=Clock())
    assert pace.slot(0.15) == pytest.approx(0.15)


def test_the_allowance_refills_over_time_but_never_beyond_the_burst() -> None:
    clock = Clock()
    pace = RetryPace(clock=clock)
    for _ in range(8):
        pace.slot(0.0)
    clock.now += 60  # a quiet minute: the allowance is whole again, not 240 retries
    waits = [pace.slot(0.0) for _ in range(9)]
    assert waits[:8] == [0.0] * 8
    assert waits[8] == pytest.approx(0.25)


def test_each_answer_gives_a_retry_back() -> None:
    clock = Clock()
    pace = RetryPace(clock=clock)
    for _ in range(8):
        pace.slot(0.0)
    for _ in range(8):  # the eight retries were answered
        pace.answered()
    assert [pace.slot(0.0) for _ in range(8)] == [0.0] * 8


def test_answers_do_not_save_up_retries_beyond_the_burst() -> None:
    pace = RetryPace(clock=Clock())
    for _ in range(100):
        pace.answered()
    waits = [pace.slot(0.0) for _ in range(9)]
    assert waits[8] == pytest.approx(0.25)


@pytest.mark.parametrize("seed", range(20))
def test_own_waits_start_short_jittered_and_triple(seed: int) -> None:
    import random

    random.seed(seed)
    clock = Clock()
    waits = RetryWaits(0.1, RetryPace(clock=clock))
    got = [waits.next() for _ in range(8)]
    steps = [0.1, 0.3, 0.9, 2.7, 8.1, 24.3, 30.0, 30.0]  # tripling, each at most a minute
    for wait, step in zip(got, steps, strict=True):
        assert step <= wait <= 2 * step


def test_retry_initial_wait_zero_waits_for_nothing() -> None:
    clock = Clock()
    waits = RetryWaits(0.0, RetryPace(clock=clock))
    assert [waits.next() for _ in range(20)] == [0.0] * 20
