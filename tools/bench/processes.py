"""Child processes of the bench: workers in fresh interpreters, and servers on 127.0.0.1 stopped afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dataarts_emulator.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / "tools" / "node" / "node_modules" / ".bin"
HOST = "127.0.0.1"

__all__ = ["HOST", "NODE_BIN", "ROOT", "BenchError", "free_port", "run_worker", "sdk_env", "server"]


class BenchError(RuntimeError):
    """A measurement could not be made (a worker or server failed); the message says which and why."""


def sdk_env() -> dict[str, str]:
    """The environment for a process that imports the official SDK, which writes to ``$HOME`` on import."""
    return {**os.environ, "HOME": tempfile.mkdtemp(prefix="bench-home-")}


def _tail(text: str | bytes | None) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return "\n".join((text or "").strip().splitlines()[-8:])


def _json_lines(text: str | bytes | None) -> list[dict[str, Any]]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return [json.loads(line) for line in (text or "").splitlines() if line.startswith("{")]


def run_worker(
    module: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 300
) -> list[dict[str, Any]]:
    """Run ``python -m tools.bench.<module> *args`` in a fresh interpreter; return the JSON lines it printed.

    A worker prints one JSON object per finished measurement, so when it is
    stopped at ``timeout`` the lines printed so far are still returned.
    """
    command = [sys.executable, "-m", f"tools.bench.{module}", *args]
    try:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=None if env is None else dict(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return _json_lines(expired.stdout)
    if done.returncode != 0:
        tail = _tail(done.stderr)
        last = tail.splitlines()[-1] if tail else "no output"
        raise BenchError(f"{module} exited {done.returncode}: {last}\n{tail}")
    return _json_lines(done.stdout)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited {process.returncode} during start-up")
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{name} did not listen on {HOST}:{port} within {timeout:g} s")


@contextmanager
def server(name: str, command: Sequence[str], port: int, *, timeout: float = 30) -> Iterator[str]:
    """Start ``command`` (which must listen on ``HOST:port``); yield its base URL; stop it on exit.

    Its output goes to a scratch log, shown in the error when it fails to start.
    The command runs in a process group of its own, and the whole group is
    stopped: the Node.js tools are started through a launcher whose child
    would otherwise outlive it (a Prism left listening after the run).
    """
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            try:
                _wait_for_port(port, process, name, timeout)
            except BenchError as error:
                log.seek(0)
                raise BenchError(f"{error}\n{_tail(log.read())}") from None
            yield f"http://{HOST}:{port}"
        finally:
            _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to every process of ``process``'s group, SIGKILL to the group after 10 s; then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
