"""Huawei's documented answers through every layer of the client: generated operation, helpers, CLI.

Each documented answer (tests/fidelity/documented.py) parses into typed
models and reads as the status and progress it means: the seed's running
export at 0 %, ImportResult's finished one at 100 % (its ``rate`` is
``"1.00"``), the 2022 EU page's unwrapped object, and the three error
shapes with their code, message and request id.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.lib import (
    ApiError,
    BadRequestError,
    ExportProgress,
    ExportReady,
    ThrottledError,
    cli,
)
from dataarts_export_client.lib.answers import api_error_from_answer
from dataarts_export_client.lib.cli import commands
from dataarts_export_client.lib.results import parse_rate, progress_percent
from dataarts_export_client.models import BatchOperation, ExportParam, ExportResult, ExportState, OperationStatus

from ..fidelity.documented import (
    API_REFERENCE_ERROR,
    DATAARTS_ERROR,
    EU_2022_UNWRAPPED,
    GATEWAY_THROTTLED,
    IMPORT_RESULT_SUCCESS,
    RUNNING_AT_HALF_AS_A_FRACTION,
    SEED_ERROR,
    SEED_IMPORTING,
)
from .client_fakes import JSON_UTF8, PROJECT_ID, UUID, WORKSPACE, Script, client_for, workbook
from .twin_fakes import Twin


def answer(document: dict[str, Any], status_code: int = 200, request_id: str | None = "req-doc") -> httpx.Response:
    headers = {"Content-Type": JSON_UTF8}
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    return httpx.Response(status_code, headers=headers, content=json.dumps(document))


def probe(*steps: httpx.Response) -> Any:
    return Twin().probe(Script(*steps), timeout=60)


@pytest.mark.fact("F-RESULT-5", "F-RESULT-6", "F-RATE-2")
def test_the_generated_operation_parses_import_result_s_answer_into_typed_models() -> None:
    with client_for(Script(answer(IMPORT_RESULT_SUCCESS))) as client:
        response = export_design_result.sync_detailed(
            project_id=PROJECT_ID, uuid=UUID, client=client, workspace=WORKSPACE
        )
    parsed = response.parsed
    assert isinstance(parsed, ExportResult)
    group = parsed.data.group
    assert isinstance(group, BatchOperation), "not left a plain dict"
    assert (group.id, group.biz_id, group.remark, group.rate, group.total) == (None, None, None, "1.00", 2)
    assert group.operation_status is OperationStatus.SUCCESS
    assert isinstance(group.groups, list)
    (inner,) = group.groups
    assert isinstance(inner, BatchOperation)
    assert (inner.groups, inner.rate, inner.remark, inner.id) == (None, None, "SKIP", "1014919548861845504")
    assert parsed.data.to_dict() == IMPORT_RESULT_SUCCESS["data"], "nothing lost on the way"


@pytest.mark.fact("F-RESULT-6")
def test_an_operation_status_the_spec_does_not_list_is_kept() -> None:
    parsed = BatchOperation.from_dict({"operation_status": "PAUSED"})
    assert isinstance(parsed.operation_status, OperationStatus)
    assert (parsed.operation_status.value, parsed.operation_status.is_known) == ("PAUSED", False)


@pytest.mark.fact("F-RESULT-1", "F-RESULT-4", "F-RATE-1")
def test_the_seed_s_answer_reads_as_a_running_export_at_0_percent() -> None:
    snapshot = probe(answer(SEED_IMPORTING))
    assert (snapshot.status, snapshot.rate, snapshot.percent, snapshot.group) == (ExportState.IMPORTING, "0", 0.0, None)


@pytest.mark.fact("F-RESULT-5", "F-RATE-2", "F-RATE-3")
def test_import_result_s_answer_reads_as_a_finished_export_at_100_percent() -> None:
    snapshot = probe(answer(IMPORT_RESULT_SUCCESS))
    assert (snapshot.status, snapshot.rate, snapshot.percent) == (ExportState.SUCCESS, "1.00", 100.0)
    assert isinstance(snapshot.group, BatchOperation)
    assert snapshot.group.success == 2
    assert snapshot.request_id == "req-doc"


@pytest.mark.fact("F-RESULT-7")
def test_the_2022_eu_page_s_unwrapped_answer_is_read_all_the_same() -> None:
    snapshot = probe(answer(EU_2022_UNWRAPPED))
    assert (snapshot.status, snapshot.rate, snapshot.percent) == (ExportState.SUCCESS, "1.00", 100.0)
    assert isinstance(snapshot.group, BatchOperation)
    long_ids: tuple[object, ...] = (snapshot.group.id, snapshot.group.group_id, snapshot.group.biz_id)
    assert long_ids == (1014919548861845504, 1014919548664713216, 7), "kept as they come"


@pytest.mark.fact("F-RATE-4")
def test_a_running_export_on_the_fraction_scale_reads_as_its_percentage() -> None:
    snapshot = probe(answer(RUNNING_AT_HALF_AS_A_FRACTION))
    assert (snapshot.status, snapshot.rate, snapshot.percent) == (ExportState.IMPORTING, "0.50", 50.0)


@pytest.mark.fact("F-RATE-4")
@pytest.mark.parametrize(
    ("rate", "percent"),
    [
        ("0", 0.0),
        ("1", 1.0),
        ("37", 37.0),
        ("100", 100.0),
        (" 37.5 ", 37.5),
        ("37%", 37.0),
        ("0.5%", 0.5),
        ("0.00", 0.0),
        ("0.50", 50.0),
        ("0.333", 33.3),
        ("1.00", 100.0),
        ("1.5", 1.5),
        ("-0.5", -0.5),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("Infinity", None),
        (None, None),
    ],
)
def test_how_a_rate_reads(rate: str | None, percent: float | None) -> None:
    assert parse_rate(rate) == percent


@pytest.mark.fact("F-RATE-3")
@pytest.mark.parametrize("rate", ["1.00", "1", "0", None, "soon"])
def test_success_is_complete_whatever_the_rate_says(rate: str | None) -> None:
    assert progress_percent(ExportState.SUCCESS, rate) == 100.0
    assert progress_percent(ExportState.FAIL, "1.00") == 100.0
    assert progress_percent(ExportState.IMPORTING, "1") == 1.0
    assert progress_percent(ExportState("queued"), "0.25") == 25.0


@pytest.mark.fact("F-RATE-1", "F-RATE-3")
def test_waiting_reports_the_seed_s_0_percent_then_import_result_s_100_percent() -> None:
    reports: list[ExportProgress] = []
    script = Script(answer(SEED_IMPORTING), answer(IMPORT_RESULT_SUCCESS))
    ready = Twin().wait(script, timeout=60, on_progress=reports.append)
    assert isinstance(ready, ExportReady)
    assert [(report.status, report.rate, report.percent) for report in reports] == [
        (ExportState.IMPORTING, "0", 0.0),
        (ExportState.SUCCESS, "1.00", 100.0),
    ]


@pytest.mark.fact("F-RATE-3", "F-RESULT-2")
def test_export_to_file_reads_the_documented_answers_then_saves_the_workbook(tmp_path: Path) -> None:
    reports: list[ExportProgress] = []
    script = Script(
        answer({"data": {"uuid": UUID}}),
        answer(SEED_IMPORTING),
        answer(IMPORT_RESULT_SUCCESS),  # success said in JSON before the file is served
        workbook(b"PK\x03\x04 the workbook"),
    )
    body = ExportParam(ids=["1"], asyn=True)
    path = Twin().export(script, tmp_path / "export.xlsx", body=body, timeout=60, on_progress=reports.append)
    assert path.read_bytes() == b"PK\x03\x04 the workbook"
    assert [report.percent for report in reports] == [0.0, 100.0, 100.0]


def cli_status(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *steps: Any) -> tuple[int, Any]:
    """``dataarts-export status`` whose client answers ``steps`` (its settings resolve: a token, a loopback
    endpoint); the exit code and the JSON printed."""
    monkeypatch.setenv("DATAARTS_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("DATAARTS_TOKEN", "a-test-token")
    monkeypatch.setattr(commands, "client_for", lambda *_args, **_kwargs: client_for(Script(*steps)))
    code = cli.main(["status", "--uuid", UUID, "--project-id", PROJECT_ID, "--workspace", WORKSPACE])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.fact("F-RATE-3", "F-RESULT-5")
def test_the_cli_status_prints_import_result_s_answer_as_100_percent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, printed = cli_status(monkeypatch, capsys, answer(IMPORT_RESULT_SUCCESS))
    assert code == 0
    assert (printed["status"], printed["rate"], printed["percent"]) == ("success", "1.00", 100.0)
    assert printed["group"] == IMPORT_RESULT_SUCCESS["data"]["group"]


@pytest.mark.fact("F-RATE-1")
def test_the_cli_status_prints_the_seed_s_answer_as_0_percent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, printed = cli_status(monkeypatch, capsys, answer(SEED_IMPORTING))
    assert (code, printed["status"], printed["percent"], printed["group"]) == (0, "importing", 0.0, None)


@pytest.mark.fact("F-ERR-1", "F-ERR-2", "F-ERR-3", "F-ERR-5")
@pytest.mark.parametrize(
    ("status_code", "body", "header", "expected"),
    [
        (400, API_REFERENCE_ERROR, "req-h", (BadRequestError, "DS.6000", "request failed", "req-h")),
        (400, SEED_ERROR, "req-h", (BadRequestError, None, None, "req-h")),
        (400, DATAARTS_ERROR, "req-h", (BadRequestError, "DLG.0818", "workspace not found", "req-h")),
        (
            429,
            GATEWAY_THROTTLED,
            None,
            (ThrottledError, "APIG.0308", GATEWAY_THROTTLED["error_msg"], GATEWAY_THROTTLED["request_id"]),
        ),
        (429, GATEWAY_THROTTLED, "req-h", (ThrottledError, "APIG.0308", GATEWAY_THROTTLED["error_msg"], "req-h")),
        # The top level wins over errors[]; a malformed errors[] or request_id gives nothing rather than a crash.
        (
            400,
            {"error_code": "A.1", "error_msg": "a", "errors": [{"error_code": "B.2", "error_msg": "b"}]},
            None,
            (BadRequestError, "A.1", "a", None),
        ),
        (400, {"errors": ["DLG.0818"], "request_id": 7}, None, (BadRequestError, None, None, None)),
        (400, {"errors": [], "error_msg": "only a message"}, None, (BadRequestError, None, "only a message", None)),
        (400, {"errors": [{"error_code": 818}, {"error_code": "X.1"}]}, None, (BadRequestError, None, None, None)),
    ],
)
def test_code_message_and_request_id_are_read_from_every_error_shape(
    status_code: int,
    body: dict[str, Any],
    header: str | None,
    expected: tuple[type[ApiError], str | None, str | None, str | None],
) -> None:
    headers = httpx.Headers({"X-Request-Id": header} if header else {})
    error = api_error_from_answer(status_code, headers, json.dumps(body).encode())
    assert (type(error), error.error_code, error.error_msg, error.request_id) == expected


@pytest.mark.fact("F-ERR-2", "F-WS-1")
def test_a_dataarts_architecture_error_reaches_the_caller_with_its_code() -> None:
    with pytest.raises(BadRequestError) as caught:
        probe(answer(DATAARTS_ERROR, 400))
    assert (caught.value.error_code, caught.value.error_msg, caught.value.request_id) == (
        "DLG.0818",
        "workspace not found",
        "req-doc",
    )
