"""The poll pacer's predictions case by case: exact delays and reasons at the edges of each rule (lib.pacing).

test_pacing.py holds the pacer to its targets over whole exports; these pin
what it answers to a few readings, worked out by hand from the module's
rules, where a rule changes its answer: the spread at exactly its limit, a
rate unchanged for exactly as long as a stall takes, readings at one
instant, a rate at 99, a slowest speed of zero. The policy is the default
one without jitter, so the fallback is the plain backoff 1, 2, 4... seconds.
"""

from __future__ import annotations

import random

import pytest

from dataarts_export_client.lib import DEFAULT_POLICY, RetryPolicy
from dataarts_export_client.lib.pacing import Pace, PollPacer

STEADY = RetryPolicy(jitter="none")
FALLBACK = "still running"


def paces(*readings: tuple[float, float | None]) -> list[Pace]:
    pacer = PollPacer(STEADY)
    return [pacer.next_delay(at, percent) for at, percent in readings]


def test_a_wide_prediction_polls_at_the_earliest_completion() -> None:
    """10 % at 100 s, 60 % at 110 s: 52 to 48 points in 10 s leave 39 to 41 points, 7.5 s to 8.54 s away.

    The spread (1.04 s) is wider than 3 % of the 20 s export, so the poll goes at the earliest.
    """
    assert paces((100, 10), (110, 60)) == [
        Pace(1.0, FALLBACK),
        Pace(7.5, "progress 60% predicts completion in 7.5s-8.5s"),
    ]


def test_a_narrow_prediction_polls_at_the_latest_completion() -> None:
    """10 % at 100 s, 90 % at 110 s: 9 to 11 points left at 8.2 to 7.8 points/s, 1.10 s to 1.41 s away."""
    assert paces((100, 10), (110, 90)) == [
        Pace(1.0, FALLBACK),
        Pace(11 / 7.8, "progress 90% predicts completion within 1.41s"),
    ]


def test_a_spread_of_exactly_spread_seconds_is_narrow() -> None:
    """75 % then 93 % a second later: completion in 0.3 s to 0.5 s, a spread of exactly 0.2 s: poll at 0.5 s."""
    assert paces((0, 75), (1, 93))[1] == Pace(0.5, "progress 93% predicts completion within 0.50s")


def test_the_spread_fraction_is_of_the_whole_predicted_duration() -> None:
    """65 % then 93 % two seconds later: spread 0.215 s, just over 3 % of the 7.14 s export: poll at the earliest."""
    assert paces((0, 65), (2, 93))[1] == Pace(0.4, "progress 93% predicts completion in 0.4s-0.6s")


def test_at_99_percent_the_earliest_completion_is_now() -> None:
    """97 % then 99 %: 1 point left within the uncertainty, so it may be done now; the poll waits MIN_DELAY."""
    assert paces((0, 97), (1, 99))[1] == Pace(0.05, "progress 99% predicts completion in 0.0s-?")


def test_a_gain_within_the_uncertainty_has_no_latest_completion() -> None:
    """50 % then 53 % after 2 s: the slowest speed is 0.5 point/s (96 s away); the earliest (18.4 s) is capped."""
    assert paces((0, 50), (2, 53))[1] == Pace(10.0, "progress 53% predicts completion in 18.4s-96.0s")


def test_a_rate_unchanged_for_exactly_a_stall_is_still_on_pace() -> None:
    """1 point in 2 s is 0.5 point/s: unchanged 4 s later is 2 points of doubt, not yet a stall; 4.5 s later it is."""
    on_pace = paces((0, 0), (2, 1), (6, 1))
    assert on_pace[2] == Pace(10.0, "progress 1% predicts completion in 196.0s-?")
    stalled = paces((0, 0), (2, 1), (6.5, 1))
    assert stalled[2] == Pace(2.0, FALLBACK)
    later = paces((100, 0), (102, 1), (106.5, 1))  # the same readings on a clock that did not start at 0
    assert later[2] == Pace(2.0, FALLBACK)


@pytest.mark.parametrize(
    "readings",
    [
        ((5, 10), (5, 20)),  # a second reading at the same instant: no time elapsed, no speed
        ((0, 50), (1, 50)),  # no progress since the run began: nothing to measure a speed from
        ((0, 50), (1, None)),  # no rate reported
        ((0, 50), (1, float("nan"))),  # an unreadable rate
    ],
)
def test_readings_without_a_speed_fall_back_to_the_backoff(readings: tuple[tuple[float, float | None], ...]) -> None:
    assert paces(*readings) == [Pace(1.0, FALLBACK), Pace(2.0, FALLBACK)]


def test_the_fallback_draws_from_the_policy_with_the_given_random_source() -> None:
    """The pacer's backoff is the policy's, jittered with the caller's seeded generator (reproducible runs)."""
    pacer = PollPacer(DEFAULT_POLICY, random.Random(5))
    expected = DEFAULT_POLICY.poll_backoff(random.Random(5))
    assert [pacer.next_delay(float(at), None).seconds for at in range(6)] == [expected.next_delay() for _ in range(6)]
