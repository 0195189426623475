"""``tools/contract.py`` end to end: embedded emulator, a faulty server by URL, and missing credentials.

These run the real command as a subprocess (as ``make contract`` does),
bounded to a few examples so each stays within seconds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_SK, DEMO_TOKEN, DEMO_WORKSPACE

from .contract_support import ROOT

pytestmark = pytest.mark.slow

CONTRACT = ROOT / "tools" / "contract.py"
CREDENTIAL_VARS = (
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_PROJECT_ID",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "DATAARTS_TOKEN",
    "DATAARTS_PROJECT_ID",
    "DATAARTS_WORKSPACE",
)


def _env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARS}
    env.update(extra)
    return env


def _contract(args: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CONTRACT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def faulty_emulator(tmp_path: Path) -> Iterator[str]:
    """``python -m dataarts_emulator --fault-rate 0.3`` on a free port, the demo tenant, as started by hand."""
    port = _free_port()
    args = ["--host", "127.0.0.1", "--port", str(port), "--fault-rate", "0.3", "--seed", "3", "--log-level", "warning"]
    with (tmp_path / "emulator.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "dataarts_emulator", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                assert process.poll() is None, "the emulator exited during start-up"
                assert time.monotonic() < deadline, "the emulator did not start"
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            yield base_url
        finally:
            process.terminate()
            process.wait(timeout=10)


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
    result = _contract(["--max-examples", "3", "--phases", "examples,stateful", "--report-dir", str(reports)], _env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "CONTRACT GREEN" in output
    assert "embedded emulator" in output
    for name in ("junit.xml", "cassette.yaml", "failures.yaml", "events.ndjson", "summary.txt"):
        assert (reports / name).exists(), name
