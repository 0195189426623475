"""The emulator honours openapi.yaml: schemathesis's pytest integration, in-process over ASGI.

Every operation goes through the examples, coverage and fuzzing phases
(``@schema.parametrize()``), and the links (ExportDesignModels ->
ExportDesignResult, ImportModels and ImportCatalogs -> ImportResult) through a
stateful test, with every check of ``schemathesis.toml``. Positive import
cases upload a workbook the emulator exports (``tools/contract/uploads.py``).
Bounded and seeded so it fits every CI run.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tools.contract import uploads
from tools.contract.uploads import UPLOAD_OPERATIONS

from .contract_support import (
    AKSK_CREDENTIALS,
    TOKEN_CREDENTIALS,
    emulator_app,
    load_schema,
    project_config,
    run_engine,
)

MAX_EXAMPLES = 25

schema = load_schema(project_config(max_examples=MAX_EXAMPLES), AKSK_CREDENTIALS, app=emulator_app())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_operation_honours_spec(case: Any) -> None:
    """Examples, coverage and fuzzing cases of each operation pass every configured check."""
    case.call_and_validate()


ExportWorkflow = schema.as_state_machine()
TestExportWorkflow = ExportWorkflow.TestCase
TestExportWorkflow.settings = settings(
    max_examples=MAX_EXAMPLES,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("operation_id", UPLOAD_OPERATIONS)
def test_positive_uploads_carry_a_real_workbook_and_are_accepted(operation_id: str) -> None:
    """Positive examples and coverage cases of an import start are answered 200, negative ones refused."""
    config = project_config(max_examples=10, phases=("examples", "coverage"))
    run = run_engine(load_schema(config, AKSK_CREDENTIALS, app=emulator_app(), operation_id=operation_id))
    assert not run.failures, run.messages
    assert run.answered["action", 200] >= 2, run.answered
    assert run.answered["action", 400] > 0, "negative cases are refused"


def test_without_a_real_workbook_positive_uploads_are_refused_and_the_run_is_red(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check the hook serves can fail: schemathesis's own bytes are no workbook (400 EMU.0425)."""
    monkeypatch.setattr(uploads, "real_workbook", lambda action: b"PK not a workbook")
    config = project_config(max_examples=5, phases=("examples",))
    run = run_engine(load_schema(config, AKSK_CREDENTIALS, app=emulator_app(), operation_id="ImportModels"))
    assert run.failures["positive_data_acceptance"] > 0, run.failures
    assert run.answered["action", 200] == 0


def test_link_is_followed_and_every_state_is_seen() -> None:
    """The stateful phase follows the link: polls see running exports and return workbooks."""
    run = run_engine(
        load_schema(
            project_config(max_examples=15, phases=("stateful",)),
            AKSK_CREDENTIALS,
            app=emulator_app(export_seconds=0.0, fail_ratio=0.0),
        )
    )
    assert run.phases.get("stateful") == "success", run
    assert not run.failures, run.messages
    assert run.statuses[200] > 0
    assert run.answered["process-import", 200] > 0, "the import links are followed to ImportResult"


@pytest.mark.parametrize("credentials", [AKSK_CREDENTIALS, TOKEN_CREDENTIALS], ids=["aksk", "token"])
def test_both_ways_of_authenticating_reach_the_operations(credentials: Any) -> None:
    """Examples signed with AK/SK or sent with a token are accepted (no 401), and every check passes."""
    schema = load_schema(project_config(max_examples=5, phases=("examples",)), credentials, app=emulator_app())
    run = run_engine(schema)
    assert run.phases.get("examples") == "success", run
    assert not run.failures, run.messages
    # Only ignored_auth's probes (no credentials, invalid credentials) may be refused, up to 3 per operation.
    operations = len(list(schema.get_all_operations()))
    assert operations == 5
    assert run.statuses[200] >= 2
    assert run.statuses[401] <= 3 * operations
