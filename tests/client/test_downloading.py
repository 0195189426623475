"""download_export and export_to_file: streaming to disk, atomically, with hostile names and broken transfers."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from dataarts_export_client.lib import (
    AuthenticationError,
    BadRequestError,
    DownloadError,
    ExportFailed,
    ExportTimeout,
    NetworkError,
    RetryPolicy,
    ServerError,
    ThrottledError,
    TruncatedDownload,
    UnexpectedResponse,
)
from dataarts_export_client.models import ExportParam

from .client_fakes import (
    PROJECT_ID,
    SCRIPTED_POLICY,
    UUID,
    WORKSPACE,
    FakeClock,
    Script,
    breaking_workbook,
    error,
    status,
    workbook,
)
from .twin_fakes import Twin, started

CONTENT = b"PK\x03\x04" + bytes(range(256)) * 40
GOOD = b"previous good workbook"


NO_START_RETRY = replace(SCRIPTED_POLICY, retry_start=False)


def leftovers(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


def test_download_to_a_file_path(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    script = Script(status("importing", "10"), workbook(CONTENT))
    assert Twin().download(script, target) == target
    assert target.read_bytes() == CONTENT
    assert leftovers(tmp_path) == ["report.xlsx"]


def test_downloaded_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    """0666 less the umask, as for any file the user creates; not a temporary file's 0600."""
    umask = os.umask(0o022)
    try:
        target = Twin().download(Script(workbook(CONTENT)), tmp_path / "shared.xlsx")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_download_replaces_an_existing_file_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(GOOD)
    Twin().download(Script(workbook(CONTENT)), target)
    assert target.read_bytes() == CONTENT


def test_download_into_a_directory_uses_the_server_name(tmp_path: Path) -> None:
    path = Twin().download(Script(workbook(CONTENT, name="dataarts-export-fd653968.xlsx")), tmp_path)
    assert path == tmp_path / "dataarts-export-fd653968.xlsx"
    assert path.read_bytes() == CONTENT


def test_rfc_8187_file_name_wins(tmp_path: Path) -> None:
    disposition = "attachment; filename=\"fallback.xlsx\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E4%B8%AD.xlsx"
    path = Twin().download(Script(workbook(CONTENT, disposition=disposition)), tmp_path)
    assert path.name == "résumé 中.xlsx"


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ('attachment; filename="../../etc/passwd"', "passwd.xlsx"),
        ('attachment; filename="/etc/passwd"', "passwd.xlsx"),
        ('attachment; filename="..\\\\..\\\\windows\\\\win.ini"', "win.ini.xlsx"),
        ("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fshadow", "shadow.xlsx"),
        ('attachment; filename="evil\x00name.xlsx"', "evilname.xlsx"),
        ("attachment; filename*=UTF-8''a%00b%0A%1Bc.xlsx", "abc.xlsx"),
        ('attachment; filename=".bashrc"', "bashrc.xlsx"),
        ('attachment; filename=".."', f"{UUID}.xlsx"),
        ('attachment; filename="/"', f"{UUID}.xlsx"),
        ('attachment; filename=""', f"{UUID}.xlsx"),
        ("attachment", f"{UUID}.xlsx"),
        ('attachment; filename="CON.xlsx"', "_CON.xlsx"),
    ],
)
def test_hostile_names_stay_inside_the_directory(tmp_path: Path, disposition: str, expected: str) -> None:
    inner = tmp_path / "inner"
    inner.mkdir()
    path = Twin().download(Script(workbook(CONTENT, disposition=disposition)), inner)
    assert path == inner / expected
    assert path.read_bytes() == CONTENT
    assert leftovers(inner) == [expected]
    assert leftovers(tmp_path) == ["inner"]


def test_very_long_name_is_cut_to_255_bytes_keeping_the_extension(tmp_path: Path) -> None:
    name = quote("é" * 300 + ".xlsx")
    path = Twin().download(Script(workbook(CONTENT, disposition=f"attachment; filename*=UTF-8''{name}")), tmp_path)
    assert len(path.name.encode()) <= 255
    assert path.name.endswith(".xlsx")
    assert path.read_bytes() == CONTENT


