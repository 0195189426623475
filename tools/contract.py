"""Contract tests: schemathesis against the embedded emulator (default) or any server (``--base-url``).

    .venv/bin/python tools/contract.py                      # embedded emulator, fresh credentials
    .venv/bin/python tools/contract.py --base-url URL       # credentials from the environment

Without ``--base-url`` the emulator is started as a subprocess on a free
127.0.0.1 port with credentials made up for this run, and stopped at the end.
With ``--base-url`` the credentials come from ``HUAWEICLOUD_SDK_AK``/``_SK``/
``_PROJECT_ID``/``_SECURITY_TOKEN`` or ``DATAARTS_TOKEN``, plus
``DATAARTS_PROJECT_ID`` and ``DATAARTS_WORKSPACE``; a non-loopback server
gets live-service bounds (fewer examples, a rate limit, a time budget).

Project defaults (phases, checks, seed) live in ``schemathesis.toml``; the
schemathesis output is streamed with every secret value masked, then a
one-screen summary is printed from the NDJSON event log. Reports land in
``reports/``: ``junit.xml``, ``cassette.yaml`` (every interaction, VCR),
``failures.yaml`` (failing interactions only), ``events.ndjson`` and
``summary.txt``. The exit code is schemathesis's: 0 when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_WORKSPACE
from dataarts_emulator.testing import serve_process

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_auth import CREDENTIAL_VARS, Credentials, CredentialsError, credentials_from_env

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
PHASES = ("examples", "coverage", "fuzzing", "stateful")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Live-service bounds: every positive ExportDesignModels call starts a real export.
LIVE_MAX_EXAMPLES = 10
LIVE_MAX_TIME = 600
LIVE_RATE_LIMIT = "2/s"
REPLACEMENT = "[Filtered]"


# --------------------------------------------------------------------------- emulator


def fresh_credentials(method: str) -> Credentials:
    """Credentials made up for one run: nothing to leak, nothing reused."""
    if method == "token":
        return Credentials(DEMO_PROJECT_ID, DEMO_WORKSPACE, token="contract-" + secrets.token_urlsafe(24))
    return Credentials(
        DEMO_PROJECT_ID,
        DEMO_WORKSPACE,
        ak="CONTRACT" + secrets.token_hex(6).upper(),
        sk=secrets.token_urlsafe(30),
    )


@contextmanager
def embedded_emulator(credentials: Credentials, *, seed: int, log: Path) -> Iterator[str]:
    """Run ``python -m dataarts_emulator`` for ``credentials`` on a free port; yield its base URL."""
    args = [
        "--project-id",
        credentials.project_id,
        "--workspace",
        credentials.workspace,
        "--seed",
        str(seed),
        # Short exports and some failures, so polls see every state (importing, fail, success + workbook).
        "--export-seconds",
        "1",
        "--fail-ratio",
        "0.25",
        "--log-level",
        "warning",
    ]
    env = dict(os.environ)
    # Credentials go through the environment, not argv (which `ps` shows).
    for name in ("TOKEN", "AK", "SK"):
        env.pop(f"DATAARTS_EMULATOR_{name}", None)
    if credentials.token:
        env["DATAARTS_EMULATOR_TOKEN"] = credentials.token
    if credentials.ak and credentials.sk:
        env["DATAARTS_EMULATOR_AK"], env["DATAARTS_EMULATOR_SK"] = credentials.ak, credentials.sk
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as log_file, serve_process(args, env=env, cwd=ROOT, stderr=log_file) as (base_url, _process):
        yield base_url


# --------------------------------------------------------------------------- running schemathesis


def redact(text: str, secret_values: Iterable[str]) -> str:
    """``text`` with every secret value replaced."""
    for value in secret_values:
        if value:
            text = text.replace(value, REPLACEMENT)
    return text


def schemathesis_command(args: argparse.Namespace, base_url: str, reports: Path, *, live: bool) -> list[str]:
    """The ``schemathesis run`` command line; project defaults come from ``schemathesis.toml``."""
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        str(SPEC.relative_to(ROOT)),
        "--url",
        base_url,
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
    max_examples = args.max_examples if args.max_examples is not None else (LIVE_MAX_EXAMPLES if live else None)
    max_time = args.max_time if args.max_time is not None else (LIVE_MAX_TIME if live else None)
    rate_limit = args.rate_limit if args.rate_limit is not None else (LIVE_RATE_LIMIT if live else None)
    if max_examples is not None:
        command += ["--max-examples", str(max_examples)]
    if max_time is not None:
        command += ["--max-time", str(max_time)]
    if rate_limit:
        command += ["--rate-limit", rate_limit]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    if args.phases:
        command += ["--phases", args.phases]
    return command + list(args.extra)


def run_schemathesis(command: Sequence[str], env: Mapping[str, str], secret_values: Sequence[str], out: IO[str]) -> int:
    """Run schemathesis from the repository root, streaming its output with secrets masked."""
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
        out.write(redact(line, secret_values))
        out.flush()
    return process.wait()


# --------------------------------------------------------------------------- summary


@dataclass
class FailureGroup:
    """Failures of one check with one title on one operation, with the first example."""

    check: str
    code: str
    title: str
    operation: str
    count: int = 0
    example: str = ""


@dataclass
class Summary:
    """What the NDJSON event log says about a run."""

    operations_total: int = 0
    operations_selected: int = 0
    operations_tested: set[str] = field(default_factory=set)
    transitions: int = 0
    phase_status: dict[str, str] = field(default_factory=dict)
    cases: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    scenarios: Counter[str] = field(default_factory=Counter)
    checks_run: Counter[str] = field(default_factory=Counter)
    checks_failed: Counter[str] = field(default_factory=Counter)
    failures: dict[tuple[str, str, str], FailureGroup] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    running_time: float = 0.0
    stop_reason: str = "unknown"
    complete: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.failures or self.errors) or not self.complete


def _case_mode(case: Mapping[str, Any]) -> str:
    meta = case.get("meta") or {}
    return str((meta.get("generation") or {}).get("mode") or "unknown")


def _add_scenario(summary: Summary, event: Mapping[str, Any]) -> None:
    phase = str(event.get("phase"))
    recorder = event.get("recorder") or {}
    cases: Mapping[str, Any] = recorder.get("cases") or {}
    if not cases:
        return
    summary.scenarios[phase] += 1
    label = str(recorder.get("label") or "")
    if phase != "stateful" and label:
        summary.operations_tested.add(label)
    interactions: Mapping[str, Any] = recorder.get("interactions") or {}
    for case_id, node in cases.items():
        case = node.get("value") or {}
        summary.cases[phase][_case_mode(case)] += 1
        for check in (recorder.get("checks") or {}).get(case_id, []):
            name = str(check.get("name"))
            summary.checks_run[name] += 1
            if check.get("status") != "failure":
                continue
            summary.checks_failed[name] += 1
            failure = (check.get("failure_info") or {}).get("failure") or {}
            operation = str(failure.get("operation") or f"{case.get('method')} {case.get('path')}")
            key = (name, operation, str(failure.get("title")))
            group = summary.failures.get(key)
            if group is None:
                group = summary.failures[key] = FailureGroup(
                    name, str(failure.get("code", "")), str(failure.get("title", "")), operation
                )
                group.example = _example(case, interactions.get(case_id), failure)
            group.count += 1


def _example(case: Mapping[str, Any], interaction: Mapping[str, Any] | None, failure: Mapping[str, Any]) -> str:
    request = (interaction or {}).get("request") or {}
    response = (interaction or {}).get("response") or {}
    line = (
        f"{request.get('method', case.get('method'))} {urlsplit(str(request.get('uri', ''))).path or case.get('path')}"
    )
    status = response.get("status_code")
    message = str(failure.get("message") or "").strip().splitlines()
    detail = message[0] if message else ""
    return f"case {case.get('id')}: {line} -> {status}; {detail}"[:160]


def parse_events(path: Path) -> Summary:
    """Read the NDJSON log schemathesis wrote (one JSON event per line)."""
    summary = Summary()
    if not path.exists():
        summary.errors.append(f"no event log at {path}")
        return summary
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if not line.strip():
                continue
            record: dict[str, Any] = json.loads(line)
            (kind, event), *_ = record.items()
            if kind == "LoadingFinished":
                statistic = event.get("statistic") or {}
                operations = statistic.get("operations") or {}
                summary.operations_total = int(operations.get("total", 0))
                summary.operations_selected = int(operations.get("selected", 0))
                summary.transitions = int((statistic.get("transitions") or {}).get("selected", 0))
            elif kind == "PhaseFinished":
                name = str((event.get("phase") or {}).get("name"))
                if name in PHASES:
                    summary.phase_status[name] = str(event.get("status"))
            elif kind == "ScenarioFinished":
                _add_scenario(summary, event)
            elif kind in ("NonFatalError", "FatalError"):
                value = event.get("value") or event.get("exception") or {}
                label = event.get("label") or ""
                summary.errors.append(f"{label} {value.get('type', kind)}: {value.get('message', '')}".strip()[:200])
            elif kind == "EngineFinished":
                summary.complete = True
                summary.running_time = float(event.get("running_time") or 0.0)
                summary.stop_reason = str(event.get("stop_reason"))
    return summary


def render_summary(summary: Summary, *, target: str, exit_code: int, reports: Path) -> str:
    """The one-screen summary printed at the end of a run."""
    verdict = "GREEN" if exit_code == 0 and not summary.failed else "RED"
    lines = [
        "=" * 78,
        f"CONTRACT {verdict}: openapi.yaml vs {target}",
        f"Operations: {len(summary.operations_tested)} tested / {summary.operations_selected} selected "
        f"/ {summary.operations_total} in spec; links: {summary.transitions}; "
        f"{summary.running_time:.1f} s, {summary.stop_reason}",
    ]
    for operation in sorted(summary.operations_tested):
        lines.append(f"  - {operation}")
    lines.append(f"{'Phase':<10} {'status':<8} {'scenarios':>9} {'cases':>7} {'positive':>9} {'negative':>9}")
    for phase in PHASES:
        counts = summary.cases.get(phase, Counter())
        lines.append(
            f"{phase:<10} {summary.phase_status.get(phase, 'not run'):<8} {summary.scenarios[phase]:>9} "
            f"{sum(counts.values()):>7} {counts['positive']:>9} {counts['negative']:>9}"
        )
    total_checks = sum(summary.checks_run.values())
    lines.append(
        f"Checks: {len(summary.checks_run)} kinds, {total_checks} results, {sum(summary.checks_failed.values())} failed"
    )
    ran = [f"{name} {count}" for name, count in sorted(summary.checks_run.items())]
    for start in range(0, len(ran), 4):
        lines.append("  " + ", ".join(ran[start : start + 4]))
    if summary.failures:
        lines.append("Failures by check:")
        for name, count in summary.checks_failed.most_common():
            lines.append(f"  {name}: {count}")
            for group in summary.failures.values():
                if group.check == name:
                    lines.append(f"    {group.code} {group.title} on {group.operation} (x{group.count})")
                    lines.append(f"      e.g. {group.example}")
    else:
        lines.append("Failures by check: none")
    if summary.errors:
        lines.append(f"Errors: {len(summary.errors)}")
        lines += [f"  {error}" for error in summary.errors[:5]]
    lines.append(
        f"Reports: {_rel(reports / 'junit.xml')}, {_rel(reports / 'cassette.yaml')} (all), "
        f"{_rel(reports / 'failures.yaml')} (failing only), {_rel(reports / 'events.ndjson')}"
    )
    lines.append("=" * 78)
    return "\n".join(lines)


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- reports


def write_failures_cassette(cassette: Path, target: Path) -> int:
    """Copy the failing and erroring interactions of a VCR cassette into ``target``; return how many."""
    if not cassette.exists():
        return 0
    text = cassette.read_text(encoding="utf-8")
    head, marker, rest = text.partition("\nhttp_interactions:\n")
    kept = []
    if marker:
        for chunk in rest.split("\n- id: ")[0:]:
            body = chunk if chunk.startswith("- id: ") else "- id: " + chunk
            status_line = next((line for line in body.splitlines()[1:3] if line.startswith("  status: ")), "")
            if "FAILURE" in status_line or "ERROR" in status_line:
                kept.append(body.rstrip("\n"))
    content = head + "\nhttp_interactions:" + ("\n" + "\n".join(kept) if kept else " []") + "\n"
    target.write_text(content, encoding="utf-8")
    return len(kept)


def find_leaks(paths: Iterable[Path], secret_values: Sequence[str]) -> list[str]:
    """Names of report files containing any secret value (the values themselves are never printed)."""
    leaks = []
    for path in paths:
        if path.is_file():
            data = path.read_bytes()
            if any(value and value.encode("utf-8") in data for value in secret_values):
                leaks.append(_rel(path))
    return leaks


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tools/contract.py",
        description="Run schemathesis contract tests against the embedded emulator or --base-url.",
        epilog="Arguments after `--` go to `schemathesis run` as they are.",
    )
    parser.add_argument("--base-url", help="server to test (default: start the embedded emulator)")
    parser.add_argument("--auth", choices=("aksk", "token"), default="aksk", help="embedded emulator: how to log in")
    parser.add_argument("--max-examples", type=int, help="examples per operation and phase")
    parser.add_argument("--max-time", type=int, help="time budget for the whole run, in seconds")
    parser.add_argument("--rate-limit", help=f"e.g. 2/s (default for non-loopback servers: {LIVE_RATE_LIMIT})")
    parser.add_argument("--seed", type=int, help="override the seed of schemathesis.toml")
    parser.add_argument("--workers", type=int, help="concurrent workers")
    parser.add_argument("--phases", help="comma-separated subset of: " + ",".join(PHASES))
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports", help="where reports go (default reports/)")
    parser.add_argument("extra", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _child_env(credentials: Credentials) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARS}
    env.update(credentials.as_env())
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None) -> int:
    out = out or sys.stdout
    args = parse_args(argv)
    reports: Path = args.report_dir.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    for name in ("junit.xml", "cassette.yaml", "failures.yaml", "events.ndjson", "summary.txt"):
        (reports / name).unlink(missing_ok=True)

    if args.base_url:
        try:
            credentials = credentials_from_env()
        except CredentialsError as error:
            out.write(f"contract: {error}\n")
            return 2
        if credentials is None:
            out.write(
                "contract: --base-url needs credentials in the environment: HUAWEICLOUD_SDK_AK and "
                "HUAWEICLOUD_SDK_SK (optionally HUAWEICLOUD_SDK_SECURITY_TOKEN), or DATAARTS_TOKEN; plus "
                "DATAARTS_PROJECT_ID (or HUAWEICLOUD_SDK_PROJECT_ID) and DATAARTS_WORKSPACE\n"
            )
            return 2
        live = (urlsplit(args.base_url).hostname or "") not in LOOPBACK_HOSTS
        return _run(args, args.base_url, credentials, reports, live=live, target=args.base_url, out=out)

    credentials = fresh_credentials(args.auth)
    seed = args.seed if args.seed is not None else 20260129
    with embedded_emulator(credentials, seed=seed, log=reports / "emulator.log") as base_url:
        return _run(
            args, base_url, credentials, reports, live=False, target=f"embedded emulator at {base_url}", out=out
        )


def _run(
    args: argparse.Namespace,
    base_url: str,
    credentials: Credentials,
    reports: Path,
    *,
    live: bool,
    target: str,
    out: IO[str],
) -> int:
    secret_values = credentials.secrets()
    command = schemathesis_command(args, base_url.rstrip("/"), reports, live=live)
    out.write(f"contract: {target} as {credentials.method} tenant {credentials.project_id}\n")
    out.flush()
    exit_code = run_schemathesis(command, _child_env(credentials), secret_values, out)
    failing = write_failures_cassette(reports / "cassette.yaml", reports / "failures.yaml")
    summary = parse_events(reports / "events.ndjson")
    text = render_summary(summary, target=target, exit_code=exit_code, reports=reports)
    leaks = find_leaks(sorted(reports.iterdir()), secret_values)
    if leaks:
        text += f"\nSECRET LEAK: a credential value appears in {', '.join(leaks)}"
        exit_code = exit_code or 3
    elif failing:
        text += f"\n{failing} failing interaction(s) recorded in {_rel(reports / 'failures.yaml')}"
    (reports / "summary.txt").write_text(text + "\n", encoding="utf-8")
    out.write(text + "\n")
    if exit_code == 0 and summary.failed:
        exit_code = 1
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
