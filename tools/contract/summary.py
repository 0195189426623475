"""The one-screen summary printed at the end of a run: verdict, phases with cases per second, checks, failures."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

from .config import PHASES
from .events import Summary
from .reports import display_path

RULE = "=" * 78
CHECKS_PER_LINE = 4
ERRORS_SHOWN = 5


def _phase_lines(summary: Summary) -> list[str]:
    lines = [
        f"{'Phase':<10} {'status':<8} {'scenarios':>9} {'cases':>7} {'positive':>9} {'negative':>9} "
        f"{'seconds':>7} {'cases/s':>7}"
    ]
    for phase in PHASES:
        counts = summary.cases.get(phase, Counter())
        lines.append(
            f"{phase:<10} {summary.phase_status.get(phase, 'not run'):<8} {summary.scenarios[phase]:>9} "
            f"{sum(counts.values()):>7} {counts['positive']:>9} {counts['negative']:>9} "
            f"{summary.phase_seconds.get(phase, 0.0):>7.1f} {summary.cases_per_second(phase):>7.1f}"
        )
    return lines


SERVER_ERROR_CHECK = "not_a_server_error"
AUTH_CHECK = "ignored_auth"


def _server_error_lines(summary: Summary) -> list[str]:
    """The heading of the failures: how many, and how many of them are answers with a 5xx status.

    A server that answers 5xx fails ``not_a_server_error``, and with it every
    check that expected some other answer (a documented status, acceptance of
    valid data, a 401 without credentials): those failures follow from the
    server error and say nothing of their own. Said first, so that a red run
    against a broken server does not read as a list of unrelated defects.
    """
    total, on_5xx = summary.checks_failed.total(), summary.checks_failed_on_5xx.total()
    if on_5xx == 0:
        return [f"Failures by check: {total}"]
    if on_5xx < total:
        return [f"Failures by check: {total}, of which {on_5xx} on 5xx answers (server errors)"]
    others = [name for name, _ in summary.checks_failed.most_common() if name != SERVER_ERROR_CHECK]
    if not others:
        return [f"Failures by check: {total}, all on 5xx answers (server errors)"]
    names = ", ".join(others[:-1]) + " and " + others[-1] if len(others) > 1 else others[0]
    explanation = f"The server failed on these requests; the failures of {names} follow from those answers."
    return [
        f"Failures by check: {total}, all on 5xx answers (server errors)",
        *textwrap.wrap(explanation, width=76, initial_indent="  ", subsequent_indent="  "),
    ]


def _check_line(summary: Summary, name: str, count: int) -> str:
    on_5xx = summary.checks_failed_on_5xx[name]
    if on_5xx == 0 or name == SERVER_ERROR_CHECK:
        return f"  {name}: {count}"
    if on_5xx < count:
        return f"  {name}: {count} ({on_5xx} on 5xx answers)"
    if name == AUTH_CHECK:
        return f"  {name}: {count} (all on 5xx answers: a server error, not evidence that authentication is skipped)"
    return f"  {name}: {count} (all on 5xx answers)"


def _failure_lines(summary: Summary) -> list[str]:
    if not summary.failures:
        return ["Failures by check: none"]
    lines = _server_error_lines(summary)
    for name, count in summary.checks_failed.most_common():
        lines.append(_check_line(summary, name, count))
        for group in summary.failures.values():
            if group.check == name:
                lines.append(f"    {group.code} {group.title} on {group.operation} (x{group.count})")
                lines.append(f"      e.g. {group.example}")
    return lines


def render_summary(summary: Summary, *, target: str, exit_code: int, reports: Path, workers: int) -> str:
    """The summary text; ``workers`` is the count the run used, shown beside its throughput."""
    verdict = "GREEN" if exit_code == 0 and not summary.failed else "RED"
    lines = [
        RULE,
        f"CONTRACT {verdict}: openapi.yaml vs {target}",
        f"Operations: {len(summary.operations_tested)} tested / {summary.operations_selected} selected "
        f"/ {summary.operations_total} in spec; links: {summary.transitions}; "
        f"{summary.running_time:.1f} s, {summary.stop_reason}",
    ]
    lines += [f"  - {operation}" for operation in sorted(summary.operations_tested)]
    lines += _phase_lines(summary)
    lines.append(
        f"Throughput: {summary.total_cases} cases in {summary.running_time:.1f} s = "
        f"{summary.cases_per_second():.1f} cases/s with {workers} worker{'s' if workers != 1 else ''}"
    )
    total_checks = sum(summary.checks_run.values())
    lines.append(
        f"Checks: {len(summary.checks_run)} kinds, {total_checks} results, {sum(summary.checks_failed.values())} failed"
    )
    ran = [f"{name} {count}" for name, count in sorted(summary.checks_run.items())]
    lines += ["  " + ", ".join(ran[start : start + CHECKS_PER_LINE]) for start in range(0, len(ran), CHECKS_PER_LINE)]
    lines += _failure_lines(summary)
    if summary.errors:
        lines.append(f"Errors: {len(summary.errors)}")
        lines += [f"  {error}" for error in summary.errors[:ERRORS_SHOWN]]
    lines.append(
        f"Reports: {display_path(reports / 'junit.xml')}, {display_path(reports / 'cassette.yaml')} (all), "
        f"{display_path(reports / 'failures.yaml')} (failing only), {display_path(reports / 'events.ndjson')}"
    )
    lines.append(RULE)
    return "\n".join(lines)
