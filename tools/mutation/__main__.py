"""``make mutation``: mutate each core module against its tests, print one table and every survivor.

Usage: ``python -m tools.mutation [--only SUBSTRING ...] [--min-score 0.9]``.
Exits 1 when a module scores below ``--min-score``. Results are cached in
``.mutation/`` (by mutmut, per function), so a rerun after a small change
only runs the mutants of the functions that changed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .results import ModuleScore, read_scores
from .staging import ROOT, module_digest, stage, tests_digest
from .targets import CORE, Target

MUTMUT = Path(sys.executable).parent / "mutmut"


def run_target(target: Target, max_children: int) -> tuple[Path, ModuleScore]:
    """Stage ``target``, run mutmut there, and read its verdicts.

    mutmut reruns only the mutants of functions that changed; when the tests
    changed (see :func:`.staging.tests_digest`) every mutant of the module is
    named explicitly, which makes mutmut run them all again.
    """
    staged = stage(target)
    digest, stamp = tests_digest(target), staged / "tests.sha256"
    source_digest, source_stamp = module_digest(target), staged / "source.sha256"
    command = [str(MUTMUT), "run", "--max-children", str(max_children)]
    tests_changed = not stamp.exists() or stamp.read_text(encoding="utf-8") != digest
    source_changed = not source_stamp.exists() or source_stamp.read_text(encoding="utf-8") != source_digest
    if tests_changed or source_changed:
        # mutmut maps functions to the tests that call them once, adding only new tests later: a function
        # that is new, or newly called by an old test, would have no tests and count as a survivor.
        (staged / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    if tests_changed:
        command.append(target.module.removesuffix(".py").replace("/", ".") + ".*")
    log = staged / "mutmut.log"
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(command, cwd=staged, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"mutmut failed for {target.module} (exit {result.returncode}); end of {log}:\n{tail}")
    stamp.write_text(digest, encoding="utf-8")
    source_stamp.write_text(source_digest, encoding="utf-8")
    return staged, read_scores(staged, target.module)


def describe_survivors(staged: Path, names: list[str]) -> list[dict[str, object]]:
    """``file:line`` and the change of each surviving mutant (see :mod:`.describe`)."""
    if not names:
        return []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "tools.mutation.describe", *names],
        cwd=staged,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def _row(score: ModuleScore) -> str:
    return (
        f"{score.module:<44} {score.mutants:>7} {score.killed:>6} {score.undetected:>8}"
        f" {score.timed_out:>7} {score.equivalent:>6} {score.score:>7.1%}"
    )


def table(scores: list[ModuleScore]) -> str:
    """The one table: a row per module, then the total."""
    header = f"{'module':<44} {'mutants':>7} {'killed':>6} {'survived':>8} {'timeout':>7} {'equiv.':>6} {'score':>7}"
    total = ModuleScore("all core modules")
    for score in scores:
        total.add(score)
    rule = "-" * len(header)
    return "\n".join([header, rule, *(_row(score) for score in scores), rule, _row(total)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make mutation", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="mutate only modules whose path contains this")
    parser.add_argument("--min-score", type=float, default=0.9, help="fail below this score (default 0.9)")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1, help="parallel mutants")
    args = parser.parse_args(argv)
    targets = [t for t in CORE if not args.only or any(part in t.module for part in args.only)]
    if not targets:
        parser.error(f"no core module matches {args.only}")
    started = time.monotonic()
    scores: list[ModuleScore] = []
    survivors: list[dict[str, object]] = []
    for target in targets:
        print(f"mutating {target.module} against {', '.join(target.tests)}", flush=True)
        staged, score = run_target(target, args.max_children)
        scores.append(score)
        survivors += describe_survivors(staged, score.survivors)
    print()
    print(table(scores))
    if survivors:
        print("\nsurvivors:")
        for survivor in sorted(survivors, key=lambda s: (str(s["file"]), int(str(s["line"])))):
            removed = " / ".join(str(line) for line in survivor["removed"])  # type: ignore[attr-defined]
            added = " / ".join(str(line) for line in survivor["added"])  # type: ignore[attr-defined]
            print(f"  {survivor['file']}:{survivor['line']}: {removed}  ->  {added}")
    print(f"\nmutation run took {time.monotonic() - started:.0f} s (results cached in .mutation/)")
    failing = [score.module for score in scores if score.score < args.min_score]
    if failing:
        print(f"below {args.min_score:.0%}: {', '.join(failing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
