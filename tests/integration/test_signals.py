"""Signals at any moment: ``dataarts-export`` in a process of its own, against the emulator on 127.0.0.1.

SIGINT (Ctrl-C), SIGTERM (``timeout``, a container stop, systemd) and SIGHUP
(a closed terminal) while the export runs and while its workbook is being
downloaded: the process exits with 128 + the signal's number, names the
export with the commands to come back to it (the user's ``--dest`` kept), and
leaves no temporary file. A process killed outright (SIGKILL) cannot tidy
up: the next download into the folder removes what it left. An import
(``import``, or ``copy``'s second half) interrupted while it runs is named
with the ``import-result`` command that waits for its outcome.

The child starts with the default dispositions of these signals whatever
the test runner ignores (a background job of a shell ignores SIGINT), by a
shim that then runs the package as ``python -m`` does.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client.lib.atomic_file import STALE_AFTER

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
UUID_IN_PROGRESS = re.compile(r"^export ([0-9a-f-]{36}): importing", re.MULTILINE)
SHIM = (
    "import runpy, signal, sys;"
    "signal.signal(signal.SIGINT, signal.default_int_handler);"
    "signal.signal(signal.SIGTERM, signal.SIG_DFL);"
    "signal.signal(signal.SIGHUP, signal.SIG_DFL);"
    "sys.argv[0] = 'dataarts-export';"
    "runpy.run_module('dataarts_export_client.lib', run_name='__main__', alter_sys=True)"
)
EXPORT = ["--type", "TABLE_MODEL", "--id", "1224641525420683264"]


class Command:
    """``dataarts-export argv`` in a child process; its stderr is read as it comes (by a thread, joined at the end)."""

    def __init__(self, emulator: RunningEmulator, *argv: str) -> None:
        env = {name: value for name, value in os.environ.items() if not name.startswith(("DATAARTS_", "HUAWEICLOUD_"))}
        env.update(emulator.env())
        self.process = subprocess.Popen(
            [sys.executable, "-c", SHIM, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._err: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._err.append(line)

    @property
    def err(self) -> str:
        return "".join(self._err)

    def wait_for(self, condition: Callable[[], object], what: str, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(f"the command ended ({self.process.returncode}) before {what}: {self.err}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {seconds}s: {self.err}")
            time.sleep(0.02)

    def finish(self, seconds: float = 30.0) -> tuple[int, str, str]:
        """Wait for the end: the exit code, stdout and stderr (stdout is a line at most: it fits in the pipe)."""
        code = self.process.wait(seconds)
        self._reader.join(seconds)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        with self.process.stdout, self.process.stderr:
            return code, self.process.stdout.read(), self.err

    def stop(self) -> None:
        """Kill the command if it still runs, and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        assert self.process.stdout is not None
        if not self.process.stdout.closed:
            self.finish()


@pytest.fixture
def commands() -> Iterator[list[Command]]:
    """The commands a test starts; any still running at its end is killed and reaped."""
    started: list[Command] = []
    yield started
    for command in started:
        command.stop()


def parts(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".part")]


def assert_interrupted(code: int, err: str, signum: int, uuid: str, dest: str) -> None:
    assert code == 128 + signum, err
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert f"`dataarts-export status --uuid {uuid}`" in err
    assert f"`dataarts-export download --uuid {uuid} --dest {dest}`" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda signum: signal.Signals(signum).name)
@pytest.mark.dataarts_emulator(export_seconds=60.0)
def test_a_signal_while_the_export_runs(
    dataarts_emulator: RunningEmulator, tmp_path: Path, commands: list[Command], signum: int
) -> None:
    command = Command(dataarts_emulator, "export", *EXPORT, "--dest", f"{tmp_path}/")
    commands.append(command)
    command.wait_for(lambda: UUID_IN_PROGRESS.search(command.err), "progress line")
    match = UUID_IN_PROGRESS.search(command.err)
    assert match is not None
    command.process.send_signal(signum)
    code, out, err = command.finish()
    assert out == ""
    assert_interrupted(code, err, signum, match[1], f"{tmp_path}/")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda signum: signal.Signals(signum).name)
