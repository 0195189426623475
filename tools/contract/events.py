"""What schemathesis's NDJSON event log says about a run: cases per phase and mode, checks, failures, timing.

The log (``--report ndjson``) is schemathesis's own record of the run, one
JSON event per line; reading it rather than the console output keeps the
summary independent of how schemathesis formats its screen.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dataarts_export_client.lib.redaction import clip

from .config import PHASES

EXAMPLE_LIMIT = 160
ERROR_LIMIT = 200


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
    phase_seconds: dict[str, float] = field(default_factory=dict)
    cases: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    scenarios: Counter[str] = field(default_factory=Counter)
    checks_run: Counter[str] = field(default_factory=Counter)
    checks_failed: Counter[str] = field(default_factory=Counter)
    checks_failed_on_5xx: Counter[str] = field(default_factory=Counter)
    """Failures of each check on an answer with a 5xx status: the server failed, whatever the check looks at."""
    failures: dict[tuple[str, str, str], FailureGroup] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    running_time: float = 0.0
    stop_reason: str = "unknown"
    complete: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.failures or self.errors) or not self.complete

    @property
    def total_cases(self) -> int:
        return sum(sum(counts.values()) for counts in self.cases.values())

    def cases_per_second(self, phase: str | None = None) -> float:
        """Cases sent per second of the phase (of the whole run when ``phase`` is ``None``); 0 when unknown."""
        if phase is None:
            cases, seconds = self.total_cases, self.running_time
        else:
            cases, seconds = sum(self.cases.get(phase, Counter()).values()), self.phase_seconds.get(phase, 0.0)
        return cases / seconds if seconds > 0 else 0.0


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
            if _status_code(interactions.get(case_id)) >= 500:
                summary.checks_failed_on_5xx[name] += 1
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


def _status_code(interaction: Mapping[str, Any] | None) -> int:
    """The answer's status of a case's interaction (0 when none was recorded)."""
    status = ((interaction or {}).get("response") or {}).get("status_code")
    return status if isinstance(status, int) else 0


def _example(case: Mapping[str, Any], interaction: Mapping[str, Any] | None, failure: Mapping[str, Any]) -> str:
    """``case <id>: <method> <path> -> <status>``, then ``; <first line of the message>`` when there is one."""
    request = (interaction or {}).get("request") or {}
    response = (interaction or {}).get("response") or {}
    path = urlsplit(str(request.get("uri", ""))).path or case.get("path")
    message = str(failure.get("message") or "").strip().splitlines()
    detail = f"; {message[0]}" if message else ""
    text = f"case {case.get('id')}: {request.get('method', case.get('method'))} {path} -> "
    return clip(text + f"{response.get('status_code')}{detail}", EXAMPLE_LIMIT)


def _add_event(summary: Summary, kind: str, event: Mapping[str, Any], started: dict[str, float]) -> None:
    if kind == "LoadingFinished":
        statistic = event.get("statistic") or {}
        operations = statistic.get("operations") or {}
        summary.operations_total = int(operations.get("total", 0))
        summary.operations_selected = int(operations.get("selected", 0))
        summary.transitions = int((statistic.get("transitions") or {}).get("selected", 0))
    elif kind in ("PhaseStarted", "PhaseFinished"):
        name = str((event.get("phase") or {}).get("name"))
        timestamp = float(event.get("timestamp") or 0.0)
        if kind == "PhaseStarted":
            started[name] = timestamp
        elif name in PHASES:
            summary.phase_status[name] = str(event.get("status"))
            if name in started:
                summary.phase_seconds[name] = max(0.0, timestamp - started[name])
    elif kind == "ScenarioFinished":
        _add_scenario(summary, event)
    elif kind in ("NonFatalError", "FatalError"):
        value = event.get("value") or event.get("exception") or {}
        label = event.get("label") or ""
        text = f"{label} {value.get('type', kind)}: {value.get('message', '')}".strip()
        summary.errors.append(clip(text, ERROR_LIMIT))
    elif kind == "EngineFinished":
        summary.complete = True
        summary.running_time = float(event.get("running_time") or 0.0)
        summary.stop_reason = str(event.get("stop_reason"))


def parse_events(path: Path) -> Summary:
    """Read the NDJSON log schemathesis wrote (one JSON event per line)."""
    summary = Summary()
    if not path.exists():
        summary.errors.append(f"no event log at {path}")
        return summary
    started: dict[str, float] = {}
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                record: dict[str, Any] = json.loads(line)
                (kind, event), *_ = record.items()
                _add_event(summary, kind, event, started)
    return summary
