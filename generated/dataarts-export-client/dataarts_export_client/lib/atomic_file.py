"""All-or-nothing file writes for downloads, shared by the sync and async helpers.

A download that breaks half-way must not leave a half workbook where the
caller expects a whole one, nor clobber a good file that was there before.
So the body goes to a hidden temporary file in the destination's own
directory (``os.replace`` is atomic only within one file system), which is
flushed and fsynced, then renamed over the destination, and the directory is
fsynced so that the rename itself survives a crash. On any failure the
temporary file is removed and the destination is left as it was; a failure
of the disk itself (permission denied, no space left) is raised as
:class:`~.errors.DestinationError`, not as a failed transfer, since trying
the download again would not help.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from .errors import DestinationError
from .filenames import safe_file_name

__all__ = ["AtomicFileWriter", "resolve_destination"]

_O_BINARY = getattr(os, "O_BINARY", 0)  # pragma: no mutate (equivalent off Windows: no O_BINARY; 1 is O_WRONLY, set)
"""Windows only: no newline translation (0, nothing to add, elsewhere)."""


def resolve_destination(dest: str | os.PathLike[str], server_name: str | None, uuid: str) -> Path:
    """The file to write: ``dest`` itself, or, when ``dest`` is an existing directory, a safe name inside it.

    Inside a directory the server's (already sanitised) name is used, else
    ``<uuid>.xlsx``; the name is sanitised again here so that this function
    is safe on its own.
    """
    path = Path(dest)
    if path.is_dir():
        return path / safe_file_name(server_name, fallback=f"{uuid}.xlsx")
    return path


def _create_temporary(target: Path) -> tuple[int, Path]:
    """Create a new hidden file beside ``target``, with the permissions ``open(target, "wb")`` would give.

    ``tempfile.mkstemp`` would make it 0600, and the rename would carry that
    over to the workbook: a shared export folder would then hold files
    nobody else can read. Mode 0666 filtered by the umask is what users expect.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY
    for _ in range(100):
        candidate = target.parent / f".{target.name[:64]}.{secrets.token_hex(6)}.part"
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


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


class AtomicFileWriter:
    """Writes a file under a temporary name and renames it into place only on :meth:`commit`.

    Use as a context manager: leaving the block without a commit (an
    exception, a ``return``) removes the temporary file.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            fd, self.temporary = _create_temporary(target)
        except OSError as exc:
            raise DestinationError(target, exc) from exc
        self._file: BinaryIO = os.fdopen(fd, "wb")
        self.written = 0
        self._done = False  # pragma: no mutate (equivalent: None is as false as False)

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
        """Flush, fsync, rename over the target and fsync the directory; returns the target.

        Raises :class:`DestinationError` (temporary file removed, target
        untouched) when the data cannot be flushed or the rename fails.
        """
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self.temporary, self.target)
        except OSError as exc:
            self.abort()
            raise DestinationError(self.target, exc) from exc
        self._done = True  # pragma: no mutate (equivalent: a later abort finds nothing left to remove)
        _fsync_directory(self.target.parent)
        return self.target

    def close(self) -> None:
        """Remove the temporary file unless :meth:`commit` has succeeded."""
        if not self._done:
            self.abort()

    def abort(self) -> None:
        """Close and delete the temporary file; the target is untouched. Safe to call twice."""
        self._done = True  # pragma: no mutate (equivalent: aborting twice is harmless)
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.temporary.unlink()
