"""Run the emulator for tests: ``serve()`` in a thread, ``serve_process()`` as a child process.

A real socket and a real uvicorn server, not an in-process transport, so that
clients exercise their actual HTTP stack (connection handling, truncated
bodies, the official SDK's ``requests`` session). ``serve`` runs it in a
background thread; ``serve_process`` runs ``python -m dataarts_emulator`` (or
an installed ``dataarts-emulator``) as a child process, as a user starts it. Stable interface: other suites
rely on ``serve(settings=None) -> Iterator[str]`` and ``serve_process``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from .app import create_app
from .models import Clock
from .settings import EmulatorSettings

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
    with serve_app(create_app(settings, clock=clock), log_level=log_level) as base_url:
        yield base_url


@contextmanager
def serve_app(app: ASGIApp, *, log_level: str = "warning") -> Iterator[str]:
    """Serve any ASGI ``app`` as :func:`serve` does (the pytest plugin serves a wrapped emulator this way)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
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
    wait_until_healthy(
        base_url, lambda: (server.started or None) if thread.is_alive() else False, "the emulator thread stopped"
    )


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (released before use; the window for a clash is tiny)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_healthy(
    base_url: str, ready: Callable[[], bool | None], stopped: str, timeout: float = _STARTUP_TIMEOUT
) -> None:
    """Return once ``/healthz`` answers 200; raise ``RuntimeError(stopped)`` when ``ready()`` is False.

    ``ready()`` returns True when the server may answer, None while it is still
    starting, and False when it has stopped, so a crash is reported at once
    instead of after the timeout.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = ready()
        if state is False:
            raise RuntimeError(f"{stopped} during start-up")
        if state:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.02)
    raise TimeoutError(f"the emulator at {base_url} did not become ready within {timeout} s")


@contextmanager
def serve_process(
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    stdout: int | IO[Any] | None = subprocess.DEVNULL,
    stderr: int | IO[Any] | None = None,
    text: bool = False,
    program: Sequence[str | Path] = (sys.executable, "-m", "dataarts_emulator"),
) -> Iterator[tuple[str, subprocess.Popen[Any]]]:
    """Run ``<program> --host 127.0.0.1 --port <free> *args``; yield (base URL, process).

    Returns once ``/healthz`` answers; terminates the process on exit (killing
    it if it does not stop within 10 s). ``env`` replaces the environment, so
    credentials can travel as ``DATAARTS_EMULATOR_*`` variables rather than in
    ``argv``, which other users of the machine can read. ``program`` is the
    command that starts the emulator: by default this interpreter's
    ``python -m dataarts_emulator``; another environment's ``dataarts-emulator``
    script, to run an installed copy as its users do.
    """
    port = free_port()
    command = [*map(str, program), "--host", "127.0.0.1", "--port", str(port), *args]
    process = subprocess.Popen(  # noqa: S603 - the emulator's own command; args are flags
        command, env=None if env is None else dict(env), cwd=cwd, stdout=stdout, stderr=stderr, text=text
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, lambda: process.poll() is None, "the emulator process exited", timeout=20.0)
        yield base_url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
