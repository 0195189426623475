"""How a command ends: the documented exit codes, and the line (or lines) that say why.

Every error a command can meet maps to one exit code by its type, first match
in :data:`OUTCOMES`, so that scripts can tell "the export failed" from "try
again later" from "fix your configuration" without parsing messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

import httpx

from ...models.batch_operation import BatchOperation
from ..environment import AK_ENV, SK_ENV, TOKEN_ENV
from ..errors import (
    ApiError,
    ConfigurationError,
    DataArtsError,
    ExportFailed,
    ExportTimeout,
    ImportFailed,
    ImportTimeout,
)
from ..import_decisions import MAY_HAVE_STARTED
from .output import PROG, Sanitiser, scrubbed_traceback

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_CODE_HELP",
    "EXIT_EXPORT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_SIGNAL_BASE",
    "EXIT_TIMEOUT",
    "EXIT_TRANSFER",
    "EXIT_USAGE",
    "OUTCOMES",
    "UsageError",
    "outcome",
    "report",
    "restated",
]

EXIT_OK = 0
EXIT_EXPORT_FAILED = 1
EXIT_USAGE = 2
EXIT_API_ERROR = 3
EXIT_TIMEOUT = 4
EXIT_TRANSFER = 5
EXIT_INTERNAL = 70
EXIT_SIGNAL_BASE = 128
"""A command stopped by signal N exits with 128 + N, as a shell reports a process killed by it."""

EXIT_CODE_HELP: tuple[tuple[str, str], ...] = (
    (str(EXIT_OK), "success"),
    (str(EXIT_EXPORT_FAILED), "the export failed (its logs and counts are printed on stderr), or the import"),
    ("", "did or some of its rows did (their messages on stderr, the outcome on stdout)"),
    (str(EXIT_USAGE), "usage or configuration error (bad arguments, no endpoint, no credentials)"),
    (str(EXIT_API_ERROR), "API error (HTTP status, error code, message and request id on stderr)"),
    (str(EXIT_TIMEOUT), "timeout: the export may still finish; `wait` for it or `download` it"),
    ("", "later with the uuid printed on stderr (an import: `import-result`)"),
    (str(EXIT_TRANSFER), "download or network error: the transfer or the connection kept"),
    ("", "failing, an unreadable answer, or a destination that cannot be written"),
    (str(EXIT_INTERNAL), "unexpected internal error (--verbose shows the traceback)"),
    ("128+N", "interrupted by signal N: 130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP;"),
    ("", "no temporary file is left"),
)
"""The exit-code table of ``--help``: (code, meaning) rows, continuation rows with an empty code."""


class UsageError(ConfigurationError):
    """A problem with the arguments found after parsing (exit code 2), e.g. a --dest in a missing directory."""


def _failure_lines(error: ExportFailed) -> list[str]:
    """The failure's summary line, then the service's logs, sub-group by sub-group."""
    summary = f"export {error.uuid} failed"
    group = error.group
    if group is None:
        return [summary + " (the service sent no detail)"]
    failed, total = group.failed, group.total
    if isinstance(failed, int) and isinstance(total, int):
        summary += f": {failed} of {total} objects failed"
    if isinstance(group.remark, str) and group.remark.strip():
        summary += f" ({group.remark})"
    lines = [summary]
    pending: list[tuple[str, BatchOperation]] = [("", group)]
    while pending:
        label, current = pending.pop(0)
        if isinstance(current.logs, str):
            lines.extend(f"{label}{line}" for line in current.logs.splitlines() if line.strip())
        for child in current.groups if isinstance(current.groups, list) else []:
            name = child.biz_name if isinstance(child.biz_name, str) and child.biz_name else "group"
            pending.append((f"{name}: ", child))
    return lines


def _import_failure_lines(error: ImportFailed) -> list[str]:
    """The failure's summary, then each failed row with its message (at most 50)."""
    failed = error.outcome.failed_rows
    lines = [str(error)]
    lines += [f"{row.name or '(no name)'}: {row.message or 'failed'}" for row in failed[:50]]
    if len(failed) > 50:
        lines.append(f"... and {len(failed) - 50} more (all of them in the JSON on stdout)")
    return lines


def _import_timeout_lines(error: ImportTimeout) -> list[str]:
    if error.uuid is None:
        return [f"{error}; no import was started (only a start refused before it began is retried)"]
    return [f"{error}; it may still finish"]  # the command says how to wait for it (commands.main)


