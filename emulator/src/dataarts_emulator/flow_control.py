"""The API gateway's flow control: so many requests a minute per user and operation, then ``429 APIG.0308``.

DataArts Architecture's API overview gives each API two limits a minute, one
for all users together and one for each user (docs/fidelity.md F-LIMIT-1 and
F-LIMIT-2). The spec writes them on every operation as
``x-flow-control-per-minute`` (``api`` and ``user``), and this module reads
the per-user one from there, so the limits are written once, where the API's
other facts are.

With the ``flow_control`` setting on, a request that would exceed its
operation's per-user limit within the last 60 seconds is refused with the
gateway's ``APIG.0308``, worded as Huawei documents it (``Retry-After`` says
when the oldest counted request leaves the window); refused requests are not
counted. A tenant's credentials count as one user (the emulator has no IAM
users of its own). Off, the default, nothing is counted. The
all-users limit is recorded in the spec but not applied: a local emulator
serves one team.

The limits of each operation also word the injected throttling of
``--throttle-rate``, so every ``APIG.0308`` reads like the gateway's.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Hashable, Mapping
from typing import Any

from .exceptions import Throttled
from .models import Clock
from .routing import HTTP_METHODS

LIMITS_EXTENSION = "x-flow-control-per-minute"
"""The spec extension on each operation: ``{"api": N, "user": M}`` requests a minute."""
WINDOW_SECONDS = 60.0


def user_limits(spec: Mapping[str, Any]) -> dict[str, int]:
    """Each operation's per-user limit a minute, by operationId, read from the spec.

    Raises :class:`ValueError` naming an operation that declares no limit: every
    operation the emulator serves is counted, so none can be forgotten.
    """
    limits: dict[str, int] = {}
    for template, item in spec.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            declared = operation.get(LIMITS_EXTENSION)
            user = declared.get("user") if isinstance(declared, Mapping) else None
            if not isinstance(user, int) or isinstance(user, bool) or user < 1:
                raise ValueError(f"{method.upper()} {template} declares no {LIMITS_EXTENSION}.user limit")
            limits[str(operation.get("operationId", method))] = user
    return limits


class FlowControl:
    """Counts each user's requests per operation over the last minute; refuses those beyond the limit.

    Memory is bounded: at most ``limit`` timestamps per configured tenant and operation.
    """

    def __init__(self, limits: Mapping[str, int], clock: Clock, *, enabled: bool) -> None:
        self.limits = dict(limits)
        self.enabled = enabled
        self._clock = clock
        self._windows: dict[tuple[Hashable, str], deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, user: Hashable, operation_id: str) -> None:
        """Count this request of ``user``, or raise :class:`Throttled` when it would exceed the limit."""
        if not self.enabled:
            return
        limit = self.limits[operation_id]
        with self._lock:
            now = self._clock()
            window = self._windows.setdefault((user, operation_id), deque())
            while window and window[0] <= now - WINDOW_SECONDS:
                window.popleft()
            if len(window) >= limit:
                raise Throttled(max(1, math.ceil(window[0] + WINDOW_SECONDS - now)), limit)
            window.append(now)
