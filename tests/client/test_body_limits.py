"""How much of a non-file answer the poll loops read: the poller's ``body_limit``, not the 1 MiB of a status.

An import's result holds a row group per imported row (1.3 MB for the
largest import the service takes, against the emulator), so
:class:`~dataarts_export_client.lib.import_decisions.ImportPoller` says
16 MiB; the loops of :mod:`~dataarts_export_client.lib.io_loops`, sync and
async, must read up to that and refuse only past it.
"""

from __future__ import annotations

import asyncio

import pytest

from dataarts_export_client.lib import ImportOutcome, async_wait_for_import, wait_for_import
from dataarts_export_client.lib.answers import MAX_JSON_BYTES
from dataarts_export_client.lib.errors import UnexpectedResponse
from dataarts_export_client.lib.import_decisions import MAX_RESULT_BYTES

from .client_fakes import PROJECT_ID, SCRIPTED_POLICY, UUID, WORKSPACE, Script, client_for, status

ROW = {"biz_name": "t", "operation_status": "SUCCESS", "remark": "CREATE"}


def result_of(size: int) -> Script:
    """A finished import's result whose body has a little over ``size`` bytes (one row's logs fill it)."""
    group = {"total": 1, "success": 1, "failed": 0, "groups": [{**ROW, "logs": "x" * size}]}
    return Script(status("success", "1.00", group))


def wait(script: Script, twin: str) -> ImportOutcome:
    client = client_for(script)
    if twin == "sync":
        return wait_for_import(
            client, project_id=PROJECT_ID, workspace=WORKSPACE, uuid=UUID, timeout=60, policy=SCRIPTED_POLICY
        )
    waiting = async_wait_for_import(
        client, project_id=PROJECT_ID, workspace=WORKSPACE, uuid=UUID, timeout=60, policy=SCRIPTED_POLICY
    )
    return asyncio.run(waiting)


@pytest.mark.parametrize("twin", ["sync", "async"])
def test_an_import_result_larger_than_a_status_answer_is_read_whole(twin: str) -> None:
    outcome = wait(result_of(MAX_JSON_BYTES), twin)
    assert len(outcome.rows[0].message or "") == MAX_JSON_BYTES


@pytest.mark.parametrize("twin", ["sync", "async"])
def test_an_import_result_past_its_own_limit_is_refused(twin: str) -> None:
    with pytest.raises(UnexpectedResponse) as caught:
        wait(result_of(MAX_RESULT_BYTES), twin)
    assert caught.value.reason == f"body larger than {MAX_RESULT_BYTES} bytes"
