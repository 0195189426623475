"""Where a download goes, and what it may replace there: the rules that protect the user's files.

``dest`` is one of:

* a directory (an existing one; a path ending in ``/`` must be one): the
  file takes the server's name (:func:`~.filenames.safe_file_name`: a base
  name ending in ``.xlsx``, else ``<uuid>.xlsx``), which never replaces a
  file already there: the first free ``name (N).xlsx`` is taken instead,
  unless ``overwrite=True``. A symlink there is neither followed nor replaced;
* a file path: written atomically (:class:`~.atomic_file.AtomicFileWriter`),
  replacing a file already there, which the caller named, unless
  ``overwrite=False``. A symlink is followed: its target is written and the
  link stays;
* a character device or a FIFO (``/dev/null``, a named pipe): written
  straight through as the bytes come, since renaming a file over either
  would replace the device or the pipe by a regular file. A FIFO's open
  waits for a reader;
* a writable binary file object (``sys.stdout.buffer``): written through
  the same way, and left open.

A block device, a socket and a terminal are refused. A stream takes a
resumed transfer's bytes as they come, but cannot be rewound: when the
server sends the file from its start again after bytes were written, the
download fails (``ESPIPE``), as a stream's reader cannot take them back.

:func:`check_destination` applies these rules before anything is asked of
the service, :func:`open_destination` again when the file arrives.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from contextlib import suppress
from enum import Enum
from pathlib import Path
from typing import BinaryIO, Protocol, TypeAlias

from .atomic_file import O_BINARY, AtomicFileWriter, Clobber
from .errors import DestinationError
from .filenames import safe_file_name

__all__ = ["STREAM_PATH", "Destination", "StreamWriter", "Writer", "check_destination", "open_destination"]

Destination: TypeAlias = str | os.PathLike[str] | BinaryIO
"""A path (file, directory, FIFO or character device) or a writable binary file object."""
STREAM_PATH = Path("-")
"""What a download to a file object returns, and the name its errors give: the conventional name of a stream."""

if sys.platform == "win32":  # pragma: no mutate block (unreachable on POSIX)
    _NOCTTY = 0  # no controlling terminals on Windows, and no such flag
else:
    from os import O_NOCTTY as _NOCTTY

_STREAM_FLAGS = os.O_WRONLY | _NOCTTY | O_BINARY
"""How a FIFO or a device is opened: no creating, no truncating, and a terminal never becomes this process's own."""
_SEPARATORS = tuple(separator for separator in (os.sep, os.altsep) if separator)


class Writer(Protocol):
    """What a download writes to: :class:`~.atomic_file.AtomicFileWriter` or :class:`StreamWriter`."""

    written: int

    def write(self, chunk: bytes) -> None: ...

    def truncate(self) -> None: ...

    def commit(self) -> Path: ...

    def close(self) -> None: ...


def _terminal() -> OSError:
    return OSError(errno.ENOTTY, "a terminal (a workbook is binary: send it to a file or a pipe)")


class StreamWriter:
    """Writes straight through to a stream (a FIFO, a character device, a file object), which is never rewound.

    ``owned`` streams (opened here from a path) are closed at the end; a
    caller's file object is flushed and left open.
    """

    def __init__(self, stream: BinaryIO, path: Path, *, owned: bool) -> None:
        self.path = path
        self.written = 0
        self._stream = stream
        self._owned = owned

    def write(self, chunk: bytes) -> None:
        """Pass ``chunk`` on; :class:`DestinationError` if the stream refuses it (a reader gone, a full device)."""
        try:
            self._stream.write(chunk)
        except OSError as exc:
            raise DestinationError(self.path, exc) from exc
        self.written += len(chunk)

    def truncate(self) -> None:
        """Start the file again: only possible while nothing was written, since a stream cannot take bytes back."""
        if self.written:
            message = "what was written cannot be rewound to take the file again from its start"
            raise DestinationError(self.path, OSError(errno.ESPIPE, message))

    def commit(self) -> Path:
        """Flush (and close an owned stream); the stream's path, :data:`STREAM_PATH` for a file object."""
        try:
            self._stream.flush()
        except OSError as exc:
            raise DestinationError(self.path, exc) from exc
        self.close()
        return self.path

    def close(self) -> None:
        """Close the stream if it was opened here; a caller's file object stays open."""
        if self._owned:
            with suppress(OSError):
                self._stream.close()


