"""The decisions of starting and waiting for an import, fed answers by hand (no sockets, no sleeping)."""

from __future__ import annotations

import json
import logging
import random
import ssl
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from dataarts_export_client.lib import RetryPolicy
from dataarts_export_client.lib.deadline import Wait
from dataarts_export_client.lib.decisions import ExportPoller
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
from dataarts_export_client.lib.import_decisions import (
    MAX_RESULT_BYTES,
    MAY_HAVE_STARTED,
    RESULT_OPERATION,
    ImportPoller,
    ImportStarter,
)
from dataarts_export_client.lib.results import ExportProgress, ImportOutcome, ImportProgress
from dataarts_export_client.lib.transport_errors import diagnose

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
    return ImportStarter(operation="ImportModels", timeout=60, policy=EXACT, clock=Clock())


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


# --------------------------------------------------------------------------- every decision, said exactly

JITTERED = RetryPolicy(jitter="full", retry_interval=0.5, max_retries=5)
EXACT = RetryPolicy(jitter="none", retry_interval=0.5, max_retries=2)
"""No jitter: every delay is what the policy says."""
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
IN_30_SECONDS = "Mon, 06 May 2024 07:08:39 GMT"
HTML = {"content-type": "text/html", "X-Request-Id": "rid-page"}


def messages(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(record.levelname, record.getMessage()) for record in caplog.records]


def test_the_constants_say_what_they_bound() -> None:
    assert (RESULT_OPERATION, MAX_RESULT_BYTES) == ("ImportResult", 16 * 1024 * 1024)
    assert poller().body_limit == MAX_RESULT_BYTES
    assert MAY_HAVE_STARTED == "the import may have started: check the workspace before sending it again"


def test_a_start_and_its_retries_are_logged_and_a_retry_after_is_honoured(caplog: pytest.LogCaptureFixture) -> None:
    decide = ImportStarter(operation="ImportCatalogs", timeout=600, policy=EXACT, clock=Clock())
    with caplog.at_level(logging.DEBUG, logger="dataarts_export_client"):
        throttled = decide.after_answer(429, {**JSON, "retry-after": "7"}, b"{}")
        dated = decide.after_answer(429, {**JSON, "retry-after": IN_30_SECONDS}, b"{}", now=NOW)
        assert decide.after_answer(200, JSON, body({"data": {"uuid": "u9"}})) == "u9"
    assert throttled == Wait(7.0, "HTTP 429 starting the import, retry 1 of 2")
    assert dated == Wait(30.0, "HTTP 429 starting the import, retry 2 of 2")
    assert messages(caplog) == [
        ("INFO", "import (starting): HTTP 429 starting the import, retry 1 of 2; next attempt in 7.00s"),
        ("INFO", "import (starting): HTTP 429 starting the import, retry 2 of 2; next attempt in 30.00s"),
        ("DEBUG", "import u9 started"),
    ]


def test_a_start_that_failed_to_connect_is_retried_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    refused = httpx.ConnectError("refused")
    with caplog.at_level(logging.INFO, logger="dataarts_export_client"):
        step = starter().after_transport_error(refused)
    assert isinstance(step, Wait)
    assert step.reason == f"{diagnose(refused).what} starting the import, retry 1 of 2"
    assert [level for level, _ in messages(caplog)] == ["INFO"]


def test_a_permanent_failure_of_a_start_is_raised_at_once_without_may_have_started() -> None:
    untrusted = httpx.ConnectError("certificate")
    cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    cause.verify_message, cause.reason = "self-signed certificate", "CERTIFICATE_VERIFY_FAILED"
    untrusted.__cause__ = cause
    with pytest.raises(NetworkError) as caught:
        starter().after_transport_error(untrusted)
    assert "not retried: another attempt cannot succeed" in str(caught.value)
    assert MAY_HAVE_STARTED not in str(caught.value)
    with pytest.raises(NetworkError, match=r"^POST ImportModels failed: .*; the import may have started: check"):
        starter().after_transport_error(httpx.ReadTimeout("slow"))


