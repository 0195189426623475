"""Reading the fidelity ledger (``docs/fidelity.md``) and the facts the tests pin.

A fact is a table row whose first cell is an ID such as ``F-ERR-2``; its
columns are the ID, the fact, its source and what the toolkit does. Tests
pin facts with ``@pytest.mark.fact("F-ERR-2", ...)``, which is read from the
test files' text here, so that the ledger's own test needs no test run.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "docs" / "fidelity.md"
TESTS = ROOT / "tests"

FACT_ID = re.compile(r"F-[A-Z]+-[0-9]+")
_MARKER = re.compile(r"mark\.fact\(([^)]*)\)")
_QUOTED = re.compile(r"""["'](F-[A-Z]+-[0-9]+)["']""")

SOURCE_KINDS = (
    "seed",
    "API Explorer",
    "SDK",
    "doc page",
    "Terraform",
    "assumption: not documented anywhere",
    "emulator's own",
)
"""What a Source cell names at least one of (the kinds the ledger's introduction lists)."""


@dataclass(frozen=True)
class Fact:
    """One row of the ledger: its ID, the fact, its source, what the toolkit does, and its section."""

    id: str
    fact: str
    source: str
    toolkit: str
    section: str


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def read_ledger(text: str) -> list[Fact]:
    """Every fact row of the ledger ``text``, in order; a fact row must have four cells."""
    facts, section = [], ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line.removeprefix("## ").strip()
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if not FACT_ID.fullmatch(cells[0]):
            continue
        if len(cells) != 4:
            raise ValueError(f"{cells[0]}: a fact row has 4 cells (ID, fact, source, toolkit), not {len(cells)}")
        facts.append(Fact(cells[0], cells[1], cells[2], cells[3], section))
    return facts


def ledger_facts() -> list[Fact]:
    """The facts of ``docs/fidelity.md``."""
    return read_ledger(LEDGER.read_text(encoding="utf-8"))


def pinned_facts(tests: Path = TESTS) -> dict[str, set[str]]:
    """Fact ID -> the test files (relative to ``tests``) whose ``mark.fact(...)`` names it."""
    pinned: dict[str, set[str]] = {}
    for path in sorted(tests.rglob("test_*.py")):
        for marker in _MARKER.finditer(path.read_text(encoding="utf-8")):
            for fact_id in _QUOTED.findall(marker.group(1)):
                pinned.setdefault(fact_id, set()).add(str(path.relative_to(tests)))
    return pinned


def unsourced(facts: list[Fact]) -> list[str]:
    """IDs of facts whose source names none of :data:`SOURCE_KINDS`."""
    return [fact.id for fact in facts if not any(kind in fact.source for kind in SOURCE_KINDS)]


def duplicated(facts: list[Fact]) -> list[str]:
    """IDs that more than one row uses."""
    counts = Counter(fact.id for fact in facts)
    return sorted(fact_id for fact_id, count in counts.items() if count > 1)


def unpinned(facts: list[Fact], pinned: dict[str, set[str]]) -> list[str]:
    """IDs of facts no test pins."""
    return [fact.id for fact in facts if fact.id not in pinned]


def unknown(facts: list[Fact], pinned: dict[str, set[str]]) -> list[str]:
    """IDs the tests pin that the ledger does not have (a typo, or a fact removed without its tests)."""
    known = {fact.id for fact in facts}
    return sorted(fact_id for fact_id in pinned if fact_id not in known)


def missing_codes(facts: list[Fact], codes: set[str]) -> list[str]:
    """Error codes no fact row mentions (in its Fact cell)."""
    return sorted(code for code in codes if not any(f"`{code}`" in fact.fact for fact in facts))


def misattributed_codes(facts: list[Fact], codes: set[str]) -> list[str]:
    """Codes whose rows do not say where they come from: ``EMU.*`` must be the emulator's own, others sourced."""
    wrong = []
    for code in sorted(codes):
        rows = [fact for fact in facts if f"`{code}`" in fact.fact]
        own = code.startswith("EMU.")
        documented = ("seed", "API Explorer", "SDK", "doc page", "Terraform")
        if own and not any("emulator's own" in row.source for row in rows):
            wrong.append(code)
        if not own and not any(kind in row.source for row in rows for kind in documented):
            wrong.append(code)
    return wrong
