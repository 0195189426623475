"""What the command line shows: progress lines, JSON results, scrubbed text, debug logs.

Results go to stdout so that scripts can capture them; everything meant for
a person (progress, errors, logs) goes to stderr. Text that comes from the
service is scrubbed before it is shown: one line, no control characters
(they could rewrite what a terminal shows), no credential values (should a
service or proxy ever echo one back).
"""

from __future__ import annotations

import contextlib
import json
import logging
import traceback
from collections.abc import Iterator, Mapping
from typing import Any, TextIO

from ...models.export_state import ExportState
from ..environment import SECRET_ENVS
from ..log import logger
from ..redaction import redact
from ..results import ExportProgress

__all__ = ["PROG", "ProgressPrinter", "Scrubber", "debug_logging", "print_json", "scrubbed_traceback"]

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
        self._err.write(f"export {progress.uuid}: {progress.status.value}{percent} after {progress.elapsed:.1f}s\n")
        self._err.flush()


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
