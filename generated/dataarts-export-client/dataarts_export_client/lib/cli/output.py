"""What the command line shows: progress (a bar at a terminal, lines elsewhere), JSON results, scrubbed text, logs.

Results go to stdout so that scripts can capture them; everything meant for
a person (progress, errors, logs) goes to stderr. When stderr is a terminal,
progress is a live bar (:class:`.bar.ProgressBar`: the export's rate, then the
download's bytes, speed and time left), drawn with rich; in a log file, a
pipe or CI it stays one plain line per change (:class:`ProgressPrinter`),
which reads well where a bar's redraws would not; ``--quiet`` shows neither. Text that comes from the
service is scrubbed before it is shown: one line, no control characters
(they could rewrite what a terminal shows), no credential values (should a
service or proxy ever echo one back).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TextIO

import httpx

from ...models.export_state import ExportState
from ...types import is_json_media_type, parse_media_type
from ..environment import SECRET_ENVS
from ..log import logger
from ..redaction import redact
from ..results import ExportProgress, ImportProgress

__all__ = [
    "PROG",
    "ProgressDisplay",
    "ProgressPrinter",
    "Scrubber",
    "count_download_bytes",
    "debug_logging",
    "print_json",
    "progress_display",
    "scrubbed_traceback",
]

PROG = "dataarts-export"


class ProgressPrinter:
    """Progress lines on stderr, one per change, so that stdout carries only the result for scripts.

    It remembers the uuid even when quiet, so that an interrupted or timed-out
    run can still tell which export to come back to.
    """

    def __init__(self, err: TextIO, *, quiet: bool) -> None:
        self._err = err
        self._quiet = quiet
        self._last: tuple[ExportState, float | None] | None = None
        self.uuid: str | None = None

    def __call__(self, progress: ExportProgress) -> None:
        self.uuid = progress.uuid
        key = (progress.status, progress.percent)
        if self._quiet or key == self._last:
            return
        self._last = key
        percent = f" {progress.percent:g}%" if progress.percent is not None else ""
        noun = "import" if isinstance(progress, ImportProgress) else "export"
        self._err.write(f"{noun} {progress.uuid}: {progress.status.value}{percent} after {progress.elapsed:.1f}s\n")
        self._err.flush()

    def transfer(self, received: int, total: int | None) -> None:
        """Plain lines leave the download to the final path on stdout."""

    def close(self) -> None:
        """Nothing to tidy: every line is complete when written."""


class ProgressDisplay(Protocol):
    """What the commands report progress to: export progress, downloaded bytes, and the end of the command."""

    uuid: str | None

    def __call__(self, progress: ExportProgress) -> None: ...

    def transfer(self, received: int, total: int | None) -> None: ...

    def close(self) -> None: ...


def progress_display(err: TextIO, *, quiet: bool) -> ProgressDisplay:
    """A live bar when ``err`` is a terminal (and not ``quiet``), else plain lines (silent when ``quiet``)."""
    if not quiet and err.isatty():
        from .bar import ProgressBar  # noqa: PLC0415 - rich is imported only to draw a bar

        return ProgressBar(err)
    return ProgressPrinter(err, quiet=quiet)


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


class Scrubber:
    """Makes text safe to print: one line, no control characters, no value of a credential variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._secrets = [environ.get(name, "") for name in SECRET_ENVS]

    def __call__(self, text: str) -> str:
        text = redact(text, self._secrets)
        return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def print_json(out: TextIO, document: Mapping[str, Any]) -> None:
    """One JSON document on one line of ``out``."""
    out.write(json.dumps(document, ensure_ascii=False) + "\n")


def scrubbed_traceback(error: BaseException, scrub: Scrubber) -> str:
    """The traceback of ``error`` (for --verbose), each line scrubbed but for its indentation."""
    lines = "".join(traceback.format_exception(error)).splitlines()
    return "".join(f"{line[: len(line) - len(line.lstrip())]}{scrub(line)}\n" for line in lines)


@contextlib.contextmanager
def debug_logging(enabled: bool, err: TextIO) -> Iterator[None]:
    """DEBUG records of the package's logger on ``err`` for the duration of one command."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
