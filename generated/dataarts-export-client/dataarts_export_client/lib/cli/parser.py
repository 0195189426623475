"""The ``dataarts-export`` argument parser: commands, options, and the help that documents them.

The docs' examples are checked against this parser; the texts of the
help are in :mod:`.help_text`. It behaves as a command line is expected to:
an option is spelled out in full (argparse's prefix matching would let
``--time`` stand for ``--timeout`` today and for something else once an
option is added), a mistyped option or command gets a "did you mean", and
``--version`` prints the package's version.
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
import sys
import textwrap
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, NoReturn

from ..environment import (
    AK_ENV,
    ENDPOINT_ENV,
    PROJECT_ID_ENVS,
    REGION_ENVS,
    SK_ENV,
    TOKEN_ENV,
    WORKSPACE_ENV,
    Spelling,
)
from ..imports import ACTIONS
from .help_text import DESCRIPTION, EPILOG, TYPE_HELP
from .outcomes import EXIT_EXPORT_FAILED
from .output import PROG

__all__ = ["CALL_TIMEOUT", "COPY_TARGET", "OPTIONS", "WAIT_TIMEOUT", "CommandLineParser", "build_parser"]

OPTIONS = Spelling(
    "give", {"endpoint": "--endpoint", "region": "--region", "project_id": "--project-id", "workspace": "--workspace"}
)
"""The settings as the command line takes them, for configuration errors (credentials: the environment only)."""
COPY_TARGET = Spelling(
    "give",
    {
        "endpoint": "--to-endpoint",
        "region": "--to-region",
        "project_id": "--to-project-id",
        "workspace": "--to-workspace",
    },
)
"""Where ``copy`` imports, as its options name it."""

WAIT_TIMEOUT = 600.0
"""Default bound of the commands that wait for an export (``export``, ``wait``, ``download``)."""
CALL_TIMEOUT = 60.0
"""Default bound of the commands that only ask (``start``, ``status``): it limits their retries."""


def _did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    """The one choice ``word`` abbreviates, else the closest to it (difflib), else ``None``."""
    started = [choice for choice in choices if choice.startswith(word)]
    if len(started) == 1:
        return started[0]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _long_options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {name: action for name, action in parser._option_string_actions.items() if name.startswith("--")}


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


class CommandLineParser(argparse.ArgumentParser):
    """``argparse`` with whole option names only and a "did you mean" for a mistyped option or command.

    Options are checked before argparse parses: argparse reports an unknown
    option only after a missing required one (``status --uu X`` would say
    "--uuid is required", not what was mistyped).
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if _commands(self):
            self._check_long_options(sys.argv[1:] if args is None else list(args))
        return super().parse_known_args(args, namespace)

    def _check_long_options(self, argv: list[str]) -> None:
        """Refuse the first ``--name`` that the parser it is given to (this one, or the command's) does not have."""
        commands, index = _commands(self), 0
        current: argparse.ArgumentParser = self
        while index < len(argv):
            word = argv[index]
            if word == "--":
                return
            if word.startswith("--"):
                name = word.split("=", 1)[0]
                options = _long_options(current)
                action = options.get(name)
                if action is None:
                    shown = [option for option, known in options.items() if known.help != argparse.SUPPRESS]
                    suggestion = _did_you_mean(name, shown)
                    hint = f"; did you mean {suggestion}?" if suggestion else ""
                    self.error(f"unrecognized argument {name}{hint}")
                if "=" not in word and action.nargs is None:
                    index += 1  # its value, which may look like anything
            elif current is self:
                if word not in commands:
                    return  # not a command: argparse says so, with its own "did you mean"
                current = commands[word]
            index += 1

    def error(self, message: str) -> NoReturn:
        """Print usage and ``message``, with a "did you mean" for a mistyped command; exit 2."""
        commands = list(_commands(self))
        marker = "invalid choice: '"
        if commands and marker in message:
            word = message.split(marker, 1)[1].split("'", 1)[0]
            suggestion = _did_you_mean(word, commands)
            if suggestion is not None:
                message += f"; did you mean '{suggestion}'?"
        super().error(message)


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
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=default(False),
        help="send the credentials over a plain http:// endpoint that is not this machine (refused by default: "
        "anyone on the way could read them)",
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
    body.add_argument("--type", dest="type_", metavar="TYPE", help=TYPE_HELP)
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
    group = parser.add_argument_group("where the workbook goes")
    group.add_argument(
        "--dest",
        metavar="PATH",
        default=os.curdir,
        help="a file (replaced when complete); an existing directory, for the server's file name (a trailing / "
        "requires one); a FIFO or device, written through; or - for stdout (default: .)",
    )
    replacing = group.add_mutually_exclusive_group()
    replacing.add_argument(
        "--overwrite",
        action="store_true",
        help="let the server's file name replace a file of that name in the directory (by default the first "
        "free 'name (N).xlsx' is taken)",
    )
    replacing.add_argument(
        "--no-clobber",
        action="store_true",
        help="never replace a file, not even the one --dest names (refused before the export starts)",
    )


