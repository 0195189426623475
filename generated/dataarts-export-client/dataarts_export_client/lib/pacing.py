"""When to poll a running export again: near the completion its progress predicts, else the capped backoff.

The status answer carries ``rate``, the export's progress (0-100). A blind
backoff ignores it and so finishes late, with a request count that depends
on luck; :class:`PollPacer` reads the rate over time instead. Sans-I/O: it
is fed the clock and the reported percentage and answers a delay, so the
sync and async helpers share it and the tests drive it on a fake clock.

The prediction. The readings since the rate last went backwards form a run;
its first and latest readings give the export's speed (percentage points
per second) and so the time left. A rate unchanged since the last reading
is still a reading (the export is not further along yet), unless it has
stayed put for longer than the run's speed needs to move two points: that
is a stall. A service floors, rounds or ceils the
rate it reports, so each reading is taken to be within
:data:`RATE_UNCERTAINTY` points of the truth, which turns the time left into
an interval ``[earliest, latest]``:

* when the interval is narrow (at most :data:`SPREAD_SECONDS` or
  :data:`SPREAD_FRACTION` of the predicted duration), poll at ``latest``:
  the export has finished by then, and not long before;
* when it is wide (too few points of progress yet), poll at ``earliest``:
  the export may have finished by then, and if not the reading, taken over
  a longer stretch, narrows the interval.

Either way the delay is capped by ``policy.max_poll_interval``, so a
prediction never makes polling sparser than the backoff's slowest pace, and
floored at :data:`MIN_DELAY`. Whenever the rate gives nothing to predict
from (absent, stalled, gone backwards, or at 100 while the export is
still not done), the next delay is the policy's capped,
jittered backoff, as it is with ``policy.follow_progress`` off; a rate that
goes backwards starts the backoff over too, since the export started over.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .backoff import RetryPolicy

__all__ = [
    "MIN_DELAY",
    "RATE_UNCERTAINTY",
    "READING_SPREAD",
    "SPREAD_FRACTION",
    "SPREAD_SECONDS",
    "Pace",
    "PollPacer",
    "Reading",
]

RATE_UNCERTAINTY = 1.0
"""How far (percentage points, either way) a reported rate may be from the true progress: floored, rounded or ceiled."""
SPREAD_SECONDS = 0.2
"""A prediction this narrow (seconds) is trusted: the poll goes to the latest completion it allows."""
SPREAD_FRACTION = 0.03
"""...or this narrow relative to the predicted duration of the whole export.

Above ``2 * RATE_UNCERTAINTY / 100``, the spread that a single reading
leaves however long the run, so that every prediction eventually qualifies
instead of sending polls ever closer together.
"""
READING_SPREAD = 2 * RATE_UNCERTAINTY  # pragma: no mutate (equivalent: "2 / 1.0" is "2 * 1.0")
"""How far the progress made between two readings may be from their difference: each may be off either way."""
MIN_DELAY = 0.05
"""The shortest predicted delay (seconds), so that a prediction of "now" never turns into a busy loop."""


@dataclass(frozen=True, slots=True)
class Reading:
    """The progress reported at one moment: ``at`` on the poller's clock, ``percent`` 0-100."""

    at: float
    percent: float


@dataclass(frozen=True, slots=True)
class Pace:
    """The delay before the next poll, and why (for the debug log)."""

    seconds: float
    reason: str


class PollPacer:
    """Chooses the delay before each poll of one export from the progress it reported (see the module docs)."""

    def __init__(self, policy: RetryPolicy, rng: random.Random | None = None) -> None:
        self._backoff = policy.poll_backoff(rng)
        self._cap = policy.max_poll_interval
        self._follow = policy.follow_progress
        self._run: tuple[Reading, Reading] | None = None
        """The first and the latest reading of the current run (readings since the rate last went backwards)."""

    def next_delay(self, now: float, percent: float | None) -> Pace:
        """The delay before the next poll, given the progress ``percent`` (``None``: none reported) at ``now``."""
        reading = Reading(now, percent) if percent is not None and math.isfinite(percent) else None
        latest = self._observe(reading)
        if latest is None or self._run is None or latest.percent >= 100:
            return Pace(self._backoff.next_delay(), "still running")
        return self._predict(self._run[0], latest)

    def _observe(self, reading: Reading | None) -> Reading | None:
        """Record ``reading``; return the reading to predict from, or ``None`` when there is nothing to predict."""
        if not self._follow or reading is None:
            return None
        if self._run is None or reading.percent < self._run[1].percent:
            if self._run is not None:  # the rate went backwards (the service started over): so does the backoff
                self._backoff.reset()
            self._run = (reading, reading)  # a new run
            return None
        first, last = self._run
        if reading.at <= last.at:
            return None
        if reading.percent > last.percent:
            self._run = (first, reading)
            return reading
        return reading if self._on_pace(first, last, reading) else None

    @staticmethod
    def _on_pace(first: Reading, last: Reading, unchanged: Reading) -> bool:
        """Whether a rate unchanged since ``last`` is only too fine to see, not stalled.

        The rate moves in whole points: at the run's speed, it may take a while
        to move by the :data:`RATE_UNCERTAINTY` on either side. An unchanged
        rate is a stall only once that while has passed.
        """
        gained = last.percent - first.percent
        if gained <= 0:
            return False
        speed = gained / (last.at - first.at)
        return speed * (unchanged.at - last.at) <= READING_SPREAD

    def _predict(self, first: Reading, last: Reading) -> Pace:
        span = last.at - first.at
        gained = last.percent - first.percent
        fastest = (gained + READING_SPREAD) / span
        slowest = (gained - READING_SPREAD) / span
        left = 100.0 - last.percent
        earliest = max(0.0, left - RATE_UNCERTAINTY) / fastest
        latest = (left + RATE_UNCERTAINTY) / slowest if slowest > 0 else math.inf
        duration = 100.0 * span / gained
        if latest - earliest <= max(SPREAD_SECONDS, SPREAD_FRACTION * duration):
            target, reason = latest, f"progress {last.percent:g}% predicts completion within {latest:.2f}s"
        else:
            shown = f"{latest:.1f}s" if math.isfinite(latest) else "?"
            target, reason = earliest, f"progress {last.percent:g}% predicts completion in {earliest:.1f}s-{shown}"
        return Pace(min(max(target, MIN_DELAY), self._cap), reason)
