"""What a soak run asks for and how its results are judged.

Each export gets its own ids (so a mix-up between two exports shows as
wrong bytes) and a type taken in turn from the emulator's sheet layouts; the
expected file is what the emulator builds for exactly that request
(:func:`dataarts_emulator.workbook.build_workbook`, deterministic). After the
run the output folder must hold exactly the expected files, each byte for
byte: a failed export leaves nothing, and no temporary file is left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import LAYOUTS, build_workbook
from dataarts_export_client.models import ExportParam

_TYPES = tuple(LAYOUTS)


@dataclass(frozen=True)
class PlannedExport:
    """One export of a run: the request body and the file it must produce."""

    index: int
    body: ExportParam
    dest: Path

    def expected(self) -> bytes:
        """The workbook the emulator builds for this request."""
        return build_workbook(ExportRequest.from_body(self.body.to_dict()))


def plan(count: int, folder: Path, *, prefix: str = "soak") -> list[PlannedExport]:
    """``count`` exports with distinct ids (1 to 40 of them each), written as ``folder/<prefix>-<i>.xlsx``."""
    planned = []
    for index in range(count):
        ids = [f"{9_000_000_000_000_000_000 + index * 100 + k}" for k in range(1 + index % 40)]
        body = ExportParam(ids=ids, type_=_TYPES[index % len(_TYPES)], asyn=True)
        planned.append(PlannedExport(index, body, folder / f"{prefix}-{index:04d}.xlsx"))
    return planned


@dataclass(frozen=True)
class Verdict:
    """How many files are right, and what is wrong with the others."""

    correct: int
    total: int
    problems: tuple[str, ...]
    leftovers: tuple[str, ...]


def judge(planned: list[PlannedExport], folder: Path) -> Verdict:
    """Compare ``folder`` with the plan: each file byte for byte, and nothing else in it."""
    problems, correct = [], 0
    for item in planned:
        if not item.dest.exists():
            problems.append(f"{item.dest.name}: missing")
        elif item.dest.read_bytes() != item.expected():
            problems.append(f"{item.dest.name}: wrong bytes")
        else:
            correct += 1
    expected_names = {item.dest.name for item in planned}
    leftovers = tuple(sorted(p.name for p in folder.iterdir() if p.name not in expected_names))
    return Verdict(correct, len(planned), tuple(problems), leftovers)
