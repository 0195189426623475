"""The project's programs as a reader meets them: the options each one's ``--help`` lists.

The docs name flags in commands and in prose; these are what the programs
really take, read from their help as a reader would read it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache

from tests.docs.markdown import ROOT

BIN = ROOT / ".venv" / "bin"
# How each program is asked for its help (for dataarts-export, each command's help too).
CLI_COMMANDS: tuple[list[str], ...] = (
    [],
    ["export"],
    ["start"],
    ["status"],
    ["wait"],
    ["download"],
    ["import"],
    ["import-result"],
    ["copy"],
)
HELP_COMMANDS: dict[str, list[list[str]]] = {
    "dataarts-export": [[str(BIN / "dataarts-export"), *command, "--help"] for command in CLI_COMMANDS],
    "dataarts-emulator": [[str(BIN / "dataarts-emulator"), "--help"]],
    "tools.contract": [[sys.executable, "-m", "tools.contract", "--help"]],
    "tools.bench": [[sys.executable, "-m", "tools.bench", "--help"]],
    "tools.mutation": [[sys.executable, "-m", "tools.mutation", "--help"]],
    "tools.soak": [[sys.executable, "-m", "tools.soak", "--help"]],
    "schemathesis run": [[str(BIN / "schemathesis"), "run", "--help"]],
}
# The make variables that pass flags on, and the program that takes them.
ARGS_VARIABLES = {
    "EMULATOR_ARGS": "dataarts-emulator",
    "CONTRACT_ARGS": "tools.contract",
    "MUTATION_ARGS": "tools.mutation",
    "BENCH_ARGS": "tools.bench",
    "SOAK_ARGS": "tools.soak",
}
OPTION_RE = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


@cache
def options(program: str) -> frozenset[str]:
    """Every option string (``--seed``, ``-n``) that ``program``'s help lists."""
    found: set[str] = set()
    for command in HELP_COMMANDS[program]:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
        found.update(OPTION_RE.findall(result.stdout))
    return frozenset(found)


def unknown_flags(program: str, words: list[str]) -> list[str]:
    """The flags among ``words`` that ``program`` does not take (a value after ``=`` is not looked at)."""
    flags = [word.split("=", 1)[0] for word in words if word.startswith("-") and word not in {"-", "--"}]
    return [flag for flag in flags if flag not in options(program)]
