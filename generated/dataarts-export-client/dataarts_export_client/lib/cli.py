"""``dataarts-export``: DataArts Studio Excel exports from the command line.

Data engineers automate exports from cron jobs, CI pipelines and shell
scripts, where a Python snippet per job is friction and where what matters is
a file on disk, a uuid to come back to and an exit code that says what went
wrong. This module is that thin layer and nothing more: every call goes
through the package's public helpers (:func:`~.download.export_to_file`,
:func:`~.start.start_export`, :func:`~.wait.poll_export_status`,
:func:`~.wait.wait_for_export`, :func:`~.download.download_export`,
:func:`~.environment.client_from_env`), so the command line polls, retries
and downloads exactly as the library does. What is added here is argument
parsing, the mapping of the typed errors to documented exit codes, and
messages of one line that never show a credential.

Credentials are read from the environment only. Command-line arguments are
visible to every user of the machine (``ps``, ``/proc/<pid>/cmdline``) and
stay in shell history, so options that look like credentials are refused.

Run as ``dataarts-export`` (the console script) or
``python -m dataarts_export_client.lib``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import sys
import textwrap
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

import httpx

from ..client import AuthenticatedClient, Client
from ..models.batch_operation import BatchOperation
from ..models.export_param import ExportParam
from ..models.export_state import ExportState
from ..types import UNSET
from .backoff import DEFAULT_POLICY, RetryPolicy
from .download import download_export, export_to_file
from .environment import (
    AK_ENV,
    ENDPOINT_ENV,
    PROJECT_ID_ENV,
    REGION_ENVS,
    SECURITY_TOKEN_ENV,
    SK_ENV,
    TOKEN_ENV,
    client_from_env,
)
from .errors import ApiError, ConfigurationError, DataArtsError, ExportFailed, ExportTimeout
from .log import logger
from .results import ExportProgress, ExportReady, ExportSnapshot
from .start import start_export
from .wait import poll_export_status, wait_for_export

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_EXPORT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TIMEOUT",
    "EXIT_TRANSFER",
    "EXIT_USAGE",
    "PROG",
    "build_parser",
    "main",
]

PROG = "dataarts-export"

EXIT_OK = 0
EXIT_EXPORT_FAILED = 1
EXIT_USAGE = 2
EXIT_API_ERROR = 3
EXIT_TIMEOUT = 4
EXIT_TRANSFER = 5
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

PROJECT_ID_ENVS = ("DATAARTS_PROJECT_ID", PROJECT_ID_ENV)
WORKSPACE_ENV = "DATAARTS_WORKSPACE"
SECRET_ENVS = (TOKEN_ENV, AK_ENV, SK_ENV, SECURITY_TOKEN_ENV)
"""Variables whose values are scrubbed from every message, should a server ever echo one back."""

WAIT_TIMEOUT = 600.0
"""Default bound of the commands that wait for an export (``export``, ``wait``, ``download``)."""
CALL_TIMEOUT = 60.0
"""Default bound of the commands that only ask (``start``, ``status``): it limits their retries."""


def _table(rows: Sequence[tuple[str, str]], indent: str) -> str:
    width = max(len(left) for left, _ in rows) + 2
    return "\n".join(f"{indent}{left.ljust(width)}{right}".rstrip() for left, right in rows)


_CREDENTIAL_ROWS = _table(
    [
        (f"{AK_ENV}, {SK_ENV}", "an AK/SK pair (requests are signed)"),
        (SECURITY_TOKEN_ENV, "with temporary AK/SK credentials"),
        (TOKEN_ENV, "an IAM token (sent as X-Auth-Token)"),
    ],
    "    ",
)
_ENVIRONMENT_ROWS = _table(
    [
        (ENDPOINT_ENV, "default of --endpoint"),
        (", ".join(REGION_ENVS), "default of --region"),
        (", ".join(PROJECT_ID_ENVS), "default of --project-id"),
        (WORKSPACE_ENV, "default of --workspace"),
    ],
    "    ",
)
_EXIT_CODE_ROWS = _table(
    [
        (str(EXIT_OK), "success"),
        (str(EXIT_EXPORT_FAILED), "the export failed (its logs and counts are printed on stderr)"),
        (str(EXIT_USAGE), "usage or configuration error (bad arguments, no endpoint, no credentials)"),
        (str(EXIT_API_ERROR), "API error (HTTP status, error code, message and request id on stderr)"),
        (str(EXIT_TIMEOUT), "timeout: the export may still finish; `wait` for it or `download` it"),
        ("", "later with the uuid printed on stderr"),
        (str(EXIT_TRANSFER), "download or network error: the transfer or the connection kept"),
        ("", "failing, an unreadable answer, or a destination that cannot be written"),
        (str(EXIT_INTERNAL), "unexpected internal error (--verbose shows the traceback)"),
        (str(EXIT_INTERRUPTED), "interrupted (Ctrl-C)"),
    ],
    "  ",
)

EPILOG = f"""\
credentials:
  Read from the environment only, never from the command line: arguments are
  visible to other users of the machine (ps, /proc) and stay in shell history.
{_CREDENTIAL_ROWS}

