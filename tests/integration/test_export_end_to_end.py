"""The client's helpers against the real emulator, over real sockets on 127.0.0.1.

The unit tests of ``dataarts_export_client.lib`` use mock transports; these
prove the pieces fit: the generated request building, AK/SK signing as the
emulator verifies it, polling a job that really progresses, and a download
that survives the emulator's injected throttling, server errors and cut-short
bodies without leaving a partial file.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dataarts_emulator import DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.harness import RunningEmulator
from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.lib import (
    AkSkAuth,
    AuthenticationError,
    ExportFailed,
    ExportProgress,
    RetryPolicy,
    async_export_to_file,
    client_from_env,
    download_export,
    export_to_file,
    start_export,
    token_client,
)
from dataarts_export_client.models import ExportParam, OperationStatus

from ..client.client_fakes import FAST_POLICY

IDS = ["1224641525420683264", "1224641525420683265", "1224641525420683266"]

pytestmark = pytest.mark.dataarts_emulator(export_seconds=0.4, seed=7)


def export_body(ids: list[str] = IDS) -> ExportParam:
    return ExportParam(type_="TABLE_MODEL", ids=ids, asyn=True)


def assert_workbook(path: Path, ids: list[str]) -> None:
    """A complete workbook with a row per requested id, and nothing else left beside it."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = {str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
    workbook.close()
    assert set(ids) <= cells
    assert [entry.name for entry in path.parent.iterdir()] == [path.name], "a temporary file was left behind"


@pytest.fixture
def base_url(dataarts_emulator: RunningEmulator) -> str:
    return dataarts_emulator.base_url


def test_export_to_file_with_token_reports_progress(base_url: str, tmp_path: Path) -> None:
    client = token_client(base_url, DEMO_TOKEN)
    seen: list[ExportProgress] = []
    path = export_to_file(
        client,
        project_id=DEMO_PROJECT_ID,
        workspace=DEMO_WORKSPACE,
        body=export_body(),
        dest=tmp_path,
        timeout=30,
        on_progress=seen.append,
        policy=FAST_POLICY,
    )
    assert path.parent == tmp_path
    assert path.suffix == ".xlsx"
    assert_workbook(path, IDS)
    assert seen[0].status == "importing"
    assert seen[-1].status == "success"
    assert seen[-1].percent == 100.0


def test_export_to_file_with_aksk_from_environment(base_url: str, tmp_path: Path) -> None:
    environ = {
        "DATAARTS_ENDPOINT": base_url,
        "HUAWEICLOUD_SDK_AK": DEMO_AK,
        "HUAWEICLOUD_SDK_SK": DEMO_SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": DEMO_PROJECT_ID,
    }
    client = client_from_env(environ=environ)
    dest = tmp_path / "models.xlsx"
    path = export_to_file(
        client,
        project_id=DEMO_PROJECT_ID,
        workspace=DEMO_WORKSPACE,
        body=export_body(),
        dest=dest,
        timeout=30,
        policy=FAST_POLICY,
    )
    assert path == dest
    assert_workbook(dest, IDS)


def test_wrong_secret_key_is_a_typed_401_and_writes_nothing(base_url: str, tmp_path: Path) -> None:
    client = Client(base_url, httpx_args={"auth": AkSkAuth(DEMO_AK, "not-the-secret", project_id=DEMO_PROJECT_ID)})
    dest = tmp_path / "never.xlsx"
    with pytest.raises(AuthenticationError) as caught:
        export_to_file(
            client,
            project_id=DEMO_PROJECT_ID,
            workspace=DEMO_WORKSPACE,
            body=export_body(),
            dest=dest,
            timeout=10,
            policy=FAST_POLICY,
        )
    assert caught.value.status_code == 401
    assert caught.value.error_code == "APIG.0301"
    assert caught.value.request_id
    assert "not-the-secret" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_export_raises_with_the_group_detail(base_url: str, tmp_path: Path) -> None:
    client = token_client(base_url, DEMO_TOKEN)
    with pytest.raises(ExportFailed) as caught:
        export_to_file(
            client,
            project_id=DEMO_PROJECT_ID,
            workspace=DEMO_WORKSPACE,
            body=export_body(["1224641525420683264", "model-that-will-fail"]),
            dest=tmp_path,
            timeout=30,
            policy=FAST_POLICY,
        )
    group = caught.value.group
    assert group is not None
    assert group.operation_status == OperationStatus.FAILED
    assert isinstance(group.failed, int)
    assert group.failed >= 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.dataarts_emulator(
    export_seconds=0.2, fault_rate=0.2, throttle_rate=0.2, truncate_rate=0.5, retry_after_seconds=0, seed=3
)
def test_download_survives_throttling_faults_and_truncation(base_url: str, tmp_path: Path) -> None:
    """Seeded faults on every call: polls and downloads are retried and the file is still complete."""
    policy = RetryPolicy(
        poll_interval=0.05,
        max_poll_interval=0.1,
        retry_interval=0.01,
        max_retry_interval=0.05,
        max_retries=20,
        max_download_attempts=20,
    )
    client = AuthenticatedClient(base_url, token=DEMO_TOKEN, prefix="", auth_header_name="X-Auth-Token")
    for round_number in range(3):
        dest = tmp_path / f"round-{round_number}" / "export.xlsx"
        dest.parent.mkdir()
        # The start is retried on 5xx like the polls (RetryPolicy.retry_start, on by default).
        uuid = start_export(
            client,
            project_id=DEMO_PROJECT_ID,
            workspace=DEMO_WORKSPACE,
            body=export_body(),
            timeout=30,
            policy=policy,
        )
        download_export(
            client,
            project_id=DEMO_PROJECT_ID,
            workspace=DEMO_WORKSPACE,
            uuid=uuid,
            dest=dest,
            timeout=60,
            policy=policy,
        )
        assert_workbook(dest, IDS)


async def test_async_export_to_file(base_url: str, tmp_path: Path) -> None:
    client = token_client(base_url, DEMO_TOKEN)
    path = await async_export_to_file(
        client,
        project_id=DEMO_PROJECT_ID,
        workspace=DEMO_WORKSPACE,
        body=export_body(),
        dest=tmp_path / "async.xlsx",
        timeout=30,
        policy=FAST_POLICY,
    )
    assert_workbook(path, IDS)
