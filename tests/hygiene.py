"""The suite leaves nothing behind: a private temporary folder per session, and a check when the session ends.

When the session starts, this plugin makes one folder under the system's
temporary folder and points ``HOME`` (importing Huawei's official SDK writes
``$HOME/.huaweicloud/application_id``) and ``TMPDIR`` (with
``tempfile.tempdir``, for this process) into it, so whatever the tests and
the processes they start create with :mod:`tempfile` lands there, pytest's
own ``tmp_path`` folders included. When the session ends, the check fails it
if a test left behind

* a file or folder in that ``TMPDIR`` (pytest's ``tmp_path`` base aside),
* a child process still running (it is then ended, so nothing outlives the
  report), or
* a listening socket this process did not have when the session started;

then the whole folder is removed and ``HOME``/``TMPDIR`` are restored. The
check reads one folder and asks :mod:`psutil` twice, so it costs
milliseconds. It works session by session, so it holds in the forked runs
of ``make mutation`` too.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

_PYTEST_TEMP = "pytest-of-"  # pytest's tmp_path base: tempfile.gettempdir()/pytest-of-<user>


@dataclass
class _Session:
    root: Path
    saved_environ: dict[str, str | None]
    saved_tempdir: str | None
    listening: set[tuple[str, int]]
    leaks: list[str] = field(default_factory=list)


_KEY = pytest.StashKey[_Session]()


def _listening() -> set[tuple[str, int]]:
    """The addresses this process listens on."""
    connections = psutil.Process().net_connections(kind="inet")
    return {(c.laddr.ip, c.laddr.port) for c in connections if c.status == psutil.CONN_LISTEN}


def _running_children() -> list[psutil.Process]:
    """Descendants of this process that still run (an exited, unreaped one holds nothing but a table entry)."""
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            continue
    return alive


def find_leaks(temp: Path, listening_before: set[tuple[str, int]]) -> list[str]:
    """What the session left behind, one line each; ends the child processes it finds."""
    leaks = [
        f"temporary {'folder' if entry.is_dir() else 'file'} {entry.name}"
        for entry in sorted(temp.iterdir())
        if not entry.name.startswith(_PYTEST_TEMP)
    ]
    children = _running_children()
    for child in children:
        try:
            leaks.append(f"child process {child.pid}: {' '.join(child.cmdline()) or child.name()}")
        except psutil.NoSuchProcess:
            continue
        child.kill()
    psutil.wait_procs(children, timeout=5)
    leaks += [f"listening socket {ip}:{port}" for ip, port in sorted(_listening() - listening_before)]
    return leaks


def pytest_configure(config: pytest.Config) -> None:
    root = Path(tempfile.mkdtemp(prefix="dataarts-tests-"))
    (root / "home").mkdir()
    (root / "tmp").mkdir()
    session = _Session(
        root,
        {name: os.environ.get(name) for name in ("HOME", "TMPDIR")},
        tempfile.tempdir,
        _listening(),
    )
    config.stash[_KEY] = session
    os.environ["HOME"] = str(root / "home")
    os.environ["TMPDIR"] = tempfile.tempdir = str(root / "tmp")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash[_KEY]
    state.leaks = find_leaks(state.root / "tmp", state.listening)
    if state.leaks:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    leaks = config.stash[_KEY].leaks
    if leaks:
        terminalreporter.section("left behind by the tests", sep="=", red=True, bold=True)
        for leak in leaks:
            terminalreporter.line(leak)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_KEY, None)
    if state is None:
        return
    tempfile.tempdir = state.saved_tempdir
    for name, value in state.saved_environ.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(state.root, onerror=_writable_and_again)


def _writable_and_again(function: Callable[[str], object], path: str, _: object) -> None:
    """Remove ``path`` after making it and its folder writable (a test may have made them read-only)."""
    for target in (os.path.dirname(path), path):
        os.chmod(target, 0o700)
    function(path)
