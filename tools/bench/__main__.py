"""``python -m tools.bench`` (``make bench``): run every benchmark, print the table, write BENCHMARKS.md.

Exits 1 when a target is missed or a benchmark could not run. Only a full,
unmutated run writes ``BENCHMARKS.md`` and ``benchmarks.png``; ``--only``
and ``--mutate`` runs print their table and leave the files alone.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from . import chart, contract, download, importing, poll, report, servers, waiter, workbook
from .machine import machine, peers
from .processes import ROOT
from .results import Row, Section

MUTATIONS = {
    "buffered-download": "the client under test reads the whole workbook into memory "
    "(the generated export_design_result.sync) instead of streaming it",
}


def _benchmarks(args: argparse.Namespace) -> dict[str, Callable[[], Section]]:
    client_variant = "buffered" if args.mutate == "buffered-download" else "client"
    return {
        "poll": poll.run,
        "download": lambda: download.run(client_variant=client_variant),
        "servers": servers.run,
        "workbook": workbook.run,
        "waiter": waiter.run,
        "import": importing.run,
        "contract": contract.run,
    }


def _parser(names: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=names, help="run only these benchmarks (repeatable)")
    parser.add_argument("--mutate", choices=sorted(MUTATIONS), help="break the client on purpose: the bench must fail")
    return parser


def _failed(name: str, error: BaseException) -> Section:
    """A benchmark that could not run is a missed row, not a crash of the whole bench."""
    traceback.print_exception(error, file=sys.stderr)
    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return Section(name, [Row(name, f"could not run: {message[:200]}", "", "runs", "error", False)])


def command_line() -> str:
    """The exact command: ``make bench`` when run by make, else this interpreter's command line."""
    if os.environ.get("MAKELEVEL"):
        return "make bench"
    return shlex.join(["python", "-m", "tools.bench", *sys.argv[1:]])


def main() -> int:
    names = ["poll", "download", "servers", "workbook", "waiter", "import", "contract"]
    args = _parser(names).parse_args()
    benchmarks = _benchmarks(args)
    if args.mutate:
        print(f"MUTATION {args.mutate}: {MUTATIONS[args.mutate]}", flush=True)
    started = time.monotonic()
    sections = []
    for name in args.only or names:
        print(f"--- {name}", flush=True)
        began = time.monotonic()
        try:
            section = benchmarks[name]()
        except Exception as error:  # reported as a missed row; the other benchmarks still run
            section = _failed(name, error)
        sections.append(section)
        print(report.terminal_table(section.rows), f"\n    ({time.monotonic() - began:.0f} s)", flush=True)
    rows = [row for section in sections for row in section.rows]
    missed = [row for row in rows if row.met is False]
    print(f"\n=== make bench: {len(rows)} rows, {len(missed)} missed, {time.monotonic() - started:.0f} s")
    print(report.terminal_table(rows))
    if args.only or args.mutate:
        print("(partial or mutated run: BENCHMARKS.md and benchmarks.png left as they were)")
    else:
        date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        text = report.markdown(
            sections, date=date, command=command_line(), machine=machine(), peers=peers(), chart="benchmarks.png"
        )
        report.write(ROOT / "BENCHMARKS.md", text)
        panels = [panel for section in sections for panel in section.panels]
        chart.draw(panels, ROOT / "benchmarks.png", title=f"make bench, {date}: {machine()}")
        print("wrote BENCHMARKS.md and benchmarks.png")
    print("BENCH " + ("FAILED: " + "; ".join(row.benchmark for row in missed) if missed else "PASSED"))
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
