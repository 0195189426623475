"""Rows: what an export of 1k, 10k and 50k ids costs, so that superlinear growth shows at once.

For each size a fresh interpreter (:mod:`.workbook_worker`) builds the
emulator's workbook in process, then runs the whole ``lib.export_to_file``
against an emulator process whose exports finish at once. Each size has a
time limit; a run that hits it is reported as slower than the limit, and
the larger sizes are then not run (they would only hit it too).
"""

from __future__ import annotations

import tempfile

from dataarts_emulator.testing import serve_process

from .processes import ROOT, run_worker
from .results import Panel, Row, Section

SIZES = (1_000, 10_000, 50_000)
BUILD_LIMIT = 2.0
EXPORT_LIMIT = 5.0
TIME_LIMIT = 30.0


SKIPPED = -1.0
"""The figure of a size not run because a smaller one already hit the time limit."""


def _shown(seconds: float | None) -> str:
    if seconds is None:
        return f"> {TIME_LIMIT:g} s (stopped)"
    return "not run (a smaller size hit the limit)" if seconds == SKIPPED else f"{seconds:.2f} s"


def _plotted(seconds: float | None) -> float:
    """Drawn at the limit when stopped or not run (the table says which)."""
    return TIME_LIMIT if seconds is None or seconds == SKIPPED else seconds


def run() -> Section:
    build: dict[int, float | None] = {}
    export: dict[int, float | None] = {}
    with (
        serve_process(["--export-seconds", "0", "--log-level", "warning"]) as (base_url, _),
        tempfile.TemporaryDirectory(prefix=".bench-", dir=ROOT) as scratch,
    ):
        for size in SIZES:
            if None in build.values() or None in export.values():
                build[size] = export[size] = SKIPPED
                continue
            lines = run_worker("workbook_worker", str(size), base_url, scratch, timeout=TIME_LIMIT)
            build[size] = next((line["build_seconds"] for line in lines if "build_seconds" in line), None)
            export[size] = next((line["export_seconds"] for line in lines if "export_seconds" in line), None)
    rows = [
        Row(
            f"Export of {size // 1000}k ids",
            f"build {_shown(build[size])}, export_to_file {_shown(export[size])}",
            "",
            "—",
            "",
            None,
        )
        for size in SIZES[:-1]
    ]
    largest = SIZES[-1]
    for label, figures, limit in (("build", build, BUILD_LIMIT), ("export_to_file", export, EXPORT_LIMIT)):
        seconds = figures[largest]
        rows.append(
            Row(
                f"Export of {largest // 1000}k ids: {label}",
                f"{label} {_shown(seconds)}",
                "",
                f"< {limit:g} s",
                _shown(seconds),
                seconds is not None and 0 <= seconds < limit,
            )
        )
    categories = [f"{size // 1000}k ids" for size in SIZES]
    panel = Panel(
        "Export cost by size",
        "seconds (log)",
        categories,
        {"workbook build": [_plotted(build[s]) for s in SIZES], "export_to_file": [_plotted(export[s]) for s in SIZES]},
        log_scale=True,
    )
    method = (
        "Each size in a fresh interpreter: `build_workbook` in process, then `lib.export_to_file` (start, wait, "
        f"download, fsync) against an emulator with `--export-seconds 0`; {TIME_LIMIT:g} s limit per size. "
        "Ids are 16-digit strings, so 50,000 fit the 1 MiB body limit."
    )
    return Section("workbook", rows, [panel], method)
