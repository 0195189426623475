"""How long a download's watchdog waits: the time left before the deadline plus GRACE, never more.

``io_loops.guard`` (sync) shuts a stalled connection's socket from a timer
thread, and ``io_loops.async_guard`` bounds an async attempt with
``asyncio.timeout``; both run under decorators (``@contextmanager``), whose
bodies mutation testing found unguarded. A watchdog armed for longer than
the time left lets a stalled body run past the caller's deadline; a timer
thread that is not a daemon would keep a program alive at exit. Reading the
interval each was armed with (on a fake clock) says this without timing
anything.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from dataarts_export_client.lib import io_loops
from dataarts_export_client.lib.deadline import GRACE, Deadline


class _NetworkStream:
    """What httpx puts in ``response.extensions["network_stream"]`` for an answer read from a socket."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def get_extra_info(self, name: str) -> Any:
        return self._sock if name == "socket" else None


def deadline_with(remaining: float) -> Deadline:
    """A 60 s deadline on a clock standing where ``remaining`` seconds are left."""
    now = [1000.0]
    deadline = Deadline("uuid", 60.0, lambda: now[0])
    now[0] += 60.0 - remaining
    return deadline


@pytest.fixture
def armed(monkeypatch: pytest.MonkeyPatch) -> list[threading.Timer]:
    """The timers the watchdog starts, as they were made."""
    timers: list[threading.Timer] = []

    class RecordingTimer(threading.Timer):
        def __init__(self, interval: float, function: Callable[..., object], *args: Any, **kwargs: Any) -> None:
            super().__init__(interval, function, *args, **kwargs)
            timers.append(self)

    monkeypatch.setattr(threading, "Timer", RecordingTimer)
    return timers


@pytest.mark.parametrize(("remaining", "interval"), [(0.25, 0.25 + GRACE), (30.0, 30.0 + GRACE), (-3.0, GRACE)])
def test_the_sync_watchdog_waits_the_time_left_plus_grace_on_a_daemon_thread(
    armed: list[threading.Timer], remaining: float, interval: float
) -> None:
    with socket.socket() as sock:
        response = httpx.Response(200, extensions={"network_stream": _NetworkStream(sock)})
        with io_loops.guard(response, deadline_with(remaining)):
            (timer,) = armed
            assert timer.interval == interval
            assert timer.daemon is True  # a watchdog never keeps a program alive at exit
            assert timer.is_alive()
        timer.join(5)
        assert timer.finished.is_set()
        assert not timer.is_alive()


def test_an_answer_without_a_socket_needs_no_watchdog(armed: list[threading.Timer]) -> None:
    with io_loops.guard(httpx.Response(200), deadline_with(10.0)):
        pass
    assert armed == []


@pytest.mark.parametrize(("remaining", "bound"), [(0.25, 0.25 + GRACE), (30.0, 30.0 + GRACE), (-3.0, GRACE)])
async def test_an_async_attempt_is_bounded_by_the_time_left_plus_grace(
    monkeypatch: pytest.MonkeyPatch, remaining: float, bound: float
) -> None:
    bounds: list[float | None] = []
    real_timeout = asyncio.timeout

    def recording_timeout(delay: float | None) -> asyncio.Timeout:
        bounds.append(delay)
        return real_timeout(delay)

    monkeypatch.setattr(asyncio, "timeout", recording_timeout)
    async with io_loops.async_guard(deadline_with(remaining)):
        pass
    assert bounds == [bound]
