"""Lay out a tree that mutmut understands, one per core module, in ``.mutation/``.

mutmut copies ``src/`` into ``mutants/``, puts that first on ``sys.path`` and
names mutants by import path, so it needs the packages directly under
``src/``. Each target gets its own directory: mutmut keeps its results there
between runs (keyed by a hash of each function), which makes a rerun
incremental, and a module's figures come from its own tests only.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .targets import Target

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / ".mutation"
PACKAGES = {
    "dataarts_export_client": ROOT / "generated" / "dataarts-export-client" / "dataarts_export_client",
    "dataarts_emulator": ROOT / "emulator" / "src" / "dataarts_emulator",
}
# Files and folders the tests read from the repository root (the spec, the contract seed, the README and the
# documentation pages whose tables and claims tests hold to the code).
ROOT_FILES = ("openapi.yaml", "schemathesis.toml", "README.md", "docs")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")


def slug(target: Target) -> str:
    """A directory name for ``target``: its module path with dots, without ``.py``."""
    return target.module.removesuffix(".py").replace("/", ".")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _table(name: str, values: Mapping[str, Any]) -> str:
    lines = [f"[{name}]"] + [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def pyproject_text(target: Target, pytest_options: Mapping[str, Any]) -> str:
    """The staged ``pyproject.toml``: the repository's pytest options and mutmut's for ``target``."""
    mutmut = {
        "source_paths": ["src"],
        "only_mutate": [f"src/{target.module}"],
        "pytest_add_cli_args_test_selection": list(target.tests),
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-p", "no:randomly"],
        "also_copy": list(ROOT_FILES),
        # A mutant that makes a loop spin is a detected mutant, not a stuck run.
        "timeout_multiplier": 5.0,
        "timeout_constant": 10.0,
    }
    return _table("tool.pytest.ini_options", pytest_options) + "\n" + _table("tool.mutmut", mutmut)


def stage(target: Target) -> Path:
    """Refresh ``target``'s staged tree from the working tree and return its directory.

    Sources and tests are copied anew (mutmut's own ``mutants/`` directory,
    with its cached results, is kept), so the staged tree is never stale.
    """
    directory = STAGING / slug(target)
    directory.mkdir(parents=True, exist_ok=True)
    for name, source in PACKAGES.items():
        _replace_tree(source, directory / "src" / name)
    _replace_tree(ROOT / "tests", directory / "tests")
    for name in ROOT_FILES:
        if (ROOT / name).is_dir():
            _replace_tree(ROOT / name, directory / name)
        else:
            shutil.copy2(ROOT / name, directory / name)
    with (ROOT / "pyproject.toml").open("rb") as file:
        pytest_options = dict(tomllib.load(file)["tool"]["pytest"]["ini_options"])
    # mutmut puts the mutated src/ first on sys.path itself; a pythonpath entry could shadow it.
    pytest_options.pop("pythonpath", None)
    (directory / "pyproject.toml").write_text(pyproject_text(target, pytest_options), encoding="utf-8")
    return directory


def tests_digest(target: Target) -> str:
    """A hash of the tests that judge ``target``: its test files and the helpers beside them.

    mutmut caches each mutant's verdict by a hash of the mutated function
    only, so a new or changed test would not be run against mutants already
    judged; :mod:`tools.mutation` reruns them all when this digest changes.
    """
    folders = {(ROOT / test).parent for test in target.tests} | {ROOT / "tests"}
    helpers = {path for folder in folders for path in folder.glob("*.py") if not path.name.startswith("test_")}
    files = sorted({ROOT / test for test in target.tests} | helpers)
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def module_digest(target: Target) -> str:
    """A hash of ``target``'s own source, whose change means mutmut's map of tests to functions is stale."""
    package, path = target.module.split("/", 1)
    return hashlib.sha256((PACKAGES[package] / path).read_bytes()).hexdigest()


def _replace_tree(source: Path, destination: Path) -> None:
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(source, destination, ignore=IGNORED)
