"""make mutation's own logic, without running mutmut: verdicts to scores, survivors located, tests fingerprinted.

The mutation run takes minutes, so its report must be right the first time:
a verdict miscounted or an equivalent mutant not counted apart would make
the README's figures wrong, and a cache that ignores new tests would keep
reporting mutants as surviving after a test was written to kill them.
"""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tools.mutation import __main__ as runner
from tools.mutation import staging, targets
from tools.mutation.__main__ import table
from tools.mutation.describe import function_start, locate
from tools.mutation.results import ModuleScore, read_scores
from tools.mutation.targets import CORE, Target

from ..client import test_public_names

MODULE = "dataarts_export_client/lib/example.py"


def staged_tree(tmp_path: Path, verdicts: dict[str, int | None], source: str) -> Path:
    meta = tmp_path / "mutants" / "src" / f"{MODULE}.meta"
    meta.parent.mkdir(parents=True)
    meta.write_text(json.dumps({"exit_code_by_key": verdicts}), encoding="utf-8")
    module = tmp_path / "src" / MODULE
    module.parent.mkdir(parents=True)
    module.write_text(source, encoding="utf-8")
    return tmp_path


def test_verdicts_become_a_score_with_equivalents_counted_apart(tmp_path: Path) -> None:
    verdicts: dict[str, int | None] = {
        "m.x_a__mutmut_1": 1,  # killed
        "m.x_a__mutmut_2": 3,  # killed (test error)
        "m.x_a__mutmut_3": 0,  # survived
        "m.x_a__mutmut_4": 33,  # no test reaches it: counted as surviving
        "m.x_a__mutmut_5": 24,  # timed out: detected
        "m.x_a__mutmut_6": 37,  # skipped (caught by the type checker): not counted
        "m.x_a__mutmut_7": None,  # not run: odd, counted as undetected
    }
    source = "def a():\n    return 1  # pragma: no mutate (equivalent: reason)\n    return 2\n"
    score = read_scores(staged_tree(tmp_path, verdicts, source), MODULE)
    assert (score.killed, score.survived, score.no_tests, score.timed_out, score.other) == (2, 1, 1, 1, 1)
    assert (score.mutants, score.undetected, score.equivalent) == (6, 3, 1)
    assert score.score == 0.5
    assert score.survivors == ["m.x_a__mutmut_3", "m.x_a__mutmut_4", "m.x_a__mutmut_7"]


def test_the_table_shows_both_kinds_and_totals_every_module() -> None:
    first = (ModuleScore("a.py", killed=9, survived=1), ModuleScore("a.py", killed=3, equivalent=1))
    second = (ModuleScore("b.py", killed=1, timed_out=1, equivalent=2), ModuleScore("b.py", other=1))
    lines = table([first, second]).splitlines()
    assert lines[3].split() == ["a.py", "10", "9", "1", "0", "0", "|", "3", "3", "0", "0", "1", "|", "92.3%"]
    assert lines[4].split() == ["b.py", "2", "1", "0", "1", "2", "|", "1", "0", "1", "0", "0", "|", "66.7%"]
    assert lines[-1].split()[-13:] == ["12", "10", "1", "1", "2", "|", "4", "3", "1", "0", "1", "|", "87.5%"]


def test_a_survivor_is_located_in_its_function() -> None:
    lines = ["class A:", "    def f(self):", "        x = 1", "def f():", "    x = 1"]
    assert function_start(lines, "m.xǁAǁf__mutmut_2") == 1
    assert function_start(lines, "m.x_f__mutmut_1") == 3
    assert locate(lines, ["x = 1"], function_start(lines, "m.x_f__mutmut_1")) == 5
    assert locate(lines, ["x = 1"], function_start(lines, "m.xǁAǁf__mutmut_2")) == 3
    assert locate(lines, [], 0) == 0


def test_the_tests_fingerprint_follows_the_tests_and_their_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = Target(MODULE, ("tests/client/test_example.py",))
    (tmp_path / "tests" / "client").mkdir(parents=True)
    test_file = tmp_path / "tests" / "client" / "test_example.py"
    helper = tmp_path / "tests" / "client" / "fakes.py"
    other_test = tmp_path / "tests" / "client" / "test_other.py"
    for path in (test_file, helper, other_test):
        path.write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(staging, "ROOT", tmp_path)
    first = staging.tests_digest(target)
    other_test.write_text("x = 2\n", encoding="utf-8")  # another module's tests: no rerun
    assert staging.tests_digest(target) == first
    helper.write_text("x = 2\n", encoding="utf-8")
    second = staging.tests_digest(target)
    assert second != first
    test_file.write_text("x = 3\n", encoding="utf-8")
    assert staging.tests_digest(target) not in (first, second)


def test_the_module_fingerprint_follows_the_module_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "lib" / "example.py"
    source.parent.mkdir()
    source.write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "lib" / "other.py").write_text("y = 1\n", encoding="utf-8")
    monkeypatch.setitem(staging.PACKAGES, "dataarts_export_client", tmp_path)
    target = Target(MODULE, ())
    first = staging.module_digest(target)
    (tmp_path / "lib" / "other.py").write_text("y = 2\n", encoding="utf-8")
    assert staging.module_digest(target) == first
    source.write_text("x = 2\n", encoding="utf-8")
    assert staging.module_digest(target) != first


def test_a_changed_module_or_test_makes_mutmut_map_its_tests_anew(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale map of tests to functions leaves a new function without tests: its mutants would all "survive"."""
    digests = {"tests": "t1", "source": "s1"}
    runs: list[tuple[bool, bool]] = []  # (mutmut found its old map, every mutant was named)
    stats = tmp_path / "mutants" / "mutmut-stats.json"

    def fake_run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        runs.append((stats.exists(), command[-1] == "dataarts_export_client.lib.example.*"))
        stats.parent.mkdir(exist_ok=True)
        stats.write_text("{}", encoding="utf-8")  # mutmut writes its map during a run
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(runner, "stage", lambda _target: tmp_path)
    monkeypatch.setattr(runner, "tests_digest", lambda _target: digests["tests"])
    monkeypatch.setattr(runner, "module_digest", lambda _target: digests["source"])
    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(runner, "read_scores", lambda *_: None)
    target = Target(MODULE, ("tests/client/test_example.py",))

    runner.run_target(target, 1)  # first run: no map yet, every mutant
    runner.run_target(target, 1)  # nothing changed: map kept, only what mutmut finds changed
    digests["source"] = "s2"
    runner.run_target(target, 1)  # the module changed: a new map, changed functions only
    digests["tests"] = "t2"
    runner.run_target(target, 1)  # the tests changed: a new map, every mutant
    assert runs == [(False, True), (True, False), (False, False), (False, True)]


def test_every_core_test_file_exists() -> None:
    listed = targets.test_files()
    assert listed == sorted(set(listed))
    for test in listed:
        assert (staging.ROOT / test).is_file(), test
    assert all(target.tests for target in CORE)


def test_the_public_names_test_checks_every_core_module_with_an_all() -> None:
    """tests/client/test_public_names.py lists them itself (it runs where ``tools`` cannot be imported)."""
    names = [target.module.removesuffix(".py").replace("/", ".") for target in CORE]
    with_all = sorted(name for name in names if hasattr(importlib.import_module(name), "__all__"))
    assert with_all == sorted(test_public_names.MODULES)
