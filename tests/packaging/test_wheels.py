"""Both packages as a user gets them: built with the locked uv, installed in a fresh environment outside the repository.

One test, in steps, since every step needs the one before:

1. ``uv build`` makes a wheel and an sdist of each package; their metadata is
   complete (summary, license, URLs, classifiers, ``py.typed``, entry
   points) and the version is the one of the package's pyproject;
2. a virtual environment in a temporary folder gets the two wheels and
   pytest, every other distribution at its ``uv.lock`` version (constraints
   exported from the lock) and from uv's cache when it holds them all
   (``--offline``), else from the index. Constraints never add a package,
   so a runtime dependency missing from a wheel's metadata stays missing;
3. there, every module of both packages imports, ``dataarts-export --help``
   runs, ``python -m dataarts_emulator`` serves, ``dataarts-export export``
   saves a workbook from it, and the README's own test file (the plugin
   quick start) passes under pytest.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.testing import serve_process
from tests.test_readme import QUICK_START_FILE, quick_start

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "bin" / "uv"
PACKAGES = {
    "dataarts_export_client": ROOT / "generated" / "dataarts-export-client",
    "dataarts_emulator": ROOT / "emulator",
}
ENTRY_POINTS = {
    "dataarts_export_client": ["[console_scripts]", "dataarts-export = dataarts_export_client.lib.cli:main"],
    "dataarts_emulator": ["[pytest11]", "dataarts_emulator = dataarts_emulator.pytest_plugin"],
}
IMPORT_EVERY_MODULE = """
import importlib, pkgutil
for name in ("dataarts_export_client", "dataarts_emulator"):
    package = importlib.import_module(name)
    for module in pkgutil.walk_packages(package.__path__, name + "."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
print("every module imports")
"""

pytestmark = pytest.mark.skipif(not UV.exists(), reason="the locked uv is installed by make setup")


def uv_env() -> dict[str, str]:
    """The environment for uv: the real home (the suite's HOME is a scratch folder), so uv finds its cache."""
    return {**os.environ, "HOME": pwd.getpwuid(os.getuid()).pw_dir, "UV_NO_PROGRESS": "1"}


def run(*command: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env or uv_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def check_wheel(wheel: Path, sdist: Path, package: str, version: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = f"{package}-{version}.dist-info"
        metadata = HeaderParser().parsestr(archive.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8")
    assert metadata["Version"] == version
    for field in ("Summary", "License-Expression", "Project-URL", "Requires-Python"):
        assert metadata[field], f"{wheel.name}: no {field}"
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert any(item.startswith("Programming Language :: Python :: 3.11") for item in classifiers)
    assert f"{package}/py.typed" in names, f"{wheel.name} ships no py.typed"
    assert all(line in entry_points for line in ENTRY_POINTS[package]), entry_points
    with tarfile.open(sdist) as archive:
        in_sdist = {Path(name).name for name in archive.getnames()}
    modules = {Path(name).name for name in names if name.startswith(f"{package}/") and name.endswith(".py")}
    assert modules <= in_sdist, f"{sdist.name} lacks {sorted(modules - in_sdist)}"
    assert {"pyproject.toml", "README.md", "PKG-INFO"} <= in_sdist


def build(dist: Path) -> list[Path]:
    wheels = []
    for package, source in PACKAGES.items():
        version = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
        run(UV, "build", "--offline", "--quiet", "--wheel", "--sdist", "--out-dir", dist, source)
        wheel = dist / f"{package}-{version}-py3-none-any.whl"
        check_wheel(wheel, dist / f"{package}-{version}.tar.gz", package, version)
        wheels.append(wheel)
    return wheels


def install(venv: Path, wheels: list[Path], constraints: Path) -> None:
    """The wheels and pytest, the rest at the lock's versions: from uv's cache alone when it can, else the index."""
    run(UV, "venv", "--quiet", "--python", sys.executable, venv)
    command: list[str | Path] = [
        UV,
        "pip",
        "install",
        "--quiet",
        "--python",
        venv / "bin" / "python",
        "-c",
        constraints,
        *wheels,
        "pytest",
    ]
    offline = subprocess.run(
        [str(part) for part in [*command, "--offline"]], env=uv_env(), capture_output=True, text=True, check=False
    )
    if offline.returncode != 0:
        run(*command)


@pytest.mark.slow
def test_the_wheels_install_and_work_outside_the_repository(tmp_path: Path) -> None:
    wheels = build(tmp_path / "dist")
    constraints = tmp_path / "constraints.txt"
    lock = run(UV, "export", "--frozen", "--all-packages", "--no-emit-workspace", "--no-hashes", "--quiet")
    constraints.write_text(lock, encoding="utf-8")
    venv = tmp_path / "venv"
    install(venv, wheels, constraints)
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    # A clean environment: only the new venv on PATH, nothing of the repository on sys.path.
    env = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path)}
    work = tmp_path / "work"
    work.mkdir()

    assert "every module imports" in run(python, "-c", IMPORT_EVERY_MODULE, cwd=work, env=env)
    assert "usage: dataarts-export" in run(bin_dir / "dataarts-export", "--help", cwd=work, env=env)

    with serve_process(["--export-seconds", "0.2"], python=python, cwd=work, env=env) as (base_url, _):
        client_env = {
            **env,
            "DATAARTS_ENDPOINT": base_url,
            "DATAARTS_TOKEN": DEMO_TOKEN,
            "DATAARTS_PROJECT_ID": DEMO_PROJECT_ID,
            "DATAARTS_WORKSPACE": DEMO_WORKSPACE,
        }
        saved = run(
            bin_dir / "dataarts-export", "export", "--type", "TABLE_MODEL", "--id", "1", cwd=work, env=client_env
        )
        assert Path(saved.strip()).read_bytes().startswith(b"PK")

    (work / QUICK_START_FILE).write_text(quick_start(), encoding="utf-8")
    assert "1 passed" in run(
        python, "-m", "pytest", "-q", "-p", "no:cacheprovider", QUICK_START_FILE, cwd=work, env=env
    )
