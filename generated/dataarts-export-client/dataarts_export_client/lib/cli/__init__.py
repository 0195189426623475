"""``dataarts-export``: DataArts Studio Excel exports from the command line.

Data engineers automate exports from cron jobs, CI pipelines and shell
scripts, where a Python snippet per job is friction and where what matters is
a file on disk, a uuid to come back to and an exit code that says what went
wrong. This package is that thin layer over the library's public helpers,
split by job:

* :mod:`.parser`: the commands and options; :mod:`.help_text`, the texts of ``--help``;
* :mod:`.commands`: what each command does, and :func:`main`, which runs one;
* :mod:`.outcomes`: the documented exit codes (``EXIT_*``) and the line that says why;
* :mod:`.output`: progress lines, JSON results, scrubbed text, debug logs.

Credentials are read from the environment only (the variable names are
those of :mod:`..environment`). Command-line arguments are visible to every
user of the machine (``ps``, ``/proc/<pid>/cmdline``) and stay in shell
history, so options that look like credentials are refused.

Run as ``dataarts-export`` (the console script) or
``python -m dataarts_export_client.lib``.
"""

from __future__ import annotations

from .commands import main
from .output import PROG
from .parser import build_parser

__all__ = ["PROG", "build_parser", "main"]
