"""One suite for the sync helpers and their async twins: every case runs through both, on a fake clock.

The async helpers share their decisions with the sync ones, but each has its
own request loop, body reader and file saver, and a mutation in an async
twin once survived where the same one in the sync version was caught. Here
each case is written once and run as ``sync`` and as ``async``: the same
answers must give the same result, the same sleeps and the same errors,
down to their uuid, rate, error code and request id.
"""

from __future__ import annotations

import gzip
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
    TruncatedDownload,
)
from dataarts_export_client.lib.errors import BadRequestError
from dataarts_export_client.models import ExportState

from .client_fakes import (
    UUID,
    XLSX,
    FakeClock,
    Script,
    breaking_workbook,
    error,
    status,
    workbook,
)
from .twin_fakes import CONTENT, Twin, started


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> Twin:
    return Twin(request.param, FakeClock())


def test_start_returns_the_uuid_after_retrying_a_throttled_start(twin: Twin) -> None:
    script = Script(error(429, retry_after="4"), error(503), started())
    assert twin.start(script) == UUID
    assert twin.clock.sleeps == [4.0, 1.0]  # Retry-After decides the first wait, yet the backoff moves on
    assert [request.method for request in script.requests] == ["POST"] * 3


def test_a_start_refused_for_good_raises_the_api_error_with_its_details(twin: Twin) -> None:
    refused = error(400, code="DLG.0400", msg="ids must not be empty", request_id="req-400")
    with pytest.raises(BadRequestError) as caught:
        twin.start(Script(refused))
    failure = caught.value
    assert (failure.status_code, failure.error_code, failure.request_id) == (400, "DLG.0400", "req-400")
    assert (failure.error_msg, failure.operation) == ("ids must not be empty", "ExportDesignModels")


def test_a_start_that_outlasts_its_timeout_has_no_uuid(twin: Twin) -> None:
    with pytest.raises(ExportTimeout) as caught:
        twin.start(Script(error(429, retry_after="100"), repeat_last=True), timeout=50.0)
    assert (caught.value.uuid, caught.value.timeout, caught.value.last_rate) == (None, 50.0, None)
    assert twin.clock.now - 1000.0 == pytest.approx(50.0)


def test_wait_reports_progress_and_returns_the_file_answer(twin: Twin) -> None:
    reports: list[ExportProgress] = []
    script = Script(status("importing", "10"), status("importing", "60"), workbook(CONTENT))
    ready = twin.wait(script, on_progress=reports.append)
    assert ready.elapsed == pytest.approx(sum(twin.clock.sleeps))
    assert ready == ExportReady(
        uuid=UUID,
        elapsed=ready.elapsed,
        file_name="dataarts-export.xlsx",
        content_type=XLSX,
        content_length=len(CONTENT),
        request_id="req-file",
    )
    assert [(r.status, r.rate, r.percent) for r in reports] == [
        (ExportState.IMPORTING, "10", 10.0),
        (ExportState.IMPORTING, "60", 60.0),
        (ExportState.SUCCESS, None, 100.0),
    ]


def test_a_json_success_ends_a_wait_but_a_download_waits_for_the_file(twin: Twin, tmp_path: Path) -> None:
    assert twin.wait(Script(status("importing", "50"), status("success", "100"))).request_id == "req-status"
    script = Script(status("importing", "50"), status("success", "100"), workbook(CONTENT))
    path = twin.download(script, tmp_path)
    assert path.read_bytes() == CONTENT
    assert len(script.requests) == 3
    assert len(twin.clock.sleeps) == 3  # one after the first wait's poll, two in the download


def test_a_failed_export_raises_with_its_uuid_group_and_rate(twin: Twin, tmp_path: Path) -> None:
    group = {"failed": 1, "total": 2, "logs": "object not found"}
    with pytest.raises(ExportFailed) as caught:
        twin.download(Script(status("importing", "10"), status("fail", "40", group=group)), tmp_path / "x.xlsx")
    assert (caught.value.uuid, caught.value.rate) == (UUID, "40")
    assert caught.value.group is not None
    assert (caught.value.group.failed, caught.value.group.logs) == (1, "object not found")
    assert list(tmp_path.iterdir()) == []


def test_a_wait_past_its_timeout_says_the_last_rate(twin: Twin) -> None:
    with pytest.raises(ExportTimeout) as caught:
        twin.wait(Script(status("importing", "37"), repeat_last=True), timeout=5.0)
    failure = caught.value
    assert (failure.uuid, failure.timeout, failure.last_rate) == (UUID, 5.0, "37")
    assert failure.elapsed == pytest.approx(5.0)


