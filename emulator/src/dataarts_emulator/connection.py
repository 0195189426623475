"""Resetting the client's connection before any answer: the injected :class:`~.exceptions.ConnectionReset`.

ASGI has no message for "hang up without answering": an app that raises or
returns before ``http.response.start`` gets a ``500 Internal Server Error``
from the server (uvicorn) or the framework (Starlette). So the emulator does
what a dying load balancer does, at the socket: it finds uvicorn's transport
for the request (its ``receive`` is a bound method of the request cycle,
which holds the transport), arms ``SO_LINGER`` with a zero timeout so that
closing sends a TCP RST, and aborts the transport. Once uvicorn has noticed
the connection is gone, returning without a response is silent (uvicorn only
answers 500 to a connection that is still there).

Where there is no such transport (an in-process ``httpx.ASGITransport``),
:func:`drop_connection` returns False and the app lets the
:class:`~.exceptions.ConnectionReset` propagate to the caller instead.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from starlette.types import Receive

_SETTLE_ROUNDS = 20  # event-loop turns to wait for uvicorn's connection_lost after the abort


async def drop_connection(receive: Receive) -> bool:
    """Reset the connection ``receive`` belongs to; False when the server gives no way to."""
    cycle: Any = getattr(receive, "__self__", None)
    transport: Any = getattr(cycle, "transport", None)
    if transport is None or not hasattr(cycle, "disconnected") or not hasattr(transport, "abort"):
        return False
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # A zero linger time makes the close an RST: "connection reset by peer", not an orderly FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    for _ in range(_SETTLE_ROUNDS):
        if cycle.disconnected:
            break
        await asyncio.sleep(0)
    return True
