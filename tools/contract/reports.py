"""The report files of a run: their names, the failing-only cassette, and the scan for leaked secrets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from .config import ROOT

REPORT_FILES = ("junit.xml", "cassette.yaml", "failures.yaml", "events.ndjson", "summary.txt")
_INTERACTIONS = "\nhttp_interactions:\n"
_ITEM = "\n- id: "


def display_path(path: Path) -> str:
    """``path`` relative to the repository root when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


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
