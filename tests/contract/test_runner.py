"""The contract runner's own parts, without a schemathesis run: settings, command line, summary, masking, layout."""

from __future__ import annotations

import ast
import io
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok

from tools.contract import ast_lock, config
from tools.contract.ast_lock import serialise_ast_parsing
from tools.contract.command import REPLACEMENT, RunOptions, run_schemathesis, schemathesis_command
from tools.contract.config import ROOT, SPEC, available_workers, project_seed, project_settings, resolve_workers
from tools.contract.events import parse_events
from tools.contract.reports import exclusive
from tools.contract.runner import build_parser, run_options
from tools.contract.summary import render_summary


def test_seed_is_written_in_schemathesis_toml_only() -> None:
    """The runner, its emulator and the suite read the seed from the toml; no copy of it elsewhere."""
    seed = str(project_seed())
    holders = [
        path.relative_to(ROOT).as_posix()
        for folder in ("tools", "tests", "Makefile", "README.md", "docs", "emulator/src")
        for path in ([ROOT / folder] if (ROOT / folder).is_file() else (ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in ("", ".py", ".md", ".toml", ".yaml") and seed in path.read_text("utf-8")
    ]
    assert holders == [], f"the seed {seed} is restated in {holders}"


def test_tools_and_contract_tests_import_each_other_without_path_edits() -> None:
    offenders = [
        path.relative_to(ROOT).as_posix()
        for folder in ("tools/contract", "tests/contract")
        for path in (ROOT / folder).glob("*.py")
        if re.search(r"sys\.path\.(insert|append)", path.read_text("utf-8"))
    ]
    assert offenders == []


def test_schemathesis_toml_names_the_hooks_module_by_its_import_name() -> None:
    hooks = project_settings()["hooks"]
    assert hooks == "tools.contract.hooks"
    __import__(hooks)  # importable as named, and inert outside the schemathesis CLI


def test_operations_run_in_dependency_layers() -> None:
    """What makes any worker count safe here (see the README): the producer's layer finishes before its consumer's."""
    settings = project_settings()
    assert all("operation-ordering" not in phase for phase in settings.get("phases", {}).values())
    settings.pop("hooks")
    schema = schemathesis.openapi.from_path(SPEC, config=SchemathesisConfig.from_dict(settings))
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    layers = [[operation.label for operation in layer] for layer in schema.get_operation_layers(operations)]
    assert layers == [
        [
            "POST /v2/{project_id}/design/catalogs/action",
            "POST /v2/{project_id}/design/export-model",
            "POST /v2/{project_id}/design/models/action",
        ],
        ["GET /v2/{project_id}/design/catelogs/process-import", "GET /v2/{project_id}/design/export-result"],
    ]


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1), ("3", 3), (64, 64), ("auto", None)], ids=["one", "text", "most", "auto"]
)
def test_worker_counts(value: int | str, expected: int | None) -> None:
    assert resolve_workers(value) == (expected if expected is not None else available_workers())


@pytest.mark.parametrize("value", [0, 65, "0", "two", "-1", True, 1.5])
def test_bad_worker_counts_are_refused_naming_the_range(value: Any) -> None:
    with pytest.raises(ValueError, match="1 to 64"):
        resolve_workers(value)


def test_worker_count_defaults_to_the_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    toml = tmp_path / "schemathesis.toml"
    toml.write_text("workers = 5\n", encoding="utf-8")
    monkeypatch.setattr(config, "PROJECT_CONFIG", toml)
    assert resolve_workers(None) == 5
    toml.write_text('workers = "auto"\n', encoding="utf-8")
    assert resolve_workers(None) == available_workers() >= 1


def test_command_always_names_the_worker_count(tmp_path: Path) -> None:
    command = schemathesis_command(RunOptions(workers=3, max_examples=7), "http://127.0.0.1:1", tmp_path)
    assert command[command.index("--workers") + 1] == "3"
    assert command[command.index("--max-examples") + 1] == "7"
    assert "--seed" not in command, "the toml's seed applies unless one is given"


@pytest.mark.parametrize(
    ("argv", "live", "excluded"),
    [
        ([], True, ["ImportModels", "ImportCatalogs"]),
        (["--include-imports"], True, []),
        ([], False, []),
    ],
    ids=["live", "live-include-imports", "loopback"],
)
def test_a_live_server_is_not_sent_imports_unless_asked(argv: list[str], live: bool, excluded: list[str]) -> None:
    """Positive import cases change the workspace they import into: not a live one by default."""
    options = run_options(build_parser().parse_args(argv), 1, live=live)
    command = schemathesis_command(options, "https://dayu.example", Path("reports"))
    assert [command[i + 1] for i, word in enumerate(command) if word == "--exclude-operation-id"] == excluded


