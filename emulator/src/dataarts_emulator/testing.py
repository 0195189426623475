"""Run the emulator in a background thread for tests: ``with serve() as base_url: ...``.

A real socket and a real uvicorn server, not an in-process transport, so that
clients exercise their actual HTTP stack (connection handling, truncated
bodies, the official SDK's ``requests`` session). Stable interface: other
suites rely on ``serve(settings=None) -> Iterator[str]``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from .app import create_app
from .config import EmulatorSettings
from .models import Clock

_STARTUP_TIMEOUT = 10.0


@contextmanager
def serve(
    settings: EmulatorSettings | None = None,
    *,
    clock: Clock | None = None,
    log_level: str = "warning",
) -> Iterator[str]:
    """Serve ``create_app(settings)`` on a free 127.0.0.1 port; yield its base URL, e.g. ``http://127.0.0.1:54321``.

    Returns once ``/healthz`` answers 200; stops the server and joins the
    thread on exit. ``clock`` is passed to :func:`create_app`.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"dataarts-emulator-{port}")
    thread.daemon = True
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url, server, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_ready(base_url: str, server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the emulator thread stopped during start-up")
        if server.started:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.02)
    raise TimeoutError(f"the emulator at {base_url} did not become ready within {_STARTUP_TIMEOUT} s")
