"""What the packaging tests share: the locked uv, both packages built, throwaway environments to install into.

Everything lands under the test's ``tmp_path``; uv's own cache (in the real
home) makes repeated installs cheap, and ``install`` tries it alone first.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "bin" / "uv"
PACKAGES = {
    "dataarts_export_client": ROOT / "generated" / "dataarts-export-client",
    "dataarts_emulator": ROOT / "emulator",
}


def uv_env() -> dict[str, str]:
    """The environment for uv: the real home (the suite's HOME is a scratch folder), so uv finds its cache."""
    return {**os.environ, "HOME": pwd.getpwuid(os.getuid()).pw_dir, "UV_NO_PROGRESS": "1"}


def run(*command: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """``command``'s stdout; the test fails with its whole output unless it exits 0."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env or uv_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def project(package: str) -> dict[str, Any]:
    """The ``[project]`` table of ``package``'s pyproject.toml."""
    text = (PACKAGES[package] / "pyproject.toml").read_text(encoding="utf-8")
    project_table: dict[str, Any] = tomllib.loads(text)["project"]
    return project_table


def supported_pythons() -> list[str]:
    """The Python versions (X.Y) the workspace's ``requires-python`` admits, oldest first."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    admitted = SpecifierSet(tomllib.loads(text)["project"]["requires-python"])
    return [f"3.{minor}" for minor in range(50) if admitted.contains(f"3.{minor}")]


def build(dist: Path) -> dict[str, Path]:
    """Both packages' wheels (their sdists beside them), built as ``make dist`` builds them into ``dist/``."""
    run(UV, "build", "--all-packages", "--offline", "--quiet", "--out-dir", dist)
    return {package: dist / f"{package}-{project(package)['version']}-py3-none-any.whl" for package in PACKAGES}


def new_venv(venv: Path) -> Path:
    """A virtual environment of this interpreter at ``venv``; returns its python."""
    run(UV, "venv", "--quiet", "--python", sys.executable, venv)
    return venv / "bin" / "python"


def install(python: Path, *requirements: str | Path) -> None:
    """``uv pip install`` into ``python``'s environment: from uv's cache alone when it can, else the index."""
    command = [str(part) for part in (UV, "pip", "install", "--quiet", "--python", python, *requirements)]
    offline = subprocess.run([*command, "--offline"], env=uv_env(), capture_output=True, text=True, check=False)
    if offline.returncode != 0:
        run(*command)


def installed(python: Path) -> dict[str, str]:
    """Distribution name (canonical) -> version, of everything in ``python``'s environment."""
    listing = json.loads(run(UV, "pip", "list", "--format", "json", "--python", python))
    return {canonicalize_name(entry["name"]): entry["version"] for entry in listing}
