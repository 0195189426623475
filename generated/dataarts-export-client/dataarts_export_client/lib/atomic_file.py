"""All-or-nothing file writes for downloads, shared by the sync and async helpers.

A download that breaks half-way must not leave a half workbook where the
caller expects a whole one, nor clobber a good file that was there before.
So the body goes to a hidden temporary file in the destination's own
directory (``os.replace`` is atomic only within one file system), which is
flushed and fsynced, then given its name, and the directory is fsynced so
that the rename itself survives a crash. On any failure the temporary file
is removed and the destination is left as it was; a failure of the disk
itself (permission denied, no space left) is raised as
:class:`~.errors.DestinationError`, not as a failed transfer, since trying
the download again would not help.

What the new file may do to one already at its name is the caller's
:class:`Clobber` rule: replace it (a file the user named), or never
(a name the server chose: the first free ``name (N).xlsx`` is taken, or the
write is refused). Never replacing is decided at the moment of the rename,
by a hard link that fails if the name is taken, so a file that appears
during the download is safe too.

A process killed outright (SIGKILL, a power cut) cannot remove its
temporary file. Each writer holds a lock (``flock``) on its own, which the
kernel drops when the process dies, and every new writer first removes the
temporary files of its folder that nobody holds and that have not been
written to for :data:`STALE_AFTER` seconds. A signal that turns into an
exception (Ctrl-C; the command line's SIGTERM and SIGHUP) can land at any
moment: the file is removed wherever it lands, up to the rename.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import sys
import time
import weakref
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from .errors import DestinationError
from .filenames import clip_name, numbered_name
from .log import logger

__all__ = ["NUMBERED_NAMES", "O_BINARY", "STALE_AFTER", "AtomicFileWriter", "Clobber", "remove_stale_temporaries"]

O_BINARY = 0
"""Windows only: no newline translation (``os.O_BINARY`` there; 0, nothing to add, elsewhere)."""
if sys.platform == "win32":  # pragma: no mutate block (unreachable on POSIX)
    O_BINARY = os.O_BINARY
else:
    import fcntl

_NAME_BYTES = 64
"""How much of the target's name the temporary name repeats: enough to recognise it, short enough to fit."""
_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{12}\.part", re.DOTALL)
"""The names :class:`AtomicFileWriter` gives its temporary files: ``.<name>.<12 hex digits>.part``."""
NUMBERED_NAMES = 100
"""How many names a numbered commit tries (the name, then ``name (1)`` to ``name (99)``), as curl does."""
STALE_AFTER = 60.0
"""Seconds without a write after which an unlocked temporary file is taken as left by a killed download.

A live download holds its lock, however long it lasts; the delay only
covers the instant between a new file's creation and its lock.
"""


class Clobber(Enum):
    """What committing may do to a file already at the target's name."""

    REPLACE = "replace"  # pragma: no mutate (equivalent: members are told apart by identity, never by value)
    """Replace it: the caller named this very file, or asked for overwriting."""
    NUMBER = "number"  # pragma: no mutate (equivalent: members are told apart by identity, never by value)
    """Keep it and take the first free name of ``name``, ``name (1)``, ... ``name (99)``: a name the server chose."""
    REFUSE = "refuse"  # pragma: no mutate (equivalent: members are told apart by identity, never by value)
    """Keep it and fail (``EEXIST``): the caller named the file but allows no replacing."""


def _hold(fd: int) -> None:
    """Lock the temporary file for as long as this process lives, so that no other download takes it as stale."""
    if sys.platform == "win32":  # pragma: no mutate block (unreachable on POSIX)
        return  # Windows refuses to remove a file another process has open: no lock is needed
    with contextlib.suppress(OSError):  # no locks on this file system: the age alone protects the file
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _remove_if_abandoned(path: Path, now: float) -> None:
    """Remove ``path`` if it is a regular file idle for :data:`STALE_AFTER` that no live writer holds.

    It is opened without following a symlink (and without waiting on a
    FIFO) and judged by what was opened, so nothing swapped in meanwhile is
    removed; taking its lock proves that its writer is gone.
    """
    if sys.platform == "win32":  # pragma: no mutate block (unreachable on POSIX)
        with contextlib.suppress(OSError):  # a file another process has open cannot be removed on Windows
            path.unlink()
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or now - status.st_mtime < STALE_AFTER:
            return
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path.unlink()
        logger.info("removed %s, left by a download that was killed", path)
    except OSError:
        return
    finally:
        os.close(fd)


def remove_stale_temporaries(directory: Path) -> None:
    """Remove the temporary files of killed downloads from ``directory``; never raises.

    Only names of :class:`AtomicFileWriter`'s pattern are looked at, only
    regular files (not what a symlink points to), only those not written to
    for :data:`STALE_AFTER` seconds, and only those no process holds.
    """
    try:
        names = os.listdir(directory)
    except OSError:
        return
    now = time.time()
    for name in names:
        if _TEMPORARY.fullmatch(name):
            _remove_if_abandoned(directory / name, now)


