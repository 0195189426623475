"""The summary of a red run says what the failures are: server errors first, and what follows from them.

The event records are shaped as schemathesis 4 writes them (taken from a run
against the emulator with ``--fault-rate 0.6``): a failed check names its
case, and the case's interaction holds the answer's status.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tools.contract.events import parse_events
from tools.contract.summary import render_summary

OPERATION = "GET /v2/{project_id}/design/export-result"
PATH = "/v2/0833a5737480d53b2f25c010dc1a7b88/design/export-result"
FAILURES = {
    "not_a_server_error": ("ServerError", "ST101", "Server error", ""),
    "status_code_conformance": ("UndefinedStatusCode", "ST103", "Undocumented status code", "Received: {status}"),
    "positive_data_acceptance": (
        "AcceptedNegativeData",
        "ST202",
        "Schema-valid request rejected",
        "Valid data should have been accepted",
    ),
    "ignored_auth": (
        "IgnoredAuth",
        "ST401",
        "Unexpected response to a request without authentication",
        f"Expected 401 or 403, got `{{status}} Bad Gateway` for `{OPERATION}`",
    ),
}


def _scenario(answers: list[tuple[int, list[str]]]) -> str:
    """One scenario: a case per answer (its status, the checks that failed on it; the others passed)."""
    cases: dict[str, Any] = {}
    checks: dict[str, list[dict[str, Any]]] = {}
    interactions: dict[str, Any] = {}
    for index, (status, failed) in enumerate(answers):
        case_id = f"case{index}"
        cases[case_id] = {"value": {"id": case_id, "method": "GET", "path": PATH, "meta": {}}}
        interactions[case_id] = {
            "request": {"method": "GET", "uri": f"http://127.0.0.1:1{PATH}?uuid=x", "headers": {}},
            "response": {"status_code": status, "headers": {}},
        }
        checks[case_id] = []
        for name, (kind, code, title, message) in FAILURES.items():
            if name not in failed:
                checks[case_id].append({"name": name, "status": "success"})
                continue
            failure = {
                "type": kind,
                "code": code,
                "operation": OPERATION,
                "title": title,
                "message": message.replace("{status}", str(status)),
                "case_id": case_id,
            }
            checks[case_id].append({"name": name, "status": "failure", "failure_info": {"failure": failure}})
    recorder = {"label": OPERATION, "cases": cases, "checks": checks, "interactions": interactions}
    return json.dumps({"ScenarioFinished": {"phase": "fuzzing", "recorder": recorder}})


def _summary(tmp_path: Path, answers: list[tuple[int, list[str]]]) -> str:
    log = tmp_path / "events.ndjson"
    finished = json.dumps({"EngineFinished": {"running_time": 1.0, "stop_reason": "completed"}})
    log.write_text(_scenario(answers) + "\n" + finished + "\n", encoding="utf-8")
    return render_summary(parse_events(log), target="a server", exit_code=1, reports=tmp_path, workers=1)


ALL = list(FAILURES)


def test_failures_that_are_all_server_errors_are_said_to_be(tmp_path: Path) -> None:
    text = _summary(tmp_path, [(502, ALL), (503, ALL[:3]), (500, ALL[:2])])
    lines = text.splitlines()
    assert "Failures by check: 9, all on 5xx answers (server errors)" in lines
    start = lines.index("Failures by check: 9, all on 5xx answers (server errors)")
    explained = " ".join(line.strip() for line in lines[start + 1 : start + 4])
    assert (
        "The server failed on these requests; the failures of status_code_conformance, "
        "positive_data_acceptance and ignored_auth follow from those answers" in explained
    )
    ignored = next(line for line in lines if line.startswith("  ignored_auth:"))
    assert (
        ignored == "  ignored_auth: 1 (all on 5xx answers: a server error, not evidence that authentication is skipped)"
    )


def test_some_server_errors_among_other_failures_are_counted(tmp_path: Path) -> None:
    text = _summary(tmp_path, [(502, ALL), (200, ["ignored_auth"]), (400, ["positive_data_acceptance"])])
    lines = text.splitlines()
    assert "Failures by check: 6, of which 4 on 5xx answers (server errors)" in lines
    ignored = next(line for line in lines if line.startswith("  ignored_auth:"))
    assert ignored == "  ignored_auth: 2 (1 on 5xx answers)"


def test_without_server_errors_nothing_is_said_of_them(tmp_path: Path) -> None:
    text = _summary(tmp_path, [(200, ["ignored_auth"])])
    assert "Failures by check: 1" in text.splitlines()
    assert "5xx" not in text


def test_no_example_line_ends_with_an_empty_message(tmp_path: Path) -> None:
    text = _summary(tmp_path, [(502, ALL)])
    examples = [line for line in text.splitlines() if line.strip().startswith("e.g.")]
    assert len(examples) == 4
    assert all(not line.rstrip().endswith(";") for line in examples), examples
    assert f"      e.g. case case0: GET {PATH} -> 502" in examples
