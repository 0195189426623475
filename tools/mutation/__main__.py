"""``make mutation``: mutate each core module against its tests, print one table and every survivor.

Usage: ``python -m tools.mutation [--only SUBSTRING ...] [--min-score 0.9]``.
Each module gets both kinds of mutant: mutmut's, inside function bodies,
and the blind-spot ones mutmut never makes (:mod:`.blind_spots`, judged by
:mod:`.judge`), against the same test files. Exits 1 when a module scores
below ``--min-score`` counting both. Results are cached in ``.mutation/``
(mutmut's per function, the blind spots' per module and tests), so a rerun
after a small change only runs the mutants that change can affect.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from .describe import repository_path
from .results import BlindScore, ModuleScore, read_blind_scores, read_scores
from .staging import ROOT, module_digest, stage, tests_digest
from .targets import CORE, Target

MUTMUT = Path(sys.executable).parent / "mutmut"


def run_target(target: Target, max_children: int) -> Path:
    """Stage ``target`` and run mutmut there; returns the staged tree, where mutmut left its verdicts.

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
    return staged


def run_blind_spots(staged: Path, target: Target, max_children: int) -> BlindScore:
    """Judge ``target``'s blind-spot mutants in the staged tree (:mod:`.judge`) and read the verdicts."""
    command = [sys.executable, "-m", "tools.mutation.judge", target.module, *target.tests]
    command += ["--tests-digest", tests_digest(target), "--max-children", str(max_children)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = staged / "judge.log"
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(command, cwd=staged, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"judging the blind spots of {target.module} failed; end of {log}:\n{tail}")
    return read_blind_scores(staged, target.module, repository_path(Path("src") / target.module))


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


_KIND = f"{'mutants':>7} {'killed':>6} {'survived':>8} {'timeout':>7} {'equiv.':>6}"


def _counts(score: ModuleScore) -> str:
    return f"{score.mutants:>7} {score.killed:>6} {score.undetected:>8} {score.timed_out:>7} {score.equivalent:>6}"


def combined(mutmut: ModuleScore, blind: ModuleScore) -> ModuleScore:
    """Both kinds of one module (or of a total) as one score."""
    both = ModuleScore(mutmut.module)
    both.add(mutmut)
    both.add(blind)
    return both


def table(rows: list[tuple[ModuleScore, ModuleScore]]) -> str:
    """The one table: per module, mutmut's mutants, the blind-spot ones, and the score of both; then the total."""
    width = len(_KIND)
    header = f"{'':<44} {'mutmut':<{width}} | {'blind spots':<{width}} | {'both':>7}"
    columns = f"{'module':<44} {_KIND} | {_KIND} | {'score':>7}"
    total_mutmut, total_blind = ModuleScore("all core modules"), ModuleScore("all core modules")
    lines = []
    for mutmut, blind in [*rows, (total_mutmut, total_blind)]:
        if mutmut is total_mutmut:
            lines.append("-" * len(columns))
        lines.append(
            f"{mutmut.module:<44} {_counts(mutmut)} | {_counts(blind)} | {combined(mutmut, blind).score:>7.1%}"
        )
        if mutmut is not total_mutmut:
            total_mutmut.add(mutmut)
            total_blind.add(blind)
    return "\n".join([header, columns, "-" * len(columns), *lines])


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (mutmut's and the judge's, with their forks)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make mutation", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="mutate only modules whose path contains this")
    parser.add_argument(
        "--min-score", type=float, default=0.9, help="fail when a module scores below this, both kinds (default 0.9)"
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 1, help="parallel mutants")
    args = parser.parse_args(argv)
    targets = [t for t in CORE if not args.only or any(part in t.module for part in args.only)]
    if not targets:
        parser.error(f"no core module matches {args.only}")
    started, cpu_started = time.monotonic(), _cpu_seconds()
    rows: list[tuple[ModuleScore, ModuleScore]] = []
    survivors: list[dict[str, object]] = []
    blind_survivors: list[str] = []
    for target in targets:
        print(f"mutating {target.module} against {', '.join(target.tests)}", flush=True)
        staged = run_target(target, args.max_children)
        blind = run_blind_spots(staged, target, args.max_children)
        score = read_scores(staged, target.module, blind.marked_lines)
        rows.append((score, blind.score))
        survivors += describe_survivors(staged, score.survivors)
        blind_survivors += blind.survivors
    print()
    print(table(rows))
    if survivors:
        print("\nsurvivors (mutmut):")
        for survivor in sorted(survivors, key=lambda s: (str(s["file"]), int(str(s["line"])))):
            removed = " / ".join(str(line) for line in survivor["removed"])  # type: ignore[attr-defined]
            added = " / ".join(str(line) for line in survivor["added"])  # type: ignore[attr-defined]
            print(f"  {survivor['file']}:{survivor['line']}: {removed}  ->  {added}")
    if blind_survivors:
        print("\nsurvivors (blind spots):")
        for line in blind_survivors:
            print(f"  {line}")
    print(
        f"\nmutation run took {time.monotonic() - started:.0f} s, {_cpu_seconds() - cpu_started:.0f} s of CPU"
        " (results cached in .mutation/)"
    )
    failing = [mutmut.module for mutmut, blind in rows if combined(mutmut, blind).score < args.min_score]
    if failing:
        print(f"below {args.min_score:.0%}: {', '.join(failing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
