"""What each ``dataarts-export`` command does, and :func:`main`, which runs one.

Every command is a thin call of the package's public helpers
(:func:`~..download.export_to_file`, :func:`~..start.start_export`,
:func:`~..wait.poll_export_status`, :func:`~..wait.wait_for_export`,
:func:`~..download.download_export`; the import commands' are in
:mod:`.transfer`) with a client from
:func:`~..environment.client_for`, so the command line polls, retries
and downloads exactly as the library does; what is added is reading the
arguments and printing the result.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO, TypedDict

from ...client import AuthenticatedClient, Client
from ...models.export_param import ExportParam
from ...models.export_state import ExportState
from ...types import UNSET
from ..backoff import DEFAULT_POLICY, RetryPolicy
from ..destination import Destination, check_destination
from ..download import download_export, export_to_file
from ..environment import client_for, resolve_settings
from ..errors import DestinationError, ExportFailed, ImportTimeout
from ..import_decisions import MAY_HAVE_STARTED
from ..results import ExportReady, ExportSnapshot
from ..start import start_export
from ..wait import poll_export_status, wait_for_export
from .outcomes import EXIT_OK, EXIT_SIGNAL_BASE, EXIT_USAGE, UsageError, report, restated
from .output import PROG, ProgressDisplay, Sanitiser, count_download_bytes, progress_display, show_logs
from .parser import OPTIONS, WAIT_TIMEOUT, build_parser
from .signals import Terminated, signal_of, signals_raise
from .transfer import ImportTarget, cmd_copy, cmd_import, cmd_import_result, copy_target

__all__ = ["COMMANDS", "main"]


class _Target(TypedDict):
    """The keyword arguments every helper call of a command shares."""

    project_id: str
    workspace: str
    policy: RetryPolicy


@dataclass(frozen=True, slots=True)
class Context:
    """What every command needs, resolved once from the arguments and the environment."""

    client: AuthenticatedClient | Client
    project_id: str
    workspace: str
    policy: RetryPolicy
    progress: ProgressDisplay
    out: TextIO
    sanitise: Sanitiser
    copy_to: ImportTarget | None = None
    """``copy``'s target, when its ``--to-*`` options name another endpoint or project than the export's."""

    def target(self) -> _Target:
        """``project_id``, ``workspace`` and ``policy``, to pass to a helper as keywords."""
        return _Target(project_id=self.project_id, workspace=self.workspace, policy=self.policy)

    def emit(self, line: str) -> None:
        """The command's result on stdout, once the progress display has stopped.

        At a terminal stdout and stderr are one screen: a bar still drawn
        would redraw its rows over the line written below it.
        """
        self.progress.close()
        self.out.write(f"{line}\n")


def _destination(args: argparse.Namespace, out: TextIO) -> Destination:
    """``--dest`` for the library: stdout's bytes for ``-``, else the path as typed (a trailing ``/`` kept)."""
    return out.buffer if args.dest == "-" else args.dest


def _overwrite(args: argparse.Namespace) -> bool | None:
    """``--overwrite`` (True), ``--no-clobber`` (False), or neither (None): the library's ``overwrite``."""
    return True if args.overwrite else False if args.no_clobber else None


def _check_dest(args: argparse.Namespace, out: TextIO) -> None:
    """Refuse, before an export is started, a destination that could never be written (the library's rules)."""
    try:
        check_destination(_destination(args, out), overwrite=_overwrite(args))
    except DestinationError as error:
        raise UsageError(f"--dest {args.dest}: {error.strerror}") from error


def _saved(args: argparse.Namespace, ctx: Context, path: Path) -> int:
    """Print where the workbook went (nothing when it went to stdout itself)."""
    if args.dest != "-":
        ctx.emit(ctx.sanitise.path(path.absolute()))
    return EXIT_OK


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


def _cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    path = export_to_file(
        ctx.client,
        **ctx.target(),
        body=_export_body(args),
        dest=_destination(args, ctx.out),
        overwrite=_overwrite(args),
        timeout=args.timeout,
        on_progress=ctx.progress,
    )
    return _saved(args, ctx, path)


def _cmd_start(args: argparse.Namespace, ctx: Context) -> int:
    uuid = start_export(ctx.client, **ctx.target(), body=_export_body(args), timeout=args.timeout)
    ctx.emit(ctx.sanitise(uuid))
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


def _cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    snapshot = poll_export_status(ctx.client, **ctx.target(), uuid=args.uuid, timeout=args.timeout)
    ctx.emit(ctx.sanitise.json(_snapshot_document(snapshot)))
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


def _cmd_wait(args: argparse.Namespace, ctx: Context) -> int:
    ready = wait_for_export(ctx.client, **ctx.target(), uuid=args.uuid, timeout=args.timeout, on_progress=ctx.progress)
    ctx.emit(ctx.sanitise.json(_ready_document(ready)))
    return EXIT_OK


def _cmd_download(args: argparse.Namespace, ctx: Context) -> int:
    path = download_export(
        ctx.client,
        **ctx.target(),
        uuid=args.uuid,
        dest=_destination(args, ctx.out),
        overwrite=_overwrite(args),
        timeout=args.timeout,
        on_progress=ctx.progress,
    )
    return _saved(args, ctx, path)


def _cmd_copy(args: argparse.Namespace, ctx: Context) -> int:
    return cmd_copy(args, ctx, _export_body(args))