def _temporary_beside(target: Path) -> Path:
    """A fresh hidden name beside ``target``: ``.<start of its name>.<12 hex digits>.part``, well under 255 bytes."""
    return target.parent / f".{clip_name(target.name, _NAME_BYTES)}.{secrets.token_hex(6)}.part"


def _link_new(source: Path, name: Path) -> None:
    """Give the file ``source`` the name ``name`` unless it is taken (``FileExistsError``); never replaces.

    A hard link fails atomically when the name exists, then the temporary
    name is dropped. Without hard links (FAT, some network shares) the name
    is claimed by creating it exclusively, then the file renamed over the
    claim; should that rename fail, the claim is given back.
    """
    try:
        os.link(source, name)
    except FileExistsError:
        raise
    except OSError:  # (the claim's mode does not matter: the file renamed over it keeps its own)
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY))
        try:
            os.replace(source, name)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        return
    with contextlib.suppress(OSError):  # the workbook has its name: a second name left behind is only stale
        os.unlink(source)


class AtomicFileWriter:
    """Writes a file under a temporary name and gives it ``target``'s name only on :meth:`commit`.

    Use as a context manager: leaving the block without a commit (an
    exception, a ``return``) removes the temporary file; so does dropping
    the writer unclosed (a ``weakref.finalize``). ``clobber`` says what the commit may do to a file
    already named ``target``; ``target`` is the committed file's path once
    :meth:`commit` returns (a numbered name, perhaps).
    """

    def __init__(self, target: Path, clobber: Clobber = Clobber.REPLACE) -> None:
        self.target = target
        self.written = 0
        self._clobber = clobber
        remove_stale_temporaries(target.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_BINARY
        for _ in range(100):
            candidate = _temporary_beside(target)
            try:
                fd = os.open(candidate, flags, 0o666)
                self._file: BinaryIO = os.fdopen(fd, "wb")
                self.temporary = candidate
                # Should the writer be dropped unclosed (an exception right after its creation), this removes
                # the file. Not a __del__: a finalizer that called back into this module while the garbage
                # collector runs would be at the mercy of whatever that code was interrupted in.
                self._discard = weakref.finalize(self, candidate.unlink, True)
                self._done = False  # pragma: no mutate (equivalent: None is as false as False)
            except FileExistsError:
                continue
            except BaseException as exc:
                # A signal's exception (Ctrl-C) may land just after the file was created: it goes too.
                with contextlib.suppress(OSError):
                    candidate.unlink()
                if isinstance(exc, OSError):
                    raise DestinationError(target, exc) from exc
                raise
            _hold(fd)
            return
        exhausted = FileExistsError(f"no free temporary name beside {target}")
        raise DestinationError(target, exhausted) from exhausted

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def write(self, chunk: bytes) -> None:
        """Append ``chunk`` to the temporary file; :class:`DestinationError` (file removed) if the disk refuses."""
        try:
            self._file.write(chunk)
        except OSError as exc:
            self.abort()
            raise DestinationError(self.target, exc) from exc
        self.written += len(chunk)

    def truncate(self) -> None:
        """Empty the temporary file, to write the file again from its start."""
        try:
            self._file.seek(0)
            self._file.truncate()
        except OSError as exc:
            self.abort()
            raise DestinationError(self.target, exc) from exc
        self.written = 0

    def commit(self) -> Path:
        """Flush, fsync, give the file its name and fsync the directory; returns the file's path.

        Raises :class:`DestinationError` (temporary file removed, any file
        already there untouched) when the data cannot be flushed, the name
        is taken and may not be replaced (``EEXIST``), or the rename fails.
        """
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self.target = self._name_it()
        except OSError as exc:
            self.abort()
            raise DestinationError(self.target, exc) from exc
        self._done = True  # pragma: no mutate (equivalent: a later abort finds nothing left to remove)
        self._discard.detach()  # the file has its name; a second name that could not be dropped stays, as stale
        _fsync_directory(self.target.parent)
        return self.target

    def _name_it(self) -> Path:
        """Rename the complete file as :attr:`_clobber` allows; its final path."""
        if self._clobber is Clobber.REPLACE:
            os.replace(self.temporary, self.target)
            return self.target
        tries = NUMBERED_NAMES if self._clobber is Clobber.NUMBER else 1
        for number in range(tries):
            name = self.target.with_name(numbered_name(self.target.name, number))
            try:
                _link_new(self.temporary, name)
            except FileExistsError:
                continue
            return name
        if tries == 1:
            raise FileExistsError(errno.EEXIST, "a file is already there (not replaced)")
        raise FileExistsError(errno.EEXIST, f"it and {tries - 1} numbered names are taken")

    def close(self) -> None:
        """Remove the temporary file unless :meth:`commit` has succeeded."""
        if not self._done:
            self.abort()

    def abort(self) -> None:
        """Close and delete the temporary file; the target is untouched. Safe to call twice."""
        self._done = True  # pragma: no mutate (equivalent: aborting twice is harmless)
        with contextlib.suppress(OSError):
            self._file.close()
        self._discard()  # removes the temporary file (if it is still there), once


def _fsync_directory(directory: Path) -> None:
    """Persist a rename in ``directory``; a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
