"""One range of Pythons, declared alike everywhere and run on each; and how ``make test-matrix`` finds them.

The workspace's ``requires-python`` is the range (``uv.lock`` resolves for
it). Both packages declare the same range and list each version in it as a
classifier; ``make test`` runs the suite on the oldest (CI's ``python3``)
and ``make test-matrix`` runs the packages' tests on each of the others;
mypy and ruff check the code for the oldest.
"""

from __future__ import annotations

import re
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from tools.pythons import candidates, find, main

from .support import PACKAGES, ROOT, project, supported_pythons

PYTHON_CLASSIFIER = re.compile(r"Programming Language :: Python :: (3\.\d+)")


def test_the_packages_declare_the_workspace_range_and_each_version_in_it() -> None:
    workspace = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    supported = supported_pythons()
    assert len(supported) >= 3, supported
    for package in PACKAGES:
        declared = project(package)
        assert declared["requires-python"] == workspace["project"]["requires-python"], package
        listed = [match[1] for item in declared["classifiers"] if (match := PYTHON_CLASSIFIER.fullmatch(item))]
        assert listed == supported, package


def test_every_supported_python_is_tested_and_the_oldest_is_checked() -> None:
    oldest, *others = supported_pythons()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    matrix = re.search(r"^MATRIX_PYTHONS \?= (.*)$", makefile, re.MULTILINE)
    assert matrix is not None
    assert matrix[1].split() == others, "make test-matrix runs every supported Python but the oldest"
    tools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert tools["mypy"]["python_version"] == oldest
    assert tools["ruff"]["target-version"] == "py" + oldest.replace(".", "")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test-matrix" in ci


def fake_python(folder: Path, version: str, reports: str | None) -> Path:
    """An executable ``python{version}`` that reports ``reports`` as its X.Y, or fails as a stale shim does."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"python{version}"
    body = f"echo {reports}" if reports else f"echo 'pyenv: python{version}: command not found' >&2; exit 127"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_a_python_counts_only_if_it_runs_and_reports_its_version(tmp_path: Path) -> None:
    shim = fake_python(tmp_path / "shims", "3.98", None)
    wrong = fake_python(tmp_path / "wrong", "3.98", "3.11")
    right = fake_python(tmp_path / "home" / ".pyenv" / "versions" / "3.98.1" / "bin", "3.98", "3.98")
    environ = {"PATH": f"{shim.parent}:{wrong.parent}", "HOME": str(tmp_path / "home")}

    assert find("3.98", environ) == right
    assert shim in candidates("3.98", environ)


def test_a_missing_python_fails_naming_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shim = fake_python(tmp_path / "shims", "3.99", None)
    monkeypatch.setenv("PATH", str(shim.parent))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PYENV_ROOT", raising=False)

    assert main(["3.99"]) == 2
    error = capsys.readouterr().err
    assert "no working Python 3.99 found" in error
    assert str(shim) in error
    assert "PYTHON=/path/to/python3.99" in error


def test_this_interpreter_is_found_by_its_version() -> None:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = find(version)
    assert found.name == f"python{version}"
