"""The twin suite, continued: what the debug log says, what a timeout is raised from, what each request carries.

Each case runs as ``sync`` and as ``async`` (see :mod:`.twin_fakes`): the
request loops, readers and savers of both must send the same requests,
resume the same way and log the same reasons.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from dataarts_export_client.lib import (
    ExportProgress,
    ExportTimeout,
    NetworkError,
    ServerError,
    io_loops,
)
from dataarts_export_client.lib.errors import UnexpectedResponse
from dataarts_export_client.models import ExportState

from .client_fakes import (
    PROJECT_ID,
    UUID,
    WORKSPACE,
    XLSX,
    FakeClock,
    Script,
    breaking_workbook,
    error,
    status,
    workbook,
)
from .range_fakes import CONTENT as RANGE_CONTENT
from .range_fakes import ETAG, RangeServer
from .twin_fakes import CONTENT, Twin, started


@pytest.fixture(params=["sync", "async"])
def twin(request: pytest.FixtureRequest) -> Twin:
    return Twin(request.param, FakeClock())


def test_the_log_says_why_each_wait_happens_retries_at_info(
    twin: Twin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
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
        ("INFO", "could not connect, retry 1 of 3; next attempt in 0.50s"),
        ("INFO", "HTTP 503, retry 2 of 3; next attempt in 1.00s"),
        ("DEBUG", "status importing, rate 10"),
        ("DEBUG", "still running; next attempt in 1.00s"),
        ("WARNING", "unknown status 'queued' (this client knows fail, importing, success); treated as still running"),
        ("DEBUG", "status queued, rate 20"),
        ("DEBUG", "progress 20% predicts completion in 6.6s-10.1s; next attempt in 6.58s"),
        ("DEBUG", "status queued, rate 30"),
        ("DEBUG", "progress 30% predicts completion in 23.8s-29.9s; next attempt in 10.00s"),
        ("DEBUG", "status success, rate None"),
        ("DEBUG", "file not served yet; next attempt in 2.00s"),
        ("DEBUG", "status success, rate None"),
        ("INFO", "transfer interrupted (ReadError); next download attempt in 0.50s"),
        ("DEBUG", "status success, rate None"),
        ("DEBUG", "saved 2 bytes"),
    ]


def test_the_debug_log_of_a_start(twin: Twin, caplog: pytest.LogCaptureFixture) -> None:
    script = Script(httpx.ConnectError("refused"), error(502), started())
    with caplog.at_level(logging.DEBUG, logger="dataarts_export_client"):
        assert twin.start(script) == UUID
    assert [record.getMessage() for record in caplog.records] == [
        "export (starting): could not connect starting the export, retry 1 of 3; next attempt in 0.50s",
        "export (starting): HTTP 502 starting the export, retry 2 of 3; next attempt in 1.00s",
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
    assert str(caught.value) == (
        "POST export-model kept failing at http://127.0.0.1:9/v2/0833a5737480d53b2f25c010dc1a7b88/design/export-model "
        "after 4 attempts: could not connect; check the endpoint and the network"
    )
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_every_request_names_the_project_the_workspace_and_the_export(twin: Twin, tmp_path: Path) -> None:
    """The uuid, project and workspace given reach the service, in the path, the query and the header."""
    calls: list[tuple[str, Callable[[Script], object]]] = [
        ("POST", twin.start),
        ("GET", twin.wait),
        ("GET", twin.probe),
        ("GET", lambda script: twin.download(script, tmp_path / "x.xlsx")),
    ]
    for method, call in calls:
        script = Script(started() if method == "POST" else workbook())
        call(script)
        (sent,) = script.requests
        assert sent.method == method
        assert sent.headers["workspace"] == WORKSPACE
        if method == "POST":
            assert sent.url.path == f"/v2/{PROJECT_ID}/design/export-model"
        else:
            assert (sent.url.path, sent.url.params["uuid"]) == (f"/v2/{PROJECT_ID}/design/export-result", UUID)
    script = Script(started(), workbook())
    twin.export(script, tmp_path / "y.xlsx")
    assert [(r.method, r.url.path, r.headers["workspace"]) for r in script.requests] == [
        ("POST", f"/v2/{PROJECT_ID}/design/export-model", WORKSPACE),
        ("GET", f"/v2/{PROJECT_ID}/design/export-result", WORKSPACE),
    ]
    assert script.requests[1].url.params["uuid"] == UUID


def test_a_resumed_download_asks_for_the_rest_with_the_usual_headers(
    twin: Twin, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RangeServer(cuts=[100])
    script = Script(server, repeat_last=True)
    with caplog.at_level(logging.DEBUG, logger="dataarts_export_client"):
        path = twin.download(script, tmp_path / "x.xlsx")
    assert path.read_bytes() == RANGE_CONTENT
    first, second = script.requests
    assert "range" not in first.headers
    assert (second.headers["range"], second.headers["if-range"], second.headers["workspace"]) == (
        "bytes=100-",
        ETAG,
        WORKSPACE,
    )
    assert f"export {UUID}: resuming at byte 100" in [record.getMessage() for record in caplog.records]


class Chunked(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent in several chunks, as a real connection delivers a large file."""

    def __init__(self, body: bytes, size: int) -> None:
        self._chunks = [body[i : i + size] for i in range(0, len(body), size)]

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