def _timeout_lines(error: ExportTimeout) -> list[str]:
    if error.uuid is None:
        return [f"{error}; no export was started, so it is safe to run the command again"]
    return [
        f"{error}; it may still finish: run `{PROG} wait --uuid {error.uuid}` "
        f"or `{PROG} download --uuid {error.uuid}` later (same project and workspace)"
    ]


_API_HINTS = {
    401: f"check the credentials in {TOKEN_ENV} or {AK_ENV}/{SK_ENV}",
    403: "check --project-id and --workspace, and the credentials' permissions",
    404: "check the endpoint",
}


_STARTS_OF_IMPORTS = ("ImportModels", "ImportCatalogs")
"""Operations a server error may have answered after the import had started (docs/fidelity.md F-IMPORT-20)."""


def _api_lines(error: ApiError) -> list[str]:
    hint = _API_HINTS.get(error.status_code)
    if error.status_code >= 500 and error.operation in _STARTS_OF_IMPORTS:
        hint = MAY_HAVE_STARTED
    return [f"API error: {error}" + (f"; {hint}" if hint else "")]


def _url_lines(error: httpx.InvalidURL) -> list[str]:
    return [f"invalid endpoint URL: {error}"]


def _os_lines(error: OSError) -> list[str]:
    where = f" {error.filename}" if error.filename else ""
    return [f"cannot write{where}: {error.strerror or type(error).__name__}"]


def _plain_lines(error: BaseException) -> list[str]:
    return [str(error)]


def _configuration_lines(error: ConfigurationError) -> list[str]:
    """One problem on the error line; several counted there, one per detail line (all are found at once)."""
    if len(error.problems) > 1:
        return [f"{len(error.problems)} settings are missing or unusable:", *error.problems]
    return [str(error)]


OUTCOMES: tuple[tuple[type[BaseException], int, Callable[[Any], list[str]]], ...] = (
    (ExportFailed, EXIT_EXPORT_FAILED, _failure_lines),
    (ImportFailed, EXIT_EXPORT_FAILED, _import_failure_lines),  # ImportPartiallyFailed included
    (ImportTimeout, EXIT_TIMEOUT, _import_timeout_lines),
    (ExportTimeout, EXIT_TIMEOUT, _timeout_lines),
    (ConfigurationError, EXIT_USAGE, _configuration_lines),  # UsageError included
    (httpx.InvalidURL, EXIT_USAGE, _url_lines),
    (ApiError, EXIT_API_ERROR, _api_lines),
    (DataArtsError, EXIT_TRANSFER, _plain_lines),  # DownloadError, NetworkError, UnexpectedResponse
    (OSError, EXIT_TRANSFER, _os_lines),
)
"""Error type, exit code, what to say. First match wins: ExportTimeout is also a TimeoutError, hence an OSError."""


def outcome(error: BaseException) -> tuple[int, list[str]]:
    """The exit code for ``error`` and what to tell the user: a first line, then any detail lines."""
    for kind, code, describe in OUTCOMES:
        if isinstance(error, kind):
            return code, describe(error)
    return EXIT_INTERNAL, [f"unexpected internal error {type(error).__name__} (run with --verbose for the traceback)"]


def restated(error: BaseException, timeout: float | None, elapsed: float) -> BaseException:
    """``error`` in the user's terms: a timeout with the command's ``--timeout`` and time taken.

    ``export_to_file`` gives its waiting step only what is left of the
    timeout after starting, so the helper's own figures would not match the
    ``--timeout`` the user typed.
    """
    if isinstance(error, ExportTimeout) and timeout is not None:
        return type(error)(error.uuid, timeout=timeout, elapsed=elapsed, last_rate=error.last_rate)
    return error


def report(error: BaseException, shown: BaseException, err: TextIO, scrub: Sanitiser, *, verbose: bool) -> int:
    """Print ``shown`` as one sanitised line (plus a failed export's logs); return its exit code.

    ``error`` is what was raised, whose traceback ``--verbose`` prints.
    """
    if verbose:
        err.write(scrubbed_traceback(error, scrub))
    code, (first, *details) = outcome(shown)
    err.write(f"{PROG}: error: {scrub(first)}\n")
    for line in details:
        err.write(f"  {scrub(line)}\n")
    err.flush()
    return code
