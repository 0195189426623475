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
    NetworkError,
    api_error_for,
)
from dataarts_export_client.models import BatchOperation
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
