"""The import helpers against the real emulator, over real sockets on 127.0.0.1, sync and async.

``start_import``, ``wait_for_import`` and ``import_file`` (and their
``async_`` twins) with the generated multipart request, AK/SK signing over
it, an import that really runs for ``import_seconds``, and the outcome read
from the emulator's answer: the rows, the IDs to export them by, the failed
rows raised with their messages. The workspace is strict, so exporting what
an import reports proves the rows came from the import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

import openpyxl
import pytest

from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.lib import (
    ApiError,
    ConfigurationError,
    ExportProgress,
    ImportFailed,
    ImportOutcome,
    ImportPartiallyFailed,
    ImportProgress,
    ImportTimeout,
    ServerError,
    async_import_file,
    async_start_import,
    async_wait_for_import,
    export_to_file,
    import_file,
    start_import,
    wait_for_import,
)
from dataarts_export_client.models import ExportParam, ExportState

from ..client.client_fakes import FAST_POLICY

CODES = [
    ("1224641525420683264", "country", "Country", "3"),
    ("1224641525420683265", "currency", "Currency", "2"),
]

pytestmark = pytest.mark.dataarts_emulator(export_seconds=0.0, import_seconds=0.4, strict_workspaces=True, seed=9)


def code_tables(rows: Sequence[tuple[str, ...]] = CODES) -> bytes:
    """The workbook the emulator exports for code tables holding ``rows``."""
    return build_workbook(ExportRequest(type="codeTable", ids=tuple(row[0] for row in rows)), {r[0]: r for r in rows})


class Target(TypedDict):
    project_id: str
    workspace: str


def target(emulator: RunningEmulator) -> Target:
    return Target(project_id=emulator.project_id, workspace=emulator.workspace)


def assert_imported(outcome: ImportOutcome, emulator: RunningEmulator) -> None:
    assert (outcome.status, outcome.total, outcome.success, outcome.failed) == (ExportState.SUCCESS, 2, 2, 0)
    assert [(row.name, row.object_id, row.status, row.remark) for row in outcome.rows] == [
        ("country", CODES[0][0], "SUCCESS", "CREATE"),
        ("currency", CODES[1][0], "SUCCESS", "CREATE"),
    ]
    assert outcome.object_ids == [row[0] for row in CODES]
    assert outcome.request_id
    assert [tuple(item.values()) for item in emulator.objects("codeTable")] == CODES


def test_import_file_from_a_path_with_aksk_reports_progress_and_the_rows(
    dataarts_emulator: RunningEmulator, dataarts_aksk_client: Client, tmp_path: Path
) -> None:
    path = tmp_path / "codes.xlsx"
    path.write_bytes(code_tables())
    seen: list[ExportProgress] = []
    outcome = import_file(
        dataarts_aksk_client,
        **target(dataarts_emulator),
        action="import_codetable",
        file=path,
        timeout=30,
        on_progress=seen.append,
        policy=FAST_POLICY,
    )
    assert_imported(outcome, dataarts_emulator)
    assert all(isinstance(report, ImportProgress) and report.uuid == outcome.uuid for report in seen)
    assert seen[0].status is ExportState.IMPORTING
    assert (seen[-1].status, seen[-1].rate, seen[-1].percent) == (ExportState.SUCCESS, "1.00", 100.0)
    (upload,) = [request for request in dataarts_emulator.requests if request.method == "POST"]
    assert upload.query == {"action-id": "import_codetable", "skip-exist": "false"}
    assert upload.headers["x-language"] == "en-us"
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert "boundary=+++" not in upload.headers["content-type"]


def test_start_then_wait_with_a_token_and_export_what_was_imported(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient, tmp_path: Path
) -> None:
    uuid = start_import(
        dataarts_client, **target(dataarts_emulator), action="import_codetable", file=code_tables(), timeout=10
    )
    outcome = wait_for_import(dataarts_client, **target(dataarts_emulator), uuid=uuid, timeout=30, policy=FAST_POLICY)
    assert outcome.uuid == uuid
    assert_imported(outcome, dataarts_emulator)
    exported = export_to_file(
        dataarts_client,
        **target(dataarts_emulator),
        body=ExportParam(type_="codeTable", ids=outcome.object_ids),
        dest=tmp_path,
        timeout=30,
        policy=FAST_POLICY,
    )
    sheet = openpyxl.load_workbook(exported, read_only=True).worksheets[0]
    rows = [tuple(str(cell) for cell in row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == CODES


def test_the_async_twins_do_the_same(dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient) -> None:
    async def both() -> tuple[ImportOutcome, ImportOutcome]:
        seen: list[ExportProgress] = []
        whole = await async_import_file(
            dataarts_client,
            **target(dataarts_emulator),
            action="import_codetable",
            file=code_tables(),
            timeout=30,
            on_progress=seen.append,
            policy=FAST_POLICY,
        )
        assert seen[-1].percent == 100.0
        uuid = await async_start_import(
            dataarts_client,
            **target(dataarts_emulator),
            action="import_codetable",
            file=code_tables(),
            skip_exist=True,
            timeout=10,
        )
        again = await async_wait_for_import(
            dataarts_client, **target(dataarts_emulator), uuid=uuid, timeout=30, policy=FAST_POLICY
        )
        return whole, again

    whole, again = asyncio.run(both())
    assert_imported(whole, dataarts_emulator)
    assert [row.remark for row in again.rows] == ["SKIP", "SKIP"], "skip_exist keeps what the first import made"
    uploads = [request for request in dataarts_emulator.requests if request.method == "POST"]
    assert uploads[-1].query == {"action-id": "import_codetable", "skip-exist": "true", "skip_exist": "true"}


def test_failed_rows_are_raised_with_their_messages_never_returned(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    partly = [CODES[0], ("1224641525420683299", "", "Nameless", "")]
    with pytest.raises(ImportPartiallyFailed) as caught:
        import_file(
            dataarts_client,
            **target(dataarts_emulator),
            action="import_codetable",
            file=code_tables(partly),
            timeout=30,
            policy=FAST_POLICY,
        )
    outcome = caught.value.outcome
    assert (outcome.status, outcome.success, outcome.failed) == (ExportState.SUCCESS, 1, 1)
    assert [(row.name, row.message) for row in outcome.failed_rows] == [("", "row 3 has no Code table code")]
    assert outcome.object_ids == [CODES[0][0]]

    with pytest.raises(ImportFailed) as failed:
        import_file(
            dataarts_client,
            **target(dataarts_emulator),
            action="import_codetable",
            file=code_tables([("1224641525420683298", "", "x", "")]),
            timeout=30,
            policy=FAST_POLICY,
        )
    assert type(failed.value) is ImportFailed
    assert failed.value.outcome.status is ExportState.FAIL


def test_a_timeout_names_the_import_and_waiting_again_resumes(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    with pytest.raises(ImportTimeout) as caught:
        import_file(
            dataarts_client,
            **target(dataarts_emulator),
            action="import_codetable",
            file=code_tables(),
            timeout=0.05,
            policy=FAST_POLICY,
        )
    uuid = caught.value.uuid
    assert uuid is not None
    assert str(caught.value).startswith(f"import {uuid} not finished after ")
    outcome = wait_for_import(dataarts_client, **target(dataarts_emulator), uuid=uuid, timeout=30, policy=FAST_POLICY)
    assert_imported(outcome, dataarts_emulator)


@pytest.mark.parametrize(
    ("action", "file", "message"),
    [
        ("import_everything", b"PK", "unknown import action 'import_everything'"),
        ("import_relation", b"PK", "action import_relation needs model_id"),
        ("import_codetable", b"\0" * (4 * 1024 * 1024), "the workbook has 4194304 bytes"),
        ("import_codetable", Path("no/such.xlsx"), "cannot read no/such.xlsx: No such file or directory"),
    ],
    ids=["unknown-action", "relation-without-model", "4-mb", "missing-file"],
)
@pytest.mark.fact("F-IMPORT-4", "F-IMPORT-5", "F-IMPORT-9", "F-IMPORT-10")
def test_what_cannot_be_imported_is_refused_before_sending(
    dataarts_emulator: RunningEmulator,
    dataarts_client: AuthenticatedClient,
    action: str,
    file: bytes | Path,
    message: str,
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        start_import(dataarts_client, **target(dataarts_emulator), action=action, file=file, timeout=10)
    assert dataarts_emulator.requests == []


def test_a_workbook_just_under_4_mb_is_sent(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    """The client's bound is the emulator's: 4 MiB less a byte reaches it (and is refused as no workbook)."""
    with pytest.raises(ApiError) as caught:
        start_import(
            dataarts_client,
            **target(dataarts_emulator),
            action="import_codetable",
            file=b"\0" * (4 * 1024 * 1024 - 1),
            timeout=10,
        )
    assert (caught.value.status_code, caught.value.error_code) == (400, "EMU.0425")


@pytest.mark.fact("F-IMPORT-20")
@pytest.mark.dataarts_emulator(fault_rate=1.0, seed=3)
def test_a_server_error_answering_the_start_is_raised_at_once_never_retried(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    with pytest.raises(ApiError) as caught:
        start_import(
            dataarts_client,
            **target(dataarts_emulator),
            action="import_codetable",
            file=code_tables(),
            timeout=10,
            policy=FAST_POLICY,
        )
    assert isinstance(caught.value, ServerError)
    assert caught.value.operation == "ImportModels"
    assert len([request for request in dataarts_emulator.requests if request.method == "POST"]) == 1


@pytest.mark.fact("F-IMPORT-9", "F-IMPORT-13")
def test_the_largest_import_reports_every_one_of_its_rows(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    """2,999 rows: the result (a row group each) is over the 1 MiB a status answer may have, and is read whole."""
    rows = [(str(10**17 + n), f"code_{n:05d}", f"Code table {n}", "1") for n in range(2_999)]
    content = code_tables(rows)
    assert len(content) < 4 * 1024 * 1024
    outcome = import_file(
        dataarts_client, **target(dataarts_emulator), action="import_codetable", file=content, timeout=60
    )
    assert (outcome.total, outcome.success, len(outcome.rows)) == (2_999, 2_999, 2_999)
    assert outcome.object_ids == [row[0] for row in rows]
    results = [request.status for request in dataarts_emulator.requests if request.path.endswith("/process-import")]
    assert set(results) == {200}
