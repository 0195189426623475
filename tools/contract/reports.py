"""The report files of a run: their names, one run at a time per folder, the failing-only cassette, the leak scan."""

from __future__ import annotations

import fcntl
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from .config import ROOT

REPORT_FILES = ("junit.xml", "cassette.yaml", "failures.yaml", "events.ndjson", "summary.txt")
LOCK_FILE = ".lock"
_INTERACTIONS = "\nhttp_interactions:\n"
_ITEM = "\n- id: "


def display_path(path: Path) -> str:
    """``path`` relative to the repository root when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


@contextmanager
def exclusive(reports: Path, *, wait: bool = True, out: IO[str] | None = None) -> Iterator[None]:
    """Hold the folder's lock for a run: two runs sharing ``reports/`` would clear and read each other's files.

    A second run waits (saying so on ``out``) until the first is done, or with
    ``wait=False`` raises :class:`BlockingIOError`. The lock is released when
    the process ends, however it ends.
    """
    reports.mkdir(parents=True, exist_ok=True)
    with (reports / LOCK_FILE).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise
            if out is not None:
                out.write(f"contract: waiting for another run using {display_path(reports)}/ to finish\n")
                out.flush()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def clear_reports(reports: Path) -> None:
    """Remove the previous run's reports, so nothing stale is read or shown."""
    reports.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        (reports / name).unlink(missing_ok=True)


def write_failures_cassette(cassette: Path, target: Path) -> int:
    """Copy the failing and erroring interactions of a VCR cassette into ``target``; return how many."""
    if not cassette.exists():
        return 0
    text = cassette.read_text(encoding="utf-8")
    head, marker, rest = text.partition(_INTERACTIONS)
    kept = []
    if marker:
        for chunk in rest.split(_ITEM):
            body = chunk if chunk.startswith("- id: ") else "- id: " + chunk
            status_line = next((line for line in body.splitlines()[1:3] if line.startswith("  status: ")), "")
            if "FAILURE" in status_line or "ERROR" in status_line:
                kept.append(body.rstrip("\n"))
    content = head + "\nhttp_interactions:" + ("\n" + "\n".join(kept) if kept else " []") + "\n"
    target.write_text(content, encoding="utf-8")
    return len(kept)


def find_leaks(paths: Iterable[Path], secret_values: Sequence[str]) -> list[str]:
    """Names of report files containing any secret value (the values themselves are never printed)."""
    leaks = []
    for path in paths:
        if path.is_file():
            data = path.read_bytes()
            if any(value and value.encode("utf-8") in data for value in secret_values):
                leaks.append(display_path(path))
    return leaks