def test_truncated_body_is_retried_then_succeeds(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    clock = FakeClock()
    script = Script(workbook(CONTENT[:100], length=len(CONTENT)), workbook(CONTENT))
    Twin(clock=clock).download(script, target)
    assert target.read_bytes() == CONTENT
    assert clock.sleeps == [0.5]
    assert leftovers(tmp_path) == ["report.xlsx"]


def test_persistent_truncation_raises_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    script = Script(workbook(CONTENT[:100], length=len(CONTENT)), repeat_last=True)
    with pytest.raises(TruncatedDownload) as caught:
        Twin().download(script, target)
    assert caught.value.expected == len(CONTENT)
    assert caught.value.received == 100
    assert caught.value.uuid == UUID
    # The first attempt saved 100 bytes (progress: free); the server's whole answers to the
    # Range requests start the file over without progress and use up the attempts.
    assert len(script.requests) == SCRIPTED_POLICY.max_download_attempts + 1
    assert leftovers(tmp_path) == []


def test_body_longer_than_content_length_is_refused(tmp_path: Path) -> None:
    script = Script(workbook(CONTENT, length=10), repeat_last=True)
    with pytest.raises(TruncatedDownload):
        Twin().download(script, tmp_path / "report.xlsx")
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    "exc", [httpx.RemoteProtocolError("peer closed connection"), httpx.ReadError("reset"), httpx.ReadTimeout("slow")]
)
def test_stream_breaking_mid_body_keeps_existing_file_intact(tmp_path: Path, exc: Exception) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(GOOD)
    script = Script(breaking_workbook(exc), repeat_last=True)
    with pytest.raises(DownloadError) as caught:
        Twin().download(script, target)
    assert not isinstance(caught.value, TruncatedDownload)
    assert caught.value.__cause__ is exc
    assert target.read_bytes() == GOOD
    assert leftovers(tmp_path) == ["report.xlsx"]
    assert len(script.requests) == SCRIPTED_POLICY.max_download_attempts + 1  # the first attempt saved bytes


def test_stream_breaking_once_is_retried(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    Twin().download(Script(breaking_workbook(httpx.ReadError("reset")), workbook(CONTENT)), target)
    assert target.read_bytes() == CONTENT


def test_download_waits_past_json_success_for_the_file(tmp_path: Path) -> None:
    script = Script(status("success", "100"), workbook(CONTENT))
    assert Twin().download(script, tmp_path / "x.xlsx").read_bytes() == CONTENT


def test_export_failure_leaves_dest_untouched(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(GOOD)
    with pytest.raises(ExportFailed):
        Twin().download(Script(status("fail", "0")), target)
    assert target.read_bytes() == GOOD
    assert leftovers(tmp_path) == ["report.xlsx"]


def test_download_deadline(tmp_path: Path) -> None:
    with pytest.raises(ExportTimeout):
        Twin().download(Script(status(), repeat_last=True), tmp_path / "x.xlsx", timeout=3.0)
    assert leftovers(tmp_path) == []


def test_download_retry_gives_up_at_deadline(tmp_path: Path) -> None:
    clock = FakeClock()
    script = Script(breaking_workbook(httpx.ReadError("reset")), repeat_last=True)

    def late_sleep(seconds: float) -> None:
        clock.sleep(seconds + 100)

    with pytest.raises(ExportTimeout) as caught:
        Twin(clock=clock).download(script, tmp_path / "x.xlsx", timeout=50.0, sleep=late_sleep)
    assert caught.value.uuid == UUID
    assert len(script.requests) == 2
    assert leftovers(tmp_path) == []


def test_download_uses_streaming_not_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(self: httpx.Response) -> bytes:
        raise AssertionError("the download must stream, not read the whole body")

    headers = workbook(CONTENT).headers
    script = Script(lambda _request: httpx.Response(200, headers=headers, content=iter([CONTENT[:7], CONTENT[7:]])))
    monkeypatch.setattr(httpx.Response, "content", property(forbidden))
    monkeypatch.setattr(httpx.Response, "read", forbidden)
    target = tmp_path / "report.xlsx"
    Twin().download(script, target)
    assert target.read_bytes() == CONTENT


def test_export_to_file_end_to_end(tmp_path: Path) -> None:
    script = Script(started(), status("importing", "0"), status("importing", "50"), workbook(CONTENT))
    path = Twin().export(script, tmp_path)
    assert path == tmp_path / "dataarts-export.xlsx"
    assert path.read_bytes() == CONTENT
    post = script.requests[0]
    assert post.method == "POST"
    assert post.url.path == f"/v2/{PROJECT_ID}/design/export-model"
    assert post.headers["workspace"] == WORKSPACE
    assert json.loads(post.content) == {"ids": ["1224641525420683264"], "type": "TABLE_MODEL", "asyn": True}
    assert script.requests[1].url.params["uuid"] == UUID


def test_export_to_file_retries_throttled_start_with_retry_after(tmp_path: Path) -> None:
    clock = FakeClock()
    script = Script(error(429, retry_after="4"), httpx.ConnectError("refused"), started(), workbook(CONTENT))
    Twin(clock=clock).export(script, tmp_path / "x.xlsx")
    assert clock.sleeps == [4.0, 1.0]


@pytest.mark.parametrize(
    ("failure", "error_type"),
    [
        (error(401, code="APIG.0301", msg="verify aksk signature fail"), AuthenticationError),
        (error(400, code="DLG.4001", msg="bad type"), BadRequestError),
    ],
)
def test_export_start_does_not_retry_what_a_retry_cannot_cure(
    tmp_path: Path, failure: httpx.Response | Exception, error_type: type[Exception]
) -> None:
    script = Script(failure)
    with pytest.raises(error_type):
        Twin().export(script, tmp_path / "x.xlsx")
    assert len(script.requests) == 1
    assert leftovers(tmp_path) == []


TRANSIENT_START_FAILURES = [
    error(500, code="DLG.0001", msg="internal"),
    error(502, code="APIG.0202", msg="backend unavailable"),
    error(503),
    error(504),
    httpx.ReadTimeout("no answer"),
    httpx.RemoteProtocolError("closed"),
    httpx.ReadError("connection reset"),
]


@pytest.mark.parametrize("failure", TRANSIENT_START_FAILURES)
def test_export_start_is_retried_like_a_poll_by_default(tmp_path: Path, failure: httpx.Response | Exception) -> None:
    script = Script(failure, started(), workbook(CONTENT))
    assert Twin().export(script, tmp_path / "x.xlsx").read_bytes() == CONTENT
    assert [request.method for request in script.requests] == ["POST", "POST", "GET"]


@pytest.mark.parametrize("failure", TRANSIENT_START_FAILURES)
def test_export_start_retry_switched_off_never_repeats_a_start_that_may_have_landed(
    tmp_path: Path, failure: httpx.Response | Exception
) -> None:
    script = Script(failure, started(), workbook(CONTENT))
    with pytest.raises((ServerError, NetworkError)):
        Twin(policy=NO_START_RETRY).export(script, tmp_path / "x.xlsx")
    assert len(script.requests) == 1
    assert leftovers(tmp_path) == []


def test_export_start_retry_switched_off_still_retries_what_proves_nothing_started(tmp_path: Path) -> None:
    script = Script(error(429), httpx.ConnectError("refused"), started(), workbook(CONTENT))
    Twin(policy=NO_START_RETRY).export(script, tmp_path / "x.xlsx")
    assert [request.method for request in script.requests] == ["POST", "POST", "POST", "GET"]


def test_export_start_throttling_is_bounded(tmp_path: Path) -> None:
    script = Script(error(429, code="APIG.0308", msg="throttled"), repeat_last=True)
    with pytest.raises(ThrottledError) as caught:
        Twin().export(script, tmp_path / "x.xlsx")
    assert caught.value.operation == "ExportDesignModels"
    assert len(script.requests) == SCRIPTED_POLICY.max_retries + 1


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"data": {}}),
        httpx.Response(200, json={"data": {"uuid": ""}}),
    ],
)
def test_export_start_without_uuid_is_unexpected(tmp_path: Path, answer: httpx.Response) -> None:
    with pytest.raises(UnexpectedResponse):
        Twin().export(Script(answer), tmp_path / "x.xlsx")