COMMANDS: dict[str, Callable[[argparse.Namespace, Context], int]] = {
    "export": _cmd_export,
    "start": _cmd_start,
    "status": _cmd_status,
    "wait": _cmd_wait,
    "download": _cmd_download,
    "import": cmd_import,
    "import-result": cmd_import_result,
    "copy": _cmd_copy,
}


def _context(
    args: argparse.Namespace,
    environ: Mapping[str, str],
    policy: RetryPolicy,
    out: TextIO,
    progress: ProgressDisplay,
    sanitise: Sanitiser,
) -> Context:
    settings = resolve_settings(
        endpoint=args.endpoint,
        region=args.region,
        project_id=args.project_id,
        workspace=args.workspace,
        environ=environ,
        spelling=OPTIONS,
        target=True,
    )
    if args.command in ("export", "download"):
        _check_dest(args, out)
    hooks = {"response": [count_download_bytes(progress.transfer)]}
    client = client_for(settings, allow_insecure_http=args.allow_insecure_http, httpx_args={"event_hooks": hooks})
    copy_to = copy_target(args, settings, client, environ) if args.command == "copy" else None
    # With target=True, resolve_settings has refused a missing project ID or workspace.
    project_id, workspace = settings.project_id or "", settings.workspace or ""
    return Context(client, project_id, workspace, policy, progress, out, sanitise, copy_to)


_REACH = (
    ("--endpoint", "endpoint"),
    ("--region", "region"),
    ("--project-id", "project_id"),
    ("--workspace", "workspace"),
)
"""The options that say where the export is, as typed on the command line: a later command needs them too."""


def _reach(args: argparse.Namespace, noun: str) -> list[str]:
    """The options of :data:`_REACH` that find the job: for ``copy``'s import, its ``--to-*`` ones where given."""
    values = {name: getattr(args, name) for _flag, name in _REACH}
    if args.command == "copy" and noun == "import":
        values["workspace"] = args.to_workspace
        values["project_id"] = args.to_project_id or values["project_id"]
        if args.to_endpoint or args.to_region:
            values["endpoint"], values["region"] = args.to_endpoint, args.to_region
    reach = [word for flag, name in _REACH if values[name] for word in (flag, values[name])]
    return reach + (["--allow-insecure-http"] if args.allow_insecure_http else [])


def _come_back_to_import(args: argparse.Namespace, uuid: str | None) -> str:
    """What to run after an interruption of an import: ``import-result`` with the user's options, never a new import."""
    if uuid is None:
        return MAY_HAVE_STARTED
    wait = ["--timeout", f"{args.timeout:g}"] if args.timeout != WAIT_TIMEOUT else []
    wait += ["--quiet"] if args.quiet else []
    command = shlex.join([PROG, "import-result", "--uuid", uuid, *_reach(args, "import"), *wait])
    return f"import {uuid} may still be running: `{command}` to wait for its outcome (do not send the workbook again)"


def _come_back(args: argparse.Namespace, uuid: str) -> str:
    """What to run after an interruption: the ``status`` and ``download`` commands, with the user's options.

    The options that find the export, and, for the download, where the
    workbook goes and how (``--dest``, ``--overwrite``/``--no-clobber``,
    a ``--timeout`` other than the default, ``--quiet``), each quoted for
    the shell.
    """
    reach = _reach(args, "export")
    fetch = ["--dest", args.dest] if getattr(args, "dest", os.curdir) != os.curdir else []
    fetch += [
        flag
        for flag, name in (("--overwrite", "overwrite"), ("--no-clobber", "no_clobber"))
        if getattr(args, name, False)
    ]
    if args.command in ("export", "download") and args.timeout != WAIT_TIMEOUT:
        fetch += ["--timeout", f"{args.timeout:g}"]
    fetch += ["--quiet"] if args.quiet else []

    def command(name: str, *words: str) -> str:
        return shlex.join([PROG, name, "--uuid", uuid, *words])

    return (
        f"export {uuid} may still be running: `{command('status', *reach)}` to check it, "
        f"`{command('download', *reach, *fetch)}` to fetch its workbook (no temporary file was left)"
    )


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
    scrub = Sanitiser(environ)
    progress = progress_display(err, scrub, quiet=args.quiet)
    started = time.monotonic()
    with show_logs(progress, verbose=args.verbose, retries=not args.quiet and err.isatty()), signals_raise():
        try:
            ctx = _context(args, environ, policy, out, progress, scrub)
            try:
                return COMMANDS[args.command](args, ctx)
            finally:
                progress.close()
        except (KeyboardInterrupt, Terminated) as stop:
            signum = signal_of(stop)
            uuid = progress.uuid or getattr(args, "uuid", None)
            if progress.noun == "import":
                later = f"; {_come_back_to_import(args, uuid)}"
            else:
                later = f"; {_come_back(args, uuid)}" if uuid else ""
            err.write(f"{PROG}: interrupted by {signal.Signals(signum).name}{scrub(later)}\n")
            return EXIT_SIGNAL_BASE + signum
        except Exception as error:  # every error becomes an exit code and a line, not a traceback
            shown = restated(error, args.timeout, time.monotonic() - started)
            code = report(error, shown, err, scrub, verbose=args.verbose)
            if isinstance(error, ImportTimeout) and error.uuid is not None:
                # With the options that reach the import: copy's --to-* ones, not the export's workspace.
                err.write(f"  {scrub(_come_back_to_import(args, error.uuid))}\n")
            return code
