"""Where a download may write, and what it may replace there: the rules that protect the user's files.

Each rule is shown on a real file system, in the test's temporary directory
(devices are made there with ``mknod``, never the machine's own ``/dev``
nodes: a broken client run as root would replace them):

* a name the server chose never replaces a file already there: it gets the
  ``.xlsx`` suffix and, when taken, the first free ``name (N).xlsx``; a file
  the caller named is replaced, unless ``overwrite=False``, and
  ``overwrite=True`` lets the server's name replace a file too;
* a character device or a FIFO is written straight through (never replaced
  by a regular file), a symlink is followed and its target written
  atomically, a block device, a socket or a terminal is refused;
* a path ending in ``/`` names a directory, which must exist; a file object
  (``sys.stdout.buffer`` for the command line's ``-``) gets the bytes as they
  come and is never rewound;
* the destination is checked before anything is asked of the service, and
  an error after the export names its uuid.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataarts_export_client.lib import DestinationError
from dataarts_export_client.lib.destination import StreamWriter

from .client_fakes import UUID, Script, Step, failing, workbook
from .range_fakes import MODES, RangeServer, assert_same_bytes, fetch
from .twin_fakes import Twin, started

CONTENT = b"PK\x03\x04" + bytes(range(256)) * 16
MINE = b"the user's own file"


def answers(*steps: Step) -> Script:
    """``steps``, or one workbook answer."""
    return Script(*(steps or (workbook(CONTENT),)))


def download(dest: Any, *steps: Step, **options: Any) -> tuple[Path, Script]:
    """``download_export`` of ``steps`` (default: one workbook answer) to ``dest``; the path and the script."""
    script = answers(*steps)
    return Twin().download(script, dest, **options), script


def refused(dest: Any, *steps: Step, **options: Any) -> tuple[DestinationError, Script]:
    """Download to ``dest`` expecting a :class:`DestinationError`; the error and the script."""
    script = answers(*steps)
    with pytest.raises(DestinationError) as caught:
        Twin().download(script, dest, **options)
    return caught.value, script


def listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# --- a name the server chose ---------------------------------------------------------------------


def test_a_server_name_never_replaces_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "report.xlsx").write_bytes(MINE)
    first, _ = download(tmp_path, workbook(CONTENT, name="report.xlsx"))
    second, _ = download(tmp_path, workbook(CONTENT[:100], name="report.xlsx"))
    assert (tmp_path / "report.xlsx").read_bytes() == MINE
    assert (first, second) == (tmp_path / "report (1).xlsx", tmp_path / "report (2).xlsx")
    assert (first.read_bytes(), second.read_bytes()) == (CONTENT, CONTENT[:100])
    assert listing(tmp_path) == ["report (1).xlsx", "report (2).xlsx", "report.xlsx"]


@pytest.mark.parametrize(
    ("server_name", "saved_as"),
    [("Makefile", "Makefile.xlsx"), ("notes.txt", "notes.txt.xlsx"), ("run.sh", "run.sh.xlsx"), ("R.XLSX", "R.XLSX")],
)
def test_a_server_name_always_ends_in_xlsx(tmp_path: Path, server_name: str, saved_as: str) -> None:
    (tmp_path / "Makefile").write_bytes(MINE)
    path, _ = download(tmp_path, workbook(CONTENT, name=server_name))
    assert path == tmp_path / saved_as
    assert path.read_bytes() == CONTENT
    assert (tmp_path / "Makefile").read_bytes() == MINE


def test_a_symlink_with_the_server_name_is_neither_followed_nor_replaced(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(MINE)
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "report.xlsx").symlink_to(outside)
    (folder / "gone.xlsx").symlink_to(tmp_path / "nothing-here")
    path, _ = download(folder, workbook(CONTENT, name="report.xlsx"))
    dangling, _ = download(folder, workbook(CONTENT, name="gone.xlsx"))
    assert (path, dangling) == (folder / "report (1).xlsx", folder / "gone (1).xlsx")
    assert outside.read_bytes() == MINE
    assert not (tmp_path / "nothing-here").exists()
    assert (folder / "report.xlsx").is_symlink()
    assert (folder / "gone.xlsx").is_symlink()


def test_overwrite_lets_the_server_name_replace_a_file(tmp_path: Path) -> None:
    (tmp_path / "report.xlsx").write_bytes(MINE)
    path, _ = download(tmp_path, workbook(CONTENT, name="report.xlsx"), overwrite=True)
    assert path == tmp_path / "report.xlsx"
    assert path.read_bytes() == CONTENT
    assert listing(tmp_path) == ["report.xlsx"]


def test_overwrite_false_refuses_a_file_that_appears_during_the_download(tmp_path: Path) -> None:
    target = tmp_path / "mine.xlsx"

    def answer(_request: httpx.Request) -> httpx.Response:
        target.write_bytes(MINE)  # someone else's file, made after the check
        return workbook(CONTENT)

    error, _ = refused(target, answer, overwrite=False)
    assert (error.errno, error.uuid) == (errno.EEXIST, UUID)
    assert target.read_bytes() == MINE
    assert listing(tmp_path) == ["mine.xlsx"]


def test_an_empty_dest_is_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path, _ = download("", workbook(CONTENT, name="report.xlsx"))
    assert path == Path("report.xlsx")
    assert (tmp_path / "report.xlsx").read_bytes() == CONTENT


@pytest.mark.parametrize("overwrite", [None, False])
def test_a_named_file_is_replaced_unless_overwrite_is_false(tmp_path: Path, overwrite: bool | None) -> None:
    target = tmp_path / "mine.xlsx"
    target.write_bytes(MINE)
    if overwrite is None:
        assert download(target)[0] == target
        assert target.read_bytes() == CONTENT
        return
    error, script = refused(target, overwrite=overwrite)
    assert (error.errno, error.filename, error.uuid) == (errno.EEXIST, str(target), UUID)
    assert error.strerror == "a file is already there (not replaced)"
    assert script.requests == [], "refused before asking the service anything"
    assert target.read_bytes() == MINE


# --- special files ---------------------------------------------------------------------------------


def make_device(path: Path, kind: int, device: int) -> Path:
    """A device node at ``path`` (``mknod``, which needs privileges): the test is skipped where it is refused."""
    try:
        os.mknod(path, kind | 0o666, device)
    except PermissionError:
        pytest.skip("mknod is not permitted here")
    return path


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    """A character device that discards what it is given, like /dev/null (made here, so no test can harm /dev)."""
    null = os.stat(os.devnull)
    assert stat.S_ISCHR(null.st_mode)
    return make_device(tmp_path / "null", stat.S_IFCHR, null.st_rdev)


def test_a_character_device_is_written_through_and_stays_a_device(tmp_path: Path, null_device: Path) -> None:
    before = os.stat(null_device)
    path, _ = download(null_device)
    after = os.stat(null_device)
    assert path == null_device
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert listing(tmp_path) == ["null"]


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A FIFO and a reading end opened on it (read/write, non-blocking: no thread needed, nothing blocks)."""
    path = tmp_path / "pipe"
    os.mkfifo(path)
    reader = os.open(path, os.O_RDWR | os.O_NONBLOCK)
    yield path, reader
    os.close(reader)