environment:
{_ENVIRONMENT_ROWS}

exit codes:
{_EXIT_CODE_ROWS}
"""
"""The help's closing text, on every command: where credentials come from, the environment, the exit codes."""

DESCRIPTION = """\
Export DataArts Studio (DataArts Architecture) objects to Excel workbooks.
`export` starts an export, waits for it and saves the workbook; `start`,
`status`, `wait` and `download` do one step each, for jobs that come back
later. Results go to stdout, progress and errors to stderr."""

_TYPE_HELP = (
    "what to export, e.g. TABLE_MODEL, ER, DIM, codeTable, dataStandard, "
    "Directory_CodeTable, Directory_Standard, import_bizcatalog, import_bizmetric"
)


class UsageError(ConfigurationError):
    """A problem with the arguments found after parsing (exit code 2), e.g. a --dest in a missing directory."""


class _RefuseCredential(argparse.Action):
    """Refuses an option that would carry a credential, without echoing its value.

    These options are hidden: they exist only so that someone who tries
    ``--sk ...`` learns why it is refused and what to set instead.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> NoReturn:
        parser.error(
            f"{option_string} is not accepted: credentials on the command line are visible to other users "
            f"(ps); set {TOKEN_ENV}, or {AK_ENV} and {SK_ENV}, in the environment instead"
        )


def _seconds(text: str) -> float:
    """An argparse type: a finite, non-negative number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds >= 0, not {text!r}")
    return value


