"""Read the per-mutant verdicts of both kinds and turn them into a score per module and kind.

mutmut writes, beside each mutated file, ``<file>.meta``: a JSON object whose
``exit_code_by_key`` maps each mutant to the exit code of its test run. The
codes mean what :data:`mutmut.stats.status_by_exit_code` says; the few we
need are restated here so the report does not depend on mutmut internals.

Equivalent mutants (those that cannot change behaviour) are not mutated at
all: the line carries ``# pragma: no mutate`` and a reason. They are counted
apart, from those markers, so none is silenced without showing up: a marked
line counts for the blind spots when it kept a blind-spot mutant from being
made (:mod:`.judge` lists those lines), for mutmut otherwise.

The blind-spot verdicts are :mod:`.judge`'s ``blind-spots.json``: one entry
per mutant, with its line, the change, and ``killed``, ``timeout``,
``survived`` or an error (counted as undetected, like mutmut's odd codes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

KILLED_CODES = frozenset({1, 3})
SURVIVED_CODES = frozenset({0})
NO_TESTS_CODES = frozenset({5, 33})
TIMEOUT_CODES = frozenset({-24, 24, 36, 152, 255})
SKIPPED_CODES = frozenset({34, 37})
EQUIVALENT_MARKER = "pragma: no mutate"
BLIND_VERDICTS = "blind-spots.json"


@dataclass
class ModuleScore:
    """The verdicts of one module's mutants."""

    module: str
    killed: int = 0
    survived: int = 0
    no_tests: int = 0
    timed_out: int = 0
    other: int = 0
    equivalent: int = 0
    survivors: list[str] = field(default_factory=list)

    @property
    def undetected(self) -> int:
        """Mutants no test noticed: survivors, those no test reaches, and odd verdicts."""
        return self.survived + self.no_tests + self.other

    @property
    def mutants(self) -> int:
        return self.killed + self.timed_out + self.undetected

    def add(self, other: ModuleScore) -> None:
        """Count ``other``'s verdicts into this one (for a total)."""
        self.killed += other.killed
        self.survived += other.survived
        self.no_tests += other.no_tests
        self.timed_out += other.timed_out
        self.other += other.other
        self.equivalent += other.equivalent

    @property
    def score(self) -> float:
        """Detected share: killed or timed out (a mutant that hangs the code is caught) over all tested.

        A mutant no test reaches counts as surviving: it is exactly the gap
        the score should show.
        """
        return (self.killed + self.timed_out) / self.mutants if self.mutants else 1.0


def read_scores(staged: Path, module: str, blind_marked: frozenset[int] = frozenset()) -> ModuleScore:
    """The verdicts mutmut stored for ``module`` (path under ``src/``) in the staged tree ``staged``.

    ``blind_marked`` are the marked lines that count for the blind spots instead.
    """
    score = ModuleScore(module)
    meta = staged / "mutants" / "src" / f"{module}.meta"
    if meta.exists():
        verdicts: dict[str, int | None] = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in sorted(verdicts.items()):
            if code in KILLED_CODES:
                score.killed += 1
            elif code in SURVIVED_CODES:
                score.survived += 1
                score.survivors.append(name)
            elif code in NO_TESTS_CODES:
                score.no_tests += 1
                score.survivors.append(name)
            elif code in TIMEOUT_CODES:
                score.timed_out += 1
            elif code not in SKIPPED_CODES:
                score.other += 1
                score.survivors.append(name)
    lines = (staged / "src" / module).read_text(encoding="utf-8").splitlines()
    score.equivalent = sum(
        EQUIVALENT_MARKER in line and number not in blind_marked for number, line in enumerate(lines, start=1)
    )
    return score


@dataclass
class BlindScore:
    """The blind-spot verdicts of one module, and each undetected mutant as ``file:line: before -> after``."""

    score: ModuleScore
    marked_lines: frozenset[int]
    survivors: list[str] = field(default_factory=list)


def read_blind_scores(staged: Path, module: str, repository_path: str) -> BlindScore:
    """The verdicts :mod:`.judge` stored for ``module`` in ``staged``; survivors named by ``repository_path``."""
    report = json.loads((staged / BLIND_VERDICTS).read_text(encoding="utf-8"))
    score = ModuleScore(module, equivalent=len(report["equivalent_lines"]))
    result = BlindScore(score, frozenset(report["equivalent_lines"]))
    for mutant in report["mutants"]:
        verdict = mutant["verdict"]
        if verdict == "killed":
            score.killed += 1
        elif verdict == "timeout":
            score.timed_out += 1
        else:
            if verdict == "survived":
                score.survived += 1
            else:
                score.other += 1
            note = "" if verdict == "survived" else f"  [{verdict}]"
            change = f"{mutant['before']}  ->  {mutant['after']}{note}"
            result.survivors.append(f"{repository_path}:{mutant['line']}: {change}")
    return result
