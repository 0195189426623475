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
    ExportTimeout,
    NetworkError,
    ServerError,
    ThrottledError,
    TruncatedDownload,
)
from dataarts_export_client.models import ExportParam, ExportState

from .client_fakes import (
    SCRIPTED_POLICY,
    UUID,
    Script,
    Step,
    breaking_workbook,
    error,
    status,
    workbook,
)
from .twin_fakes import Twin, started

CONTENT = b"PK\x03\x04" + bytes(range(256)) * 16


SCENARIOS: list[list[Step]] = [
    [status("importing", "0"), status("importing", "60"), workbook()],
    [httpx.ConnectError("refused"), error(503, retry_after="3"), status(), status("success", "100")],
    [error(502), error(500), workbook(content_type="application/octet-stream")],
]


@pytest.mark.parametrize("steps", SCENARIOS)
def test_async_wait_makes_the_same_decisions_as_sync(steps: list[Step]) -> None:
    sync, async_ = Twin("sync"), Twin("async")
    sync_reports: list[ExportProgress] = []
    async_reports: list[ExportProgress] = []
    sync_ready = sync.wait(Script(*steps), on_progress=sync_reports.append)
    async_ready = async_.wait(Script(*steps), on_progress=async_reports.append)
    assert async_ready == sync_ready
    assert async_.clock.sleeps == sync.clock.sleeps
    assert async_reports == sync_reports


def test_async_export_failed() -> None:
    with pytest.raises(ExportFailed) as caught:
        Twin("async").wait(Script(status("fail", "3", group={"id": "g", "logs": "boom"})))
    assert caught.value.group is not None
    assert caught.value.group.logs == "boom"


def test_async_timeout() -> None:
    with pytest.raises(ExportTimeout) as caught:
        Twin("async").wait(Script(status("importing", "12"), repeat_last=True), timeout=5.0)
    assert caught.value.last_rate == "12"


def test_async_bounded_retries_raise_api_error() -> None:
    script = Script(error(429, code="APIG.0308", msg="throttled", retry_after="1"), repeat_last=True)
    with pytest.raises(ThrottledError) as caught:
        Twin("async").wait(script)
    assert caught.value.request_id == "req-err"
    assert len(script.requests) == SCRIPTED_POLICY.max_retries + 1


def test_async_network_error() -> None:
    with pytest.raises(NetworkError):
        Twin("async").wait(Script(httpx.ConnectError("refused"), repeat_last=True))


def test_async_download_to_directory(tmp_path: Path) -> None:
    reports: list[ExportProgress] = []
    script = Script(status("importing", "1"), workbook(CONTENT, name="../../etc/passwd"))
    path = Twin("async").download(script, tmp_path, on_progress=reports.append)
    assert path == tmp_path / "passwd.xlsx"
    assert path.read_bytes() == CONTENT
    assert [report.status for report in reports] == [ExportState.IMPORTING, ExportState.SUCCESS]


def test_async_truncation_retried_then_typed_error_and_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"good")
    script = Script(workbook(CONTENT[:10], length=len(CONTENT)), repeat_last=True)
    with pytest.raises(TruncatedDownload):
        Twin("async").download(script, target)
    assert len(script.requests) == SCRIPTED_POLICY.max_download_attempts + 1  # the first attempt saved bytes
    assert target.read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]


def test_async_stream_breaking_mid_body(tmp_path: Path) -> None:
    script = Script(breaking_workbook(httpx.RemoteProtocolError("peer closed")), repeat_last=True)
    with pytest.raises(DownloadError):
        Twin("async").download(script, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_async_stream_breaking_once_then_success(tmp_path: Path) -> None:
    script = Script(breaking_workbook(httpx.ReadError("reset")), workbook(CONTENT))
    assert Twin("async").download(script, tmp_path / "x.xlsx").read_bytes() == CONTENT


def test_async_export_to_file(tmp_path: Path) -> None:
    twin = Twin("async")
    script = Script(error(429, retry_after="2"), started(), status("importing", "40"), workbook(CONTENT))
    path = twin.export(script, tmp_path, body=ExportParam(type_="TABLE_MODEL", ids=["1"]))
    assert path.read_bytes() == CONTENT
    assert twin.clock.sleeps == [2.0, 1.0]
    assert [request.method for request in script.requests] == ["POST", "POST", "GET", "GET"]


def test_async_start_retry_switched_off_does_not_retry_server_errors() -> None:
    script = Script(error(500))
    no_start_retry = Twin("async", policy=replace(SCRIPTED_POLICY, retry_start=False))
    with pytest.raises(ServerError):
        no_start_retry.start(script, body=ExportParam(), timeout=60.0)
    assert len(script.requests) == 1


def test_async_start_retries_server_errors_and_resets_by_default() -> None:
    twin = Twin("async")
    script = Script(error(502), httpx.ReadError("reset"), started())
    assert twin.start(script, body=ExportParam(), timeout=60.0) == UUID
    assert twin.clock.sleeps == [0.5, 1.0]


def test_async_start_retries_connect_errors() -> None:
    script = Script(httpx.ConnectTimeout("slow connect"), started())
    assert Twin("async").start(script, body=ExportParam(), timeout=60.0) == UUID
