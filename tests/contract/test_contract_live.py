"""The same contract suite against the live service, when credentials are given.

Set ``DATAARTS_LIVE_BASE_URL`` (e.g. ``https://dayu.cn-north-4.myhuaweicloud.com``)
and the credentials ``python -m tools.contract`` reads (``HUAWEICLOUD_SDK_AK``/``_SK``
or ``DATAARTS_TOKEN``, with ``DATAARTS_PROJECT_ID`` and ``DATAARTS_WORKSPACE``).
Without them every test here is skipped with that reason. Live runs are
rate-limited (2 requests/s), few-example and time-bounded: each positive
ExportDesignModels call starts a real export in the tenant's workspace.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tools.contract.credentials import CREDENTIALS_HELP, CredentialsError, credentials_from_env

from .contract_support import load_schema, project_config

LIVE_URL_VAR = "DATAARTS_LIVE_BASE_URL"
MAX_EXAMPLES = 5
RATE_LIMIT = "2/s"

pytestmark = [pytest.mark.live, pytest.mark.timeout(600)]


def _live_credentials() -> tuple[str, Any]:
    base_url = os.environ.get(LIVE_URL_VAR, "").strip()
    if not base_url:
        pytest.skip(f"live contract tests need {LIVE_URL_VAR} and credentials", allow_module_level=True)
    try:
        credentials = credentials_from_env()
    except CredentialsError as error:
        pytest.skip(f"live contract tests: {error}", allow_module_level=True)
    if credentials is None:
        pytest.skip(
            f"live contract tests need credentials with {LIVE_URL_VAR}: {CREDENTIALS_HELP}", allow_module_level=True
        )
    return base_url.rstrip("/"), credentials


BASE_URL, CREDENTIALS = _live_credentials()
LIVE_SETTINGS = settings(
    max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)

schema = load_schema(
    project_config(max_examples=MAX_EXAMPLES, base_url=BASE_URL, extra={"rate-limit": RATE_LIMIT}),
    CREDENTIALS,
)


@schema.parametrize()
@LIVE_SETTINGS
def test_live_operation_honours_spec(case: Any) -> None:
    case.call_and_validate()


LiveWorkflow = schema.as_state_machine()
TestLiveExportWorkflow = LiveWorkflow.TestCase
TestLiveExportWorkflow.settings = settings(LIVE_SETTINGS, stateful_step_count=4)
