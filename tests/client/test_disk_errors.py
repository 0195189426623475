"""The disk can fail too: a destination that cannot be written, and Ctrl-C in the middle of a download.

Permission denied and a full disk are simulated by patching the ``os`` calls
that ``lib.atomic_file`` makes (the suite runs as any user, root included,
for whom permissions do not hold). Each case must end with ``DestinationError`` (a
``DataArtsError``, exit 5 on the command line), leave no temporary file and
keep a file already at the destination unchanged.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataarts_emulator.harness import RunningEmulator
from dataarts_export_client.lib import DataArtsError, DestinationError, cli
from dataarts_export_client.lib.atomic_file import AtomicFileWriter
from dataarts_export_client.lib.cli.outcomes import EXIT_TRANSFER

from .client_fakes import FAST_POLICY, failing
from .range_fakes import CONTENT, MODES, RangeServer, fetch

PREVIOUS = b"the workbook that was there before"


no_space = failing(errno.ENOSPC)


class FullDiskFile:
    """A file whose writes fail once the disk is full (after ``room`` bytes)."""

    def __init__(self, inner: Any, room: int) -> None:
        self._inner = inner
        self._room = room

    def write(self, data: bytes) -> int:
        if len(data) > self._room:
            no_space()
        self._room -= len(data)
        return int(self._inner.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def fill_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FullDiskFile(real_fdopen(fd, mode), room=1000))


def fail_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", no_space)


def deny_creation(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def guarded_open(path: Any, flags: int, *args: Any) -> int:
        if str(path).endswith(".part"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", guarded_open)


def fail_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", failing(errno.EACCES))


FAILURES: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "no space while writing": fill_disk,
    "no space at fsync": fail_fsync,
    "permission denied creating the file": deny_creation,
    "permission denied renaming it": fail_rename,
}


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("mode", MODES)
def test_an_unwritable_destination_is_a_typed_error_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, failure: str
) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(PREVIOUS)
    server = RangeServer()
    FAILURES[failure](monkeypatch)
    with pytest.raises(DestinationError) as caught:
        fetch(mode, server, target)
    assert isinstance(caught.value, DataArtsError)
    assert isinstance(caught.value, OSError)
    assert caught.value.errno in (errno.ENOSPC, errno.EACCES)
    assert str(caught.value).startswith(f"cannot write {target}: ")
    assert len(server.statuses) == 1  # not retried: another attempt would meet the same disk
    assert target.read_bytes() == PREVIOUS
    assert sorted(os.listdir(tmp_path)) == ["x.xlsx"]


def interrupt_after_first_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = AtomicFileWriter.write

    def write(self: AtomicFileWriter, chunk: bytes) -> None:
        real_write(self, chunk)
        raise KeyboardInterrupt

    monkeypatch.setattr(AtomicFileWriter, "write", write)


@pytest.mark.parametrize("mode", MODES)
def test_ctrl_c_during_a_download_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(PREVIOUS)
    interrupt_after_first_chunk(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        fetch(mode, RangeServer(content=CONTENT), target)
    assert target.read_bytes() == PREVIOUS
    assert sorted(os.listdir(tmp_path)) == ["x.xlsx"]


EMULATOR = pytest.mark.dataarts_emulator(export_seconds=0.2, seed=5)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, dataarts_emulator: RunningEmulator, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith(("DATAARTS_", "HUAWEICLOUD_")):
            monkeypatch.delenv(name)
    for name, value in dataarts_emulator.env().items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def export(folder: Path) -> int:
    argv = ["export", "--type", "TABLE_MODEL", "--id", "1224641525420683264", "--dest", str(folder), "--quiet"]
    return cli.main(argv, policy=FAST_POLICY)


@EMULATOR
def test_cli_full_disk_exits_5_with_one_line(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fail_fsync(monkeypatch)
    assert export(cli_env) == EXIT_TRANSFER
    err = capsys.readouterr().err
    assert "cannot write" in err
    assert os.strerror(errno.ENOSPC) in err
    assert "Traceback" not in err
    assert os.listdir(cli_env) == []


@EMULATOR
def test_cli_ctrl_c_during_the_download_names_the_uuid_and_leaves_nothing(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt_after_first_chunk(monkeypatch)
    assert export(cli_env) == 130  # 128 + SIGINT, as the exit-code table documents
    err = capsys.readouterr().err
    assert "interrupted" in err
    assert "status --uuid " in err
    assert "download --uuid " in err
    assert os.listdir(cli_env) == []