def test_export_start_answered_by_a_proxy_page_is_retried_then_unexpected(tmp_path: Path) -> None:
    page = httpx.Response(200, content=b"<html/>", headers={"Content-Type": "text/html"})
    script = Script(page, repeat_last=True)
    with pytest.raises(UnexpectedResponse, match="HTML page"):
        Twin().export(script, tmp_path / "x.xlsx")
    assert len(script.requests) == SCRIPTED_POLICY.max_retries + 1
    no_retry = Script(page, started(), workbook(CONTENT))
    with pytest.raises(UnexpectedResponse):
        Twin(policy=NO_START_RETRY).export(no_retry, tmp_path / "x.xlsx")
    assert len(no_retry.requests) == 1


def test_export_start_deadline_raises_timeout_without_uuid() -> None:
    clock = FakeClock()
    throttled = Script(error(429, retry_after="100"), repeat_last=True)
    with pytest.raises(ExportTimeout) as caught:
        Twin(clock=clock, policy=RetryPolicy(max_retries=10)).start(throttled, body=ExportParam(), timeout=50.0)
    assert caught.value.uuid is None
    assert "not started" in str(caught.value)


def test_export_to_file_timeout_covers_the_start(tmp_path: Path) -> None:
    clock = FakeClock()
    script = Script(error(429, retry_after="8"), started(), status(), repeat_last=True)
    with pytest.raises(ExportTimeout) as caught:
        Twin(clock=clock).export(script, tmp_path / "x.xlsx", timeout=10.0)
    assert caught.value.uuid == UUID
    assert clock.now - 1000.0 == pytest.approx(10.0)
