"""The ``schemathesis run`` command line of a contract run, and running it with every secret masked.

Project defaults (phases, checks, seed, sanitization) come from
``schemathesis.toml``, which schemathesis finds itself; the command adds only
the target, the reports and what the caller chose for this run.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dataarts_export_client.lib.redaction import redact

from .config import ROOT, SPEC

# What schemathesis's own output sanitization writes, so masked values look alike wherever they were caught.
REPLACEMENT = "[Filtered]"


@dataclass(frozen=True)
class RunOptions:
    """The choices of one run; ``None`` leaves the ``schemathesis.toml`` value in force."""

    workers: int
    max_examples: int | None = None
    max_time: int | None = None
    rate_limit: str | None = None
    seed: int | None = None
    phases: str | None = None
    excluded_operations: tuple[str, ...] = ()
    """operationIds left out of the run (``--exclude-operation-id``)."""
    extra: tuple[str, ...] = ()


def schemathesis_command(options: RunOptions, base_url: str, reports: Path) -> list[str]:
    """The ``schemathesis run`` command line, run from the repository root."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(SPEC.relative_to(ROOT)),
        "--url",
        base_url,
        "--workers",
        str(options.workers),
        "--report",
        "junit,vcr,ndjson",
        "--report-junit-path",
        str(reports / "junit.xml"),
        "--report-vcr-path",
        str(reports / "cassette.yaml"),
        "--report-ndjson-path",
        str(reports / "events.ndjson"),
        "--no-color",
    ]
    chosen = {
        "--max-examples": options.max_examples,
        "--max-time": options.max_time,
        "--rate-limit": options.rate_limit,
        "--seed": options.seed,
        "--phases": options.phases,
    }
    for flag, value in chosen.items():
        if value is not None and value != "":
            command += [flag, str(value)]
    for operation_id in options.excluded_operations:
        command += ["--exclude-operation-id", operation_id]
    return command + list(options.extra)


def run_schemathesis(command: Sequence[str], env: Mapping[str, str], secret_values: Sequence[str], out: IO[str]) -> int:
    """Run schemathesis from the repository root, streaming its output with every secret value masked."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    assert process.stdout is not None  # noqa: S101 - stdout=PIPE
    for line in process.stdout:
        out.write(redact(line, secret_values, REPLACEMENT))
        out.flush()
    return process.wait()
