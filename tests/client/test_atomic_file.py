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
import fcntl
import logging
import os
import secrets
import stat
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from dataarts_export_client.lib.atomic_file import O_BINARY, STALE_AFTER, AtomicFileWriter, Clobber
from dataarts_export_client.lib.errors import DestinationError

from .client_fakes import failing

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


def test_the_temporary_name_is_cut_by_bytes_not_characters(tmp_path: Path, names: list[str]) -> None:
    """60 emoji and .xlsx make a valid 245-byte name; cut at 64 characters, its temporary name would not be."""
    name = "\N{GRINNING FACE}" * 60 + ".xlsx"
    names.extend(["eeeeeeeeeeee", "ffffffffffff"])
    with AtomicFileWriter(tmp_path / name) as writer:
        assert writer.temporary.name == "." + "\N{GRINNING FACE}" * 16 + ".eeeeeeeeeeee.part"
        writer.write(b"whole")
        writer.commit()
    assert (tmp_path / name).read_bytes() == b"whole"
    with AtomicFileWriter(tmp_path / ("\N{LATIN SMALL LETTER E WITH ACUTE}" * 40)) as writer:  # 2 bytes each
        assert writer.temporary.name == "." + "\N{LATIN SMALL LETTER E WITH ACUTE}" * 32 + ".ffffffffffff.part"


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


# --- what a commit may replace -----------------------------------------------------------------------


def test_a_numbered_commit_takes_the_first_free_name_at_the_moment_of_the_rename(tmp_path: Path) -> None:
    """The name is claimed when the file is complete: one that appeared during the download is kept."""
    target = tmp_path / "out.xlsx"
    with AtomicFileWriter(target, Clobber.NUMBER) as writer:
        writer.write(b"new")
        target.write_bytes(PREVIOUS)
        (tmp_path / "out (1).xlsx").write_bytes(PREVIOUS)
        assert writer.commit() == tmp_path / "out (2).xlsx"
    assert writer.target == tmp_path / "out (2).xlsx"
    assert target.read_bytes() == PREVIOUS
    assert (tmp_path / "out (2).xlsx").read_bytes() == b"new"
    assert listing(tmp_path) == ["out (1).xlsx", "out (2).xlsx", "out.xlsx"]


def test_a_numbered_commit_takes_the_name_itself_when_free(tmp_path: Path) -> None:
    with AtomicFileWriter(tmp_path / "out.xlsx", Clobber.NUMBER) as writer:
        writer.write(b"new")
        assert writer.commit() == tmp_path / "out.xlsx"
    assert listing(tmp_path) == ["out.xlsx"]


def test_a_numbered_name_of_a_long_name_still_fits(tmp_path: Path) -> None:
    name = "\N{LATIN SMALL LETTER E WITH ACUTE}" * 125 + ".xlsx"  # 255 bytes
    (tmp_path / name).write_bytes(PREVIOUS)
    with AtomicFileWriter(tmp_path / name, Clobber.NUMBER) as writer:
        writer.write(b"new")
        committed = writer.commit()
    assert committed.name == "\N{LATIN SMALL LETTER E WITH ACUTE}" * 123 + " (1).xlsx"
    assert len(os.fsencode(committed.name)) == 255


def test_a_hundred_taken_names_are_a_destination_error(tmp_path: Path) -> None:
    (tmp_path / "out.xlsx").write_bytes(PREVIOUS)
    for number in range(1, 100):
        (tmp_path / f"out ({number}).xlsx").write_bytes(PREVIOUS)
    with AtomicFileWriter(tmp_path / "out.xlsx", Clobber.NUMBER) as writer:
        writer.write(b"new")
        with pytest.raises(DestinationError) as caught:
            writer.commit()
    assert caught.value.errno == errno.EEXIST
    assert str(caught.value) == f"cannot write {tmp_path / 'out.xlsx'}: it and 99 numbered names are taken"
    assert len(listing(tmp_path)) == 100
    assert (tmp_path / "out (99).xlsx").read_bytes() == PREVIOUS


