"""The progress-guided poll pace (lib.pacing), on a fake clock: no sockets, no real sleeping.

A fake export reports its rate the way the emulator does (floor of the
elapsed fraction, at most 99 while running; ``--export-seconds`` sets the
duration), and the pacer must finish within max(0.5 s, 5 %) of its
completion with few status requests; a rate that jumps, stalls, resets or
never moves must fall back to the capped backoff, never to a busy loop or
a sleep longer than the cap.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest

from dataarts_export_client.lib import ExportReady, RetryPolicy
from dataarts_export_client.lib.pacing import MIN_DELAY, PollPacer

from .client_fakes import FakeClock, Script, status, workbook
from .twin_fakes import Twin

STEADY = RetryPolicy(jitter="none")
"""The default timings without jitter: 1 s doubling up to 10 s."""
BACKOFF = [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
"""STEADY's backoff schedule, what a pacer without usable progress must follow."""
TARGETS = [(3.0, 5), (10.0, 7), (30.0, 10)]
"""(export seconds, most status requests allowed), the waiter's targets."""


def emulator_rate(duration: float) -> Callable[[float], float]:
    """The emulator's rate ``elapsed`` seconds into an export of ``duration`` seconds (models.Job.status)."""
    return lambda elapsed: min(99, int(100 * elapsed / duration))


def pace(pacer: PollPacer, readings: list[tuple[float, float | None]]) -> list[float]:
    """The delays the pacer answers to ``(time, percent)`` readings, in order."""
    return [pacer.next_delay(at, percent).seconds for at, percent in readings]


def run_export(duration: float, policy: RetryPolicy, rng: random.Random) -> tuple[int, float]:
    """Poll a fake emulator export started at 0 until it is done: (status requests, seconds late)."""
    rate = emulator_rate(duration)
    pacer = PollPacer(policy, rng)
    now, requests = 0.0, 0
    while True:
        requests += 1
        if now >= duration:
            return requests, now - duration
        now += pacer.next_delay(now, rate(now)).seconds


@pytest.mark.parametrize(("duration", "most_requests"), TARGETS)
def test_linear_progress_is_followed_to_completion(duration: float, most_requests: int) -> None:
    """Over many jitter draws: within max(0.5 s, 5 %) of completion, within the request budget."""
    results = [run_export(duration, RetryPolicy(), random.Random(seed)) for seed in range(200)]
    assert max(requests for requests, _ in results) <= most_requests
    assert max(late for _, late in results) <= max(0.5, 0.05 * duration)


@pytest.mark.parametrize(("duration", "most_requests"), TARGETS)
def test_the_blind_backoff_misses_the_targets_the_pacer_meets(duration: float, most_requests: int) -> None:
    """The same exports without following the progress: late by far more (what the pacer is for)."""
    blind = replace(RetryPolicy(), follow_progress=False)
    late = max(run_export(duration, blind, random.Random(seed))[1] for seed in range(200))
    assert late > max(0.5, 0.05 * duration)


def test_a_rate_that_never_moves_follows_the_capped_backoff() -> None:
    readings: list[tuple[float, float | None]] = [(float(i), 0.0) for i in range(len(BACKOFF))]
    assert pace(PollPacer(STEADY), readings) == BACKOFF


def test_no_rate_at_all_follows_the_capped_backoff() -> None:
    readings: list[tuple[float, float | None]] = [(float(i), None) for i in range(len(BACKOFF))]
    assert pace(PollPacer(STEADY), readings) == BACKOFF
    assert pace(PollPacer(STEADY), [(0.0, math.nan), (1.0, math.inf)]) == BACKOFF[:2]


def test_a_narrow_prediction_polls_at_the_latest_completion_it_allows() -> None:
    pacer = PollPacer(STEADY)
    pacer.next_delay(0.0, 0)
    # 50 points in 0.5 s, +-1 point per reading: 96 to 104 points/s, 49 to 51 points left.
    chosen = pacer.next_delay(0.5, 50)
    assert chosen.seconds == pytest.approx(51 / 96)
    assert "predicts completion" in chosen.reason


def test_a_wide_prediction_polls_at_the_earliest_completion_to_narrow_it() -> None:
    pacer = PollPacer(replace(STEADY, max_poll_interval=60.0))
    pacer.next_delay(0.0, 0)
    # 3 points in 1 s: between 1 and 5 points/s, so 19.2 s to 97 s left: too wide, look again at 19.2 s.
    assert pacer.next_delay(1.0, 3).seconds == pytest.approx(96 / 5)


def test_predictions_are_capped_and_floored() -> None:
    slow = PollPacer(STEADY)
    slow.next_delay(0.0, 0)
    assert slow.next_delay(100.0, 10).seconds == STEADY.max_poll_interval
    almost = PollPacer(STEADY)
    almost.next_delay(0.0, 0)
    assert almost.next_delay(1.0, 99.9).seconds == MIN_DELAY


