"""Retry and polling schedules, shared by the sync and async helpers (no I/O here).

Polling an export and retrying a failed call are both "wait, then ask
again", with delays that grow so that a slow export or a struggling service
is not hammered, and that are jittered so that many clients started together
do not ask in lockstep. Both schedules are described by one immutable
:class:`RetryPolicy` and drawn from :class:`Backoff`.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

from .errors import ConfigurationError

__all__ = ["DEFAULT_POLICY", "RETRYABLE_STATUS_CODES", "Backoff", "Jitter", "RetryPolicy", "parse_retry_after"]

Jitter = Literal["full", "decorrelated", "none"]
"""How a delay is randomised.

``full``: uniform between 0 and the exponential ceiling (AWS "full jitter").
``decorrelated``: uniform between the base delay and ``factor`` times the
previous delay, capped (AWS "decorrelated jitter"); never shorter than the
base delay, which suits polling. ``none``: the exponential ceiling itself
(deterministic, for tests and reproducible runs).
"""

RETRYABLE_STATUS_CODES = frozenset({429, 500, 502, 503, 504})
"""Answers worth repeating an idempotent call for: throttling and transient server or gateway failures."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Knobs of polling and retrying; the defaults suit the public service.

    Polling starts ``poll_interval`` seconds apart and backs off by
    ``backoff_factor`` up to ``max_poll_interval``. After a retryable failure
    (connection error, 429, 500, 502, 503, 504) the next attempt waits
    ``retry_interval`` growing up to ``max_retry_interval``, or the answer's
    ``Retry-After`` (at most ``max_retry_after``); after ``max_retries``
    consecutive failures the error is raised. A broken or short file transfer
    that made no progress is attempted at most ``max_download_attempts``
    times in all; a transfer that saved bytes before breaking is resumed
    (``Range``) without counting against that limit, within the deadline.

    ``retry_start`` (the default) retries the ``POST`` that starts an export
    like a poll: on 429, 500, 502, 503, 504, connection errors and timeouts.
    A retried start that had in fact reached the service leaves one extra
    export job behind (it costs the service a job, nothing more); with
    ``retry_start=False`` only failures that prove nothing was started (a
    429, a connection that could not be made) are retried.

    With ``follow_progress`` (the default) a running export is polled near
    the completion its reported progress predicts, at most
    ``max_poll_interval`` apart, and the backoff above is the fallback for
    when the progress gives nothing to predict from (see ``lib.pacing``);
    without it, polling follows the backoff alone.
    """

    poll_interval: float = 1.0
    max_poll_interval: float = 10.0
    backoff_factor: float = 2.0
    jitter: Jitter = "decorrelated"
    retry_interval: float = 0.5
    max_retry_interval: float = 30.0
    max_retries: int = 5
    max_retry_after: float = 300.0
    max_download_attempts: int = 3
    follow_progress: bool = True
    retry_start: bool = True

    def __post_init__(self) -> None:
        numbers = (self.poll_interval, self.max_poll_interval, self.backoff_factor)
        if not all(map(math.isfinite, (*numbers, self.retry_interval, self.max_retry_interval, self.max_retry_after))):
            raise ConfigurationError("the intervals, backoff_factor and max_retry_after must be finite numbers")
        if self.poll_interval <= 0 or self.retry_interval <= 0:
            raise ConfigurationError("poll_interval and retry_interval must be positive")
        if self.max_poll_interval < self.poll_interval or self.max_retry_interval < self.retry_interval:
            raise ConfigurationError("the maximum intervals must not be below the initial intervals")
        if self.backoff_factor < 1:
            raise ConfigurationError("backoff_factor must be at least 1")
        if self.max_retries < 0 or self.max_download_attempts < 1 or self.max_retry_after < 0:
            raise ConfigurationError(
                "max_retries >= 0, max_download_attempts >= 1 and max_retry_after >= 0 are required"
            )
        if self.jitter not in ("full", "decorrelated", "none"):
            raise ConfigurationError(f"unknown jitter {self.jitter!r}")

    def poll_backoff(self, rng: random.Random | None = None) -> Backoff:
        """The schedule of delays between polls of a running export."""
        return Backoff(self.poll_interval, self.max_poll_interval, self.backoff_factor, self.jitter, rng)

    def retry_backoff(self, rng: random.Random | None = None) -> Backoff:
        """The schedule of delays between retries of a failed call."""
        return Backoff(self.retry_interval, self.max_retry_interval, self.backoff_factor, self.jitter, rng)


DEFAULT_POLICY = RetryPolicy()

# Jitter only needs unpredictability across processes, not cryptographic
# strength; SystemRandom simply avoids seeding concerns.
_SYSTEM_RANDOM = random.SystemRandom()


class Backoff:
    """An exponential schedule of delays: ``next_delay()`` draws the next one, ``reset()`` starts over.

    The ceiling grows by one multiplication per delay and stops at the cap,
    rather than being computed as ``base * factor ** attempt``: that power
    overflows a float (``OverflowError``) after about a thousand attempts,
    which a long export polled without a rate reaches in an hour or so.
    """

    def __init__(
        self, base: float, cap: float, factor: float, jitter: Jitter, rng: random.Random | None = None
    ) -> None:
        self._base = base
        self._cap = cap
        self._factor = factor
        self._jitter = jitter
        self._rng = rng or _SYSTEM_RANDOM
        self._ceiling = min(cap, base)
        self._previous = base

    def reset(self) -> None:
        """Start again from the base delay (after a success)."""
        self._ceiling = min(self._cap, self._base)
        self._previous = self._base

    def next_delay(self) -> float:
        """The next delay in seconds, never above the cap."""
        ceiling = self._ceiling
        self._ceiling = min(self._cap, ceiling * self._factor)
        if self._jitter == "none":
            delay = ceiling
        elif self._jitter == "full":
            delay = self._rng.uniform(0, ceiling)
        else:
            delay = min(self._cap, self._rng.uniform(self._base, max(self._base, self._previous * self._factor)))
        self._previous = delay
        return delay


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` value, or ``None`` when absent or unreadable.

    Accepts both forms of RFC 9110: delay seconds (``120``) and an HTTP-date
    (``Wed, 21 Oct 2015 07:28:00 GMT``), the latter measured from ``now``
    (default: the current UTC time); a date in the past means "now" (0).
    Both forms are ASCII: a value with any other character (``²``, Arabic-Indic
    or full-width digits, which ``str.isdigit`` and ``int`` accept) is unreadable.
    Delay seconds too large for a float read as infinity (the policy's
    ``max_retry_after`` bounds the wait).
    """
    if value is None:
        return None
    text = value.strip()
    if not text or not text.isascii():
        return None
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max(0.0, (moment - reference).total_seconds())
