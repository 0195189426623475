"""The async twins behave exactly like the sync helpers (same decisions, same errors, same files)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from dataarts_export_client.lib import (
    DownloadError,
    ExportFailed,
    ExportProgress,
    ExportReady,
    ExportTimeout,
    NetworkError,
    ServerError,
    ThrottledError,
    TruncatedDownload,
    async_download_export,
    async_export_to_file,
    async_start_export,
    async_wait_for_export,
    wait_for_export,
)
from dataarts_export_client.models import ExportParam, ExportState

from .client_fakes import (
    PROJECT_ID,
    SCRIPTED_POLICY,
    UUID,
    WORKSPACE,
    FakeClock,
    Script,
    Step,
    breaking_workbook,
    client_for,
    error,
    status,
    workbook,
)

CONTENT = b"PK\x03\x04" + bytes(range(256)) * 16


async def wait(script: Script, clock: FakeClock, timeout: float = 600.0) -> ExportReady:
    return await async_wait_for_export(
        client_for(script),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        uuid=UUID,
        timeout=timeout,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.async_sleep,
    )


async def download(script: Script, dest: Path, clock: FakeClock | None = None) -> Path:
    clock = clock or FakeClock()
    return await async_download_export(
        client_for(script),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        uuid=UUID,
        dest=dest,
        timeout=600.0,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.async_sleep,
    )


SCENARIOS: list[list[Step]] = [
    [status("importing", "0"), status("importing", "60"), workbook()],
    [httpx.ConnectError("refused"), error(503, retry_after="3"), status(), status("success", "100")],
    [error(502), error(500), workbook(content_type="application/octet-stream")],
]


@pytest.mark.parametrize("steps", SCENARIOS)
async def test_async_wait_makes_the_same_decisions_as_sync(steps: list[Step]) -> None:
    sync_clock, async_clock = FakeClock(), FakeClock()
    sync_reports: list[ExportProgress] = []
    async_reports: list[ExportProgress] = []
    sync_ready = wait_for_export(
        client_for(Script(*steps)),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        uuid=UUID,
        timeout=600.0,
        on_progress=sync_reports.append,
        policy=SCRIPTED_POLICY,
        clock=sync_clock,
        sleep=sync_clock.sleep,
    )
    async_ready = await async_wait_for_export(
        client_for(Script(*steps)),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        uuid=UUID,
        timeout=600.0,
        on_progress=async_reports.append,
        policy=SCRIPTED_POLICY,
        clock=async_clock,
        sleep=async_clock.async_sleep,
    )
    assert async_ready == sync_ready
    assert async_clock.sleeps == sync_clock.sleeps
    assert async_reports == sync_reports


async def test_async_export_failed() -> None:
    with pytest.raises(ExportFailed) as caught:
        await wait(Script(status("fail", "3", group={"id": "g", "logs": "boom"})), FakeClock())
    assert caught.value.group is not None
    assert caught.value.group.logs == "boom"


async def test_async_timeout() -> None:
    with pytest.raises(ExportTimeout) as caught:
        await wait(Script(status("importing", "12"), repeat_last=True), FakeClock(), timeout=5.0)
    assert caught.value.last_rate == "12"


async def test_async_bounded_retries_raise_api_error() -> None:
    script = Script(error(429, code="APIG.0308", msg="throttled", retry_after="1"), repeat_last=True)
    with pytest.raises(ThrottledError) as caught:
        await wait(script, FakeClock())
    assert caught.value.request_id == "req-err"
    assert len(script.requests) == SCRIPTED_POLICY.max_retries + 1


async def test_async_network_error() -> None:
    with pytest.raises(NetworkError):
        await wait(Script(httpx.ConnectError("refused"), repeat_last=True), FakeClock())


async def test_async_download_to_directory(tmp_path: Path) -> None:
    reports: list[ExportProgress] = []
    clock = FakeClock()
    path = await async_download_export(
        client_for(Script(status("importing", "1"), workbook(CONTENT, name="../../etc/passwd"))),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        uuid=UUID,
        dest=tmp_path,
        timeout=600.0,
        on_progress=reports.append,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.async_sleep,
    )
    assert path == tmp_path / "passwd.xlsx"
    assert path.read_bytes() == CONTENT
    assert [report.status for report in reports] == [ExportState.IMPORTING, ExportState.SUCCESS]


async def test_async_truncation_retried_then_typed_error_and_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"good")
    script = Script(workbook(CONTENT[:10], length=len(CONTENT)), repeat_last=True)
    with pytest.raises(TruncatedDownload):
        await download(script, target)
    assert len(script.requests) == SCRIPTED_POLICY.max_download_attempts + 1  # the first attempt saved bytes
    assert target.read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]


async def test_async_stream_breaking_mid_body(tmp_path: Path) -> None:
    script = Script(breaking_workbook(httpx.RemoteProtocolError("peer closed")), repeat_last=True)
    with pytest.raises(DownloadError):
        await download(script, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


async def test_async_stream_breaking_once_then_success(tmp_path: Path) -> None:
    script = Script(breaking_workbook(httpx.ReadError("reset")), workbook(CONTENT))
    assert (await download(script, tmp_path / "x.xlsx")).read_bytes() == CONTENT


async def test_async_export_to_file(tmp_path: Path) -> None:
    clock = FakeClock()
    started = httpx.Response(200, json={"data": {"uuid": UUID}})
    script = Script(error(429, retry_after="2"), started, status("importing", "40"), workbook(CONTENT))
    path = await async_export_to_file(
        client_for(script),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        body=ExportParam(type_="TABLE_MODEL", ids=["1"]),
        dest=tmp_path,
        timeout=600.0,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.async_sleep,
    )
    assert path.read_bytes() == CONTENT
    assert clock.sleeps == [2.0, 1.0]
    assert [request.method for request in script.requests] == ["POST", "POST", "GET", "GET"]


async def test_async_start_retry_switched_off_does_not_retry_server_errors() -> None:
    script = Script(error(500))
    with pytest.raises(ServerError):
        await async_start_export(
            client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            body=ExportParam(),
            timeout=60.0,
            policy=replace(SCRIPTED_POLICY, retry_start=False),
        )
    assert len(script.requests) == 1


async def test_async_start_retries_server_errors_and_resets_by_default() -> None:
    clock = FakeClock()
    script = Script(error(502), httpx.ReadError("reset"), httpx.Response(200, json={"data": {"uuid": UUID}}))
    uuid = await async_start_export(
        client_for(script),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        body=ExportParam(),
        timeout=60.0,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.async_sleep,
    )
    assert uuid == UUID
    assert clock.sleeps == [0.5, 1.0]


async def test_async_start_retries_connect_errors() -> None:
    clock = FakeClock()
    script = Script(httpx.ConnectTimeout("slow connect"), httpx.Response(200, json={"data": {"uuid": UUID}}))
    uuid = await async_start_export(
        client_for(script),
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        body=ExportParam(),
        timeout=60.0,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.async_sleep,
    )
    assert uuid == UUID
