"""The emulator honours openapi.yaml: schemathesis's pytest integration, in-process over ASGI.

Every operation goes through the examples, coverage and fuzzing phases
(``@schema.parametrize()``), and the ExportDesignModels -> ExportDesignResult
link through a stateful test, with every check of ``schemathesis.toml``.
Bounded and seeded so it fits every CI run.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

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


@pytest.mark.parametrize("credentials", [AKSK_CREDENTIALS, TOKEN_CREDENTIALS], ids=["aksk", "token"])
def test_both_ways_of_authenticating_reach_the_operations(credentials: Any) -> None:
    """Examples signed with AK/SK or sent with a token are accepted (no 401), and every check passes."""
    run = run_engine(load_schema(project_config(max_examples=5, phases=("examples",)), credentials, app=emulator_app()))
    assert run.phases.get("examples") == "success", run
    assert not run.failures, run.messages
    # Only ignored_auth's probes (no credentials, invalid credentials) may be refused.
    assert run.statuses[200] >= 2
    assert run.statuses[401] <= 3 * 2
