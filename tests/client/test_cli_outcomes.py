"""The CLI's exit codes and messages, error by error (lib.cli.outcomes): what scripts and people read.

Scripts tell "the export failed" (1) from "fix the configuration" (2), "the
API refused" (3), "try later" (4) and "the transfer or network failed" (5)
by the exit code alone; people read the first line and its details. Each
error a command can meet is mapped here without a server, including the
failure details that only some services send.
"""

from __future__ import annotations

import errno
import io

import httpx
import pytest

from dataarts_export_client.lib.cli.outcomes import (
    EXIT_API_ERROR,
    EXIT_EXPORT_FAILED,
    EXIT_INTERNAL,
    EXIT_TIMEOUT,
    EXIT_TRANSFER,
    EXIT_USAGE,
    UsageError,
    outcome,
    report,
    restated,
)
from dataarts_export_client.lib.cli.output import Sanitiser
from dataarts_export_client.lib.environment import AK_ENV, SK_ENV, TOKEN_ENV
from dataarts_export_client.lib.errors import (
    ApiError,
    ConfigurationError,
    DownloadError,
    ExportFailed,
    ExportTimeout,
    ImportFailed,
    ImportTimeout,
    NetworkError,
    api_error_for,
)
from dataarts_export_client.lib.import_decisions import MAY_HAVE_STARTED
from dataarts_export_client.lib.results import ImportOutcome, ImportRow
from dataarts_export_client.models import BatchOperation, ExportState
from dataarts_export_client.types import UNSET

UUID = "fd653968-864b-45f6-9842-2b125d2dbfb7"


def failed(group: BatchOperation | None) -> ExportFailed:
    return ExportFailed(UUID, group=group, rate="40")


@pytest.mark.parametrize(
    ("group", "lines"),
    [
        (None, [f"export {UUID} failed (the service sent no detail)"]),
        (
            BatchOperation(
                failed=2,
                total=5,
                remark="2 tables locked",
                logs="line one\n\n  \nline two",
                groups=[
                    BatchOperation(biz_name="orders", logs="bad column", groups=[BatchOperation(logs="deep")]),
                    BatchOperation(biz_name="", logs="unnamed"),
                ],
            ),
            [
                f"export {UUID} failed: 2 of 5 objects failed (2 tables locked)",
                "line one",
                "line two",
                "orders: bad column",
                "group: unnamed",
                "group: deep",
            ],
        ),
        # Counts only when both are given; a blank or absent remark and absent logs say nothing.
        (BatchOperation(failed=2, total=UNSET, remark="   "), [f"export {UUID} failed"]),
        (BatchOperation(failed=UNSET, total=5), [f"export {UUID} failed"]),
        (BatchOperation(remark=UNSET, groups=UNSET, logs=UNSET), [f"export {UUID} failed: 0 of 0 objects failed"]),
    ],
)
def test_a_failed_export_exits_1_with_its_summary_and_logs(group: BatchOperation | None, lines: list[str]) -> None:
    assert outcome(failed(group)) == (EXIT_EXPORT_FAILED, lines)


def test_a_timeout_exits_4_and_says_how_to_pick_the_export_up() -> None:
    waiting = ExportTimeout(UUID, timeout=60, elapsed=61.25, last_rate="37")
    assert outcome(waiting) == (
        EXIT_TIMEOUT,
        [
            f"export {UUID} not ready after 61.2s (timeout 60s, last reported progress 37%); it may still finish: "
            f"run `dataarts-export wait --uuid {UUID}` or `dataarts-export download --uuid {UUID}` later "
            "(same project and workspace)"
        ],
    )
    starting = ExportTimeout(None, timeout=5, elapsed=5.0, last_rate=None)
    assert outcome(starting) == (
        EXIT_TIMEOUT,
        ["export not started after 5.0s (timeout 5s); no export was started, so it is safe to run the command again"],
    )


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        ("37", "37%"),
        ("0.01", "1%"),
        ("1.00", "100%"),
        ("12.5%", "12.5%"),
        ("soon" * 10, repr("soon" * 7 + "soo\u2026")),
    ],
)
def test_a_timeout_shows_the_last_progress_in_percent_as_the_progress_lines_do(rate: str, shown: str) -> None:
    """The rate is read on the scale it was written in (a fraction "0.01" is 1 %); text that is no number is
    shown quoted and clipped, never read as a figure."""
    waiting = ExportTimeout(UUID, timeout=60, elapsed=61.25, last_rate=rate)
    assert f"(timeout 60s, last reported progress {shown})" in str(waiting)
    assert waiting.last_rate == rate