class _Kind(Enum):
    FILE = "file"  # pragma: no mutate (equivalent: members are told apart by identity, never by value)
    DIRECTORY = "directory"  # pragma: no mutate (equivalent: members are told apart by identity, never by value)
    STREAM = "stream"  # pragma: no mutate (equivalent: members are told apart by identity, never by value)


def _locate(dest: str | os.PathLike[str]) -> tuple[Path, _Kind]:
    """What ``dest`` names, symlinks followed: the path to write and how; a refused one raises.

    A file's path is its real path (a symlink's target), so that the
    temporary file is made beside the file that is replaced, not the link.
    """
    given = os.fspath(dest) or os.curdir
    try:
        mode: int | None = os.stat(given).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a file where a directory should be, a symlink loop, no permission to look
        raise DestinationError(given, exc) from exc
    if mode is None and given.endswith(_SEPARATORS):  # (a trailing / on anything but a directory fails to stat)
        missing = FileNotFoundError(errno.ENOENT, "no such directory (a path ending in / names one; it is not created)")
        raise DestinationError(given, missing)
    if mode is not None and stat.S_ISDIR(mode):
        return Path(given), _Kind.DIRECTORY
    if mode is None or stat.S_ISREG(mode):
        real = Path(os.path.realpath(given))
        if not real.parent.is_dir():
            missing = FileNotFoundError(errno.ENOENT, f"the directory {real.parent} does not exist")
            raise DestinationError(given, missing)
        return real, _Kind.FILE
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Path(given), _Kind.STREAM
    kind = "a block device" if stat.S_ISBLK(mode) else "a socket or another special file"
    raise DestinationError(given, OSError(errno.EINVAL, f"{kind}, not a file or a directory (refused)"))


def check_destination(dest: Destination, *, overwrite: bool | None = None) -> None:
    """Refuse, before anything is asked of the service, a destination that could not be written.

    Raises :class:`DestinationError` (``uuid`` ``None``) for a missing
    directory, a path ending in ``/`` that is not a directory, a block
    device, a socket, a terminal, a folder this user may not create files
    in, and (``overwrite=False``) a named file that exists. The download
    checks again when the file arrives: things can change meanwhile.
    """
    if not isinstance(dest, str | os.PathLike):
        if dest.isatty():
            raise DestinationError(STREAM_PATH, _terminal())
        return
    path, kind = _locate(dest)
    if kind is _Kind.STREAM:
        return
    folder = path if kind is _Kind.DIRECTORY else path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        denied = PermissionError(errno.EACCES, f"no permission to create files in {folder}")
        raise DestinationError(os.fspath(dest), denied)
    if kind is _Kind.FILE and overwrite is False and path.exists():
        taken = FileExistsError(errno.EEXIST, "a file is already there (not replaced)")
        raise DestinationError(os.fspath(dest), taken)


def _open_stream(path: Path) -> StreamWriter:
    try:
        fd = os.open(path, _STREAM_FLAGS)
    except OSError as exc:
        raise DestinationError(path, exc) from exc
    stream = os.fdopen(fd, "wb")
    if stream.isatty():
        stream.close()
        raise DestinationError(path, _terminal())
    return StreamWriter(stream, path, owned=True)


def open_destination(dest: Destination, *, server_name: str | None, uuid: str, overwrite: bool | None) -> Writer:
    """The writer of a file answer for ``dest``, by the rules above; ``server_name`` is the answer's file name."""
    if not isinstance(dest, str | os.PathLike):
        return StreamWriter(dest, STREAM_PATH, owned=False)  # pragma: no mutate (equivalent: None is as false)
    path, kind = _locate(dest)
    if kind is _Kind.DIRECTORY:
        name = safe_file_name(server_name, fallback=f"{uuid}.xlsx")
        return AtomicFileWriter(path / name, Clobber.REPLACE if overwrite else Clobber.NUMBER)
    if kind is _Kind.STREAM:
        return _open_stream(path)
    return AtomicFileWriter(path, Clobber.REFUSE if overwrite is False else Clobber.REPLACE)