def test_an_html_page_answering_a_start_is_raised_with_the_page_and_may_have_started() -> None:
    with pytest.raises(UnexpectedResponse) as caught:
        starter().after_answer(200, HTML, b"<html>portal</html>")
    page = caught.value
    assert str(page) == (
        f"an HTML page instead of the API's answer (a proxy?); {MAY_HAVE_STARTED} for status 200: "
        "Content-Type 'text/html'; first 64 bytes of the body: b'<html>portal</html>' (request id rid-page)"
    )
    assert (page.status_code, page.content_type, page.content, page.request_id) == (
        200,
        "text/html",
        b"<html>portal</html>",
        "rid-page",
    )


def test_a_start_answered_without_a_uuid_is_unexpected() -> None:
    with pytest.raises(UnexpectedResponse) as caught:
        starter().after_answer(200, JSON, body({"data": {}}))
    assert (caught.value.status_code, caught.value.content_type) == (200, JSON["content-type"])


def test_the_deadline_of_a_start_raises_an_import_timeout_naming_no_uuid() -> None:
    clock = Clock()
    decide = ImportStarter(operation="ImportModels", timeout=10, policy=POLICY, clock=clock)
    clock.now = 10
    with pytest.raises(ImportTimeout, match=r"^import not started after 10\.0s \(timeout 10s\)$") as caught:
        decide.after_answer(429, JSON, b"{}")
    assert caught.value.uuid is None


def test_seeded_generators_make_every_delay_reproducible() -> None:
    def start_delays(seed: int) -> list[float]:
        decide = ImportStarter(
            operation="ImportModels", timeout=600, policy=JITTERED, clock=Clock(), rng=random.Random(seed)
        )
        return [decide.after_transport_error(httpx.ConnectError("refused")).seconds for _ in range(5)]

    def poll_delays(seed: int) -> list[float]:
        decide = ImportPoller(uuid="u1", timeout=600, policy=JITTERED, clock=Clock(), rng=random.Random(seed))
        waits: list[Wait | ImportOutcome] = [decide.after_transport_error(httpx.ConnectError("x")) for _ in range(5)]
        waits += [decide.after_body(200, JSON, status("importing", None)) for _ in range(5)]
        return [wait.seconds for wait in waits if isinstance(wait, Wait)]

    assert start_delays(3) == start_delays(3) != start_delays(4)
    assert len(poll_delays(3)) == 10
    assert poll_delays(3) == poll_delays(3) != poll_delays(4)


def test_polls_wait_as_an_export_s_do_and_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The same pacing as an export's poller, fed the same answers at the same times."""
    clock = Clock()
    imports = ImportPoller(uuid="u1", timeout=600, policy=EXACT, clock=clock)
    exports = ExportPoller(uuid="u1", timeout=600, policy=EXACT, clock=clock)
    with caplog.at_level(logging.DEBUG, logger="dataarts_export_client"):
        for now, rate in ((0.0, "0.10"), (1.0, "0.20"), (2.0, "0.30"), (3.0, None)):
            clock.now = now
            imported = imports.after_body(200, JSON, status("importing", rate))
            exported = exports.after_body(200, JSON, status("importing", rate))
            assert imported == exported
    imported_log = [message for level, message in messages(caplog) if message.startswith("import ")]
    assert imported_log[:2] == [
        ("import u1: status importing, rate 0.10"),
        ("import u1: still running; next attempt in 1.00s"),
    ]
    assert [level for level, message in messages(caplog) if message.startswith("import ")] == ["DEBUG"] * 8


def test_progress_reports_the_time_waited_and_the_outcome_its_elapsed() -> None:
    clock = Clock()
    seen: list[ExportProgress] = []
    decide = poller(clock, seen)
    clock.now = 4.5
    outcome = decide.after_body(200, JSON, status("success", "1.00", {"total": 1, "success": 1, "failed": 0}))
    assert isinstance(outcome, ImportOutcome)
    assert (seen[0].elapsed, outcome.elapsed) == (4.5, 4.5)


