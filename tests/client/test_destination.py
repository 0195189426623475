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
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataarts_export_client.lib import DestinationError, download_export, export_to_file
from dataarts_export_client.models import ExportParam

from .client_fakes import PROJECT_ID, SCRIPTED_POLICY, UUID, WORKSPACE, FakeClock, Script, client_for, workbook
from .range_fakes import MODES, RangeServer, assert_same_bytes, fetch

CONTENT = b"PK\x03\x04" + bytes(range(256)) * 16
MINE = b"the user's own file"


def download(dest: Any, *steps: httpx.Response, **options: Any) -> tuple[Path, Script]:
    """``download_export`` of ``steps`` (default: one workbook answer) to ``dest``; the path and the script."""
    script = Script(*(steps or (workbook(CONTENT),)))
    clock = FakeClock()
    path = download_export(
        client_for(script),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        uuid=UUID,
        dest=dest,
        timeout=600.0,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.sleep,
        **options,
    )
    return path, script


def refused(dest: Any, **options: Any) -> tuple[DestinationError, Script]:
    """Download to ``dest`` expecting a :class:`DestinationError`; the error and the script."""
    script = Script(workbook(CONTENT))
    clock = FakeClock()
    with pytest.raises(DestinationError) as caught:
        download_export(
            client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            uuid=UUID,
            dest=dest,
            timeout=600.0,
            policy=SCRIPTED_POLICY,
            clock=clock,
            sleep=clock.sleep,
            **options,
        )
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
    assert "cannot be rewound" in str(caught.value)
    assert server.statuses == [200, 200], "not retried: every attempt would meet the same stream"
    assert drain(reader) == CONTENT[:1000]


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
    assert error.filename == str(disk)
    assert "block device" in str(error)
    assert script.requests == []
    assert stat.S_ISBLK(os.stat(disk).st_mode)
    assert listing(tmp_path) == ["disk"]


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        error, script = refused(path)
    assert "socket" in str(error)
    assert script.requests == []


@pytest.fixture
def terminal() -> Iterator[int]:
    """The other end of a pseudo-terminal: a character device for which ``isatty`` is true."""
    controller, terminal = os.openpty()
    yield terminal
    os.close(terminal)
    os.close(controller)


def test_a_terminal_device_is_refused(tmp_path: Path, terminal: int) -> None:
    tty = make_device(tmp_path / "tty", stat.S_IFCHR, os.fstat(terminal).st_rdev)
    error, script = refused(tty)
    assert (error.filename, error.uuid) == (str(tty), UUID)
    assert "terminal" in str(error)
    assert len(script.requests) == 1, "found when the file came (opening a device up front could block), not retried"
    assert stat.S_ISCHR(os.stat(tty).st_mode)


# --- directories, a trailing slash, file objects ---------------------------------------------------


def test_a_trailing_slash_names_a_directory_that_must_exist(tmp_path: Path) -> None:
    error, script = refused(f"{tmp_path / 'newdir'}/")
    assert (error.errno, error.filename) == (errno.ENOENT, f"{tmp_path / 'newdir'}/")
    assert "directory" in str(error)
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
    assert str(tmp_path / "missing") in str(error)
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
        assert error.errno == errno.EACCES
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
    assert error.filename == "-"
    assert "terminal" in str(error)
    assert script.requests == []


# --- checked first; the uuid after the export ------------------------------------------------------


def export(dest: Any, *steps: httpx.Response) -> Script:
    script = Script(*steps)
    clock = FakeClock()
    export_to_file(
        client_for(script),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        body=ExportParam(ids=["1"], type_="TABLE_MODEL", asyn=True),
        dest=dest,
        timeout=600.0,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.sleep,
    )
    return script


def test_export_to_file_checks_the_destination_before_starting(tmp_path: Path) -> None:
    with pytest.raises(DestinationError) as caught:
        export(tmp_path / "nope" / "x.xlsx")  # no answer scripted: a request would fail the test
    assert caught.value.errno == errno.ENOENT
    assert caught.value.uuid is None
    assert "uuid" not in str(caught.value)


def test_a_destination_failing_after_the_export_names_the_uuid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "replace", refuse)
    started = httpx.Response(200, json={"data": {"uuid": UUID}})
    with pytest.raises(DestinationError) as caught:
        export(tmp_path / "x.xlsx", started, workbook(CONTENT))
    assert caught.value.uuid == UUID
    assert str(caught.value) == (
        f"cannot write {tmp_path / 'x.xlsx'}: {os.strerror(errno.EACCES)}; "
        f"export {UUID} is not lost: download it again with its uuid"
    )
    assert listing(tmp_path) == []
