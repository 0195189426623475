"""``python -m tools.contract`` end to end: embedded emulator, a faulty server by URL, and missing credentials.

These run the real command as a subprocess (as ``make contract`` does),
bounded to a few examples so each stays within seconds.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_SK, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.testing import serve_process
from tools.contract.config import ROOT
from tools.contract.credentials import CREDENTIAL_VARS

pytestmark = pytest.mark.slow


def _env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARS}
    env.update(extra)
    return env


def _contract(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.contract", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _emulator(log: IO[bytes], *args: str) -> AbstractContextManager[tuple[str, subprocess.Popen[Any]]]:
    """``python -m dataarts_emulator ARGS`` on a free port, the demo tenant, as started by hand."""
    return serve_process([*args, "--log-level", "warning"], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def faulty_emulator(tmp_path: Path) -> Iterator[str]:
    with (tmp_path / "emulator.log").open("wb") as log, _emulator(log, "--fault-rate", "0.3", "--seed", "3") as run:
        yield run[0]


@pytest.fixture
def demo_emulator(tmp_path: Path) -> Iterator[str]:
    with (tmp_path / "emulator.log").open("wb") as log, _emulator(log, "--seed", "3") as run:
        yield run[0]


def test_plain_schemathesis_from_the_root_authenticates_through_the_toml_hooks(
    demo_emulator: str, tmp_path: Path
) -> None:
    """What the README shows: no runner, just `schemathesis run`; the hooks module named in the toml signs in."""
    schemathesis = Path(sys.executable).with_name("schemathesis")
    events = tmp_path / "events.ndjson"
    result = subprocess.run(
        [
            str(schemathesis),
            "run",
            "openapi.yaml",
            "--url",
            demo_emulator,
            "--max-examples",
            "2",
            "--phases",
            "examples",
            "--workers",
            "1",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(events),
        ],
        cwd=ROOT,
        env=_env(DATAARTS_TOKEN=DEMO_TOKEN, DATAARTS_PROJECT_ID=DEMO_PROJECT_ID, DATAARTS_WORKSPACE=DEMO_WORKSPACE),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Positive ExportDesignModels examples were accepted: the requests carried the tenant's token.
    assert re.search(r'"status_code":\s*200', events.read_text(encoding="utf-8")), output
    assert DEMO_TOKEN not in output


def test_faulty_server_fails_the_run_naming_server_errors(faulty_emulator: str, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = _contract(
        [
            "--base-url",
            faulty_emulator,
            "--max-examples",
            "5",
            "--phases",
            "examples,coverage",
            "--report-dir",
            str(reports),
        ],
        _env(DATAARTS_TOKEN=DEMO_TOKEN, DATAARTS_PROJECT_ID=DEMO_PROJECT_ID, DATAARTS_WORKSPACE=DEMO_WORKSPACE),
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "CONTRACT RED" in output
    assert "not_a_server_error" in output
    assert "Server error" in output
    assert (reports / "junit.xml").exists()
    failures = (reports / "failures.yaml").read_text(encoding="utf-8")
    assert "status: 'FAILURE'" in failures
    # Credentials never reach the output, the reproduction commands or any report.
    assert DEMO_TOKEN not in output
    for path in reports.iterdir():
        assert DEMO_TOKEN.encode() not in path.read_bytes(), path.name
        assert DEMO_SK.encode() not in path.read_bytes(), path.name


def test_base_url_without_credentials_is_a_clear_error(tmp_path: Path) -> None:
    result = _contract(["--base-url", "http://127.0.0.1:9", "--report-dir", str(tmp_path)], _env())
    assert result.returncode == 2
    assert "needs credentials" in result.stdout
    assert "HUAWEICLOUD_SDK_AK" in result.stdout
    assert "DATAARTS_TOKEN" in result.stdout


def test_incomplete_credentials_name_what_is_missing(tmp_path: Path) -> None:
    result = _contract(
        ["--base-url", "http://127.0.0.1:9", "--report-dir", str(tmp_path)],
        _env(HUAWEICLOUD_SDK_AK="AKONLY", DATAARTS_PROJECT_ID="p"),
    )
    assert result.returncode == 2
    assert "HUAWEICLOUD_SDK_SK" in result.stdout
    assert "DATAARTS_WORKSPACE" in result.stdout


def test_embedded_emulator_run_is_green_and_summarised(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    args = ["--max-examples", "3", "--phases", "examples,stateful", "--workers", "1", "--report-dir", str(reports)]
    result = _contract(args, _env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "CONTRACT GREEN" in output
    assert "embedded emulator" in output
    assert re.search(r"Throughput: \d+ cases in [\d.]+ s = [\d.]+ cases/s with 1 worker\n", output), output
    for name in ("junit.xml", "cassette.yaml", "failures.yaml", "events.ndjson", "summary.txt"):
        assert (reports / name).exists(), name


def test_embedded_emulator_with_faults_goes_red_on_every_operation(tmp_path: Path) -> None:
    """`make contract CONTRACT_ARGS="--fault-rate 0.3"`: the five operations, imports included, are each caught."""
    reports = tmp_path / "reports"
    args = ["--fault-rate", "0.3", "--max-examples", "5", "--phases", "examples,coverage", "--workers", "1"]
    result = _contract([*args, "--report-dir", str(reports)], _env())
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "CONTRACT RED" in output
    assert "Operations: 5 tested / 5 selected / 5 in spec" in output
    for operation in (
        "POST /v2/{project_id}/design/export-model",
        "GET /v2/{project_id}/design/export-result",
        "POST /v2/{project_id}/design/models/action",
        "POST /v2/{project_id}/design/catalogs/action",
        "GET /v2/{project_id}/design/catelogs/process-import",
    ):
        assert f"ST101 Server error on {operation} (x" in output, operation


def test_fault_rate_is_for_the_embedded_emulator_only(tmp_path: Path) -> None:
    result = _contract(
        ["--base-url", "http://127.0.0.1:9", "--fault-rate", "0.3", "--report-dir", str(tmp_path)], _env()
    )
    assert result.returncode == 2
    assert "--fault-rate sets the embedded emulator's faults" in result.stdout
