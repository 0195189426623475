"""Sending a file body the way a bad network would: cut short, stalled midway, or trickled.

:class:`DeliveredResponse` is a Starlette response that declares the full
``Content-Length`` and then sends its body as a
:class:`~dataarts_emulator.faults.Delivery` says:

* ``cut``: that many bytes, then it returns without the final body message,
  which makes the server close the connection — a dropped download;
* ``stall_at``: that many bytes, then nothing for ``stall_seconds`` (longer
  than a client's read timeout, so the client gives up and resumes), then the rest;
* ``bytes_per_second``: small chunks spaced so the body arrives at that pace
  (a per-read timeout never fires; only a deadline on the whole call does).

While it waits it listens for the client leaving, and stops at once when it
has: a slow body must not keep the server busy for a client that is gone.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .faults import Delivery

_TICK = 0.05  # seconds between chunks of a trickle (fewer, larger chunks for fast paces)


class _ClientWatch:
    """Notices the ``http.disconnect`` message while the response waits."""

    def __init__(self, receive: Receive) -> None:
        self._task = asyncio.ensure_future(self._watch(receive))

    @staticmethod
    async def _watch(receive: Receive) -> None:
        while True:
            message: Any = await receive()
            if message["type"] == "http.disconnect":
                return

    @property
    def gone(self) -> bool:
        return self._task.done()

    async def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the client leaves first; True when it is still there."""
        if seconds > 0 and not self.gone:
            await asyncio.wait({self._task}, timeout=seconds)
        return not self.gone

    def close(self) -> None:
        self._task.cancel()


class DeliveredResponse(Response):
    """A file answer sent according to a :class:`Delivery` (see the module docstring)."""

    def __init__(
        self, content: bytes, delivery: Delivery, status_code: int, headers: Mapping[str, str], media_type: str
    ) -> None:
        super().__init__(content, status_code=status_code, headers=dict(headers), media_type=media_type)
        self.delivery = delivery

    def _pieces(self) -> list[tuple[int, int, float]]:
        """(start, end, pause before) of each chunk, up to the cut."""
        plan, size = self.delivery, len(self.body)
        end = size if plan.cut is None else plan.cut
        pace = plan.bytes_per_second
        step = end if pace is None else max(1, math.floor(pace * _TICK))
        stops = set(range(0, end, step))
        if plan.stall_at is not None and plan.stall_at < end:
            stops.add(plan.stall_at)
        starts = sorted(stops)
        pieces = []
        for index, start in enumerate(starts):
            stop = starts[index + 1] if index + 1 < len(starts) else end
            pause = plan.stall_seconds if start == plan.stall_at else 0.0
            if pace is not None and index:
                pause += (start - starts[index - 1]) / pace
            pieces.append((start, stop, pause))
        return pieces

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        watch = _ClientWatch(receive)
        try:
            for start, stop, pause in self._pieces():
                if not await watch.wait(pause):
                    return
                await send({"type": "http.response.body", "body": self.body[start:stop], "more_body": True})
            if self.delivery.cut is None:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watch.close()
