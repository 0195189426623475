"""``dataarts-emulator`` / ``python -m dataarts_emulator`` as a real process, and the official SDK against it."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdataartsstudio.v1 import (
    DataArtsStudioClient,
    ExportDesignModelsRequest,
    ExportDesignResultRequest,
    ExportParam,
)

from dataarts_emulator import DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_WORKSPACE, EmulatorSettings
from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.testing import serve, serve_process

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS


@pytest.fixture
def emulator_process() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    env = {**os.environ, "DATAARTS_EMULATOR_EXPORT_SECONDS": "0"}
    with serve_process(
        ["--log-level", "warning"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as running:
        yield running


def test_module_entry_point_serves_and_prints_the_banner(emulator_process: tuple[str, subprocess.Popen[str]]) -> None:
    base_url, process = emulator_process
    with httpx.Client(base_url=base_url) as client:
        started = client.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={"ids": ["1"], "type": "ER"})
        assert started.status_code == 200
        uuid = started.json()["data"]["uuid"]
        fetched = client.get(EXPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS)
        assert fetched.content.startswith(b"PK")
    process.terminate()
    output, _ = process.communicate(timeout=10)
    assert base_url in output
    assert "curl -s -X POST" in output


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ([str(Path(sys.executable).parent / "dataarts-emulator")], "dataarts-emulator"),
        ([sys.executable, "-m", "dataarts_emulator"], "python -m dataarts_emulator"),
    ],
    ids=["console-script", "module"],
)
def test_help_and_usage_errors_name_the_program_that_ran(command: list[str], name: str) -> None:
    shown = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"usage: {name} [-h]"), shown.stdout
    refused = subprocess.run([*command, "--port", "x"], capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode == 2
    assert f"{name}: error: argument --port" in refused.stderr, refused.stderr


def test_serve_stops_cleanly() -> None:
    with serve(EmulatorSettings(export_seconds=0)) as base_url:
        assert httpx.get(f"{base_url}/healthz").status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/healthz", timeout=1)


@pytest.mark.slow
@pytest.mark.fact("F-WS-1", "F-ERR-2", "F-ERR-5", "F-EMU-3")
@pytest.mark.dataarts_emulator(export_seconds=60, seed=1)
def test_official_sdk_starts_polls_and_downloads(dataarts_emulator: RunningEmulator) -> None:
    base_url = dataarts_emulator.base_url
    client = (
        DataArtsStudioClient.new_builder()
        .with_credentials(BasicCredentials(DEMO_AK, DEMO_SK, DEMO_PROJECT_ID))
        .with_endpoints([base_url])
        .build()
    )
    body = ExportParam(ids=["1224641525420683264", "7"], type="TABLE_MODEL", asyn=True)
    started = client.export_design_models(ExportDesignModelsRequest(workspace=DEMO_WORKSPACE, body=body))
    uuid = started.data.uuid
    poll = client.export_design_result(ExportDesignResultRequest(workspace=DEMO_WORKSPACE, uuid=uuid))
    assert poll.data.status == "importing"
    dataarts_emulator.advance(60)  # within the SDK's 15-minute signing window, which reads the real clock
    poll = client.export_design_result(ExportDesignResultRequest(workspace=DEMO_WORKSPACE, uuid=uuid))
    assert poll.status_code == 200
    assert poll.raw_content.startswith(b"PK")
    sheet = openpyxl.load_workbook(io.BytesIO(poll.raw_content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["1224641525420683264", "7"]

    with pytest.raises(ClientRequestException) as unknown:
        client.export_design_result(ExportDesignResultRequest(workspace=DEMO_WORKSPACE, uuid="no-such-export"))
    assert (unknown.value.status_code, unknown.value.error_code) == (400, "EMU.0404")
    assert len(unknown.value.request_id) == 32

    # DataArts Architecture's errors[] shape: the official SDK reads no code from it (it looks at the top
    # level and nested objects, not lists), so its error carries the status and the whole body as message.
    with pytest.raises(ClientRequestException) as missing:
        client.export_design_result(ExportDesignResultRequest(workspace="no-such-workspace", uuid=uuid))
    assert (missing.value.status_code, missing.value.error_code) == (400, "400")
    assert json.loads(missing.value.error_msg) == {
        "errors": [{"error_code": "DLG.0818", "error_msg": "The workspace does not exist."}]
    }

    stranger = (
        DataArtsStudioClient.new_builder()
        .with_credentials(BasicCredentials(DEMO_AK, "wrong-secret", DEMO_PROJECT_ID))
        .with_endpoints([base_url])
        .build()
    )
    with pytest.raises(ClientRequestException) as denied:
        stranger.export_design_result(ExportDesignResultRequest(workspace=DEMO_WORKSPACE, uuid=uuid))
    assert (denied.value.status_code, denied.value.error_code) == (401, "APIG.0301")
