"""Seeded fault injection: server errors, throttling, latency and cut-short downloads.

Faults exist so that clients can prove their retry, back-off and integrity
checks against something that misbehaves on demand. One seeded random stream
decides every fault, so a run with the same seed and the same sequence of
requests misbehaves the same way. ``/healthz`` never sees a fault: readiness
probes must not flap.
"""

from __future__ import annotations

import random
import threading

from .exceptions import INJECTED_SERVER_ERRORS, Throttled
from .settings import EmulatorSettings


class FaultInjector:
    """Draws faults from one seeded stream; the settings' rates are fractions of requests (0 disables)."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.fault_rate = settings.fault_rate
        self.throttle_rate = settings.throttle_rate
        self.truncate_rate = settings.truncate_rate
        self.latency_seconds = settings.latency_ms / 1000.0
        self.retry_after_seconds = settings.retry_after_seconds
        seed = settings.seed
        # Offset so the fault stream differs from the job store's streams for the same seed.
        self._rng = random.Random(None if seed is None else seed + 2)  # noqa: S311 - reproducible, not secret
        self._lock = threading.Lock()

    def check_request(self) -> None:
        """Raise :class:`Throttled` or an injected server error for this request, or return to answer normally."""
        if not self.fault_rate and not self.throttle_rate:
            return
        with self._lock:
            draw = self._rng.random()
            if draw < self.throttle_rate:
                raise Throttled(self.retry_after_seconds)
            if draw < self.throttle_rate + self.fault_rate:
                raise self._rng.choice(INJECTED_SERVER_ERRORS)()

    def truncate_at(self, size: int) -> int | None:
        """How many bytes of a ``size``-byte download to send before hanging up, or None for all."""
        if not self.truncate_rate or size < 2:
            return None
        with self._lock:
            if self._rng.random() >= self.truncate_rate:
                return None
            return self._rng.randrange(1, size)
