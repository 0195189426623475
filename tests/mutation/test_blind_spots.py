"""The blind-spot mutants: made exactly where mutmut does not mutate, judged by a forked run, read into the table.

A blind spot the finder missed would be a place no run mutates while the
table says 100 %; a mutant it made inside a function body would be counted
twice (mutmut already makes it); a verdict misread would make the README's
figures wrong. The last test runs :mod:`tools.mutation.judge` for real on a
two-file project: a constant one test guards and a default no test reads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tools.mutation import blind_spots
from tools.mutation.results import BLIND_VERDICTS, read_blind_scores, read_scores
from tools.mutation.staging import ROOT

SOURCE = '''\
"""A module with every kind of place."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, TypeAlias, TypeVar

__all__ = ["LIMIT"]

LIMIT = 3
Mode = Literal["a", "b"]
_T = TypeVar("_T")
SKIPPED = 7  # pragma: no mutate (equivalent: the reason)


@dataclass(frozen=True)
class Policy:
    retries: int = 5

    def plain(self) -> int:
        return self.retries + 1

    @property
    def doubled(self) -> int:
        return self.retries * 2


@functools.lru_cache(maxsize=8)
def cached(x: int) -> int:
    return x - 1


def plain(x: int, flags: frozenset[int] = frozenset({9})) -> bool:
    return x in flags and len([x]) == 1


class Plain:
    @staticmethod
    def method() -> int:
        return 11


Number: TypeAlias = int | float
'''


def changes() -> set[tuple[int, str, str]]:
    return {(spot.line, spot.before, spot.after) for spot in blind_spots.find(SOURCE).mutants}


def test_the_places_mutmut_skips_are_mutated() -> None:
    found = changes()
    assert (9, '"LIMIT"', '"XXLIMITXX"') in found  # a module-level list
    assert (11, "3", "4") in found  # a module constant
    assert (17, "True", "False") in found  # a decorator argument
    assert (19, "5", "6") in found  # a dataclass field default
    assert (26, "self.retries * 2", "self.retries / 2") in found  # the body of a property
    assert (29, "8", "9") in found  # a decorator argument of a function
    assert (31, "x - 1", "x + 1") in found  # the body of an lru_cache function
    assert (34, "frozenset({9})", "frozenset(None)") in found  # a default that is not a plain literal
    assert (34, "9", "10") in found


def test_what_mutmut_mutates_or_never_mutates_is_left_alone() -> None:
    lines = {line for line, _, _ in changes()}
    assert not lines & {12, 13, 44}  # type aliases and a type variable: annotations by another name
    assert 14 not in lines  # marked equivalent
    assert not lines & {22, 35, 41}  # plain function bodies and a static method: mutmut's
    assert all(after != "len(None)" and "len" not in before for _, before, after in changes())
    assert blind_spots.find(SOURCE).equivalent_lines == {14}


def test_each_mutant_is_the_module_with_one_change_and_a_stable_key() -> None:
    spots = blind_spots.find(SOURCE).mutants
    limit = next(spot for spot in spots if (spot.line, spot.after) == (11, "4"))
    assert [line for line in limit.source().splitlines() if line.startswith("LIMIT")] == ["LIMIT = 4"]
    assert sum(a != b for a, b in zip(limit.source().splitlines(), SOURCE.splitlines(), strict=True)) == 1
    assert [spot.key for spot in blind_spots.find(SOURCE).mutants] == [spot.key for spot in spots]
    assert len({spot.key for spot in spots}) == len(spots)
    changed = SOURCE.replace("return 11", "return 12")  # any change to the module renews every key
    assert not {spot.key for spot in blind_spots.find(changed).mutants} & {spot.key for spot in spots}


def test_blind_verdicts_become_a_score_and_marked_lines_count_for_their_kind(tmp_path: Path) -> None:
    report = {
        "tests": "d",
        "equivalent_lines": [2],
        "mutants": [
            {"key": "a", "line": 1, "before": "3", "after": "4", "verdict": "killed", "test": "t"},
            {"key": "b", "line": 1, "before": "3", "after": "None", "verdict": "timeout", "test": ""},
            {"key": "c", "line": 3, "before": "True", "after": "False", "verdict": "survived", "test": ""},
            {"key": "d", "line": 4, "before": "x", "after": "y", "verdict": "error (pytest exit 5)", "test": ""},
        ],
    }
    (tmp_path / BLIND_VERDICTS).write_text(json.dumps(report), encoding="utf-8")
    module = tmp_path / "src" / "pkg" / "m.py"
    module.parent.mkdir(parents=True)
    module.write_text("a = 1  # pragma: no mutate (mutmut's)\nb = 2  # pragma: no mutate (blind)\n", encoding="utf-8")
    blind = read_blind_scores(tmp_path, "pkg/m.py", "lib/m.py")
    score = blind.score
    assert (score.killed, score.timed_out, score.survived, score.other, score.equivalent) == (1, 1, 1, 1, 1)
    assert score.score == 0.5
    assert blind.survivors == ["lib/m.py:3: True  ->  False", "lib/m.py:4: x  ->  y  [error (pytest exit 5)]"]
    assert read_scores(tmp_path, "pkg/m.py", blind.marked_lines).equivalent == 1
    assert read_scores(tmp_path, "pkg/m.py").equivalent == 2


GUARDED = """\
LIMIT = 3
RETRIES = 5


def limit() -> int:
    return LIMIT
"""

GUARD = """\
from dataarts_export_client.lib.toy import limit


def test_limit() -> None:
    assert limit() == 3
"""


def test_the_judge_kills_a_guarded_constant_and_reports_an_unguarded_one(tmp_path: Path) -> None:
    """A real run: forked children, the mutated module imported from memory, verdicts cached for the rerun."""
    package = tmp_path / "src" / "dataarts_export_client" / "lib"
    package.mkdir(parents=True)
    for init in (package / "__init__.py", package.parent / "__init__.py"):
        init.write_text("", encoding="utf-8")
    (package / "toy.py").write_text(GUARDED, encoding="utf-8")
    (tmp_path / "test_toy.py").write_text(GUARD, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    command = [sys.executable, "-m", "tools.mutation.judge", "dataarts_export_client/lib/toy.py", "test_toy.py"]
    command += ["--tests-digest", "d1", "--max-children", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}

    def judge() -> str:
        result = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    assert "4 mutants, 4 judged" in judge()
    verdicts = {
        (m["line"], m["after"]): (m["verdict"], m["test"])
        for m in json.loads((tmp_path / BLIND_VERDICTS).read_text(encoding="utf-8"))["mutants"]
    }
    assert verdicts == {
        (1, "LIMIT = None"): ("killed", "test_toy.py::test_limit"),
        (1, "4"): ("killed", "test_toy.py::test_limit"),
        (2, "RETRIES = None"): ("survived", ""),
        (2, "6"): ("survived", ""),
    }
    assert "4 mutants, 0 judged" in judge()  # nothing changed: every verdict from the cache
    assert (package / "toy.py").read_text(encoding="utf-8") == GUARDED  # nothing was written to the source