@pytest.mark.parametrize("encoding", [None, "identity", ""])
def test_a_file_in_many_chunks_is_saved_whole(twin: Twin, tmp_path: Path, encoding: str | None) -> None:
    """Every chunk counts towards the Content-Length check, with or without an identity coding declared."""
    headers = {"Content-Type": XLSX, "Content-Length": str(len(CONTENT))}
    if encoding is not None:
        headers["Content-Encoding"] = encoding
    script = Script(lambda _request: httpx.Response(200, headers=headers, stream=Chunked(CONTENT, 100)))
    assert twin.download(script, tmp_path / "x.xlsx").read_bytes() == CONTENT
    in_memory = Script(httpx.Response(200, headers=headers, content=CONTENT))  # as httpx.MockTransport users write it
    assert twin.download(in_memory, tmp_path / "y.xlsx").read_bytes() == CONTENT


def test_a_probe_gives_up_after_a_minute_by_default(twin: Twin) -> None:
    with pytest.raises(ExportTimeout) as caught:
        twin.probe(Script(error(429, retry_after="100"), repeat_last=True))
    assert (caught.value.uuid, caught.value.timeout) == (UUID, 60.0)


def test_export_to_file_reports_progress(twin: Twin, tmp_path: Path) -> None:
    reports: list[ExportProgress] = []
    script = Script(started(), status("importing", "40"), workbook(CONTENT))
    twin.export(script, tmp_path, on_progress=reports.append)
    assert [(r.uuid, r.status, r.percent) for r in reports] == [
        (UUID, ExportState.IMPORTING, 40.0),
        (UUID, ExportState.SUCCESS, 100.0),
    ]


def test_an_oversized_error_answer_is_refused_unread_with_its_status(twin: Twin) -> None:
    huge = httpx.Response(502, headers={"Content-Type": "text/html"}, content=b"x" * ((1 << 20) + 1))
    for call in (twin.wait, twin.start):
        with pytest.raises(UnexpectedResponse) as caught:
            call(Script(huge))
        assert caught.value.status_code == 502
        assert caught.value.reason == f"body larger than {1 << 20} bytes"


def test_the_watchdog_shuts_a_connection_that_is_already_gone_without_error() -> None:
    """The deadline's watchdog fires in its own thread: a socket closed meanwhile must not raise there."""
    with socket.socket() as unconnected:
        io_loops._shut(unconnected)  # ENOTCONN, swallowed