def test_a_timeout_names_the_last_rate_reported() -> None:
    clock = Clock()
    decide = poller(clock)
    decide.after_body(200, JSON, status("importing", "0.40"))
    clock.now = 61
    with pytest.raises(ImportTimeout, match=r"last reported progress 50%\)$"):
        decide.after_body(200, JSON, status("importing", "0.50"))


def test_a_result_without_rate_or_group_is_read_as_unknown() -> None:
    seen: list[ExportProgress] = []
    step = poller(progress=seen).after_body(200, JSON, body({"data": {"status": "importing"}}))
    assert isinstance(step, Wait)
    assert (seen[0].rate, seen[0].percent) == (None, None)
    outcome = poller().after_body(200, JSON, body({"data": {"status": "success"}}))
    assert isinstance(outcome, ImportOutcome)
    assert (outcome.group, outcome.total, outcome.rows) == (None, None, ())


@pytest.mark.parametrize("count", [True, "2", 2.0])
def test_counts_that_are_not_integers_are_not_counts(count: object) -> None:
    group = {"total": count, "success": count, "failed": count}
    outcome = poller().after_body(200, JSON, status("success", "1.00", group))
    assert isinstance(outcome, ImportOutcome)
    assert (outcome.total, outcome.success, outcome.failed) == (None, None, None)


def test_a_failed_count_alone_makes_an_import_partial() -> None:
    group = {"total": 2, "success": 1, "failed": 1, "operation_status": "SUCCESS", "groups": None}
    with pytest.raises(ImportPartiallyFailed):
        poller().after_body(200, JSON, status("success", "1.00", group))


def test_poll_errors_are_retried_with_their_reasons_and_raised_from_the_right_operation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    decide = ImportPoller(uuid="u1", timeout=600, policy=EXACT, clock=Clock())
    with caplog.at_level(logging.INFO, logger="dataarts_export_client"):
        busy = decide.after_body(503, {**JSON, "retry-after": IN_30_SECONDS}, b"{}", now=NOW)
        page = decide.after_body(200, HTML, b"<html>")
    assert busy == Wait(30.0, "HTTP 503, retry 1 of 2")
    assert page == Wait(1.0, "an HTML page instead of the API's answer, retry 2 of 2")
    assert [level for level, _ in messages(caplog)] == ["INFO", "INFO"]
    with pytest.raises(UnexpectedResponse) as exhausted:
        decide.after_body(200, HTML, b"<html>again</html>")
    assert (exhausted.value.status_code, exhausted.value.content) == (200, b"<html>again</html>")
    with pytest.raises(BadRequestError) as refused:
        poller().after_body(400, JSON, body({"error_code": "EMU.0420", "error_msg": "no"}))
    assert refused.value.operation == "ImportResult"
    with pytest.raises(UnexpectedResponse) as unreadable:
        poller().after_body(200, JSON, b"{not json")
    assert unreadable.value.status_code == 200


def test_poll_failures_in_transit_are_retried_then_raised_naming_the_import(caplog: pytest.LogCaptureFixture) -> None:
    decide = ImportPoller(uuid="u1", timeout=600, policy=EXACT, clock=Clock())
    reset = httpx.ReadError("reset")
    with caplog.at_level(logging.INFO, logger="dataarts_export_client"):
        step = decide.after_transport_error(reset)
    assert step == Wait(0.5, f"{diagnose(reset).what}, retry 1 of 2")
    assert [level for level, _ in messages(caplog)] == ["INFO"]
    decide.after_transport_error(reset)
    with pytest.raises(NetworkError, match=r"^GET process-import for u1 kept failing after 3 attempts: "):
        decide.after_transport_error(reset)


@pytest.mark.fact("F-RATE-3")
@pytest.mark.parametrize("rate", ["1", None, "0.30"])
def test_success_is_complete_whatever_rate_says(rate: str | None) -> None:
    seen: list[ExportProgress] = []
    poller(progress=seen).after_body(200, JSON, status("success", rate, {"total": 0, "success": 0, "failed": 0}))
    assert [report.percent for report in seen] == [100.0]