def _add_uuid(parser: argparse.ArgumentParser, help_text: str = "the export's uuid, as printed by `start`") -> None:
    parser.add_argument("--uuid", required=True, help=help_text)


def _add_import_options(parser: argparse.ArgumentParser, *, copying: bool) -> None:
    """How to import: the action, ``skip-exist``, and the target model or directory."""
    group = parser.add_argument_group("how to import")
    group.add_argument(
        "--action",
        dest="action_",
        metavar="ACTION",
        required=not copying,
        help=f"the import action-id: {', '.join(ACTIONS)}"
        + ("; by default the documented counterpart of --type, where there is one" if copying else ""),
    )
    group.add_argument(
        "--skip-exist", action="store_true", help="leave objects that already exist as they are (default: update them)"
    )
    group.add_argument(
        "--to-model-id" if copying else "--model-id",
        dest="to_model_id",
        metavar="ID",
        help="relational model to import into (required with import_relation)",
    )
    group.add_argument(
        "--to-directory-id" if copying else "--directory-id",
        dest="to_directory_id",
        metavar="ID",
        help="directory to import code tables or data standards into",
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``dataarts-export`` argument parser (public so that documentation examples can be checked against it)."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = CommandLineParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG, formatter_class=formatter, allow_abbrev=False
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {version('dataarts-export-client')}")
    _add_connection_options(parser, in_subcommand=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, summary: str, details: str) -> argparse.ArgumentParser:
        description = f"{summary[0].upper()}{summary[1:]}.\n\n{textwrap.fill(details, 78)}"
        return commands.add_parser(
            name, help=summary, description=description, epilog=EPILOG, formatter_class=formatter, allow_abbrev=False
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
        "Prints a JSON object on stdout: uuid, status (importing, fail or success, or any newer state the "
        "service reports, as sent), rate, percent, group "
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
    imports = command(
        "import",
        "import a workbook into the workspace and print the outcome",
        "Prints a JSON object on stdout: uuid, status, total, success, failed, failed_rows (name, object_id, "
        "message), object_ids (what to export the imported objects by), elapsed, request_id. "
        f"Exits {EXIT_EXPORT_FAILED} when the import failed or some rows did (the JSON is printed all the same).",
    )
    imports.add_argument("file", type=Path, metavar="FILE", help="the .xlsx workbook (under 4 MB)")
    _add_import_options(imports, copying=False)
    _add_timeout(imports, WAIT_TIMEOUT, "give up waiting after this many seconds, upload included")

    import_result = command(
        "import-result",
        "wait for an import's outcome and print it",
        "For an import started earlier (an interrupted or timed-out `import` or `copy` prints its uuid). "
        f"Prints the JSON object `import` prints; exits {EXIT_EXPORT_FAILED} when the import failed or some rows "
        "did. Never starts an import.",
    )
    _add_uuid(import_result, "the import's uuid, as printed by an interrupted `import` or `copy`")
    _add_timeout(import_result, WAIT_TIMEOUT, "give up waiting after this many seconds")

    copy = command(
        "copy",
        "export objects, then import the workbook into another workspace, project or region",
        'Prints {"export": {uuid, file_name, bytes}, "import": {...as `import` prints}} on stdout. The workbook '
        "goes through a temporary directory that is removed afterwards. Where Huawei documents no import "
        "action for the export's --type, --action is required. "
        f"Exits {EXIT_EXPORT_FAILED} when the export or the import failed.",
    )
    _add_export_body(copy)
    target = copy.add_argument_group("where to import")
    target.add_argument("--to-workspace", required=True, metavar="ID", help="workspace to import into")
    target.add_argument("--to-project-id", metavar="ID", help="project to import into (default: the export's)")
    where = target.add_mutually_exclusive_group()
    where.add_argument("--to-region", metavar="REGION", help="region to import into (default: the export's endpoint)")
    where.add_argument("--to-endpoint", metavar="URL", help="endpoint to import into (default: the export's)")
    _add_import_options(copy, copying=True)
    _add_timeout(copy, WAIT_TIMEOUT, "give up waiting after this many seconds, for each half")
    for subparser in (export, start, status, wait, download, imports, import_result, copy):
        _add_connection_options(subparser, in_subcommand=True)
    return parser
