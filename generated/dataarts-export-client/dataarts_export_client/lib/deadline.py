"""The overall deadline of a helper call, enforced in every phase (sans-I/O, shared by sync and async).

``timeout`` bounds the whole call: the waits between attempts are clipped to
it, each request is sent with ``httpx`` timeouts no longer than what is left
of it, and a body that keeps trickling in (which per-read timeouts never
stop: every read returns a byte in time) is checked against it between
chunks. The last attempt may start exactly at the deadline; it gets
:data:`GRACE` seconds to finish, so a call ends within about a second of
its ``timeout``, with :class:`~.errors.ExportTimeout`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from .errors import ExportTimeout
from .log import logger

__all__ = ["GRACE", "Deadline", "Wait"]

GRACE = 0.5
"""Seconds granted past the deadline to an attempt that started at it (the clipped last attempt)."""


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep ``seconds``, then send the request again."""

    seconds: float
    reason: str


class Deadline:
    """Overall deadline on a monotonic clock, and the last progress reported before it (for the timeout error)."""

    def __init__(
        self,
        uuid: str | None,
        timeout: float,
        clock: Callable[[], float],
        timeout_error: type[ExportTimeout] = ExportTimeout,
    ) -> None:
        self.uuid = uuid
        self.timeout_error = timeout_error
        self.timeout = timeout
        self.clock = clock
        self.started = clock()
        self.last_rate: str | None = None

    @property
    def elapsed(self) -> float:
        """Seconds since the call started, on the call's clock."""
        return self.clock() - self.started

    @property
    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it has passed)."""
        return self.timeout - self.elapsed

    def expired(self) -> ExportTimeout:
        """The :class:`ExportTimeout` (or ``timeout_error``, an import's) to raise now."""
        return self.timeout_error(self.uuid, timeout=self.timeout, elapsed=self.elapsed, last_rate=self.last_rate)

    def check(self) -> None:
        """Raise :class:`ExportTimeout` once the deadline and its :data:`GRACE` have passed (called between chunks)."""
        if self.remaining < -GRACE:
            raise self.expired()

    def wait(self, seconds: float, reason: str, *, cause: BaseException | None = None) -> Wait:
        """A :class:`Wait` clipped to the deadline, or :class:`ExportTimeout` when it has passed.

        Clipping (rather than refusing a wait that would overrun) gives one
        last attempt exactly at the deadline. The wait is logged: at INFO
        when it is a retry (``cause`` is the failure), at DEBUG otherwise.
        """
        remaining = self.remaining
        if remaining <= 0:
            raise self.expired() from cause
        delay = max(0.0, min(seconds, remaining))
        # A retry (a wait with a cause) is news to whoever watches, at INFO; an ordinary poll is DEBUG.
        level = logging.DEBUG if cause is None else logging.INFO
        noun, uuid = self.timeout_error.noun, self.uuid or "(starting)"
        logger.log(level, "%s %s: %s; next attempt in %.2fs", noun, uuid, reason, delay)
        return Wait(delay, reason)

    def request_timeout(self, configured: httpx.Timeout) -> httpx.Timeout:
        """``configured`` (the client's timeouts) with every phase cut to what is left of the deadline, plus grace.

        So that a request that hangs (no connection, no answer, a stalled
        body) fails at the deadline, not at the client's own, longer timeout.
        """
        bound = max(self.remaining, 0.0) + GRACE

        def cut(value: float | None) -> float:
            return bound if value is None else min(value, bound)

        return httpx.Timeout(
            connect=cut(configured.connect),
            read=cut(configured.read),
            write=cut(configured.write),
            pool=cut(configured.pool),
        )