@pytest.mark.dataarts_emulator(export_seconds=0.0, trickle_rate=1.0, trickle_bytes_per_second=1024.0)
def test_a_signal_in_the_middle_of_the_download(
    dataarts_emulator: RunningEmulator, tmp_path: Path, commands: list[Command], signum: int
) -> None:
    command = Command(dataarts_emulator, "export", *EXPORT, "--sync", "--dest", str(tmp_path))
    commands.append(command)
    command.wait_for(lambda: parts(tmp_path), "temporary file")
    command.process.send_signal(signum)
    code, out, err = command.finish()
    assert out == ""
    (uuid,) = {request.query["uuid"] for request in dataarts_emulator.requests if "uuid" in request.query}
    assert_interrupted(code, err, signum, uuid, str(tmp_path))
    assert os.listdir(tmp_path) == []


@pytest.mark.dataarts_emulator(export_seconds=0.0, trickle_rate=1.0, trickle_bytes_per_second=1024.0)
def test_what_a_killed_download_left_is_removed_by_the_next_one(
    dataarts_emulator: RunningEmulator, tmp_path: Path, commands: list[Command]
) -> None:
    killed = Command(dataarts_emulator, "export", *EXPORT, "--sync", "--dest", str(tmp_path))
    commands.append(killed)
    killed.wait_for(lambda: parts(tmp_path), "temporary file")
    killed.process.kill()
    assert killed.finish()[0] == -signal.SIGKILL
    (left,) = parts(tmp_path)
    past = time.time() - STALE_AFTER - 1
    os.utime(tmp_path / left, (past, past))  # as if the next run came a while later
    (uuid,) = {request.query["uuid"] for request in dataarts_emulator.requests if "uuid" in request.query}

    again = Command(dataarts_emulator, "download", "--uuid", uuid, "--dest", str(tmp_path), "--quiet")
    commands.append(again)
    code, out, err = again.finish(60.0)
    assert code == 0, err
    assert os.listdir(tmp_path) == [Path(out.strip()).name]


UUID_OF_IMPORT = re.compile(r"^import ([0-9a-f-]{36}): importing", re.MULTILINE)


def code_tables(folder: Path) -> Path:
    """A workbook of one code table, as the emulator exports it."""
    path = folder / "codes.xlsx"
    path.write_bytes(build_workbook(ExportRequest(type="codeTable", ids=("1224641525420683264",))))
    return path


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda signum: signal.Signals(signum).name)
@pytest.mark.dataarts_emulator(import_seconds=60.0)
def test_a_signal_while_an_import_runs_names_it_and_import_result_fetches_it(
    dataarts_emulator: RunningEmulator, tmp_path: Path, commands: list[Command], signum: int
) -> None:
    command = Command(dataarts_emulator, "import", str(code_tables(tmp_path)), "--action", "import_codetable")
    commands.append(command)
    command.wait_for(lambda: UUID_OF_IMPORT.search(command.err), "progress line")
    match = UUID_OF_IMPORT.search(command.err)
    assert match is not None
    command.process.send_signal(signum)
    code, out, err = command.finish()
    assert (code, out) == (128 + signum, "")
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert f"import {match[1]} may still be running: `dataarts-export import-result --uuid {match[1]}`" in err
    assert "do not send the workbook again" in err
    assert "Traceback" not in err

    dataarts_emulator.advance(60)
    again = Command(dataarts_emulator, "import-result", "--uuid", match[1], "--quiet")
    commands.append(again)
    code, out, err = again.finish()
    assert code == 0, err
    assert f'"uuid": "{match[1]}", "status": "success"' in out


@pytest.mark.dataarts_emulator(export_seconds=0.0, import_seconds=60.0)
def test_a_signal_in_the_import_half_of_copy_names_the_import_where_it_goes(
    dataarts_emulator: RunningEmulator, commands: list[Command]
) -> None:
    workspace = dataarts_emulator.workspace
    command = Command(dataarts_emulator, "copy", "--type", "codeTable", *EXPORT[2:], "--to-workspace", workspace)
    commands.append(command)
    command.wait_for(lambda: UUID_OF_IMPORT.search(command.err), "progress line of the import")
    match = UUID_OF_IMPORT.search(command.err)
    assert match is not None
    command.process.send_signal(signal.SIGTERM)
    code, out, err = command.finish()
    assert (code, out) == (128 + signal.SIGTERM, "")
    assert f"`dataarts-export import-result --uuid {match[1]} --workspace {workspace}`" in err
