"""One suite for the sync helpers and their async twins: every case runs through both, on a fake clock.

The async helpers share their decisions with the sync ones, but each has its
own request loop, body reader and file saver, and a mutation in an async
twin once survived where the same one in the sync version was caught. Here
each case is written once and run as ``sync`` and as ``async``: the same
answers must give the same result, the same sleeps and the same errors,
down to their uuid, rate, error code and request id.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from dataarts_export_client.lib import (
    DownloadError,
    ExportFailed,
    ExportProgress,
    ExportReady,
    ExportSnapshot,
    ExportTimeout,
    NetworkError,
    RetryPolicy,
    ServerError,
    TruncatedDownload,
    async_download_export,
    async_export_to_file,
    async_poll_export_status,
    async_start_export,
    async_wait_for_export,
    download_export,
    export_to_file,
    poll_export_status,
    start_export,
    wait_for_export,
)
from dataarts_export_client.lib.errors import BadRequestError
from dataarts_export_client.models import ExportParam, ExportState

from .client_fakes import (
    PROJECT_ID,
    SCRIPTED_POLICY,
    UUID,
    WORKSPACE,
    XLSX,
    FakeClock,
    Script,
    breaking_workbook,
    client_for,
    error,
    status,
    workbook,
)

_T = TypeVar("_T")
CONTENT = b"PK\x03\x04" + bytes(range(256)) * 8
BODY = ExportParam(ids=["1224641525420683264"], type_="TABLE_MODEL", asyn=True)


def started(uuid: str = UUID) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "application/json"}, json={"data": {"uuid": uuid}})


async def _awaited(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


@dataclass
class Twin:
    """Calls the sync helpers, or their async twins through ``asyncio.run``, with the same arguments."""

    kind: str
    clock: FakeClock

    def _call(self, sync: Callable[..., _T], async_: Callable[..., Awaitable[_T]], **kwargs: Any) -> _T:
        if self.kind == "sync":
            return sync(clock=self.clock, sleep=self.clock.sleep, **kwargs)
        return asyncio.run(_awaited(async_(clock=self.clock, sleep=self.clock.async_sleep, **kwargs)))

    def start(self, script: Script, *, timeout: float = 600.0, policy: RetryPolicy = SCRIPTED_POLICY) -> str:
        where = {"project_id": PROJECT_ID, "workspace": WORKSPACE}
        return self._call(
            start_export,
            async_start_export,
            client=client_for(script),
            body=BODY,
            timeout=timeout,
            policy=policy,
            **where,
        )

    def wait(
        self, script: Script, *, timeout: float = 600.0, reports: list[ExportProgress] | None = None
    ) -> ExportReady:
        return self._call(
            wait_for_export,
            async_wait_for_export,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            uuid=UUID,
            timeout=timeout,
            on_progress=None if reports is None else reports.append,
            policy=SCRIPTED_POLICY,
        )

    def probe(self, script: Script) -> ExportSnapshot:
        return self._call(
            poll_export_status,
            async_poll_export_status,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            uuid=UUID,
            policy=SCRIPTED_POLICY,
        )

    def download(self, script: Script, dest: Path, *, timeout: float = 600.0) -> Path:
        return self._call(
            download_export,
            async_download_export,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            uuid=UUID,
            dest=dest,
            timeout=timeout,
            policy=SCRIPTED_POLICY,
        )

    def export(self, script: Script, dest: Path, *, timeout: float = 600.0) -> Path:
        return self._call(
            export_to_file,
            async_export_to_file,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            body=BODY,
            dest=dest,
            timeout=timeout,
            policy=SCRIPTED_POLICY,
        )


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
    ready = twin.wait(script, reports=reports)
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
    assert str(dropped.value) == f"GET export-result for {UUID} kept failing: ConnectError"


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


def test_the_debug_log_says_why_each_wait_happens(twin: Twin, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """What ``--verbose`` shows: each answer, each wait and its reason, an unknown state warned about once."""
    script = Script(
        httpx.ConnectError("refused"),
        error(503),
        status("importing", "10"),
        status("queued", "20"),
        status("queued", "30"),
        status("success", None),
        breaking_workbook(httpx.ReadError("reset")),
        workbook(b"PK"),
    )
    with caplog.at_level(logging.DEBUG, logger="dataarts_export_client"):
        twin.download(script, tmp_path / "x.xlsx")
    prefix = f"export {UUID}: "
    assert [(record.levelname, record.getMessage().removeprefix(prefix)) for record in caplog.records] == [
        ("DEBUG", "ConnectError, retry 1; next attempt in 0.50s"),
        ("DEBUG", "HTTP 503, retry 2; next attempt in 1.00s"),
        ("DEBUG", "status importing, rate 10"),
        ("DEBUG", "export still running; next attempt in 1.00s"),
        ("WARNING", "unknown status 'queued' (this client knows fail, importing, success); treated as still running"),
        ("DEBUG", "status queued, rate 20"),
        ("DEBUG", "progress 20% predicts completion in 6.6s-10.1s; next attempt in 6.58s"),
        ("DEBUG", "status queued, rate 30"),
        ("DEBUG", "progress 30% predicts completion in 23.8s-29.9s; next attempt in 10.00s"),
        ("DEBUG", "status success, rate None"),
        ("DEBUG", "file not served yet; next attempt in 2.00s"),
        ("DEBUG", "status success, rate None"),
        ("DEBUG", "transfer interrupted (ReadError); next download attempt in 0.50s"),
        ("DEBUG", "status success, rate None"),
        ("DEBUG", "saved 2 bytes"),
    ]


def test_the_debug_log_of_a_start(twin: Twin, caplog: pytest.LogCaptureFixture) -> None:
    script = Script(httpx.ConnectError("refused"), error(502), started())
    with caplog.at_level(logging.DEBUG, logger="dataarts_export_client"):
        assert twin.start(script) == UUID
    assert [record.getMessage() for record in caplog.records] == [
        "export (starting): ConnectError starting the export, retry 1; next attempt in 0.50s",
        "export (starting): HTTP 502 starting the export, retry 2; next attempt in 1.00s",
        f"export {UUID} started",
    ]


def test_a_timeout_is_raised_from_the_failure_that_kept_it_waiting(twin: Twin) -> None:
    """``__cause__`` says why the wait ran out: the last error answer, or the last failure in transit."""
    busy = error(503, code="APIG.0201", request_id="req-503")
    with pytest.raises(ExportTimeout) as caught:
        twin.wait(Script(busy, busy, busy, repeat_last=True), timeout=1.0)
    cause = caught.value.__cause__
    assert isinstance(cause, ServerError)
    assert (cause.error_code, cause.request_id) == ("APIG.0201", "req-503")
    with pytest.raises(ExportTimeout) as dropped:
        twin.wait(Script(httpx.ReadTimeout("slow"), repeat_last=True), timeout=1.0)
    assert isinstance(dropped.value.__cause__, httpx.ReadTimeout)
    with pytest.raises(ExportTimeout) as starting:
        twin.start(Script(httpx.ConnectError("refused"), repeat_last=True), timeout=1.0)
    assert isinstance(starting.value.__cause__, httpx.ConnectError)


def test_a_download_keeps_the_last_rate_through_a_success_without_one(twin: Twin, tmp_path: Path) -> None:
    """A JSON ``success`` without a rate does not erase the last progress the timeout reports."""
    with pytest.raises(ExportTimeout) as caught:
        twin.download(
            Script(status("importing", "60"), status("success", None), repeat_last=True), tmp_path, timeout=5.0
        )
    assert caught.value.last_rate == "60"


def test_starting_keeps_failing_in_transit_into_a_network_error(twin: Twin) -> None:
    with pytest.raises(NetworkError) as caught:
        twin.start(Script(httpx.ConnectError("refused"), repeat_last=True))
    assert str(caught.value) == "POST export-model failed: ConnectError"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
