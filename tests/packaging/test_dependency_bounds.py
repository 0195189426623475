"""The packages' dependency ranges, tried where users meet them: at their floors, and beside FastAPI.

The lock pins the versions the project's own runs use and test;
the packages declare ranges, so that they install into users' environments.
A range is a claim about versions the lock never installs, so:

1. **Floors.** Both wheels go into a throwaway environment with every
   dependency they declare at the lowest version its range allows (``uv pip
   install --resolution lowest-direct``; their requirements are passed as
   direct ones, since uv counts a wheel's own as transitive) and the test
   tools (the ``test`` dependency group) at their locked versions. The floors
   must be what got installed, and the client's, the emulator's and the
   plugin's tests must pass there, on the installed packages.
2. **Beside FastAPI.** An environment holding FastAPI's current release (from
   the index) takes the emulator's and client's wheels without a single
   installed distribution changing: no Starlette downgrade.

Both run on the interpreter running the suite: ``make test``'s, and each of
``make test-matrix``'s, so every floor is tried on every supported Python.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from .support import PACKAGES, ROOT, UV, build, install, installed, new_venv, project, run

# Not tests/contract: schemathesis is no test-group tool, and the contract runs at the lock's versions anyway.
PACKAGE_TESTS = ("tests/client", "tests/emulator", "tests/plugin")
OWN = {canonicalize_name(name) for name in ("dataarts-export-client", "dataarts-emulator")}

pytestmark = [
    pytest.mark.skipif(not UV.exists(), reason="the locked uv is installed by make setup"),
    pytest.mark.slow,
]


def floors() -> dict[str, Version]:
    """Each third-party dependency of both packages and the lower bound of its range (every range has one)."""
    found: dict[str, Version] = {}
    for package in PACKAGES:
        for line in project(package)["dependencies"]:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            if name in OWN:
                continue
            lower = [Version(spec.version) for spec in requirement.specifier if spec.operator == ">="]
            assert len(lower) == 1, f"{package}: {line} needs one lower bound, tested here"
            found[name] = lower[0]
    return found


def locked_test_tools() -> list[str]:
    """The ``test`` dependency group's own entries, pinned as ``uv.lock`` pins them (markers kept)."""
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["dependency-groups"]
    wanted = {canonicalize_name(Requirement(item).name) for item in groups["test"] if isinstance(item, str)}
    exported = run(UV, "export", "--frozen", "--only-group", "test", "--no-emit-workspace", "--no-hashes", "--quiet")
    lines = [line.strip() for line in exported.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    chosen = [line for line in lines if canonicalize_name(Requirement(line).name) in wanted]
    assert {canonicalize_name(Requirement(line).name) for line in chosen} == wanted, exported
    return chosen


@pytest.mark.timeout(1800)
def test_the_packages_tests_pass_on_the_lowest_declared_dependencies(tmp_path: Path) -> None:
    wheels = build(tmp_path / "dist")
    python = new_venv(tmp_path / "venv")
    own_requirements = [arg for source in PACKAGES.values() for arg in ("-r", str(source / "pyproject.toml"))]
    # Resolved against the index, never uv's cache alone: offline, "lowest" would mean lowest cached.
    run(
        UV,
        "pip",
        "install",
        "--quiet",
        "--python",
        python,
        "--resolution",
        "lowest-direct",
        "--no-sources",  # the emulator's pyproject points at the workspace's client; the wheel stands in for it
        *own_requirements,
        *wheels.values(),
        *locked_test_tools(),
    )

    versions = installed(python)
    at_floor = {name: Version(versions[name]) for name in floors()}
    assert at_floor == floors(), "every dependency at the lower bound its range declares"
    where = run(python, "-c", "import dataarts_emulator, dataarts_export_client as c; print(c.__file__)", cwd=ROOT)
    assert Path(where.strip()).is_relative_to(tmp_path), "the tests below run on the installed wheels"

    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["PATH"] = f"{python.parent}{os.pathsep}{env['PATH']}"
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *PACKAGE_TESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1700,
        check=False,
    )
    floors_shown = ", ".join(f"{name}=={version}" for name, version in sorted(at_floor.items()))
    assert result.returncode == 0, f"at {floors_shown}:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


@pytest.mark.timeout(600)
def test_the_emulator_installs_beside_fastapi_without_moving_starlette(tmp_path: Path) -> None:
    wheels = build(tmp_path / "dist")
    python = new_venv(tmp_path / "venv")
    # FastAPI's current release: asked of the index, not taken from uv's cache alone.
    run(UV, "pip", "install", "--quiet", "--python", python, "fastapi")
    before = installed(python)
    assert "starlette" in before, before

    install(python, *wheels.values())
    after = installed(python)

    changed = {name: (version, after.get(name)) for name, version in before.items() if after.get(name) != version}
    assert not changed, f"installing the emulator moved FastAPI's stack (before, after): {changed}"
    assert {"dataarts-emulator", "dataarts-export-client"} <= set(after)
    run(UV, "pip", "check", "--quiet", "--python", python)
    run(python, "-c", "import fastapi, dataarts_emulator.testing", cwd=tmp_path)
