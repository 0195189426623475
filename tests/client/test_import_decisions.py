"""The decisions of starting and waiting for an import, fed answers by hand (no sockets, no sleeping)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dataarts_export_client.lib import RetryPolicy
from dataarts_export_client.lib.deadline import Wait
from dataarts_export_client.lib.errors import (
    BadRequestError,
    ImportFailed,
    ImportPartiallyFailed,
    ImportTimeout,
    NetworkError,
    ServerError,
    ThrottledError,
    UnexpectedResponse,
)
from dataarts_export_client.lib.import_decisions import ImportPoller, ImportStarter
from dataarts_export_client.lib.results import ExportProgress, ImportOutcome, ImportProgress

from ..fidelity.documented import IMPORT_RESULT_SUCCESS

JSON = {"content-type": "application/json;charset=UTF-8", "X-Request-Id": "rid"}
POLICY = RetryPolicy(max_retries=2)
DOCUMENTED = IMPORT_RESULT_SUCCESS


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def body(document: Any) -> bytes:
    return json.dumps(document).encode()


def status(state: str, rate: str | None = "0.50", group: Any = None) -> bytes:
    return body({"data": {"status": state, "rate": rate, "group": group}})


def row(name: str, state: str, remark: str | None = None, logs: str | None = None, biz_id: str | None = None) -> Any:
    return {"biz_name": name, "operation_status": state, "remark": remark, "logs": logs, "biz_id": biz_id}


def poller(clock: Clock | None = None, progress: list[ExportProgress] | None = None) -> ImportPoller:
    report = progress.append if progress is not None else None
    return ImportPoller(uuid="u1", timeout=60, policy=POLICY, clock=clock or Clock(), on_progress=report)


@pytest.mark.fact("F-IMPORT-12", "F-IMPORT-13", "F-RATE-2", "F-RATE-3")
def test_huawei_documented_answer_is_a_successful_outcome_at_100_percent() -> None:
    progress: list[ExportProgress] = []
    outcome = poller(progress=progress).after_body(200, JSON, body(DOCUMENTED))
    assert isinstance(outcome, ImportOutcome)
    assert (outcome.status.value, outcome.total, outcome.success, outcome.failed) == ("success", 2, 2, 0)
    assert [(r.name, r.object_id, r.status, r.remark, r.message) for r in outcome.rows] == [
        ("test", None, "SUCCESS", "SKIP", None)
    ]
    assert (outcome.failed_rows, outcome.object_ids, outcome.request_id) == ((), [], "rid")
    assert [(p.status.value, p.rate, p.percent) for p in progress] == [("success", "1.00", 100.0)]
    assert all(isinstance(p, ImportProgress) for p in progress)


@pytest.mark.fact("F-RESULT-7", "F-IMPORT-12")
def test_the_2022_eu_page_shape_without_the_data_wrapper_is_read() -> None:
    outcome = poller().after_body(200, JSON, body(DOCUMENTED["data"]))
    assert isinstance(outcome, ImportOutcome)
    assert outcome.total == 2


def test_running_imports_are_waited_for_with_their_progress() -> None:
    progress: list[ExportProgress] = []
    step = poller(progress=progress).after_body(200, JSON, status("importing", "0.25"))
    assert isinstance(step, Wait)
    assert [(p.uuid, p.rate, p.percent) for p in progress] == [("u1", "0.25", 25.0)]
    assert isinstance(poller().after_body(200, JSON, status("queued", None)), Wait)


@pytest.mark.parametrize(
    ("rate", "percent"),
    [("0.25", 25.0), ("1.00", 100.0), ("1", 1.0), ("37", 37.0), ("37.5", 37.5), (None, None), ("x", None)],
)
def test_both_scales_of_rate(rate: str | None, percent: float | None) -> None:
    progress: list[ExportProgress] = []
    poller(progress=progress).after_body(200, JSON, status("importing", rate))
    assert [report.percent for report in progress] == [percent]


@pytest.mark.fact("F-IMPORT-16")
def test_a_failed_import_raises_with_every_row_and_message() -> None:
    group = {"total": 2, "success": 0, "failed": 2, "groups": [row("a", "FAILED", logs="bad a"), row("b", "FAILED")]}
    with pytest.raises(ImportFailed) as caught:
        poller().after_body(200, JSON, status("fail", "1.00", group))
    assert type(caught.value) is ImportFailed
    assert str(caught.value) == "import u1 failed: 2 of 2 rows failed"
    assert [(r.name, r.message) for r in caught.value.outcome.failed_rows] == [("a", "bad a"), ("b", None)]


@pytest.mark.fact("F-IMPORT-16")
@pytest.mark.parametrize(
    "group",
    [
        {"total": 2, "success": 1, "failed": 1, "groups": [row("a", "SUCCESS"), row("b", "FAILED", logs="no")]},
        {"total": 1, "success": 1, "failed": 0, "groups": [{"groups": [row("deep", "FAILED")]}]},
        {"total": 1, "success": 1, "failed": None, "operation_status": "FAILED", "groups": None},
    ],
    ids=["counted", "nested-row", "group-marked-failed"],
)
def test_a_success_with_failed_rows_is_raised_as_partial(group: Any) -> None:
    with pytest.raises(ImportPartiallyFailed) as caught:
        poller().after_body(200, JSON, status("success", "1.00", group))
    assert isinstance(caught.value, ImportFailed)
    assert "partly failed" in str(caught.value)


def test_a_success_without_a_group_is_an_outcome_with_unknown_counts() -> None:
    outcome = poller().after_body(200, JSON, status("success", "1.00", None))
    assert isinstance(outcome, ImportOutcome)
    assert (outcome.total, outcome.success, outcome.failed, outcome.rows, outcome.group) == (None, None, None, (), None)


@pytest.mark.fact("F-IMPORT-14")
def test_the_ids_to_export_are_those_of_rows_that_succeeded() -> None:
    group = {"groups": [row("a", "SUCCESS", biz_id="1"), row("b", "SUCCESS"), row("c", "SUCCESS", biz_id="3")]}
    outcome = poller().after_body(200, JSON, status("success", "1.00", group))
    assert isinstance(outcome, ImportOutcome)
    assert outcome.object_ids == ["1", "3"]


def test_poll_errors_are_retried_within_budget_then_raised() -> None:
    decide = poller()
    assert isinstance(decide.after_body(503, JSON, b"{}"), Wait)
    assert isinstance(decide.after_body(200, {"content-type": "text/html"}, b"<html>"), Wait)
    with pytest.raises(ServerError):
        decide.after_body(503, JSON, b"{}")
    with pytest.raises(BadRequestError):
        poller().after_body(400, JSON, body({"error_code": "EMU.0420", "error_msg": "no"}))
    decide = poller()
    for _ in range(2):
        assert isinstance(decide.after_transport_error(httpx.ReadError("x")), Wait)
    with pytest.raises(NetworkError, match="process-import"):
        decide.after_transport_error(httpx.ReadError("x"))


def test_answers_that_are_no_import_result_are_unexpected() -> None:
    for headers, content in [({"content-type": "text/plain"}, b"x"), (JSON, b"[1]"), (JSON, body({"data": 1}))]:
        with pytest.raises(UnexpectedResponse):
            poller().after_body(200, headers, content)
    assert poller().is_file(200, {"content-type": "application/octet-stream"}) is False
    assert poller().request_headers() == {}


def test_the_deadline_raises_an_import_timeout() -> None:
    clock = Clock()
    decide = poller(clock)
    clock.now = 61
    with pytest.raises(ImportTimeout, match=r"import u1 not finished after 61\.0s"):
        decide.after_body(200, JSON, status("importing", "0.50"))


def starter() -> ImportStarter:
    return ImportStarter(operation="ImportModels", timeout=60, policy=POLICY, clock=Clock())


@pytest.mark.fact("F-IMPORT-11")
def test_the_start_answers_the_uuid() -> None:
    assert starter().after_answer(200, JSON, body({"data": {"uuid": "u9"}})) == "u9"


@pytest.mark.fact("F-IMPORT-20")
def test_only_what_proves_nothing_started_is_retried() -> None:
    decide = starter()
    assert isinstance(decide.after_answer(429, JSON, b"{}"), Wait)
    assert isinstance(decide.after_transport_error(httpx.ConnectError("refused")), Wait)
    with pytest.raises(ThrottledError):
        decide.after_answer(429, JSON, b"{}")
    for status_code in (500, 502, 503, 504):
        with pytest.raises(ServerError) as caught:
            starter().after_answer(status_code, JSON, b"{}")
        assert caught.value.operation == "ImportModels"
    for error in (httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut"), httpx.WriteError("w")):
        with pytest.raises(NetworkError, match="may have started"):
            starter().after_transport_error(error)
    with pytest.raises(UnexpectedResponse, match="may have started"):
        starter().after_answer(200, {"content-type": "text/html"}, b"<html>")
    decide = starter()
    for _ in range(2):
        decide.after_transport_error(httpx.ConnectError("refused"))
    with pytest.raises(NetworkError, match=r"POST ImportModels kept failing after 3 attempts: ") as exhausted:
        decide.after_transport_error(httpx.ConnectError("refused"))
    assert "may have started" not in str(exhausted.value)  # nothing was sent: no import can have started
