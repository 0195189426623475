"""Both packages as a user gets them: built with the locked uv, installed in a fresh environment outside the repository.

One test, in steps, since every step needs the one before:

1. ``uv build`` makes a wheel and an sdist of each package, as ``make dist``
   does; their metadata is complete (summary, license, URLs, classifiers of
   every supported Python, ``py.typed``, entry points) and the version is the
   one of the package's pyproject;
2. a virtual environment in a temporary folder gets the two wheels and
   pytest, every other distribution at its ``uv.lock`` version (constraints
   exported from the lock) and from uv's cache when it holds them all
   (``--offline``), else from the index. Constraints never add a package,
   so a runtime dependency missing from a wheel's metadata stays missing;
3. there, every module of both packages imports, ``dataarts-export --help``
   runs, the ``dataarts-emulator`` script names itself and serves,
   ``dataarts-export export`` saves a workbook from it, and the docs' own
   test file (the plugin quick start) passes under pytest.
"""

from __future__ import annotations

import os
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.testing import serve_process
from tests.docs.markdown import QUICK_START_FILE, quick_start

from .support import UV, build, install, new_venv, project, run, supported_pythons

ENTRY_POINTS = {
    "dataarts_export_client": ["[console_scripts]", "dataarts-export = dataarts_export_client.lib.cli:main"],
    "dataarts_emulator": [
        "[console_scripts]",
        "dataarts-emulator = dataarts_emulator.__main__:main",
        "[pytest11]",
        "dataarts_emulator = dataarts_emulator.pytest_plugin",
    ],
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


def check_wheel(wheel: Path, package: str) -> None:
    """The wheel's metadata is complete, and its sdist beside it holds every module."""
    version = project(package)["version"]
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
    assert {f"Programming Language :: Python :: {python}" for python in supported_pythons()} <= set(classifiers)
    assert f"{package}/py.typed" in names, f"{wheel.name} ships no py.typed"
    assert all(line in entry_points for line in ENTRY_POINTS[package]), entry_points
    sdist = wheel.with_name(f"{package}-{version}.tar.gz")
    with tarfile.open(sdist) as archive:
        in_sdist = {Path(name).name for name in archive.getnames()}
    modules = {Path(name).name for name in names if name.startswith(f"{package}/") and name.endswith(".py")}
    assert modules <= in_sdist, f"{sdist.name} lacks {sorted(modules - in_sdist)}"
    assert {"pyproject.toml", "README.md", "PKG-INFO"} <= in_sdist


@pytest.mark.slow
def test_the_wheels_install_and_work_outside_the_repository(tmp_path: Path) -> None:
    wheels = build(tmp_path / "dist")
    for package, wheel in wheels.items():
        check_wheel(wheel, package)
    constraints = tmp_path / "constraints.txt"
    lock = run(UV, "export", "--frozen", "--all-packages", "--no-emit-workspace", "--no-hashes", "--quiet")
    constraints.write_text(lock, encoding="utf-8")
    python = new_venv(tmp_path / "venv")
    # The wheels and pytest, every other distribution at the lock's version.
    install(python, "-c", constraints, *wheels.values(), "pytest")
    bin_dir = python.parent
    # A clean environment: only the new venv on PATH, nothing of the repository on sys.path.
    env = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path)}
    work = tmp_path / "work"
    work.mkdir()

    assert "every module imports" in run(python, "-c", IMPORT_EVERY_MODULE, cwd=work, env=env)
    assert "usage: dataarts-export" in run(bin_dir / "dataarts-export", "--help", cwd=work, env=env)

    assert "usage: dataarts-emulator" in run(bin_dir / "dataarts-emulator", "--help", cwd=work, env=env)
    emulator = [bin_dir / "dataarts-emulator"]
    with serve_process(["--export-seconds", "0.2"], program=emulator, cwd=work, env=env) as (base_url, _):
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
