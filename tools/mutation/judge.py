"""Run a module's tests against each of its blind-spot mutants (:mod:`.blind_spots`), one forked pytest each.

Usage, inside a staged tree (as :mod:`tools.mutation` runs it)::

    python -m tools.mutation.judge MODULE --tests-digest D --max-children N TEST...

A blind-spot mutant changes what runs at import time (a constant, a class
body, a decorator), so unlike mutmut's it cannot be switched on inside a
running process: each mutant needs the module imported afresh. Starting
pytest for each would cost seconds of imports per mutant (hypothesis,
schemathesis, httpx...), so this process imports all of that once, by
collecting the tests, then forgets the project's own modules and the tests
and forks one child per mutant. The child puts the mutated source in place
of the module through an import hook (nothing is written to disk, so
children run side by side) and runs the module's test files, stopping at the
first failure; tests that killed earlier mutants go first, which is what
keeps a run short. A mutant is *killed* when a test fails or the tests cannot
even be collected, *timed out* (detected too) when the run outlasts five
times the unmutated run plus ten seconds (mutmut's own rule), *survived*
when all pass.

Verdicts are kept in ``blind-spots.json`` beside the staged tree, keyed by
mutant (see :attr:`.blind_spots.BlindSpot.key`), together with a hash of the
tests: a rerun judges only the mutants of modules or tests that changed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import io
import json
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from . import blind_spots
from .blind_spots import BlindSpot
from .results import BLIND_VERDICTS
from .staging import PACKAGES

# --assert=plain: pytest's assertion rewriter imports the modules of plugin packages (dataarts_emulator is one)
# from disk ahead of any other import hook; without it, the mutant's hook is the one that imports the module.
PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "no:randomly", "-q", "--no-header", "--assert=plain")
# Imported afresh in each child, with every module of the staged tree: the project's packages and the tests
# (whose imports bind the module's names).
FORGOTTEN = frozenset({*PACKAGES, "tests", "conftest"})
KILLED_EXIT_CODES = frozenset({1, 2, 3})  # tests failed, collection failed (the mutant breaks an import), pytest error
NOT_APPLIED = 99  # the child's exit code when the tests ran without importing the mutated module
TIMEOUT_MULTIPLIER, TIMEOUT_CONSTANT = 5.0, 10.0  # as in the staged mutmut configuration


class _MutantFinder(importlib.abc.MetaPathFinder):
    """Imports ``name`` from ``source`` instead of the file, keeping the file's path for tracebacks."""

    def __init__(self, name: str, path: str, source: str) -> None:
        self._name, self._path, self._source = name, path, source

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self._name:
            return None
        return importlib.util.spec_from_file_location(fullname, self._path, loader=_MutantLoader(self._source))


