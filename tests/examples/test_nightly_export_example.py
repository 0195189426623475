"""The example project's own tests run in the suite, as its author runs them: pytest in its folder, its own config.

A subprocess, so that the example's ``pyproject.toml`` (its ``pythonpath``,
``testpaths`` and markers) governs the run and nothing of this repository's
conftest helps it: the plugin reaches it through its entry point alone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "nightly-export"


def test_the_nightly_export_example_passes_its_own_tests() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " passed" in output
    assert "skipped" not in output, output