@pytest.mark.parametrize(
    ("status_code", "hint"),
    [
        (401, f"; check the credentials in {TOKEN_ENV} or {AK_ENV}/{SK_ENV}"),
        (403, "; check --project-id and --workspace, and the credentials' permissions"),
        (404, "; check the endpoint"),
        (400, ""),
        (429, ""),
        (500, ""),
    ],
)
def test_an_api_error_exits_3_with_its_code_request_id_and_a_hint(status_code: int, hint: str) -> None:
    error = api_error_for(status_code, error_code="APIG.0301", error_msg="Incorrect IAM", request_id="req-1")
    described = f"HTTP {status_code} [APIG.0301]: Incorrect IAM (request id req-1)"
    assert outcome(error) == (EXIT_API_ERROR, [f"API error: {described}{hint}"])


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (ConfigurationError("no endpoint: set DATAARTS_ENDPOINT"), EXIT_USAGE, "no endpoint: set DATAARTS_ENDPOINT"),
        (UsageError("--dest: no directory /nope"), EXIT_USAGE, "--dest: no directory /nope"),
        (httpx.InvalidURL("Invalid port: 'x'"), EXIT_USAGE, "invalid endpoint URL: Invalid port: 'x'"),
        (DownloadError(UUID, "connection reset"), EXIT_TRANSFER, f"download of export {UUID} failed: connection reset"),
        (NetworkError("cannot connect to 127.0.0.1:9"), EXIT_TRANSFER, "cannot connect to 127.0.0.1:9"),
        (
            PermissionError(errno.EACCES, "Permission denied", "/out/x.xlsx"),
            EXIT_TRANSFER,
            "cannot write /out/x.xlsx: Permission denied",
        ),
        (OSError(errno.ENOSPC, "No space left on device"), EXIT_TRANSFER, "cannot write: No space left on device"),
        (IsADirectoryError(), EXIT_TRANSFER, "cannot write: IsADirectoryError"),
        (
            KeyError("x"),
            EXIT_INTERNAL,
            "unexpected internal error KeyError (run with --verbose for the traceback)",
        ),
    ],
)
def test_each_kind_of_error_has_its_exit_code_and_line(error: BaseException, code: int, line: str) -> None:
    assert outcome(error) == (code, [line])


def test_a_timeout_is_restated_with_the_command_s_own_figures() -> None:
    """The helper's timeout covers only what was left after starting; the user typed --timeout 60."""
    inner = ExportTimeout(UUID, timeout=42.5, elapsed=42.5, last_rate="37")
    shown = restated(inner, 60.0, 61.0)
    assert isinstance(shown, ExportTimeout)
    assert (shown.uuid, shown.timeout, shown.elapsed, shown.last_rate) == (UUID, 60.0, 61.0, "37")
    assert restated(inner, None, 61.0) is inner
    other = ApiError(400)
    assert restated(other, 60.0, 61.0) is other


def test_report_prints_one_scrubbed_line_then_the_details() -> None:
    err = io.StringIO()
    error = failed(BatchOperation(logs="sk=secret-key-value\nsecond"))
    scrub = Sanitiser({SK_ENV: "secret-key-value"})
    assert report(error, error, err, scrub, verbose=False) == EXIT_EXPORT_FAILED
    assert err.getvalue() == (
        f"dataarts-export: error: export {UUID} failed: 0 of 0 objects failed\n  sk=***\n  second\n"
    )


# --------------------------------------------------------------------------- imports


def _import_failed(names: list[str | None], messages: list[str | None] | None = None) -> ImportFailed:
    notes = messages if messages is not None else [f"bad {name}" for name in names]
    rows = tuple(ImportRow(name, None, "FAILED", None, note) for name, note in zip(names, notes, strict=True))
    total = len(rows)
    return ImportFailed(ImportOutcome("u1", ExportState.FAIL, total, 0, total, rows, 1.0))


def test_a_failed_import_exits_1_with_each_failed_row_named() -> None:
    error = _import_failed([None, "c2"], [None, "no code"])
    assert outcome(error) == (
        EXIT_EXPORT_FAILED,
        ["import u1 failed: 2 of 2 rows failed", "(no name): failed", "c2: no code"],
    )


def test_a_failed_import_lists_50_rows_and_counts_the_rest() -> None:
    fifty = _import_failed([f"c{n}" for n in range(50)])
    assert outcome(fifty)[1][1:] == [f"c{n}: bad c{n}" for n in range(50)]
    fifty_one = _import_failed([f"c{n}" for n in range(51)])
    assert outcome(fifty_one)[1][1:] == [
        *(f"c{n}: bad c{n}" for n in range(50)),
        "... and 1 more (all of them in the JSON on stdout)",
    ]


def test_an_import_timeout_says_whether_an_import_was_started() -> None:
    unstarted = ImportTimeout(None, timeout=10, elapsed=10.0, last_rate=None)
    assert outcome(unstarted) == (
        EXIT_TIMEOUT,
        [f"{unstarted}; no import was started (only a start refused before it began is retried)"],
    )
    started = ImportTimeout(UUID, timeout=10, elapsed=10.0, last_rate=None)
    assert outcome(started) == (EXIT_TIMEOUT, [f"{started}; it may still finish"])


@pytest.mark.parametrize("operation", ["ImportModels", "ImportCatalogs"])
@pytest.mark.parametrize(("status_code", "may_have_started"), [(499, False), (500, True), (501, True)])
def test_a_server_error_starting_an_import_says_it_may_have_started(
    operation: str, status_code: int, may_have_started: bool
) -> None:
    error = api_error_for(status_code, error_code="X.1", error_msg="m", operation=operation)
    hint = f"; {MAY_HAVE_STARTED}" if may_have_started else ""
    assert outcome(error) == (EXIT_API_ERROR, [f"API error: {error}{hint}"])
    polled = api_error_for(status_code, error_code="X.1", error_msg="m", operation="ImportResult")
    assert outcome(polled) == (EXIT_API_ERROR, [f"API error: {polled}"])