class _MutantLoader(importlib.abc.Loader):
    def __init__(self, source: str) -> None:
        self._source = source

    def exec_module(self, module: ModuleType) -> None:
        code = compile(self._source, str(module.__file__), "exec", dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 - the module's own source, with one change


class _Order:
    """A pytest plugin: runs tests in the order given (the rest after); notes each test's time and the first failure.

    The judge orders tests that killed earlier mutants first, then the
    others, each group fastest first: a killed mutant then usually costs one
    short test.
    """

    def __init__(self, order: Sequence[str] = ()) -> None:
        self._rank = {nodeid: index for index, nodeid in enumerate(order)}
        self.seconds: dict[str, float] = {}
        self.failed: str | None = None

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        items.sort(key=lambda item: self._rank.get(item.nodeid, len(self._rank)))

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration
        if report.failed and self.failed is None:
            self.failed = report.nodeid


@dataclass
class _Child:
    spot: BlindSpot
    started: float
    reader: int
    timed_out: bool = False


def _warm_up(tests: Sequence[str]) -> dict[str, float]:
    """Run the tests once in this process, unmutated; return each test's seconds.

    This imports everything the tests import (what each child then has for
    free), checks that they pass, and times them; then the project's modules
    and the tests are forgotten, for each child to import afresh. Hypothesis
    is told not to shrink a failing example (a verdict needs a failure, not
    its smallest form, and shrinking takes longer than finding) and not to
    enforce its deadline (a slow example on a busy machine is not a failure
    the mutant caused).
    """
    import pytest  # noqa: PLC0415 - imported in the judge only, where pytest runs in-process
    from hypothesis import Phase, settings  # noqa: PLC0415

    settings.register_profile("mutation", phases=(Phase.explicit, Phase.generate), database=None, deadline=None)
    settings.load_profile("mutation")
    plugin, output = _Order(), io.StringIO()
    with contextlib.redirect_stdout(output):
        code = pytest.main([*PYTEST_ARGS, *tests], plugins=[plugin])
    if code != 0:
        raise SystemExit(f"the tests fail without any mutant (exit {code}):\n{output.getvalue()[-3000:]}")
    here = Path.cwd()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if name.partition(".")[0] in FORGOTTEN or (origin and Path(origin).resolve().is_relative_to(here)):
            del sys.modules[name]
    if threading.active_count() != 1:
        raise SystemExit(f"the tests left threads running, a forked child could deadlock: {threading.enumerate()}")
    return plugin.seconds


def _fork(module: str, spot: BlindSpot, tests: Sequence[str], order: Sequence[str]) -> tuple[int, int]:
    """Start a child judging ``spot``; returns its pid and the pipe on which it names the test that failed."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    code = 70  # os._exit below is the only way out of a child: never back into the judge's loop
    try:
        os.close(reader)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setpgid(0, 0)  # its own process group: a timeout ends whatever the tests started too
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        import pytest  # noqa: PLC0415

        name = module.removesuffix(".py").replace("/", ".")
        sys.meta_path.insert(0, _MutantFinder(name, str(Path("src") / module), spot.source()))
        plugin = _Order(order)
        code = int(pytest.main([*PYTEST_ARGS, "-x", "--tb=no", *tests], plugins=[plugin]))
        if code == 0 and not isinstance(getattr(sys.modules.get(name), "__loader__", None), _MutantLoader):
            code = NOT_APPLIED  # a pass that proves nothing: the tests never met the mutant
        os.write(writer, (plugin.failed or "").encode())
    finally:
        os._exit(code)


def _end(pid: int) -> None:
    """End a child and whatever its tests started (its process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _verdict(status: int, timed_out: bool) -> str:
    code = os.waitstatus_to_exitcode(status)
    if timed_out:
        return "timeout"
    if code == 0:
        return "survived"
    if code in KILLED_EXIT_CODES or code < 0:  # a signal: the mutant crashed the tests
        return "killed"
    if code == NOT_APPLIED:
        return "error (the tests never imported the mutant)"
    return f"error (pytest exit {code})"


def judge(
    module: str, spots: Sequence[BlindSpot], tests: Sequence[str], max_children: int, killers: set[str]
) -> dict[str, tuple[str, str]]:
    """``{key: (verdict, test that failed)}`` for each of ``spots``; ``killers`` gains the tests that failed."""
    seconds = _warm_up(tests)
    timeout = sum(seconds.values()) * TIMEOUT_MULTIPLIER + TIMEOUT_CONSTANT
    queue, running = deque(spots), dict[int, _Child]()
    verdicts: dict[str, tuple[str, str]] = {}
    try:
        while queue or running:
            while queue and len(running) < max_children:
                spot = queue.popleft()
                order = sorted(seconds, key=lambda nodeid: (nodeid not in killers, seconds[nodeid]))
                pid, reader = _fork(module, spot, tests, order)
                running[pid] = _Child(spot, time.monotonic(), reader)
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                for child_pid, child in running.items():
                    if not child.timed_out and time.monotonic() - child.started > timeout:
                        child.timed_out = True
                        _end(child_pid)
                time.sleep(0.01)
                continue
            child = running.pop(pid)
            failed = os.read(child.reader, 4096).decode()
            os.close(child.reader)
            verdicts[child.spot.key] = (_verdict(status, child.timed_out), failed)
            if failed:
                killers.add(failed)
    finally:  # interrupted: the children run in process groups of their own, which no Ctrl-C reaches
        for child_pid in running:
            _end(child_pid)
            os.waitpid(child_pid, 0)
    return verdicts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation.judge", description=__doc__.splitlines()[0])
    parser.add_argument("module", help="path of the module under src/")
    parser.add_argument("tests", nargs="+", help="the test files that judge it")
    parser.add_argument("--tests-digest", required=True, help="a hash of the tests; verdicts of other tests are stale")
    parser.add_argument("--max-children", type=int, default=1)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))  # end the children on the way out
    sys.path.insert(0, str(Path("src").resolve()))
    source = (Path("src") / args.module).read_text(encoding="utf-8")
    found = blind_spots.find(source, args.module)
    store = Path(BLIND_VERDICTS)
    old: dict[str, Any] = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}
    fresh = old.get("tests") == args.tests_digest
    known = {entry["key"]: entry for entry in old.get("mutants", [])} if fresh else {}
    killers = set(old.get("killers", [])) if fresh else set()
    pending = [spot for spot in found.mutants if spot.key not in known]
    started = time.monotonic()
    verdicts = judge(args.module, pending, args.tests, args.max_children, killers) if pending else {}
    for key, entry in known.items():
        verdicts.setdefault(key, (entry["verdict"], entry["test"]))
    report = {
        "tests": args.tests_digest,
        "mutants": [
            {
                "key": spot.key,
                "line": spot.line,
                "before": spot.before,
                "after": spot.after,
                "verdict": verdicts[spot.key][0],
                "test": verdicts[spot.key][1],
            }
            for spot in found.mutants
        ],
        "equivalent_lines": sorted(found.equivalent_lines),
        "killers": sorted(killers),
    }
    store.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(
        f"blind spots of {args.module}: {len(found.mutants)} mutants, {len(pending)} judged"
        f" in {time.monotonic() - started:.0f} s, {len(found.mutants) - len(pending)} from the cache"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
