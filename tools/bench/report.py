"""The one table, printed to the terminal and written to ``BENCHMARKS.md``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .results import Row, Section

COLUMNS = ("Benchmark", "This project", "Peers, same run", "Target", "Measured", "Result")


def _cells(row: Row) -> tuple[str, ...]:
    verdict = {"met": "✅ met", "MISSED": "❌ missed", "info": "info"}[row.verdict]
    return (row.benchmark, row.ours, row.peers or "—", row.target, row.measured or "—", verdict)


def terminal_table(rows: Sequence[Row]) -> str:
    """One block per row, verdict first, for an 80-column terminal."""
    lines = []
    for row in rows:
        lines.append(f"[{row.verdict:^6}] {row.benchmark}")
        lines.append(f"         ours:   {row.ours}")
        if row.peers:
            lines.append(f"         peers:  {row.peers}")
        lines.append(f"         target: {row.target}" + (f"  measured: {row.measured}" if row.measured else ""))
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(sections: Sequence[Section], *, date: str, command: str, machine: str, peers: str, chart: str) -> str:
    """The whole of ``BENCHMARKS.md``."""
    rows = [row for section in sections for row in section.rows]
    missed = sum(row.met is False for row in rows)
    lines = [
        "# Benchmarks",
        "",
        "<!-- Written by `make bench` (tools/bench); do not edit by hand: run it again. -->",
        "",
        f"- **Command:** `{command}`",
        f"- **Date:** {date}",
        f"- **Machine:** {machine}",
        f"- **Peers and tools:** {peers}",
        f"- **Verdict:** {len(rows) - missed - sum(row.met is None for row in rows)} targets met, {missed} missed",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(_escape(cell) for cell in _cells(row)) + " |" for row in rows]
    lines += ["", f"![The same figures as a chart]({chart})", "", "## How each row is measured", ""]
    lines += [f"- **{section.name}:** {section.method}" for section in sections if section.method]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