def test_retries_run_out_into_the_last_error(twin: Twin) -> None:
    busy = error(503, code="APIG.0201", msg="Backend unavailable", request_id="req-503")
    with pytest.raises(ServerError) as caught:
        twin.wait(Script(busy, repeat_last=True))
    assert (caught.value.status_code, caught.value.error_code, caught.value.request_id) == (503, "APIG.0201", "req-503")
    assert twin.clock.sleeps == [0.5, 1.0, 2.0]  # SCRIPTED_POLICY: three retries
    with pytest.raises(NetworkError) as dropped:
        twin.wait(Script(httpx.ConnectError("refused"), repeat_last=True))
    assert str(dropped.value).startswith(f"GET export-result for {UUID} kept failing at http://127.0.0.1:9/")
    assert str(dropped.value).endswith(" after 4 attempts: could not connect; check the endpoint and the network")


def test_a_probe_answers_after_one_status(twin: Twin) -> None:
    snapshot = twin.probe(Script(status("fail", "40", group={"failed": 2})))
    assert (snapshot.uuid, snapshot.status, snapshot.rate, snapshot.percent) == (UUID, ExportState.FAIL, "40", 40.0)
    assert snapshot.request_id == "req-status"
    assert twin.clock.sleeps == []


def test_export_to_file_counts_the_start_against_the_timeout(twin: Twin, tmp_path: Path) -> None:
    script = Script(error(429, retry_after="8"), started(), status("importing", "5"), repeat_last=True)
    with pytest.raises(ExportTimeout) as caught:
        twin.export(script, tmp_path / "x.xlsx", timeout=10.0)
    assert (caught.value.uuid, caught.value.last_rate) == (UUID, "5")
    assert twin.clock.now - 1000.0 == pytest.approx(10.0)
    assert list(tmp_path.iterdir()) == []


def test_export_to_file_starts_waits_and_saves(twin: Twin, tmp_path: Path) -> None:
    script = Script(started(), status("importing", "0"), status("success", "100"), workbook(CONTENT))
    assert twin.export(script, tmp_path) == tmp_path / "dataarts-export.xlsx"
    assert (tmp_path / "dataarts-export.xlsx").read_bytes() == CONTENT
    assert [request.method for request in script.requests] == ["POST", "GET", "GET", "GET"]


def test_a_compressed_file_is_saved_decoded_and_checked_against_its_wire_length(twin: Twin, tmp_path: Path) -> None:
    packed = gzip.compress(CONTENT)
    headers = {"Content-Type": XLSX, "Content-Encoding": "gzip", "Content-Length": str(len(packed))}
    script = Script(lambda _request: httpx.Response(200, headers=headers, stream=httpx.ByteStream(packed)))
    path = twin.download(script, tmp_path / "x.xlsx")
    assert path.read_bytes() == CONTENT


def test_a_short_file_is_retried_then_reported_with_its_counts(twin: Twin, tmp_path: Path) -> None:
    short = workbook(CONTENT[:100], length=len(CONTENT))
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(TruncatedDownload) as caught:
        twin.download(Script(short, repeat_last=True), target)
    assert (caught.value.uuid, caught.value.expected, caught.value.received) == (UUID, len(CONTENT), 100)
    assert target.read_bytes() == b"previous"
    assert [path.name for path in tmp_path.iterdir()] == ["x.xlsx"]


def test_a_broken_transfer_is_retried_then_reported(twin: Twin, tmp_path: Path) -> None:
    broken = breaking_workbook(httpx.ReadError("connection reset"))
    with pytest.raises(DownloadError) as caught:
        twin.download(Script(broken, repeat_last=True), tmp_path / "x.xlsx")
    assert (caught.value.uuid, caught.value.reason) == (UUID, "transfer interrupted (ReadError)")
    assert list(tmp_path.iterdir()) == []


def test_export_to_file_starts_with_the_caller_s_policy_and_clock(twin: Twin, tmp_path: Path) -> None:
    """The start inside export_to_file retries on the given policy (no jitter here) and times out on the given clock."""
    twin.export(Script(error(503), started(), status("importing", None), workbook(CONTENT)), tmp_path)
    assert twin.clock.sleeps == [0.5, 1.0]  # a start retry, then a poll: both without jitter
    with pytest.raises(ExportTimeout) as caught:
        twin.export(Script(error(429, retry_after="100"), repeat_last=True), tmp_path, timeout=10.0)
    assert (caught.value.uuid, caught.value.timeout) == (None, 10.0)
