"""What the command line shows (progress: a bar at a terminal, lines elsewhere; results; logs), through one sanitiser.

Results go to stdout so that scripts can capture them; everything meant for
a person (progress, retries, errors, logs) goes to stderr. When stderr is a
terminal, progress is a live bar (:class:`.bar.ProgressBar`: the export's
rate, then the download's bytes, speed and time left), drawn with rich; in a
log file, a pipe or CI it stays one plain line per change
(:class:`ProgressPrinter`), which reads well where a bar's redraws would not;
``--quiet`` shows neither.

Every piece of text the command prints that is not its own wording (a
status, a rate, an error message, a log line, a request id, a uuid, a file
name, a traceback) passes through :class:`Sanitiser`, the one gate to the
terminal: control characters and escape sequences are neutralised (they
could retitle the window, clear the screen or hide what is shown), no value
of a credential variable gets through in any written form, and the bar
renders text as ``rich.text.Text``, never as markup (``[link=...]`` stays
those characters).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TextIO

import httpx

from ...models.export_state import ExportState
from ...types import is_json_media_type, parse_media_type
from ..environment import SECRET_ENVS
from ..log import logger
from ..redaction import redact
from ..results import ExportProgress

__all__ = [
    "PROG",
    "ProgressDisplay",
    "ProgressPrinter",
    "Sanitiser",
    "count_download_bytes",
    "progress_display",
    "scrubbed_traceback",
    "show_logs",
]

PROG = "dataarts-export"


def _escape(character: str) -> str:
    """A non-printable character as Python writes it in a string literal (``\\x1b``, ``\\u202e``)."""
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_escape(character: str) -> str:
    """A character as a JSON ``\\u`` escape (a surrogate pair beyond the Basic Multilingual Plane)."""
    code = ord(character)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


class Sanitiser:
    """The one gate between text the command did not write itself and the terminal (see the module docs).

    ``sanitise(text)`` is a line for a person: credential values (every
    :func:`~..redaction.secret_forms` of each variable of
    :data:`~..environment.SECRET_ENVS`) masked, each character that is not
    printable (``str.isprintable``: C0 and C1 controls, DEL, format
    characters such as bidirectional overrides, lone surrogates) made a
    space, runs of whitespace one space. :meth:`json` and :meth:`path` keep
    what a script reads exact and escape only what is not printable.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._secrets = [environ.get(name, "") for name in SECRET_ENVS]

    def __call__(self, text: str) -> str:
        text = redact(text, self._secrets)
        return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())

    def json(self, document: Mapping[str, Any]) -> str:
        """One JSON document on one line, equal in meaning: non-printable characters as ``\\u`` escapes."""
        text = redact(json.dumps(document, ensure_ascii=False), self._secrets)
        return "".join(ch if ch.isprintable() else _json_escape(ch) for ch in text)

    def path(self, path: Path) -> str:
        """A path as it is (spaces kept), each non-printable character escaped as a Python literal writes it."""
        return "".join(ch if ch.isprintable() else _escape(ch) for ch in str(path))


class ProgressPrinter:
    """Progress lines on stderr, one per change, so that stdout carries only the result for scripts.

    It remembers the uuid even when quiet, so that an interrupted or timed-out
    run can still tell which export (or import) to come back to.
    """

    def __init__(self, err: TextIO, sanitise: Sanitiser, *, quiet: bool) -> None:
        self._err = err
        self._sanitise = sanitise
        self._quiet = quiet
        self._last: tuple[str, ExportState, float | None] | None = None
        self.uuid: str | None = None
        self.noun = "export"

    def __call__(self, progress: ExportProgress) -> None:
        self.uuid, self.noun = progress.uuid, progress.noun
        key = (progress.uuid, progress.status, progress.percent)  # copy: its import reports after its export
        if self._quiet or key == self._last:
            return
        self._last = key
        percent = f" {progress.percent:g}%" if progress.percent is not None else ""
        line = f"{progress.noun} {progress.uuid}: {progress.status.value}{percent} after {progress.elapsed:.1f}s"
        self.note(line)

    def begin(self, noun: str) -> None:
        """A new job (``export`` or ``import``) is being started: no uuid to come back to yet."""
        self.uuid, self.noun = None, noun

    def note(self, text: str) -> None:
        """``text``, sanitised, as one line (a retry, a log record)."""
        self._err.write(f"{self._sanitise(text)}\n")
        self._err.flush()

    def transfer(self, received: int, total: int | None) -> None:
        """Plain lines leave the download to the final path on stdout."""

    def close(self) -> None:
        """Nothing to tidy: every line is complete when written."""


