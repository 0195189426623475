"""Contract tests: schemathesis against the embedded emulator (default) or any server (``--base-url``).

    .venv/bin/python -m tools.contract                      # embedded emulator, fresh credentials
    .venv/bin/python -m tools.contract --base-url URL       # credentials from the environment
    .venv/bin/python -m tools.contract --workers 1          # one worker (default: schemathesis.toml, `auto`)
    .venv/bin/python -m tools.contract --fault-rate 0.3     # an embedded emulator with faults: the run goes red

Without ``--base-url`` the emulator is started as a subprocess on a free
127.0.0.1 port with credentials made up for this run, and stopped at the end.
With ``--base-url`` the credentials come from the environment (see
:mod:`.credentials`); a non-loopback server gets live-service bounds (fewer
examples, a rate limit, a time budget) and no import uploads, which would
change its workspace, unless ``--include-imports`` (see :mod:`.uploads`).

Project defaults (phases, checks, seed, workers) live in ``schemathesis.toml``;
the schemathesis output is streamed with every secret value masked, then a
one-screen summary is printed from the NDJSON event log. Reports land in
``reports/`` (see :mod:`.reports`). The exit code is schemathesis's: 0 when
every check passed; 2 for missing credentials; 3 when a secret reached a report.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import urlsplit

from .command import RunOptions, run_schemathesis, schemathesis_command
from .config import AUTO, MAX_WORKERS, PHASES, ROOT, project_seed, resolve_workers
from .credentials import CREDENTIAL_VARS, CREDENTIALS_HELP, Credentials, CredentialsError, credentials_from_env
from .emulator import embedded_emulator, fresh_credentials
from .events import parse_events
from .reports import clear_reports, display_path, exclusive, find_leaks, write_failures_cassette
from .summary import render_summary
from .uploads import UPLOAD_OPERATIONS

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Live-service bounds: every positive ExportDesignModels call starts a real export.
LIVE_MAX_EXAMPLES = 10
LIVE_MAX_TIME = 600
LIVE_RATE_LIMIT = "2/s"
EXIT_USAGE = 2
EXIT_LEAK = 3
T = TypeVar("T")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.contract",
        description="Run schemathesis contract tests against the embedded emulator or --base-url.",
        epilog="Arguments after `--` go to `schemathesis run` as they are.",
    )
    parser.add_argument("--base-url", help="server to test (default: start the embedded emulator)")
    parser.add_argument("--auth", choices=("aksk", "token"), default="aksk", help="embedded emulator: how to log in")
    parser.add_argument(
        "--fault-rate",
        type=float,
        metavar="RATE",
        help="embedded emulator: fraction of requests answered 500/502/503, to see the run go red (default: 0)",
    )
    parser.add_argument("--max-examples", type=int, help="examples per operation and phase")
    parser.add_argument("--max-time", type=int, help="time budget for the whole run, in seconds")
    parser.add_argument("--rate-limit", help=f"e.g. 2/s (default for non-loopback servers: {LIVE_RATE_LIMIT})")
    parser.add_argument("--seed", type=int, help="override the seed of schemathesis.toml")
    parser.add_argument(
        "--workers",
        help=f"concurrent workers, 1-{MAX_WORKERS} or {AUTO!r} for the CPUs available (default: schemathesis.toml)",
    )
    parser.add_argument("--phases", help="comma-separated subset of: " + ",".join(PHASES))
    parser.add_argument(
        "--include-imports",
        action="store_true",
        help=f"a non-loopback server: also run {' and '.join(UPLOAD_OPERATIONS)}, whose positive cases import "
        "workbooks into the workspace (left out by default)",
    )
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports", help="where reports go (default reports/)")
    parser.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    return parser


def _bound(value: T | None, live_default: T, *, live: bool) -> T | None:
    return value if value is not None else (live_default if live else None)


def run_options(args: argparse.Namespace, workers: int, *, live: bool) -> RunOptions:
    """This run's choices: the arguments given, else live-service bounds for a live server, else the toml's."""

    return RunOptions(
        workers=workers,
        max_examples=_bound(args.max_examples, LIVE_MAX_EXAMPLES, live=live),
        max_time=_bound(args.max_time, LIVE_MAX_TIME, live=live),
        rate_limit=_bound(args.rate_limit, LIVE_RATE_LIMIT, live=live),
        seed=args.seed,
        phases=args.phases,
        excluded_operations=UPLOAD_OPERATIONS if live and not args.include_imports else (),
        extra=tuple(args.extra),
    )


def _child_env(credentials: Credentials) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARS}
    env.update(credentials.as_env())
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        workers = resolve_workers(args.workers)
    except ValueError as error:
        parser.error(str(error))
    reports: Path = args.report_dir.resolve()
    with exclusive(reports, out=out):
        clear_reports(reports)
        return _start(args, workers, reports, out)


def _start(args: argparse.Namespace, workers: int, reports: Path, out: IO[str]) -> int:
    """Run against ``--base-url`` with the environment's credentials, or against the embedded emulator."""
    if args.base_url:
        if args.fault_rate is not None:
            out.write("contract: --fault-rate sets the embedded emulator's faults; a --base-url server has its own\n")
            return EXIT_USAGE
        try:
            credentials = credentials_from_env()
        except CredentialsError as error:
            out.write(f"contract: {error}\n")
            return EXIT_USAGE
        if credentials is None:
            out.write(f"contract: --base-url needs credentials in the environment: {CREDENTIALS_HELP}\n")
            return EXIT_USAGE
        live = (urlsplit(args.base_url).hostname or "") not in LOOPBACK_HOSTS
        options = run_options(args, workers, live=live)
        return _run(options, args.base_url, credentials, reports, target=args.base_url, out=out)

    credentials = fresh_credentials(args.auth)
    seed = args.seed if args.seed is not None else project_seed()
    faults = () if args.fault_rate is None else ("--fault-rate", f"{args.fault_rate:g}")
    with embedded_emulator(credentials, seed=seed, log=reports / "emulator.log", flags=faults) as base_url:
        options = run_options(args, workers, live=False)
        return _run(options, base_url, credentials, reports, target=f"embedded emulator at {base_url}", out=out)


def _run(
    options: RunOptions,
    base_url: str,
    credentials: Credentials,
    reports: Path,
    *,
    target: str,
    out: IO[str],
) -> int:
    secret_values = credentials.secrets()
    command = schemathesis_command(options, base_url.rstrip("/"), reports)
    out.write(
        f"contract: {target} as {credentials.method} tenant {credentials.project_id}, {options.workers} worker(s)\n"
    )
    out.flush()
    exit_code = run_schemathesis(command, _child_env(credentials), secret_values, out)
    failing = write_failures_cassette(reports / "cassette.yaml", reports / "failures.yaml")
    summary = parse_events(reports / "events.ndjson")
    text = render_summary(summary, target=target, exit_code=exit_code, reports=reports, workers=options.workers)
    leaks = find_leaks(sorted(reports.iterdir()), secret_values)
    if leaks:
        text += f"\nSECRET LEAK: a credential value appears in {', '.join(leaks)}"
        exit_code = exit_code or EXIT_LEAK
    elif failing:
        text += f"\n{failing} failing interaction(s) recorded in {display_path(reports / 'failures.yaml')}"
    (reports / "summary.txt").write_text(text + "\n", encoding="utf-8")
    out.write(text + "\n")
    if exit_code == 0 and summary.failed:
        exit_code = 1
    return exit_code