def test_a_refusing_commit_keeps_a_file_that_appeared(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    with AtomicFileWriter(target, Clobber.REFUSE) as writer:
        writer.write(b"new")
        target.write_bytes(PREVIOUS)
        with pytest.raises(DestinationError) as caught:
            writer.commit()
    assert (caught.value.errno, caught.value.filename) == (errno.EEXIST, str(target))
    assert str(caught.value) == f"cannot write {target}: a file is already there (not replaced)"
    assert target.read_bytes() == PREVIOUS
    assert listing(tmp_path) == ["out.xlsx"]


@pytest.fixture
def no_hard_links(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system without hard links (FAT, some network shares): ``os.link`` fails with EPERM."""
    monkeypatch.setattr(os, "link", failing(errno.EPERM))


@pytest.mark.usefixtures("no_hard_links")
def test_without_hard_links_a_name_is_claimed_then_replaced(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(PREVIOUS)
    with AtomicFileWriter(target, Clobber.NUMBER) as writer:
        writer.write(b"new")
        assert writer.commit() == tmp_path / "out (1).xlsx"
    with AtomicFileWriter(target, Clobber.REFUSE) as writer:
        writer.write(b"new")
        with pytest.raises(DestinationError):
            writer.commit()
    assert target.read_bytes() == PREVIOUS
    assert (tmp_path / "out (1).xlsx").read_bytes() == b"new"
    assert listing(tmp_path) == ["out (1).xlsx", "out.xlsx"]


@pytest.mark.usefixtures("no_hard_links")
def test_without_hard_links_a_failed_rename_gives_the_claimed_name_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with AtomicFileWriter(tmp_path / "out.xlsx", Clobber.NUMBER) as writer:
        writer.write(b"new")
        monkeypatch.setattr(os, "replace", failing(errno.EACCES))
        with pytest.raises(DestinationError) as caught:
            writer.commit()
    assert caught.value.errno == errno.EACCES
    assert listing(tmp_path) == []


@pytest.mark.usefixtures("no_hard_links")
def test_without_hard_links_a_claim_that_cannot_be_given_back_leaves_the_rename_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_unlink = os.unlink

    def busy(path: Any, *args: Any, **kwargs: Any) -> None:
        if Path(path).name == "out.xlsx":
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))
        real_unlink(path, *args, **kwargs)

    with AtomicFileWriter(tmp_path / "out.xlsx", Clobber.NUMBER) as writer:
        writer.write(b"new")
        monkeypatch.setattr(os, "replace", failing(errno.EACCES))
        monkeypatch.setattr(os, "unlink", busy)
        with pytest.raises(DestinationError) as caught:
            writer.commit()
        monkeypatch.undo()
    assert caught.value.errno == errno.EACCES
    assert listing(tmp_path) == ["out.xlsx"], "the empty claim stays when it cannot be removed"


def test_a_temporary_file_that_cannot_be_unlinked_after_the_link_does_not_undo_the_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook has its name: failing to remove the second name only leaves a stale temporary behind."""
    real_unlink = os.unlink

    def refuse(path: Any, *args: Any, **kwargs: Any) -> None:
        if str(path).endswith(".part"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", refuse)
    with AtomicFileWriter(tmp_path / "out.xlsx", Clobber.NUMBER) as writer:
        writer.write(b"new")
        assert writer.commit() == tmp_path / "out.xlsx"
    assert (tmp_path / "out.xlsx").read_bytes() == b"new"


# --- temporary files left by a killed download, and signals ----------------------------------------


def age(path: Path, seconds: float) -> Path:
    """Set ``path``'s modification time ``seconds`` into the past."""
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def test_stale_temporaries_are_removed_by_the_next_writer_in_the_folder(tmp_path: Path) -> None:
    """A killed download could not remove its file; the next one removes those no live download holds."""

    def left(name: str, seconds_ago: float) -> Path:
        path = tmp_path / name
        path.write_bytes(b"left behind")
        return age(path, seconds_ago)

    left(".killed.xlsx.0123456789ab.part", STALE_AFTER + 1)
    fresh = left(".fresh.xlsx.0123456789ab.part", STALE_AFTER - 5)  # perhaps created but not yet locked
    others = [".x.part", "x.xlsx.0123456789ab.part", ".x.xlsx.0123456789AB.part", ".x.xlsx.0123456789a.part"]
    for name in others:
        left(name, STALE_AFTER + 1)
    with AtomicFileWriter(tmp_path / "new.xlsx") as writer:
        writer.write(b"new")
        writer.commit()
    assert listing(tmp_path) == sorted([fresh.name, "new.xlsx", *others])


def test_a_live_download_keeps_its_temporary_file_however_old(tmp_path: Path) -> None:
    with AtomicFileWriter(tmp_path / "slow.xlsx") as slow:
        slow.write(b"a slow download")
        age(slow.temporary, 10 * STALE_AFTER)
        with AtomicFileWriter(tmp_path / "other.xlsx") as other:
            other.write(b"x")
            other.commit()
        assert slow.temporary.exists()
        slow.write(b", which finishes")
        slow.commit()
    assert (tmp_path / "slow.xlsx").read_bytes() == b"a slow download, which finishes"


def test_only_regular_files_are_taken_as_stale(tmp_path: Path) -> None:
    """A symlink (to an old file) or a FIFO named like a temporary file is left alone, and a FIFO is not waited on."""
    victim = tmp_path / "victim.txt"
    victim.write_bytes(PREVIOUS)
    age(victim, 10 * STALE_AFTER)
    folder = tmp_path / "folder"
    folder.mkdir()
    link = folder / ".x.xlsx.0123456789ab.part"
    link.symlink_to(victim)
    os.utime(link, (0, 0), follow_symlinks=False)
    fifo = folder / ".y.xlsx.0123456789ab.part"
    os.mkfifo(fifo)
    age(fifo, 10 * STALE_AFTER)
    AtomicFileWriter(folder / "new.xlsx").close()
    assert victim.read_bytes() == PREVIOUS
    assert link.is_symlink()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize(("idle", "removed"), [(60.0, True), (59.5, False)])
def test_a_temporary_file_is_stale_after_exactly_a_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, idle: float, removed: bool
) -> None:
    now = 1_700_000_000.0
    left = tmp_path / ".x.xlsx.0123456789ab.part"
    left.write_bytes(b"left behind")
    os.utime(left, (now - idle, now - idle))
    monkeypatch.setattr(time, "time", lambda: now)
    AtomicFileWriter(tmp_path / "new.xlsx").close()
    assert left.exists() is not removed


def test_a_stale_temporary_file_is_recognised_whatever_its_name_holds(tmp_path: Path) -> None:
    """A line break is a valid character of a file name the caller chose, and of its temporary name."""
    left = tmp_path / ".two\nlines.xlsx.0123456789ab.part"
    left.write_bytes(b"left behind")
    age(left, STALE_AFTER + 1)
    AtomicFileWriter(tmp_path / "new.xlsx").close()
    assert listing(tmp_path) == []


def test_the_helpers_page_states_the_limits_these_tests_hold(repo_root: Path) -> None:
    """The stale age, the bytes a temporary name repeats and the last numbered name, as the tests above hold them."""
    page = " ".join((repo_root / "docs" / "reference" / "helpers.md").read_text(encoding="utf-8").split())
    assert "that have not been written to for a minute" in page
    assert "Temporary names repeat at most 64 bytes of the file's name" in page
    assert "the first free `name (1).xlsx` ... `name (99).xlsx` is taken" in page


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has its own O_BINARY")
def test_o_binary_adds_nothing_off_windows() -> None:
    """Off Windows there is no newline translation to turn off: the flag is 0, as its docstring says."""
    assert O_BINARY == 0


def test_removing_a_stale_temporary_file_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="dataarts_export_client")
    left = tmp_path / ".x.xlsx.0123456789ab.part"
    left.write_bytes(b"left behind")
    age(left, STALE_AFTER + 1)
    AtomicFileWriter(tmp_path / "new.xlsx").close()
    assert caplog.messages == [f"removed {left}, left by a download that was killed"]


@pytest.mark.parametrize(
    ("module", "name", "code"),
    [(fcntl, "flock", errno.ENOLCK), (os, "listdir", errno.EACCES)],
    ids=["a file system without locks", "an unreadable folder, which skips the tidying"],
)
def test_what_only_protects_temporary_files_may_fail_without_failing_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: object, name: str, code: int
) -> None:
    monkeypatch.setattr(module, name, failing(code))
    with AtomicFileWriter(tmp_path / "out.xlsx") as writer:
        writer.write(b"whole")
        writer.commit()
    monkeypatch.undo()
    assert listing(tmp_path) == ["out.xlsx"]
    assert (tmp_path / "out.xlsx").read_bytes() == b"whole"


def test_a_signal_while_the_temporary_file_is_created_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C (or the command line's SIGTERM/SIGHUP exception) just after the file was created."""

    def interrupted(*_args: Any) -> IO[Any]:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fdopen", interrupted)
    with pytest.raises(KeyboardInterrupt):
        AtomicFileWriter(tmp_path / "out.xlsx")
    assert listing(tmp_path) == []


def test_a_temporary_file_removed_by_someone_else_is_no_error(tmp_path: Path) -> None:
    writer = AtomicFileWriter(tmp_path / "out.xlsx")
    writer.temporary.unlink()
    writer.close()
    assert listing(tmp_path) == []


def test_a_writer_dropped_without_close_removes_its_file(tmp_path: Path) -> None:
    """A signal between the writer's creation and the caller's ``with`` drops it unclosed: it still tidies."""
    writer = AtomicFileWriter(tmp_path / "out.xlsx")
    writer.write(b"partial")
    del writer
    assert listing(tmp_path) == []
