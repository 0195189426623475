"""The atomic writer on its own (lib.atomic_file): exclusive temporary files, permissions, commit and abort.

The download tests show the writer at work behind the helpers; these hold
the promises a caller relies on directly: the temporary file is created
exclusively (a file that happens to have its name is never opened, let
alone overwritten) with a fresh name on a collision, it is hidden beside the
destination, the committed file gets the permissions ``open()`` would give,
and every failure leaves the destination as it was and no temporary file.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from dataarts_export_client.lib.atomic_file import AtomicFileWriter, resolve_destination
from dataarts_export_client.lib.errors import DestinationError

PREVIOUS = b"the workbook that was there before"


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the random part of temporary names come from this list, in order."""
    queue: list[str] = []

    def token_hex(nbytes: int) -> str:
        assert nbytes == 6
        return queue.pop(0)

    monkeypatch.setattr(secrets, "token_hex", token_hex)
    return queue


def listing(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_a_taken_temporary_name_is_skipped_and_left_alone(tmp_path: Path, names: list[str]) -> None:
    target = tmp_path / "out.xlsx"
    squatter = tmp_path / ".out.xlsx.aaaaaaaaaaaa.part"
    squatter.write_bytes(b"someone else's file")
    names.extend(["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    with AtomicFileWriter(target) as writer:
        assert writer.temporary == tmp_path / ".out.xlsx.bbbbbbbbbbbb.part"
        writer.write(b"new")
        writer.commit()
    assert squatter.read_bytes() == b"someone else's file"
    assert target.read_bytes() == b"new"
    assert listing(tmp_path) == [".out.xlsx.aaaaaaaaaaaa.part", "out.xlsx"]


def test_no_free_temporary_name_is_a_destination_error(tmp_path: Path, names: list[str]) -> None:
    target = tmp_path / "out.xlsx"
    (tmp_path / ".out.xlsx.cccccccccccc.part").write_bytes(b"taken")
    names.extend(["cccccccccccc"] * 100)
    with pytest.raises(DestinationError) as caught:
        AtomicFileWriter(target)
    assert caught.value.errno is None
    assert caught.value.filename == str(target)
    assert str(caught.value) == f"cannot write {target}: FileExistsError"
    assert str(caught.value.__cause__) == f"no free temporary name beside {target}"
    assert names == []  # a hundred tries, then it gives up


def test_a_long_name_is_cut_in_the_temporary_name(tmp_path: Path, names: list[str]) -> None:
    long_name = "x" * 200 + ".xlsx"
    names.append("dddddddddddd")
    with AtomicFileWriter(tmp_path / long_name) as writer:
        assert writer.temporary.name == "." + "x" * 64 + ".dddddddddddd.part"


@pytest.fixture
def umask() -> Iterator[int]:
    previous = os.umask(0o027)
    yield 0o027
    os.umask(previous)


def test_the_committed_file_has_the_permissions_open_would_give(tmp_path: Path, umask: int) -> None:
    with AtomicFileWriter(tmp_path / "out.xlsx") as writer:
        writer.write(b"x")
        committed = writer.commit()
    assert stat.S_IMODE(committed.stat().st_mode) == 0o666 & ~umask
    with open(tmp_path / "plain.xlsx", "wb"):
        pass
    assert stat.S_IMODE((tmp_path / "plain.xlsx").stat().st_mode) == stat.S_IMODE(committed.stat().st_mode)


def test_truncate_starts_the_file_again(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with AtomicFileWriter(target) as writer:
        writer.write(b"first ")
        writer.write(b"attempt")
        assert writer.written == 13
        writer.truncate()
        assert writer.written == 0
        writer.write(b"second")
        assert writer.written == 6
        assert writer.commit() == target
    assert target.read_bytes() == b"second"


def test_a_failed_commit_leaves_the_destination_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(PREVIOUS)

    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with AtomicFileWriter(target) as writer:
        writer.write(b"new")
        monkeypatch.setattr(os, "fsync", no_space)
        with pytest.raises(DestinationError) as caught:
            writer.commit()
    assert (caught.value.errno, caught.value.strerror) == (errno.ENOSPC, "No space left on device")
    assert target.read_bytes() == PREVIOUS
    assert listing(tmp_path) == ["out.xlsx"]


def test_an_uncommitted_writer_removes_its_file_once_even_if_closed_twice(tmp_path: Path) -> None:
    writer = AtomicFileWriter(tmp_path / "out.xlsx")
    writer.write(b"partial")
    writer.close()
    writer.close()
    writer.abort()
    assert listing(tmp_path) == []


def test_a_committed_file_survives_close(tmp_path: Path) -> None:
    writer = AtomicFileWriter(tmp_path / "out.xlsx")
    writer.write(b"whole")
    writer.commit()
    writer.close()
    assert (tmp_path / "out.xlsx").read_bytes() == b"whole"


def test_directories_that_cannot_be_opened_skip_the_directory_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows cannot open a directory: the commit stands without the directory fsync."""
    real_open = os.open

    def no_directories(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if Path(path) == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_directories)
    with AtomicFileWriter(tmp_path / "out.xlsx") as writer:
        writer.write(b"whole")
        writer.commit()
    assert (tmp_path / "out.xlsx").read_bytes() == b"whole"


@pytest.mark.parametrize(
    ("server_name", "expected"),
    [("report.xlsx", "report.xlsx"), ("../../etc/passwd", "passwd"), (None, "u-1.xlsx"), ("..", "u-1.xlsx")],
)
def test_a_directory_destination_gets_a_safe_name(tmp_path: Path, server_name: str | None, expected: str) -> None:
    assert resolve_destination(tmp_path, server_name, "u-1") == tmp_path / expected
    assert resolve_destination(tmp_path / "given.xlsx", server_name, "u-1") == tmp_path / "given.xlsx"


class FullDisk:
    """A file on a full disk: writes (and the flush of ``close``) fail with ENOSPC; seeking fails if asked to."""

    def __init__(self, inner: IO[Any], *, seek_fails: bool = False) -> None:
        self._inner = inner
        self._seek_fails = seek_fails

    def write(self, _chunk: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def seek(self, offset: int) -> int:
        if self._seek_fails:
            raise OSError(errno.EIO, "Input/output error")
        return self._inner.seek(offset)

    def truncate(self) -> int:
        return self._inner.truncate()

    def close(self) -> None:
        self._inner.close()
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make the next writers' files :class:`FullDisk` files."""

    def install(**options: bool) -> None:
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode), **options))

    return install


def test_a_full_disk_while_writing_is_a_destination_error(tmp_path: Path, full_disk: Callable[..., None]) -> None:
    """The failing flush when the file is closed does not hide the write's error nor keep the temporary file."""
    target = tmp_path / "out.xlsx"
    target.write_bytes(PREVIOUS)
    full_disk()
    with AtomicFileWriter(target) as writer, pytest.raises(DestinationError) as caught:
        writer.write(b"new")
    error = caught.value
    assert (error.errno, error.strerror, error.filename) == (errno.ENOSPC, "No space left on device", str(target))
    assert isinstance(error.__cause__, OSError)
    assert writer.written == 0
    assert target.read_bytes() == PREVIOUS
    assert listing(tmp_path) == ["out.xlsx"]


def test_a_failed_truncate_is_a_destination_error(tmp_path: Path, full_disk: Callable[..., None]) -> None:
    target = tmp_path / "out.xlsx"
    full_disk(seek_fails=True)
    with AtomicFileWriter(target) as writer, pytest.raises(DestinationError) as caught:
        writer.truncate()
    assert (caught.value.errno, caught.value.filename) == (errno.EIO, str(target))
    assert listing(tmp_path) == []


def test_a_directory_fsync_that_fails_does_not_undo_the_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Some file systems refuse to fsync a directory: the rename has happened, the file is there."""
    real_fsync = os.fsync

    def files_only(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", files_only)
    with AtomicFileWriter(tmp_path / "out.xlsx") as writer:
        writer.write(b"whole")
        assert writer.commit() == tmp_path / "out.xlsx"
    assert (tmp_path / "out.xlsx").read_bytes() == b"whole"
