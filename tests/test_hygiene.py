"""The end-of-session check of :mod:`tests.hygiene` bites: a session whose test leaks fails and names each leak.

Each case runs a small session of its own (plugins off but the check), in a
child pytest whose temporary folder lies inside this session's, so what it
leaks on purpose is cleaned up by the check itself or with its folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

LEAKY = """
import socket, subprocess, tempfile

KEPT = []


def test_leaks_a_folder_a_file_a_process_and_a_socket():
    tempfile.mkdtemp(prefix="leaked-folder-")
    tempfile.mkstemp(prefix="leaked-file-")
    KEPT.append(subprocess.Popen(["sleep", "60"]))
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    KEPT.append(server)
"""

TIDY = """
import socket, subprocess, tempfile


def test_cleans_up_after_itself(tmp_path):
    (tmp_path / "kept-by-pytest").write_text("pytest's own tmp_path is not a leak")
    with tempfile.TemporaryDirectory():
        pass
    subprocess.run(["true"], check=True)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
"""


def run_session(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_case.py").write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "tests.hygiene", "-p", "no:cacheprovider", "-q", "test_case.py"]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_session_that_leaks_fails_and_names_each_leak(tmp_path: Path) -> None:
    result = run_session(tmp_path, LEAKY)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    report = result.stdout.split("left behind by the tests", 1)[1].splitlines()
    assert any(line.startswith("temporary folder leaked-folder-") for line in report)
    assert any(line.startswith("temporary file leaked-file-") for line in report)
    assert any(line.startswith("child process ") and line.endswith("sleep 60") for line in report)
    assert any(line.startswith("listening socket 127.0.0.1:") for line in report)
    assert [entry.name for entry in Path(os.environ["TMPDIR"]).iterdir() if "dataarts-tests-" in entry.name] == []


def test_a_tidy_session_passes(tmp_path: Path) -> None:
    result = run_session(tmp_path, TIDY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left behind" not in result.stdout
