"""poll_export_status: one status reading, with the poller's retries but none of its waiting."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dataarts_export_client.lib import (
    BadRequestError,
    ExportSnapshot,
    ExportTimeout,
    RetryPolicy,
)
from dataarts_export_client.models import ExportState, OperationStatus

from .client_fakes import (
    UUID,
    XLSX,
    BreakingStream,
    FakeClock,
    Script,
    error,
    status,
    workbook,
)
from .twin_fakes import Twin

POLICY = RetryPolicy(jitter="none", poll_interval=1.0, retry_interval=0.5, max_retries=3)

FAILED_GROUP = {"operation_status": "FAILED", "total": 2, "success": 1, "failed": 1, "logs": "object not found"}


def probe(script: Script, clock: FakeClock, *, timeout: float = 60.0) -> ExportSnapshot:
    return Twin(clock=clock, policy=POLICY).probe(script, timeout=timeout)


def test_a_running_export_is_reported_after_one_request_without_sleeping() -> None:
    script = Script(status("importing", "37"))
    clock = FakeClock()
    snapshot = probe(script, clock)
    assert snapshot == ExportSnapshot(
        uuid=UUID, status=ExportState.IMPORTING, rate="37", percent=37.0, group=None, request_id="req-status"
    )
    assert clock.sleeps == []
    assert len(script.requests) == 1
    assert script.requests[0].url.params["uuid"] == UUID


def test_a_failed_export_is_returned_with_its_group_not_raised() -> None:
    snapshot = probe(Script(status("fail", "100", group=FAILED_GROUP)), FakeClock())
    assert snapshot.status is ExportState.FAIL
    assert snapshot.group is not None
    assert snapshot.group.operation_status is OperationStatus.FAILED
    assert snapshot.group.logs == "object not found"


@pytest.mark.fact("F-RATE-3")
@pytest.mark.parametrize("rate", ["0", "1", "1.00", None])
def test_success_said_in_json_reads_as_100_percent_whatever_the_rate(rate: str | None) -> None:
    """ImportResult's documented success says ``"1.00"``: the status, not the rate's scale, says it is complete."""
    snapshot = probe(Script(status("success", rate)), FakeClock())
    assert (snapshot.status, snapshot.rate, snapshot.percent) == (ExportState.SUCCESS, rate, 100.0)


@pytest.mark.fact("F-RATE-4")
def test_a_running_export_s_fraction_reads_as_a_percentage() -> None:
    snapshot = probe(Script(status("importing", "0.25")), FakeClock())
    assert (snapshot.rate, snapshot.percent) == ("0.25", 25.0)


def test_the_file_answer_means_success_and_is_closed_unread() -> None:
    reads: list[int] = []

    class Unread(BreakingStream):
        def again(self) -> Unread:
            return Unread(self.chunks, self.exc)

        def __iter__(self) -> Iterator[bytes]:
            reads.append(1)
            yield b"never"

    answer = httpx.Response(
        200,
        headers={"Content-Type": XLSX, "Content-Disposition": 'attachment; filename="m.xlsx"', "Content-Length": "5"},
        stream=Unread([], RuntimeError()),
    )
    snapshot = probe(Script(answer), FakeClock())
    assert (snapshot.status, snapshot.percent, snapshot.rate) == (ExportState.SUCCESS, 100.0, None)
    assert snapshot.ready is not None
    assert snapshot.ready.file_name == "m.xlsx"
    assert reads == []


def test_transient_errors_are_retried_like_the_poller() -> None:
    clock = FakeClock()
    snapshot = probe(Script(error(503, code="DLG.0503"), httpx.ConnectError("refused"), status("success")), clock)
    assert snapshot.status is ExportState.SUCCESS
    assert clock.sleeps == [0.5, 1.0]


def test_other_errors_raise_at_once() -> None:
    with pytest.raises(BadRequestError) as caught:
        probe(Script(error(400)), FakeClock())
    assert caught.value.error_code == "EMU.0404"


def test_retries_stop_at_the_timeout() -> None:
    with pytest.raises(ExportTimeout) as caught:
        probe(Script(error(503), repeat_last=True), FakeClock(), timeout=1.0)
    assert caught.value.uuid == UUID


def test_async_twin_reads_the_same() -> None:
    twin = Twin("async", policy=POLICY)
    snapshot = twin.probe(Script(error(429, retry_after="2"), workbook()))
    assert snapshot.status is ExportState.SUCCESS
    assert snapshot.ready is not None
    assert twin.clock.sleeps == [2.0]
