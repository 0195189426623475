"""The plugin in a suite of its own, outside the repository: no conftest, loaded by its entry point alone."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SUITE = """
import httpx
import pytest

from dataarts_export_client.lib import start_export
from dataarts_export_client.models import ExportParam

SEEN = []


def export_result(emulator):
    return f"{emulator.base_url}/v2/{emulator.project_id}/design/export-result"


def test_first_starts_an_export(dataarts_emulator, dataarts_client):
    body = ExportParam(ids=["1"])
    target = dict(project_id=dataarts_emulator.project_id, workspace=dataarts_emulator.workspace)
    SEEN.append((dataarts_emulator.base_url, start_export(dataarts_client, **target, body=body, timeout=10)))


def test_second_does_not_see_it_behind_the_same_server(dataarts_emulator):
    base_url, uuid = SEEN[0]
    assert dataarts_emulator.base_url == base_url  # one server for the session, a fresh app per test
    assert dataarts_emulator.requests == []
    headers = {"X-Auth-Token": dataarts_emulator.token, "workspace": dataarts_emulator.workspace}
    answer = httpx.get(export_result(dataarts_emulator), params={"uuid": uuid}, headers=headers)
    assert answer.json()["error_code"] == "EMU.0404"
    assert [(seen.method, seen.query) for seen in dataarts_emulator.requests] == [("GET", {"uuid": uuid})]


@pytest.mark.dataarts_emulator(export_secs=1)
def test_a_misspelt_setting(dataarts_emulator):
    pass


@pytest.mark.dataarts_emulator(fault_rate=2)
def test_an_out_of_bounds_setting(dataarts_emulator):
    pass
"""


def test_a_suite_without_conftest_gets_fresh_emulators_and_clear_marker_errors(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(textwrap.dedent(SUITE), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers", "test_mine.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "2 passed, 2 errors" in output, output
    assert "no such setting ['export_secs']" in output
    assert "fault_rate must be between 0 and 1, got 2" in output
