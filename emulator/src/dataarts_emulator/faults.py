"""Seeded fault injection: errors, throttling, resets, proxy pages, latency, and downloads cut, stalled or slowed.

Faults exist so that clients can prove their retry, back-off, resume and
integrity checks against something that misbehaves on demand. One seeded
random stream decides every fault, so a run with the same seed and the same
sequence of requests misbehaves the same way. A fault whose rate is 0 draws
nothing from the stream, so a run that leaves a kind of fault off meets the
same sequence as before that kind existed. ``/healthz`` never sees a fault:
readiness probes must not flap.

Two moments decide faults:

* :meth:`FaultInjector.check_request`, before anything else of an API
  request: one draw picks throttling (429), a server error (500/502/503), a
  connection reset or an HTML proxy page, each with its rate, or nothing;
* :meth:`FaultInjector.plan_delivery`, when a workbook (or a range of it) is
  about to be sent: whether it is cut short, where it stalls, and whether it
  trickles, as a :class:`Delivery`.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from .exceptions import INJECTED_SERVER_ERRORS, ConnectionReset, ProxyPage, Throttled
from .settings import EmulatorSettings


@dataclass(frozen=True)
class Delivery:
    """How one file body is sent: ``cut`` bytes then a hang-up, a pause at ``stall_at``, a pace.

    The default sends everything at once. ``cut`` and ``stall_at`` are
    offsets into the body (between 1 and its size - 1); ``bytes_per_second``
    paces the whole body.
    """

    cut: int | None = None
    stall_at: int | None = None
    stall_seconds: float = 0.0
    bytes_per_second: float | None = None

    @property
    def plain(self) -> bool:
        """Whether the body goes out whole and at once."""
        return self.cut is None and self.stall_at is None and self.bytes_per_second is None


PLAIN = Delivery()


class FaultInjector:
    """Draws faults from one seeded stream; the settings' rates are fractions of requests (0 disables)."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.latency_seconds = settings.latency_ms / 1000.0
        # Bands of the one draw per request, in this order.
        self._request_bands = (
            settings.throttle_rate,
            settings.fault_rate,
            settings.reset_rate,
            settings.proxy_page_rate,
        )
        self._rng = random.Random(None if settings.seed is None else _fault_seed(settings.seed))  # noqa: S311
        self._lock = threading.Lock()

    def check_request(self, throttle_limit: int) -> None:
        """Raise the fault this request meets, or return to answer it normally.

        :class:`Throttled` and the injected server errors are error answers;
        :class:`ConnectionReset` and :class:`ProxyPage` are acted out by the app.
        ``throttle_limit`` is the per-user limit a minute that injected
        throttling names, as the gateway's ``APIG.0308`` message does.
        """
        if not any(self._request_bands):
            return
        throttle, server_error, reset, proxy_page = self._request_bands
        with self._lock:
            draw = self._rng.random()
            if draw < throttle:  # pragma: no mutate (equivalent: "<=" differs only if the draw is the rate)
                raise Throttled(self.settings.retry_after_seconds, throttle_limit)
            draw -= throttle
            if draw < server_error:  # pragma: no mutate (equivalent: "<=" differs only if the draw is the rate)
                raise self._rng.choice(INJECTED_SERVER_ERRORS)()
        draw -= server_error
        if draw < reset:  # pragma: no mutate (equivalent: "<=" differs only if the draw is the rate)
            raise ConnectionReset
        draw -= reset
        if draw < proxy_page:  # pragma: no mutate (equivalent: "<=" differs only if the draw is the rate)
            raise ProxyPage

    def plan_delivery(self, size: int) -> Delivery:
        """How to send a ``size``-byte body: the truncation, stall and trickle faults, drawn in that order."""
        settings = self.settings
        if size < 2 or not (settings.truncate_rate or settings.stall_rate or settings.trickle_rate):
            return PLAIN
        with self._lock:
            cut = self._offset(settings.truncate_rate, size)
            stall_at = self._offset(settings.stall_rate, size)
            trickle = self._meets(settings.trickle_rate)
        return Delivery(
            cut=cut,
            stall_at=stall_at,
            stall_seconds=settings.stall_seconds if stall_at is not None else 0.0,
            bytes_per_second=settings.trickle_bytes_per_second if trickle else None,
        )

    def _offset(self, rate: float, size: int) -> int | None:
        """With probability ``rate``, an offset strictly inside the body; draws nothing when ``rate`` is 0."""
        return self._rng.randrange(1, size) if self._meets(rate) else None

    def _meets(self, rate: float) -> bool:
        """Whether this body meets a fault of probability ``rate``; draws nothing when ``rate`` is 0."""
        if not rate:
            return False
        return self._rng.random() < rate  # pragma: no mutate (equivalent: "<=" differs only if the draw is the rate)


def _fault_seed(seed: int) -> int:
    """The fault stream's seed: apart from the job store's streams (``seed`` and ``seed + 1``) for the same seed."""
    return seed + 2  # pragma: no mutate (equivalent: any seed apart from the job store's)