def test_a_rate_that_jumps_is_followed_then_a_stall_falls_back_to_the_backoff() -> None:
    pacer = PollPacer(STEADY)
    assert pacer.next_delay(0.0, 0).seconds == BACKOFF[0]
    jumped = pacer.next_delay(1.0, 80).seconds  # 80 points in 1 s: done in about 0.25 s
    assert MIN_DELAY <= jumped < 0.5
    # Then the rate sticks at 80: nothing to predict from, the backoff goes on where it left off.
    assert pace(pacer, [(1.3, 80), (3.3, 80), (7.3, 80)]) == BACKOFF[1:4]


def test_a_rate_unchanged_for_less_than_two_points_of_time_is_not_a_stall() -> None:
    """At 99 twice in a row just before the end (the rate is floored): still on pace, not back to a 1 s backoff."""
    pacer = PollPacer(STEADY)
    pacer.next_delay(0.0, 0)
    pacer.next_delay(20.0, 66)
    pacer.next_delay(29.9, 99)
    again = pacer.next_delay(30.1, 99)  # 3.3 points/s: two points take 0.6 s
    assert MIN_DELAY <= again.seconds < 1.0
    assert "predicts completion" in again.reason
    assert pacer.next_delay(31.0, 99).seconds == BACKOFF[1]  # 1.1 s without a point: a stall


def test_a_stall_after_progress_slows_the_prediction_down() -> None:
    """When the rate moves again after a stall, the speed counts the stalled time: the prediction is later."""
    steady, stalled = PollPacer(STEADY), PollPacer(STEADY)
    for pacer in (steady, stalled):
        pacer.next_delay(0.0, 0)
    stalled.next_delay(2.0, 20)
    stalled.next_delay(6.0, 20)
    assert stalled.next_delay(8.0, 40).seconds > steady.next_delay(2.0, 20).seconds


def test_a_rate_that_goes_backwards_starts_over_from_there() -> None:
    pacer = PollPacer(STEADY)
    pacer.next_delay(0.0, 0)
    pacer.next_delay(1.0, 50)
    assert pacer.next_delay(2.0, 10).seconds == BACKOFF[0]  # a reset: the backoff, from the first step
    after_reset = pacer.next_delay(3.0, 20).seconds  # 10 points in 1 s since the reset, not 20 in 3 s
    fresh = PollPacer(STEADY)
    fresh.next_delay(2.0, 10)
    assert after_reset == fresh.next_delay(3.0, 20).seconds


def test_a_rate_at_100_that_is_not_done_follows_the_backoff() -> None:
    pacer = PollPacer(STEADY)
    pacer.next_delay(0.0, 50)
    assert pace(pacer, [(1.0, 100), (2.0, 100), (4.0, 100)]) == BACKOFF[1:4]


def test_without_follow_progress_a_moving_rate_is_ignored() -> None:
    pacer = PollPacer(replace(STEADY, follow_progress=False))
    readings: list[tuple[float, float | None]] = [(float(i), 10.0 * i) for i in range(len(BACKOFF))]
    assert pace(pacer, readings) == BACKOFF


# --- wired into the waiter, sync and async -----------------------------------------------------


class LinearExport:
    """A fake service whose export runs ``duration`` seconds of the fake clock from its first poll."""

    def __init__(self, clock: FakeClock, duration: float) -> None:
        self.clock = clock
        self.duration = duration
        self.started = clock.now
        self.rate = emulator_rate(duration)
        self.polls = 0

    def __call__(self, _request: httpx.Request) -> httpx.Response:
        self.polls += 1
        elapsed = self.clock.now - self.started
        return workbook() if elapsed >= self.duration else status("importing", str(self.rate(elapsed)))


def test_wait_for_export_polls_near_completion() -> None:
    clock = FakeClock()
    export = LinearExport(clock, 10.0)
    ready = Twin(clock=clock, policy=STEADY).wait(Script(export, repeat_last=True), timeout=60)
    assert isinstance(ready, ExportReady)
    assert export.polls <= 7
    assert 0 <= ready.elapsed - 10.0 <= 0.5
    assert clock.sleeps[0] == 1.0  # nothing to predict from one reading


def test_the_async_waiter_paces_exactly_as_the_sync_one() -> None:
    runs = []
    for kind in ("sync", "async"):
        clock = FakeClock()
        export = LinearExport(clock, 30.0)
        Twin(kind, clock).wait(Script(export, repeat_last=True), timeout=120.0, policy=STEADY)
        runs.append((export.polls, clock.sleeps))
    assert runs[0] == runs[1]
    assert runs[0][0] <= 10
