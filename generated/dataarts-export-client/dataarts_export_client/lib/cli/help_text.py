"""The texts of ``dataarts-export --help``, built from the constants the code uses.

The help is the command's reference, so its closing text (on every command)
lists where credentials come from, the environment variables and the exit
codes from the very names and codes that the code reads and returns.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..environment import (
    AK_ENV,
    ENDPOINT_ENV,
    PROJECT_ID_ENVS,
    REGION_ENVS,
    SECURITY_TOKEN_ENV,
    SK_ENV,
    TOKEN_ENV,
    WORKSPACE_ENV,
)
from .outcomes import EXIT_CODE_HELP

__all__ = ["DESCRIPTION", "EPILOG", "TYPE_HELP"]


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
_EXIT_CODE_ROWS = _table(EXIT_CODE_HELP, "  ")

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
Export DataArts Studio (DataArts Architecture) objects to Excel workbooks,
and import such workbooks. `export` starts an export, waits for it and saves
the workbook; `start`, `status`, `wait` and `download` do one step each, for
jobs that come back later. `import` uploads a workbook and prints the
outcome; `copy` exports and imports the workbook elsewhere. Results go to
stdout, progress and errors to stderr."""

TYPE_HELP = (
    "what to export, e.g. TABLE_MODEL, ER, DIM, codeTable, dataStandard, "
    "Directory_CodeTable, Directory_Standard, import_bizcatalog, import_bizmetric"
)
