"""The bench stops every server it starts, children of a launcher included.

The Node.js tools (Prism) run through a launcher that starts the real
``node`` as its child; stopping only the launcher left Prism listening after
``make bench``. This test starts a launcher of the same shape (a shell whose
child serves the port) and checks that nothing of it is left.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from dataarts_emulator.testing import free_port
from tools.bench.processes import server


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for every purpose here: it holds no port and runs no code.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text(encoding="utf-8")


def test_a_launchers_child_is_stopped_with_it(tmp_path: Path) -> None:
    port = free_port()
    child_pid_file = tmp_path / "child.pid"
    serve = f"{sys.executable} -m http.server --bind 127.0.0.1 {port}"
    # The shell stays the parent (no exec), as the Node.js launcher does.
    command = ["sh", "-c", f"{serve} & echo $! > {child_pid_file}; wait"]
    with server("launcher", command, port):
        child = int(child_pid_file.read_text(encoding="utf-8"))
        assert _alive(child)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the launcher's child outlived the bench's server()"
