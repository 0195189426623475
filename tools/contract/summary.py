"""The one-screen summary printed at the end of a run: verdict, phases with cases per second, checks, failures."""

from __future__ import annotations

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


def _failure_lines(summary: Summary) -> list[str]:
    if not summary.failures:
        return ["Failures by check: none"]
    lines = ["Failures by check:"]
    for name, count in summary.checks_failed.most_common():
        lines.append(f"  {name}: {count}")
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