def drain(fd: int) -> bytes:
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return b"".join(chunks)
        chunks.append(chunk)


@pytest.mark.parametrize("mode", MODES)
def test_a_fifo_gets_the_bytes_and_stays_a_fifo(tmp_path: Path, fifo: tuple[Path, int], mode: str) -> None:
    path, reader = fifo
    assert fetch(mode, RangeServer(content=CONTENT), path) == path
    assert_same_bytes(drain(reader), CONTENT)
    assert stat.S_ISFIFO(os.stat(path).st_mode)
    assert listing(tmp_path) == ["pipe"]


def test_a_fifo_is_opened_write_only_and_never_as_the_controlling_terminal(
    fifo: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither created nor truncated, and ``O_NOCTTY``: a device that is a terminal never becomes this process's own.

    (Linux gives a session leader no controlling terminal through a write-only open anyway; other systems may.)
    """
    path, reader = fifo
    opened: list[tuple[str, int]] = []
    real_open = os.open

    def recording(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        opened.append((os.fspath(file), flags))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording)
    download(path)
    assert [flags for file, flags in opened if file == str(path)] == [os.O_WRONLY | os.O_NOCTTY]
    assert drain(reader) == CONTENT


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_takes_a_resumed_transfer_as_it_comes(tmp_path: Path, fifo: tuple[Path, int], mode: str) -> None:
    path, reader = fifo
    server = RangeServer(content=CONTENT, cuts=[1000, 2000])
    fetch(mode, server, path)
    assert server.statuses == [200, 206, 206]
    assert_same_bytes(drain(reader), CONTENT)


@pytest.mark.parametrize("mode", MODES)
def test_a_stream_is_never_rewound(tmp_path: Path, fifo: tuple[Path, int], mode: str) -> None:
    """A server that sends the whole file again after a cut: the bytes already sent cannot be taken back."""
    path, reader = fifo
    server = RangeServer(content=CONTENT, cuts=[1000], ignore_range=True)
    with pytest.raises(DestinationError) as caught:
        fetch(mode, server, path)
    assert (caught.value.errno, caught.value.filename, caught.value.uuid) == (errno.ESPIPE, str(path), UUID)
    assert caught.value.strerror == "what was written cannot be rewound to take the file again from its start"
    assert server.statuses == [200, 200], "not retried: every attempt would meet the same stream"
    assert drain(reader) == CONTENT[:1000]


class BrokenStream(io.BytesIO):
    """A file object whose writes, flush or close fail as chosen (a reader gone: EPIPE; a full disk: ENOSPC)."""

    def __init__(self, *, write: int | None = None, flush: int | None = None, close: int | None = None) -> None:
        super().__init__()
        self._failures = {"write": write, "flush": flush, "close": close}

    def _fail(self, what: str) -> None:
        code = self._failures[what]
        if code is not None:
            raise OSError(code, os.strerror(code))

    def write(self, data: Any) -> int:
        self._fail("write")
        return super().write(data)

    def flush(self) -> None:
        self._fail("flush")
        super().flush()

    def close(self) -> None:
        # Fails once, as a real close does: the garbage collector's second close must not raise again.
        failure, self._failures["close"] = self._failures["close"], None
        if failure is not None:
            raise OSError(failure, os.strerror(failure))
        super().close()


@pytest.mark.parametrize("failing", ["write", "flush"])
def test_a_stream_that_refuses_the_bytes_is_a_destination_error_not_retried(failing: str) -> None:
    error, script = refused(BrokenStream(**{failing: errno.EPIPE}))
    assert (error.errno, error.strerror, error.filename, error.uuid) == (
        errno.EPIPE,
        os.strerror(errno.EPIPE),
        "-",
        UUID,
    )
    assert len(script.requests) == 1


def test_an_owned_stream_that_fails_to_close_is_still_committed(tmp_path: Path) -> None:
    assert StreamWriter(BrokenStream(close=errno.EIO), tmp_path, owned=True).commit() == tmp_path
    StreamWriter(BrokenStream(close=errno.EIO), tmp_path, owned=True).close()


def test_a_stream_download_counts_its_bytes(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="dataarts_export_client")
    headers = workbook(CONTENT[:1000]).headers
    chunks = [CONTENT[:600], CONTENT[600:1000]]
    download(io.BytesIO(), lambda _request: httpx.Response(200, headers=headers, content=iter(chunks)))
    assert f"export {UUID}: saved 1000 bytes" in caplog.messages


def test_a_device_that_cannot_be_opened_is_a_destination_error(tmp_path: Path) -> None:
    nothing = make_device(tmp_path / "nothing", stat.S_IFCHR, os.makedev(0, 0))  # no driver behind it
    error, script = refused(nothing)
    assert (error.errno, error.strerror) == (errno.ENXIO, os.strerror(errno.ENXIO))
    assert (error.filename, error.uuid) == (str(nothing), UUID)
    assert len(script.requests) == 1


def test_a_symlink_to_a_file_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real" / "models.xlsx"
    real.parent.mkdir()
    real.write_bytes(MINE)
    links = tmp_path / "links"
    links.mkdir()
    link = links / "latest.xlsx"
    link.symlink_to(real)
    assert download(link)[0] == real
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() == CONTENT
    assert listing(links) == ["latest.xlsx"]
    assert listing(real.parent) == ["models.xlsx"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "latest.xlsx"
    link.symlink_to("models.xlsx")
    download(link)
    assert link.is_symlink()
    assert (tmp_path / "models.xlsx").read_bytes() == CONTENT


def test_a_symlink_to_a_directory_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "here").symlink_to(tmp_path / "real")
    path, _ = download(tmp_path / "here", workbook(CONTENT, name="report.xlsx"))
    assert path == tmp_path / "here" / "report.xlsx"
    assert (tmp_path / "real" / "report.xlsx").read_bytes() == CONTENT


def test_a_symlink_loop_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    error, script = refused(tmp_path / "a")
    assert error.errno == errno.ELOOP
    assert script.requests == []


def test_a_block_device_is_refused_before_anything_is_asked(tmp_path: Path) -> None:
    disk = make_device(tmp_path / "disk", stat.S_IFBLK, os.makedev(7, 200))
    error, script = refused(disk)
    assert (error.errno, error.filename) == (errno.EINVAL, str(disk))
    assert error.strerror == "a block device, not a file or a directory (refused)"
    assert script.requests == []
    assert stat.S_ISBLK(os.stat(disk).st_mode)
    assert listing(tmp_path) == ["disk"]


def test_a_socket_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sock"
    # Bound by a relative name: a socket's address is limited to 107 bytes, which a nested tmp_path can exceed.
    monkeypatch.chdir(tmp_path)
    with socket.socket(socket.AF_UNIX) as server:
        server.bind("sock")
        error, script = refused(path)
    assert (error.errno, error.strerror) == (
        errno.EINVAL,
        "a socket or another special file, not a file or a directory (refused)",
    )
    assert script.requests == []


@pytest.fixture
def terminal() -> Iterator[int]:
    """The other end of a pseudo-terminal: a character device for which ``isatty`` is true."""
    controller, terminal = os.openpty()
    yield terminal
    os.close(terminal)
    os.close(controller)


TERMINAL = "a terminal (a workbook is binary: send it to a file or a pipe)"


def test_a_terminal_device_is_refused(terminal: int) -> None:
    """The pseudo-terminal's own node: a pty opens only through its devpts path (a copy made with mknod gives EIO)."""
    tty = os.ttyname(terminal)
    error, script = refused(tty)
    assert (error.errno, error.strerror, error.filename, error.uuid) == (errno.ENOTTY, TERMINAL, tty, UUID)
    assert len(script.requests) == 1, "found when the file came (opening a device up front could block), not retried"
    assert stat.S_ISCHR(os.stat(tty).st_mode)


# --- directories, a trailing slash, file objects ---------------------------------------------------


def test_a_trailing_slash_names_a_directory_that_must_exist(tmp_path: Path) -> None:
    error, script = refused(f"{tmp_path / 'newdir'}/")
    assert (error.errno, error.filename) == (errno.ENOENT, f"{tmp_path / 'newdir'}/")
    assert error.strerror == "no such directory (a path ending in / names one; it is not created)"
    assert script.requests == []
    assert listing(tmp_path) == []

    (tmp_path / "file.xlsx").write_bytes(MINE)
    error, _ = refused(f"{tmp_path / 'file.xlsx'}/")
    assert error.errno == errno.ENOTDIR
    assert (tmp_path / "file.xlsx").read_bytes() == MINE

    (tmp_path / "newdir").mkdir()
    path, _ = download(f"{tmp_path / 'newdir'}/", workbook(CONTENT, name="report.xlsx"))
    assert path == tmp_path / "newdir" / "report.xlsx"


def test_a_file_in_a_missing_directory_is_refused_before_anything_is_asked(tmp_path: Path) -> None:
    error, script = refused(tmp_path / "missing" / "x.xlsx")
    assert (error.errno, error.uuid) == (errno.ENOENT, UUID)
    assert error.strerror == f"the directory {tmp_path / 'missing'} does not exist"
    assert script.requests == []


def test_an_unwritable_directory_is_refused_before_anything_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``os.access`` is asked (root may write anywhere, so the answer is faked here)."""
    asked: list[tuple[str, int]] = []

    def no_writing(path: Any, mode: int, **_kwargs: Any) -> bool:
        asked.append((os.fspath(path), mode))
        return False

    monkeypatch.setattr(os, "access", no_writing)
    for dest in (tmp_path, tmp_path / "x.xlsx"):
        error, script = refused(dest)
        assert (error.errno, error.strerror) == (errno.EACCES, f"no permission to create files in {tmp_path}")
        assert script.requests == []
    assert asked == [(str(tmp_path), os.W_OK | os.X_OK)] * 2


@pytest.mark.parametrize("mode", MODES)
def test_a_file_object_gets_the_bytes_and_is_left_open(mode: str) -> None:
    sink = io.BytesIO()
    assert fetch(mode, RangeServer(content=CONTENT, cuts=[1000]), sink) == Path("-")
    assert_same_bytes(sink.getvalue(), CONTENT)
    assert not sink.closed


def test_a_terminal_file_object_is_refused_before_anything_is_asked(terminal: int) -> None:
    with os.fdopen(os.dup(terminal), "wb") as screen:
        error, script = refused(screen)
    assert (error.errno, error.strerror, error.filename) == (errno.ENOTTY, TERMINAL, "-")
    assert script.requests == []


# --- checked first; the uuid after the export ------------------------------------------------------


def test_export_to_file_checks_the_destination_before_starting(tmp_path: Path) -> None:
    with pytest.raises(DestinationError) as caught:
        Twin().export(Script(), tmp_path / "nope" / "x.xlsx")  # no answer scripted: a request would fail the test
    assert caught.value.errno == errno.ENOENT
    assert caught.value.uuid is None
    assert "uuid" not in str(caught.value)


def test_a_destination_failing_after_the_export_names_the_uuid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "replace", failing(errno.EACCES))
    with pytest.raises(DestinationError) as caught:
        Twin().export(Script(started(), workbook(CONTENT)), tmp_path / "x.xlsx")
    assert caught.value.uuid == UUID
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'x.xlsx'}: {os.strerror(errno.EACCES)}; "
        f"export {UUID} is not lost: download it again with its uuid"
    )
    assert listing(tmp_path) == []


# --- every helper passes overwrite on: download and export, sync and async --------------------------

HELPERS = [("download", "sync"), ("download", "async"), ("export", "sync"), ("export", "async")]


def call(helper: str, mode: str, script: Script, dest: Path, overwrite: bool) -> Path:
    """``download_export``, ``export_to_file`` or their async twins, from ``script``, with ``overwrite``."""
    run: Callable[..., Path] = getattr(Twin(mode), helper)
    return run(script, dest, overwrite=overwrite)


def helper_answers(helper: str, *steps: Step) -> Script:
    """``steps``, after the answer to a started export for ``export_to_file``."""
    return Script(*([started()] if helper == "export" else []), *steps)


@pytest.mark.parametrize(("helper", "mode"), HELPERS)
def test_every_helper_refuses_a_named_file_with_overwrite_false_before_asking(
    tmp_path: Path, helper: str, mode: str
) -> None:
    target = tmp_path / "mine.xlsx"
    target.write_bytes(MINE)
    script = helper_answers(helper)
    with pytest.raises(DestinationError) as caught:
        call(helper, mode, script, target, overwrite=False)
    assert caught.value.errno == errno.EEXIST
    assert script.requests == []
    assert target.read_bytes() == MINE


@pytest.mark.parametrize(("helper", "mode"), HELPERS)
def test_every_helper_lets_the_server_name_replace_with_overwrite_true(tmp_path: Path, helper: str, mode: str) -> None:
    (tmp_path / "report.xlsx").write_bytes(MINE)
    path = call(helper, mode, helper_answers(helper, workbook(CONTENT, name="report.xlsx")), tmp_path, overwrite=True)
    assert path == tmp_path / "report.xlsx"
    assert path.read_bytes() == CONTENT
    assert listing(tmp_path) == ["report.xlsx"]