def test_make_contract_passes_workers_through() -> None:
    plan = subprocess.run(
        ["make", "-n", "contract", "WORKERS=3"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "-m tools.contract" in plan
    assert "--workers 3" in plan
    default = subprocess.run(["make", "-n", "contract"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "--workers" not in default, "without WORKERS the toml's count applies"


def test_streamed_output_has_every_secret_masked() -> None:
    secret = "s3cr3t-value-never-shown"
    out = io.StringIO()
    script = f"print('Authorization: {secret}'); print('done')"
    code = run_schemathesis([sys.executable, "-c", script], {"PATH": "/usr/bin:/bin"}, [secret], out)
    assert code == 0
    assert secret not in out.getvalue()
    assert f"Authorization: {REPLACEMENT}" in out.getvalue()


def test_one_run_at_a_time_per_report_folder(tmp_path: Path) -> None:
    """A second run on the same folder would clear and read the first one's files: it waits, or is refused."""
    with exclusive(tmp_path), pytest.raises(BlockingIOError), exclusive(tmp_path, wait=False):
        pass
    with exclusive(tmp_path, wait=False):
        pass  # released once the first run is done
    with exclusive(tmp_path / "a"), exclusive(tmp_path / "b", wait=False):
        pass  # other folders are independent


def _event(kind: str, **fields: Any) -> str:
    return json.dumps({kind: fields})


def _scenario(phase: str, modes: list[str]) -> str:
    cases = {
        f"c{index}": {"value": {"id": f"c{index}", "method": "GET", "path": "/x", "meta": {"generation": {"mode": m}}}}
        for index, m in enumerate(modes)
    }
    checks = {case_id: [{"name": "not_a_server_error", "status": "success"}] for case_id in cases}
    return _event("ScenarioFinished", phase=phase, recorder={"label": "GET /x", "cases": cases, "checks": checks})


def test_summary_reports_cases_per_second_per_phase_and_overall(tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    lines = [
        _event(
            "LoadingFinished", statistic={"operations": {"total": 1, "selected": 1}, "transitions": {"selected": 0}}
        ),
        _event("PhaseStarted", timestamp=100.0, phase={"name": "fuzzing"}),
        _scenario("fuzzing", ["positive"] * 6 + ["negative"] * 4),
        _event("PhaseFinished", timestamp=104.0, phase={"name": "fuzzing"}, status="success"),
        _event("PhaseStarted", timestamp=104.0, phase={"name": "stateful"}),
        _scenario("stateful", ["positive"] * 3),
        _event("PhaseFinished", timestamp=106.0, phase={"name": "stateful"}, status="success"),
        _event("EngineFinished", running_time=6.5, stop_reason="completed"),
    ]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = parse_events(log)
    assert summary.phase_seconds == {"fuzzing": 4.0, "stateful": 2.0}
    text = render_summary(summary, target="a server", exit_code=0, reports=tmp_path, workers=3)
    assert "CONTRACT GREEN" in text
    fuzzing = next(line for line in text.splitlines() if line.startswith("fuzzing"))
    assert fuzzing.split()[-2:] == ["4.0", "2.5"], fuzzing  # 10 cases in 4 s
    stateful = next(line for line in text.splitlines() if line.startswith("stateful"))
    assert stateful.split()[-2:] == ["2.0", "1.5"], stateful
    assert "Throughput: 13 cases in 6.5 s = 2.0 cases/s with 3 workers" in text
    assert max(map(len, text.splitlines()[:8])) <= 78, "one screen wide"


def test_one_ast_parse_runs_at_a_time_once_the_hooks_are_installed() -> None:
    """Two workers' Hypothesis parse lambda sources at once; CPython 3.11 cannot (see tools/contract/ast_lock.py)."""
    serialise_ast_parsing()
    wrapped = ast.parse
    serialise_ast_parsing()
    assert ast.parse is wrapped, "installed once"
    with ast_lock._LOCK:
        waiting = threading.Thread(target=ast.parse, args=("x = 1",))
        waiting.start()
        waiting.join(0.2)
        assert waiting.is_alive(), "a second parse waits for the first"
    waiting.join(5)
    assert not waiting.is_alive()
    assert ast.dump(ast.parse("x = 1")) == ast.dump(
        ast.Module([ast.Assign([ast.Name("x", ast.Store())], ast.Constant(1))], [])
    )
