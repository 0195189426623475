"""SIGTERM and SIGHUP end a command the way Ctrl-C does: the cleanup runs, and the exit code names the signal.

Python turns SIGINT into ``KeyboardInterrupt``, which unwinds the command:
``finally`` blocks and context managers run, and a download's temporary
file is removed. SIGTERM (``timeout``, ``docker stop``, systemd) and SIGHUP
(a closed terminal) would end the process on the spot and leave the file
behind. For the duration of a command both raise :class:`Terminated`
instead, a ``BaseException`` as ``KeyboardInterrupt`` is, so that no
``except Exception`` on the way swallows it. A signal the process was
started ignoring (``nohup`` ignores SIGHUP) stays ignored, and so does one
a host program set a handler for.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, NoReturn

__all__ = ["RAISING", "Terminated", "signal_of", "signals_raise"]

RAISING = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
"""The signals turned into :class:`Terminated` (Windows has no SIGHUP)."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived during a command; ``signum`` says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise(signum: int, _frame: FrameType | None) -> NoReturn:
    raise Terminated(signum)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """For the block, :data:`RAISING` signals with the default action raise :class:`Terminated`.

    Handlers can only be set in the main thread: called from another one
    (a host program running commands in threads), nothing changes.
    """
    previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in RAISING:
            if signal.getsignal(signum) is signal.SIG_DFL:
                previous[signum] = signal.signal(signum, _raise)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def signal_of(stop: KeyboardInterrupt | Terminated) -> int:
    """The signal that stopped the command: SIGINT for a ``KeyboardInterrupt``."""
    return stop.signum if isinstance(stop, Terminated) else signal.SIGINT