class ProgressDisplay(Protocol):
    """What the commands report progress to: export or import progress, downloaded bytes, the end of the command."""

    uuid: str | None
    """The uuid of the last progress reported: the job to come back to after an interruption."""
    noun: str
    """What that uuid names: ``export`` or ``import`` (:attr:`~..results.ExportProgress.noun`)."""

    def __call__(self, progress: ExportProgress) -> None: ...

    def begin(self, noun: str) -> None:
        """A new job of kind ``noun`` is being started: forget the last uuid (it is not the one to come back to)."""

    def note(self, text: str) -> None:
        """Show ``text`` (sanitised) as a line of its own, above a bar that is drawn."""

    def transfer(self, received: int, total: int | None) -> None: ...

    def close(self) -> None: ...


def progress_display(err: TextIO, sanitise: Sanitiser, *, quiet: bool) -> ProgressDisplay:
    """A live bar when ``err`` is a terminal (and not ``quiet``), else plain lines (silent when ``quiet``)."""
    if not quiet and err.isatty():
        from .bar import ProgressBar  # noqa: PLC0415 - rich is imported only to draw a bar

        return ProgressBar(err, sanitise)
    return ProgressPrinter(err, sanitise, quiet=quiet)


ByteReport = Callable[[int, int | None], object]
"""Called with (bytes of the file received so far, the file's whole length or ``None``)."""

_CONTENT_RANGE_RE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")


class _CountingStream(httpx.SyncByteStream):
    """A response body that reports the bytes read so far (from ``start`` on, for a resumed range)."""

    def __init__(self, inner: httpx.SyncByteStream, start: int, total: int | None, report: ByteReport) -> None:
        self._inner, self._received, self._total, self._report = inner, start, total, report

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._received += len(chunk)
            self._report(self._received, self._total)
            yield chunk

    def close(self) -> None:
        self._inner.close()


def count_download_bytes(report: ByteReport) -> Callable[[httpx.Response], None]:
    """An httpx ``response`` event hook calling ``report(received, total)`` as a file answer's body is read.

    JSON answers (status polls, errors) are left alone. ``total`` is the whole
    file's length: a 206's ``Content-Range`` total, else ``Content-Length``;
    ``None`` when neither says.
    """

    def hook(response: httpx.Response) -> None:
        if response.status_code not in (200, 206) or is_json_media_type(
            parse_media_type(response.headers.get("content-type"))
        ):
            return
        start, total = 0, _length(response.headers.get("content-length"))
        ranged = _CONTENT_RANGE_RE.fullmatch(response.headers.get("content-range", ""))
        if response.status_code == 206 and ranged:
            start, total = int(ranged[1]), _length(ranged[2])
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _CountingStream(response.stream, start, total, report)

    return hook


def _length(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def scrubbed_traceback(error: BaseException, sanitise: Sanitiser) -> str:
    """The traceback of ``error`` (for --verbose), each line sanitised but for its indentation."""
    lines = "".join(traceback.format_exception(error)).splitlines()
    return "".join(f"{line[: len(line) - len(line.lstrip())]}{sanitise(line)}\n" for line in lines)


class _ToDisplay(logging.Handler):
    """Log records as lines of the progress display, so that they pass the sanitiser and show above a bar."""

    def __init__(self, display: ProgressDisplay, level: int, layout: str) -> None:
        super().__init__(level)
        self._display = display
        self.setFormatter(logging.Formatter(layout))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._display.note(self.format(record))
        except Exception:  # logging must never break the command (logging's own rule)
            self.handleError(record)


@contextlib.contextmanager
def show_logs(display: ProgressDisplay, *, verbose: bool, retries: bool) -> Iterator[None]:
    """The package's log records on ``display`` for the duration of one command.

    ``verbose``: everything from DEBUG on (each poll, each wait and why), with
    time and level. Else ``retries`` (a terminal, not ``--quiet``): INFO and up,
    which is each retry as it happens and warnings, as ``dataarts-export: ...``
    lines. Else nothing: a log file or a pipe gets the result and the error
    line only.
    """
    if verbose:
        handler = _ToDisplay(display, logging.DEBUG, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    elif retries:
        handler = _ToDisplay(display, logging.INFO, f"{PROG}: %(message)s")
    else:
        yield
        return
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(handler.level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
