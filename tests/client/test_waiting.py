"""wait_for_export: negotiation of poll answers, backoff, retries, deadline, progress, typed errors."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from dataarts_export_client.lib import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ExportFailed,
    ExportProgress,
    ExportReady,
    ExportTimeout,
    NetworkError,
    PermissionDeniedError,
    RetryPolicy,
    ServerError,
    ThrottledError,
    UnexpectedResponse,
)
from dataarts_export_client.models import BatchOperation, ExportState, OperationStatus

from .client_fakes import (
    PROJECT_ID,
    UUID,
    WORKSPACE,
    XLSX,
    BreakingStream,
    FakeClock,
    Script,
    error,
    status,
    workbook,
)
from .twin_fakes import Twin

POLICY = RetryPolicy(jitter="none", poll_interval=1.0, max_poll_interval=4.0, retry_interval=0.5, max_retries=3)
BACKOFF_ONLY = replace(POLICY, follow_progress=False)
"""Polls on the backoff alone (the progress-guided pace has its own tests in test_pacing.py)."""


def run(
    script: Script,
    clock: FakeClock,
    *,
    timeout: float = 600.0,
    on_progress: Callable[[ExportProgress], object] | None = None,
    policy: RetryPolicy = POLICY,
) -> ExportReady:
    return Twin(clock=clock, policy=policy).wait(script, timeout=timeout, on_progress=on_progress)


def test_polls_json_until_the_file_answer_and_closes_it_unread() -> None:
    body_reads: list[int] = []
    closes: list[int] = []

    class CountingStream(BreakingStream):
        """Records reads and closes; the script hands out fresh copies of it via again()."""

        def again(self) -> CountingStream:
            return CountingStream(self.chunks, self.exc)

        def __iter__(self) -> Iterator[bytes]:
            body_reads.append(1)
            yield b"never read"

        def close(self) -> None:
            closes.append(1)

    file_answer = httpx.Response(
        200,
        headers={
            "Content-Type": XLSX,
            "Content-Disposition": 'attachment; filename="out.xlsx"',
            "Content-Length": "10",
        },
        stream=CountingStream([], RuntimeError()),
    )
    script = Script(status("importing", "0"), status("importing", "37"), status("importing", "90"), file_answer)
    clock = FakeClock()
    ready = run(script, clock, policy=BACKOFF_ONLY)
    assert ready == ExportReady(
        uuid=UUID,
        elapsed=7.0,
        file_name="out.xlsx",
        content_type=XLSX,
        content_length=10,
        request_id=None,
    )
    assert clock.sleeps == [1.0, 2.0, 4.0]  # exponential, capped at max_poll_interval
    assert body_reads == [], "the workbook is not downloaded just to learn that it is ready"
    assert closes == [1], "the file answer is closed, releasing the connection"
    request = script.requests[0]
    assert request.method == "GET"
    assert request.url.path == f"/v2/{PROJECT_ID}/design/export-result"
    assert request.url.params["uuid"] == UUID
    assert request.headers["workspace"] == WORKSPACE


@pytest.mark.parametrize("content_type", [XLSX, "application/octet-stream", "Application/Octet-Stream; x=1"])
def test_binary_content_types_mean_ready(content_type: str) -> None:
    ready = run(Script(workbook(content_type=content_type, name=None)), FakeClock())
    assert ready.file_name is None
    assert ready.content_type == content_type


def test_json_success_status_means_ready() -> None:
    ready = run(Script(status("importing", "50"), status("success", "100")), FakeClock())
    assert ready.uuid == UUID
    assert ready.file_name is None
    assert ready.request_id == "req-status"


def test_progress_callback_gets_every_rate_then_100() -> None:
    reports: list[ExportProgress] = []
    run(
        Script(status("importing", "0"), status("importing", "37.5"), workbook()),
        FakeClock(),
        on_progress=reports.append,
        policy=BACKOFF_ONLY,
    )
    assert [(r.status, r.rate, r.percent) for r in reports] == [
        (ExportState.IMPORTING, "0", 0.0),
        (ExportState.IMPORTING, "37.5", 37.5),
        (ExportState.SUCCESS, None, 100.0),
    ]
    assert [r.elapsed for r in reports] == [0.0, 1.0, 3.0]
    assert all(r.uuid == UUID for r in reports)


def test_unparsable_or_missing_rate_is_reported_as_none() -> None:
    reports: list[ExportProgress] = []
    run(
        Script(status("importing", "n/a"), status("importing", None), workbook()),
        FakeClock(),
        on_progress=reports.append,
    )
    assert [(r.rate, r.percent) for r in reports[:2]] == [("n/a", None), (None, None)]


def test_fail_status_raises_export_failed_with_group() -> None:
    group = {
        "id": "1",
        "operation_status": "FAILED",
        "total": 3,
        "success": 1,
        "failed": 2,
        "logs": "table t1: no permission",
        "groups": [{"id": "2", "operation_status": "FAILED"}],
    }
    with pytest.raises(ExportFailed) as caught:
        run(Script(status("importing", "10"), status("fail", "40", group=group)), FakeClock())
    failure = caught.value
    assert failure.uuid == UUID
    assert failure.rate == "40"
    assert isinstance(failure.group, BatchOperation)
    assert failure.group.operation_status is OperationStatus.FAILED
    assert failure.group.failed == 2
    assert failure.group.logs == "table t1: no permission"
    assert UUID in str(failure)


def test_fail_status_without_group() -> None:
    with pytest.raises(ExportFailed) as caught:
        run(Script(status("fail", None)), FakeClock())
    assert caught.value.group is None


def test_deadline_raises_export_timeout_with_last_rate_and_elapsed() -> None:
    clock = FakeClock()
    with pytest.raises(ExportTimeout) as caught:
        run(Script(status("importing", "42"), repeat_last=True), clock, timeout=10.0)
    timeout = caught.value
    assert timeout.uuid == UUID
    assert timeout.last_rate == "42"
    assert timeout.elapsed == pytest.approx(10.0)
    assert timeout.timeout == 10.0
    # 1 + 2 + 4 + 3 (clipped to the deadline), then a last poll at the deadline.
    assert clock.sleeps == [1.0, 2.0, 4.0, 3.0]
    assert isinstance(timeout, TimeoutError)


def test_zero_timeout_still_polls_once() -> None:
    script = Script(workbook())
    assert run(script, FakeClock(), timeout=0.0).uuid == UUID
    assert len(script.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed"),
        error(500),
        error(502),
        error(503),
        error(504),
        error(429, code="APIG.0308", msg="The request is throttled."),
    ],
)
def test_transient_failures_are_retried_with_backoff(failure: httpx.Response | Exception) -> None:
    clock = FakeClock()
    ready = run(Script(failure, failure, status("importing", "5"), workbook()), clock)
    assert ready.uuid == UUID
    assert clock.sleeps == [0.5, 1.0, 1.0]  # two retry delays, then the first poll interval


def test_failure_budget_resets_after_a_good_answer() -> None:
    boom = httpx.ConnectError("refused")
    script = Script(boom, boom, boom, status(), boom, boom, boom, workbook())
    assert run(script, FakeClock()).uuid == UUID


def test_retry_after_seconds_is_honoured_on_429() -> None:
    clock = FakeClock()
    run(Script(error(429, retry_after="7"), workbook()), clock)
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured_on_503() -> None:
    clock = FakeClock()
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    run(Script(error(503, retry_after=when), workbook()), clock)
    assert len(clock.sleeps) == 1
    assert 25.0 <= clock.sleeps[0] <= 30.0


def test_retry_after_is_capped_by_policy_and_by_deadline() -> None:
    clock = FakeClock()
    policy = RetryPolicy(jitter="none", max_retry_after=12.0)
    run(Script(error(429, retry_after="3600"), workbook()), clock, policy=policy)
    assert clock.sleeps == [12.0]
    clock = FakeClock()
    run(Script(error(429, retry_after="3600"), workbook()), clock, timeout=5.0)
    assert clock.sleeps == [5.0]


@pytest.mark.parametrize(
    ("answer", "error_type"),
    [
        (error(500, code="DLG.5000", msg="internal"), ServerError),
        (error(503, code="DLG.5030", msg="unavailable"), ServerError),
        (error(429, code="APIG.0308", msg="The request is throttled."), ThrottledError),
    ],
)
def test_retries_are_bounded_then_api_error(answer: httpx.Response, error_type: type[ApiError]) -> None:
    clock = FakeClock()
    script = Script(answer, repeat_last=True)
    with pytest.raises(error_type) as caught:
        run(script, clock)
    raised = caught.value
    assert len(script.requests) == POLICY.max_retries + 1
    assert raised.status_code == answer.status_code
    assert raised.error_code == answer.json()["error_code"]
    assert raised.error_msg == answer.json()["error_msg"]
    assert raised.request_id == "req-err"
    assert raised.operation == "ExportDesignResult"
    assert "req-err" in str(raised)


def test_connection_errors_are_bounded_then_network_error() -> None:
    script = Script(httpx.ConnectError("refused"), repeat_last=True)
    with pytest.raises(NetworkError) as caught:
        run(script, FakeClock())
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(script.requests) == POLICY.max_retries + 1


@pytest.mark.parametrize(
    ("answer", "error_type"),
    [
        (error(400), BadRequestError),
        (error(401, code="APIG.0301", msg="Incorrect IAM authentication information"), AuthenticationError),
        (error(403, code="DLG.0403", msg="No permission"), PermissionDeniedError),
        (error(501, code="X", msg="not implemented"), ServerError),
        (error(418, code="X", msg="teapot"), ApiError),
    ],
)
def test_client_errors_are_not_retried(answer: httpx.Response, error_type: type[ApiError]) -> None:
    script = Script(answer)
    with pytest.raises(error_type) as caught:
        run(script, FakeClock())
    assert type(caught.value) is error_type
    assert len(script.requests) == 1
    assert caught.value.request_id == "req-err"


def test_error_without_json_body_still_has_status_and_request_id() -> None:
    html = httpx.Response(
        502, headers={"Content-Type": "text/html", "X-Request-Id": "gw-1"}, content=b"<html>bad gateway</html>"
    )
    with pytest.raises(ServerError) as caught:
        run(Script(html, repeat_last=True), FakeClock())
    assert caught.value.error_code is None
    assert caught.value.error_msg is None
    assert caught.value.request_id == "gw-1"
    assert "<html>" not in str(caught.value)


def test_request_id_falls_back_to_body() -> None:
    answer = httpx.Response(401, json={"error_code": "APIG.0301", "error_msg": "bad", "request_id": "body-id"})
    with pytest.raises(AuthenticationError) as caught:
        run(Script(answer), FakeClock())
    assert caught.value.request_id == "body-id"


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, headers={"Content-Type": "application/json"}, content=b"not json"),
        httpx.Response(200, headers={"Content-Type": "application/json"}, content=b"[1, 2]"),
        httpx.Response(200, json={"data": {"status": 3}}),  # an unknown *string* is a state (test_unknown_state)
        httpx.Response(200, json={"nodata": {}}),
        httpx.Response(200, content=b"no content type"),
    ],
)
def test_unexpected_200_answers_raise_typed_error(answer: httpx.Response) -> None:
    script = Script(answer)
    with pytest.raises(UnexpectedResponse) as caught:
        run(script, FakeClock())
    assert caught.value.status_code == 200
    assert len(script.requests) == 1


PROXY_PAGE = httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<html>login</html>")


def test_a_proxy_page_is_retried_like_a_5xx_then_waited_past() -> None:
    clock = FakeClock()
    script = Script(PROXY_PAGE, PROXY_PAGE, status("success", "100"))
    assert run(script, clock).uuid == UUID
    assert clock.sleeps == [0.5, 1.0]


def test_a_proxy_page_that_persists_is_unexpected_after_the_retries() -> None:
    script = Script(PROXY_PAGE, repeat_last=True)
    with pytest.raises(UnexpectedResponse, match="HTML page") as caught:
        run(script, FakeClock())
    assert caught.value.content_type == "text/html"
    assert len(script.requests) == POLICY.max_retries + 1


def test_oversized_json_answer_is_refused_without_reading_it_all() -> None:
    answer = httpx.Response(200, headers={"Content-Type": "application/json"}, content=b" " * (2 << 20))
    with pytest.raises(UnexpectedResponse, match="larger than"):
        run(Script(answer), FakeClock())


def test_polls_are_logged_at_debug_and_retries_at_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="dataarts_export_client")
    run(Script(httpx.ConnectError("refused"), status("importing", "37"), workbook()), FakeClock())
    levels = {record.getMessage(): record.levelno for record in caplog.records}
    retry = next(message for message in levels if "could not connect, retry 1 of 3" in message)
    assert levels[retry] == logging.INFO
    assert levels[f"export {UUID}: status importing, rate 37"] == logging.DEBUG
    assert set(levels.values()) == {logging.DEBUG, logging.INFO}


def test_policy_validation() -> None:
    with pytest.raises(ValueError, match="positive"):
        RetryPolicy(poll_interval=0)
    with pytest.raises(ValueError, match="maximum"):
        RetryPolicy(poll_interval=5, max_poll_interval=1)
    with pytest.raises(ValueError, match="backoff_factor"):
        RetryPolicy(backoff_factor=0.5)
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_download_attempts=0)
    with pytest.raises(ValueError, match="jitter"):
        RetryPolicy(jitter="sometimes")  # type: ignore[arg-type]