def _add_connection_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    """Options accepted both before and after the command name.

    In the subcommands their default is ``SUPPRESS``, so that an option given
    before the command is not overwritten by the subcommand's default.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if in_subcommand else value

    group = parser.add_argument_group("connection")
    where = group.add_mutually_exclusive_group()
    where.add_argument(
        "--endpoint", metavar="URL", default=default(None), help=f"service endpoint (default: {ENDPOINT_ENV})"
    )
    where.add_argument(
        "--region",
        metavar="REGION",
        default=default(None),
        help=f"Huawei Cloud region, e.g. cn-north-4 (default: {' or '.join(REGION_ENVS)})",
    )
    group.add_argument(
        "--project-id",
        metavar="ID",
        default=default(None),
        help=f"project ID (default: {' or '.join(PROJECT_ID_ENVS)})",
    )
    group.add_argument(
        "--workspace",
        metavar="ID",
        default=default(None),
        help=f"DataArts Studio workspace ID (default: {WORKSPACE_ENV})",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="log polls and retries (DEBUG) on stderr; show tracebacks of errors",
    )
    output.add_argument(
        "-q", "--quiet", action="store_true", default=default(False), help="no progress lines on stderr"
    )
    for name in ("--token", "--ak", "--sk", "--security-token"):
        parser.add_argument(
            name, nargs="?", action=_RefuseCredential, default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )


def _add_export_body(parser: argparse.ArgumentParser) -> None:
    """The fields of ``ExportParam``: which objects to export."""
    body = parser.add_argument_group("what to export")
    body.add_argument("--type", dest="type_", metavar="TYPE", help=_TYPE_HELP)
    body.add_argument("--id", dest="ids", metavar="ID", action="append", help="ID of an object to export (repeatable)")
    body.add_argument("--directory-id", metavar="ID", help="directory ID")
    body.add_argument("--biz-catalog-id", metavar="ID", help="business catalog ID")
    body.add_argument(
        "--biz-catalog-id-list",
        dest="biz_catalog_id_list",
        metavar="ID",
        action="append",
        help="business catalog ID for biz_catalog_id_list (repeatable)",
    )
    body.add_argument("--model-id", metavar="ID", help="model ID")
    body.add_argument(
        "--sync",
        action="store_true",
        help="ask the service to export synchronously (asyn=false); by default it runs asynchronously (asyn=true)",
    )


def _add_timeout(parser: argparse.ArgumentParser, default: float, what: str) -> None:
    parser.add_argument(
        "--timeout", metavar="SECONDS", type=_seconds, default=default, help=f"{what} (default: %(default)g)"
    )


def _add_dest(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dest",
        metavar="PATH",
        type=Path,
        default=Path(),
        help="file to write, or an existing directory to save the server's file name in (default: .)",
    )


def _add_uuid(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--uuid", required=True, help="the export's uuid, as printed by `start`")


def build_parser() -> argparse.ArgumentParser:
    """The ``dataarts-export`` argument parser (public so that documentation examples can be checked against it)."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter)
    _add_connection_options(parser, in_subcommand=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str, details: str) -> argparse.ArgumentParser:
        description = f"{summary[0].upper()}{summary[1:]}.\n\n{textwrap.fill(details, 78)}"
        return commands.add_parser(
            name, help=summary, description=description, epilog=EPILOG, formatter_class=formatter
        )

    export = command(
        "export",
        "start an export, wait for it and save the workbook",
        "Prints the saved file's path on stdout; progress lines (with the uuid) on stderr.",
    )
    _add_export_body(export)
    _add_dest(export)
    _add_timeout(export, WAIT_TIMEOUT, "give up waiting after this many seconds, start included")

    start = command("start", "start an export and print its uuid", "Use `status`, `wait` or `download` with it.")
    _add_export_body(start)
    _add_timeout(start, CALL_TIMEOUT, "bound on retrying a throttled or unreachable service")

    status = command(
        "status",
        "ask once how an export is doing",
        "Prints a JSON object on stdout: uuid, status (importing, fail or success), rate, percent, group "
        "(the service's detail, with logs on failure) and file_name when the file is ready. Never downloads. "
        f"Exits {EXIT_EXPORT_FAILED} when the export failed (the JSON is printed all the same).",
    )
    _add_uuid(status)
    _add_timeout(status, CALL_TIMEOUT, "bound on retrying a throttled or unreachable service")

    wait = command(
        "wait",
        "wait until an export is ready, without downloading it",
        "Prints a JSON object on stdout: uuid, status, file_name, content_length, elapsed, request_id.",
    )
    _add_uuid(wait)
    _add_timeout(wait, WAIT_TIMEOUT, "give up waiting after this many seconds")

    download = command(
        "download",
        "wait if needed, then save an export's workbook",
        "Prints the saved file's path on stdout. Only a complete file is ever written to --dest.",
    )
    _add_uuid(download)
    _add_dest(download)
    _add_timeout(download, WAIT_TIMEOUT, "give up waiting after this many seconds")
    for subparser in (export, start, status, wait, download):
        _add_connection_options(subparser, in_subcommand=True)
    return parser


