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
from dataclasses import dataclass

SERVER_FAULTS: tuple[tuple[int, str, str], ...] = (
    (500, "DLG.0500", "Internal server error (injected fault)."),
    (502, "APIG.0202", "Backend unavailable (injected fault)."),
    (503, "DLG.0503", "Service temporarily unavailable (injected fault)."),
)
THROTTLE_CODE = "APIG.0308"
THROTTLE_MESSAGE = "The request is throttled."


@dataclass(frozen=True)
class Fault:
    """An answer to give instead of the real one."""

    status: int
    code: str
    message: str
    retry_after: int | None = None


class FaultInjector:
    """Draws faults from one seeded stream; rates are fractions of requests (0 disables)."""

    def __init__(
        self,
        *,
        fault_rate: float = 0.0,
        throttle_rate: float = 0.0,
        truncate_rate: float = 0.0,
        latency_ms: float = 0.0,
        retry_after_seconds: int = 1,
        seed: int | None = None,
    ) -> None:
        self.fault_rate = fault_rate
        self.throttle_rate = throttle_rate
        self.truncate_rate = truncate_rate
        self.latency_seconds = latency_ms / 1000.0
        self.retry_after_seconds = retry_after_seconds
        # Offset so the fault stream differs from the job store's streams for the same seed.
        self._rng = random.Random(None if seed is None else seed + 2)  # noqa: S311 - reproducible, not secret
        self._lock = threading.Lock()

    def request_fault(self) -> Fault | None:
        """Throttling or a server error for this request, or None to answer normally."""
        if not self.fault_rate and not self.throttle_rate:
            return None
        with self._lock:
            draw = self._rng.random()
            if draw < self.throttle_rate:
                return Fault(429, THROTTLE_CODE, THROTTLE_MESSAGE, self.retry_after_seconds)
            if draw < self.throttle_rate + self.fault_rate:
                status, code, message = self._rng.choice(SERVER_FAULTS)
                return Fault(status, code, message)
        return None

    def truncate_at(self, size: int) -> int | None:
        """How many bytes of a ``size``-byte download to send before hanging up, or None for all."""
        if not self.truncate_rate or size < 2:
            return None
        with self._lock:
            if self._rng.random() >= self.truncate_rate:
                return None
            return self._rng.randrange(1, size)
