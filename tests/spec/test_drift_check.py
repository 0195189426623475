"""`make check-generated` reports drift: it passes on the committed tree and fails on an edit.

Each test runs the real check (tools/generate.py --check) on a copy of the
repository's generation inputs and of generated/, so it proves the check can
fail, not only that it passes today.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

INPUTS = ["openapi.yaml", "generator-config.yaml", "overrides", "tools/generate.py", "generated"]
MODEL = "generated/dataarts-export-client/dataarts_export_client/models/export_param.py"


@pytest.fixture
def workspace_copy(repo_root: Path, tmp_path: Path) -> Path:
    """A copy of everything generation reads and writes, to edit freely."""
    for name in INPUTS:
        source, target = repo_root / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))
        else:
            shutil.copyfile(source, target)
    return tmp_path


def run_generate(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "tools" / "generate.py"), "--root", str(root), *options],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    return run_generate(root, "--check")


def test_committed_tree_is_current(workspace_copy: Path) -> None:
    result = run_check(workspace_copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_spec_edit_is_reported_as_drift(workspace_copy: Path) -> None:
    spec = workspace_copy / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    anchor = "        model_id:\n"
    assert anchor in text
    spec.write_text(
        text.replace(anchor, "        owner_name:\n          type: string\n          description: Owner.\n" + anchor),
        encoding="utf-8",
    )
    result = run_check(workspace_copy)
    assert result.returncode == 1
    assert "owner_name" in result.stdout
    assert f"+++ b/{MODEL}" in result.stdout
    assert "run `make generate`" in result.stderr


def test_hand_edit_of_generated_code_is_reported(workspace_copy: Path) -> None:
    model = workspace_copy / MODEL
    model.write_text(model.read_text(encoding="utf-8") + "\n# edited by hand\n", encoding="utf-8")
    result = run_check(workspace_copy)
    assert result.returncode == 1
    assert "-# edited by hand" in result.stdout


def test_stray_file_in_generated_is_reported(workspace_copy: Path) -> None:
    stray = workspace_copy / "generated/dataarts-export-client/dataarts_export_client/stray.py"
    stray.write_text("X = 1\n", encoding="utf-8")
    result = run_check(workspace_copy)
    assert result.returncode == 1
    assert "only in committed tree" in result.stdout


def test_generation_leaves_the_hand_written_lib_alone(workspace_copy: Path) -> None:
    package = workspace_copy / "generated/dataarts-export-client/dataarts_export_client"
    helper = package / "lib" / "scratch_helper.py"
    helper.write_text("VALUE = 1\n", encoding="utf-8")
    model = package / "models" / "export_param.py"
    model.write_text(model.read_text(encoding="utf-8") + "\n# edited by hand\n", encoding="utf-8")
    result = run_generate(workspace_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert helper.read_text(encoding="utf-8") == "VALUE = 1\n"
    assert "# edited by hand" not in model.read_text(encoding="utf-8")
    assert run_check(workspace_copy).returncode == 0