class _ProgressPrinter:
    """Progress lines on stderr, one per change, so that stdout carries only the result for scripts.

    It remembers the uuid even when quiet, so that an interrupted or timed-out
    run can still tell which export to come back to.
    """

    def __init__(self, err: TextIO, *, quiet: bool) -> None:
        self._err = err
        self._quiet = quiet
        self._last: tuple[ExportState, float | None] | None = None
        self.uuid: str | None = None

    def __call__(self, progress: ExportProgress) -> None:
        self.uuid = progress.uuid
        key = (progress.status, progress.percent)
        if self._quiet or key == self._last:
            return
        self._last = key
        percent = f" {progress.percent:g}%" if progress.percent is not None else ""
        self._err.write(f"export {progress.uuid}: {progress.status.value}{percent} after {progress.elapsed:.1f}s\n")
        self._err.flush()


@dataclass(frozen=True, slots=True)
class _Context:
    """What every command needs, resolved once from the arguments and the environment."""

    client: AuthenticatedClient | Client
    project_id: str
    workspace: str
    policy: RetryPolicy
    progress: _ProgressPrinter
    out: TextIO


def _from_env(value: str | None, flag: str, names: Sequence[str], environ: Mapping[str, str]) -> str:
    """``value``, else the first non-empty variable of ``names``; a usage error naming both when none is set."""
    chosen = value or next((environ[name] for name in names if environ.get(name)), None)
    if not chosen:
        raise UsageError(f"no {flag.lstrip('-').replace('-', ' ')}: pass {flag} or set {' or '.join(names)}")
    return chosen


def _check_dest(dest: Path) -> None:
    """Refuse, before an export is started, a destination that could never be written."""
    if not dest.is_dir() and not dest.parent.is_dir():
        raise UsageError(f"--dest: the directory {dest.parent} does not exist")


def _export_body(args: argparse.Namespace) -> ExportParam:
    """The ``ExportParam`` of the options; options not given are left out of the request."""

    def given(value: Any) -> Any:
        return UNSET if value is None else value

    return ExportParam(
        type_=given(args.type_),
        ids=given(args.ids),
        directory_id=given(args.directory_id),
        biz_catalog_id=given(args.biz_catalog_id),
        biz_catalog_id_list=given(args.biz_catalog_id_list),
        model_id=given(args.model_id),
        asyn=not args.sync,
    )


def _print_json(out: TextIO, document: Mapping[str, Any]) -> None:
    out.write(json.dumps(document, ensure_ascii=False) + "\n")


def _cmd_export(args: argparse.Namespace, ctx: _Context) -> int:
    path = export_to_file(
        ctx.client,
        project_id=ctx.project_id,
        workspace=ctx.workspace,
        body=_export_body(args),
        dest=args.dest,
        timeout=args.timeout,
        on_progress=ctx.progress,
        policy=ctx.policy,
    )
    ctx.out.write(f"{path.absolute()}\n")
    return EXIT_OK


def _cmd_start(args: argparse.Namespace, ctx: _Context) -> int:
    uuid = start_export(
        ctx.client,
        project_id=ctx.project_id,
        workspace=ctx.workspace,
        body=_export_body(args),
        timeout=args.timeout,
        policy=ctx.policy,
    )
    ctx.out.write(f"{uuid}\n")
    return EXIT_OK


def _snapshot_document(snapshot: ExportSnapshot) -> dict[str, Any]:
    document: dict[str, Any] = {
        "uuid": snapshot.uuid,
        "status": snapshot.status.value,
        "rate": snapshot.rate,
        "percent": snapshot.percent,
        "group": snapshot.group.to_dict() if snapshot.group is not None else None,
        "request_id": snapshot.request_id,
    }
    if snapshot.ready is not None:
        document["file_name"] = snapshot.ready.file_name
    return document


