"""The exit-code table of ``dataarts-export --help``: every code the docs document, in reviewed words.

Scripts branch on these codes and their authors read this table; its rows
are module constants of ``lib.cli.outcomes``, which mutation testing of
module-level code found unguarded beyond a few words. The table is held
here word for word (a change to it must be deliberate), and its codes and
the first words of each meaning are held to the table of docs/reference/cli.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dataarts_export_client.lib import cli

HELP_TABLE = """\
exit codes:
  0      success
  1      the export failed (its logs and counts are printed on stderr), or the import
         did or some of its rows did (their messages on stderr, the outcome on stdout)
  2      usage or configuration error (bad arguments, no endpoint, no credentials)
  3      API error (HTTP status, error code, message and request id on stderr)
  4      timeout: the export may still finish; `wait` for it or `download` it
         later with the uuid printed on stderr (an import: `import-result`)
  5      download or network error: the transfer or the connection kept
         failing, an unreadable answer, or a destination that cannot be written
  70     unexpected internal error (--verbose shows the traceback)
  128+N  interrupted by signal N: 130 Ctrl-C (SIGINT), 143 SIGTERM, 129 SIGHUP;
         no temporary file is left
"""


def exit_code_table(capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    return "exit codes:" + out.split("exit codes:", 1)[1]


def test_help_shows_the_reviewed_exit_code_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code_table(capsys).rstrip() == HELP_TABLE.rstrip()


def test_help_and_docs_agree_on_each_code_and_what_it_means(
    capsys: pytest.CaptureFixture[str], repo_root: Path
) -> None:
    readme = (repo_root / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    documented = dict(
        re.findall(r"^\| (\d+) \| ([^|(:`]+?)[ (:`][^|]*\|", readme.split("The exit code tells", 1)[1], re.M)
    )
    shown = dict(re.findall(r"^  (\d+) +(.+)$", exit_code_table(capsys), re.M))
    assert shown.keys() == documented.keys()
    for code, meaning in documented.items():
        assert shown[code].startswith(meaning.strip()), (code, shown[code], meaning)