def _cmd_status(args: argparse.Namespace, ctx: _Context) -> int:
    snapshot = poll_export_status(
        ctx.client,
        project_id=ctx.project_id,
        workspace=ctx.workspace,
        uuid=args.uuid,
        timeout=args.timeout,
        policy=ctx.policy,
    )
    _print_json(ctx.out, _snapshot_document(snapshot))
    if snapshot.status is ExportState.FAIL:
        raise ExportFailed(snapshot.uuid, group=snapshot.group, rate=snapshot.rate)
    return EXIT_OK


def _ready_document(ready: ExportReady) -> dict[str, Any]:
    return {
        "uuid": ready.uuid,
        "status": ExportState.SUCCESS.value,
        "file_name": ready.file_name,
        "content_length": ready.content_length,
        "elapsed": round(ready.elapsed, 3),
        "request_id": ready.request_id,
    }


def _cmd_wait(args: argparse.Namespace, ctx: _Context) -> int:
    ready = wait_for_export(
        ctx.client,
        project_id=ctx.project_id,
        workspace=ctx.workspace,
        uuid=args.uuid,
        timeout=args.timeout,
        on_progress=ctx.progress,
        policy=ctx.policy,
    )
    _print_json(ctx.out, _ready_document(ready))
    return EXIT_OK


def _cmd_download(args: argparse.Namespace, ctx: _Context) -> int:
    path = download_export(
        ctx.client,
        project_id=ctx.project_id,
        workspace=ctx.workspace,
        uuid=args.uuid,
        dest=args.dest,
        timeout=args.timeout,
        on_progress=ctx.progress,
        policy=ctx.policy,
    )
    ctx.out.write(f"{path.absolute()}\n")
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace, _Context], int]] = {
    "export": _cmd_export,
    "start": _cmd_start,
    "status": _cmd_status,
    "wait": _cmd_wait,
    "download": _cmd_download,
}


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


def _api_lines(error: ApiError) -> list[str]:
    hint = _API_HINTS.get(error.status_code)
    return [f"API error: {error}" + (f"; {hint}" if hint else "")]


def _url_lines(error: httpx.InvalidURL) -> list[str]:
    return [f"invalid endpoint URL: {error}"]


def _os_lines(error: OSError) -> list[str]:
    where = f" {error.filename}" if error.filename else ""
    return [f"cannot write{where}: {error.strerror or type(error).__name__}"]


def _plain_lines(error: BaseException) -> list[str]:
    return [str(error)]


# First match wins: ExportTimeout is also a TimeoutError, hence an OSError.
_OUTCOMES: tuple[tuple[type[BaseException], int, Callable[[Any], list[str]]], ...] = (
    (ExportFailed, EXIT_EXPORT_FAILED, _failure_lines),
    (ExportTimeout, EXIT_TIMEOUT, _timeout_lines),
    (ConfigurationError, EXIT_USAGE, _plain_lines),
    (UsageError, EXIT_USAGE, _plain_lines),
    (httpx.InvalidURL, EXIT_USAGE, _url_lines),
    (ApiError, EXIT_API_ERROR, _api_lines),
    (DataArtsError, EXIT_TRANSFER, _plain_lines),  # DownloadError, NetworkError, UnexpectedResponse
    (OSError, EXIT_TRANSFER, _os_lines),
)


def _outcome(error: BaseException) -> tuple[int, list[str]]:
    """The exit code for ``error`` and what to tell the user: a first line, then any detail lines."""
    for kind, code, describe in _OUTCOMES:
        if isinstance(error, kind):
            return code, describe(error)
    return EXIT_INTERNAL, [f"unexpected internal error {type(error).__name__} (run with --verbose for the traceback)"]


class _Scrubber:
    """Makes text from the service safe to print: one line each, no control characters, no credential values.

    Server text (error messages, logs) reaches a terminal, where control
    characters could rewrite what is shown; and should a service or proxy
    ever echo a credential back, it is replaced before it is printed.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        # Short values would mask ordinary words; real credentials are long.
        self._secrets = sorted(
            {value for name in SECRET_ENVS if len(value := environ.get(name, "")) >= 8}, key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _restated(error: BaseException, timeout: float | None, elapsed: float) -> BaseException:
    """``error`` in the user's terms: a timeout with the command's ``--timeout`` and time taken.

    ``export_to_file`` gives its waiting step only what is left of the
    timeout after starting, so the helper's own figures would not match the
    ``--timeout`` the user typed.
    """
    if isinstance(error, ExportTimeout) and timeout is not None:
        return ExportTimeout(error.uuid, timeout=timeout, elapsed=elapsed, last_rate=error.last_rate)
    return error


def _report(error: BaseException, shown: BaseException, err: TextIO, scrub: _Scrubber, *, verbose: bool) -> int:
    """Print ``shown`` as one scrubbed line (plus a failed export's logs); return its exit code.

    ``error`` is what was raised, whose traceback ``--verbose`` prints.
    """
    if verbose:
        err.write(_scrubbed_traceback(error, scrub))
    code, (first, *details) = _outcome(shown)
    err.write(f"{PROG}: error: {scrub(first)}\n")
    for line in details:
        err.write(f"  {scrub(line)}\n")
    err.flush()
    return code


def _scrubbed_traceback(error: BaseException, scrub: _Scrubber) -> str:
    """The traceback of ``error`` (for --verbose), each line scrubbed but for its indentation."""
    lines = "".join(traceback.format_exception(error)).splitlines()
    return "".join(f"{line[: len(line) - len(line.lstrip())]}{scrub(line)}\n" for line in lines)


@contextlib.contextmanager
def _debug_logging(enabled: bool, err: TextIO) -> Iterator[None]:
    """DEBUG records of the package's logger on ``err`` for the duration of one command."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _context(
    args: argparse.Namespace, environ: Mapping[str, str], policy: RetryPolicy, out: TextIO, err: TextIO
) -> _Context:
    project_id = _from_env(args.project_id, "--project-id", PROJECT_ID_ENVS, environ)
    workspace = _from_env(args.workspace, "--workspace", (WORKSPACE_ENV,), environ)
    if args.command in ("export", "download"):
        _check_dest(args.dest)
    client = client_from_env(endpoint=args.endpoint, region=args.region, project_id=project_id, environ=environ)
    return _Context(client, project_id, workspace, policy, _ProgressPrinter(err, quiet=args.quiet), out)


def main(argv: Sequence[str] | None = None, *, policy: RetryPolicy = DEFAULT_POLICY) -> int:
    """Run ``dataarts-export`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Returns rather than exits so that it can be called in-process (tests,
    other tools); the console script passes the code to ``sys.exit``.
    ``policy`` sets the polling and retry timings.
    """
    out, err = sys.stdout, sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error already printed by argparse
        return stop.code if isinstance(stop.code, int) else EXIT_OK if stop.code is None else EXIT_USAGE
    environ = os.environ
    scrub = _Scrubber(environ)
    progress_uuid: str | None = None
    started = time.monotonic()
    with _debug_logging(args.verbose, err):
        try:
            ctx = _context(args, environ, policy, out, err)
            try:
                return _COMMANDS[args.command](args, ctx)
            finally:
                progress_uuid = ctx.progress.uuid
        except KeyboardInterrupt:
            uuid = progress_uuid or getattr(args, "uuid", None)
            later = f"; export {uuid} may still be running: `{PROG} status --uuid {uuid}`" if uuid else ""
            err.write(f"{PROG}: interrupted{scrub(later)}\n")
            return EXIT_INTERRUPTED
        except Exception as error:  # every error becomes an exit code and a line, not a traceback
            shown = _restated(error, args.timeout, time.monotonic() - started)
            return _report(error, shown, err, scrub, verbose=args.verbose)
