"""A partial, a failed and a timed-out import against the real emulator, through each way of calling the helpers.

``test_import_end_to_end.py`` shows these three through ``import_file`` and
the async twins only for a success; here each runs through ``start_import``
then ``wait_for_import`` and through both async twins (``async_import_file``,
``async_start_import`` then ``async_wait_for_import``), over real sockets: a
partial import is raised as ``ImportPartiallyFailed`` with the failed rows
and their messages, a failed one as ``ImportFailed``, a timeout as
``ImportTimeout`` naming the import's uuid, from which waiting again resumes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TypedDict

import pytest

from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client import AuthenticatedClient
from dataarts_export_client.lib import (
    ImportFailed,
    ImportOutcome,
    ImportPartiallyFailed,
    ImportTimeout,
    async_import_file,
    async_start_import,
    async_wait_for_import,
    start_import,
    wait_for_import,
)
from dataarts_export_client.models import ExportState

from ..client.client_fakes import FAST_POLICY

GOOD = ("1224641525420683264", "country", "Country", "3")
NAMELESS = ("1224641525420683299", "", "Nameless", "")
WAYS = ["start_then_wait", "async_import_file", "async_start_then_wait"]

pytestmark = pytest.mark.dataarts_emulator(export_seconds=0.0, import_seconds=0.3, strict_workspaces=True, seed=13)


class Target(TypedDict):
    project_id: str
    workspace: str


def target(emulator: RunningEmulator) -> Target:
    return Target(project_id=emulator.project_id, workspace=emulator.workspace)


def code_tables(rows: Sequence[tuple[str, ...]]) -> bytes:
    """The workbook the emulator exports for code tables holding ``rows`` (ID, code, name, values)."""
    return build_workbook(ExportRequest(type="codeTable", ids=tuple(row[0] for row in rows)), {r[0]: r for r in rows})


def imported(
    way: str, emulator: RunningEmulator, client: AuthenticatedClient, file: bytes, timeout: float
) -> ImportOutcome:
    """Import ``file`` as code tables ``way``; the outcome (or what was raised, by the caller's ``pytest.raises``)."""
    if way.startswith("async_"):
        return asyncio.run(imported_async(way, emulator, client, file, timeout))
    return imported_sync(emulator, client, file, timeout)


def imported_sync(emulator: RunningEmulator, client: AuthenticatedClient, file: bytes, timeout: float) -> ImportOutcome:
    """``start_import``, then ``wait_for_import`` with ``timeout``."""
    where = target(emulator)
    uuid = start_import(client, **where, action="import_codetable", file=file, timeout=10)
    return wait_for_import(client, **where, uuid=uuid, timeout=timeout, policy=FAST_POLICY)


async def imported_async(
    way: str, emulator: RunningEmulator, client: AuthenticatedClient, file: bytes, timeout: float
) -> ImportOutcome:
    """``async_import_file``, or ``async_start_import`` then ``async_wait_for_import``, with ``timeout``."""
    where = target(emulator)
    if way == "async_import_file":
        return await async_import_file(
            client, **where, action="import_codetable", file=file, timeout=timeout, policy=FAST_POLICY
        )
    uuid = await async_start_import(client, **where, action="import_codetable", file=file, timeout=10)
    return await async_wait_for_import(client, **where, uuid=uuid, timeout=timeout, policy=FAST_POLICY)


def timed_out_then_resumed(
    way: str, emulator: RunningEmulator, client: AuthenticatedClient, file: bytes
) -> tuple[ImportTimeout, ImportOutcome]:
    """Import ``file`` ``way`` with too short a timeout; then, the import finished, wait again by the uuid raised.

    The async way runs in one event loop, as a caller's would (the client's async connections belong to it).
    """
    where = target(emulator)

    def finish(timeout: ImportTimeout) -> str:
        assert timeout.uuid is not None, "the import was started: its uuid is named"
        emulator.advance(60)
        return timeout.uuid

    if not way.startswith("async_"):
        with pytest.raises(ImportTimeout) as caught:
            imported_sync(emulator, client, file, timeout=0.5)
        uuid = finish(caught.value)
        return caught.value, wait_for_import(client, **where, uuid=uuid, timeout=30, policy=FAST_POLICY)

    async def both() -> tuple[ImportTimeout, ImportOutcome]:
        with pytest.raises(ImportTimeout) as caught:
            await imported_async(way, emulator, client, file, timeout=0.5)
        uuid = finish(caught.value)
        return caught.value, await async_wait_for_import(client, **where, uuid=uuid, timeout=30, policy=FAST_POLICY)

    return asyncio.run(both())


def the_import(emulator: RunningEmulator) -> str:
    """The uuid of the one import the emulator was asked about."""
    (uuid,) = {request.query["uuid"] for request in emulator.requests if request.path.endswith("/process-import")}
    return uuid


@pytest.mark.parametrize("way", WAYS)
def test_a_partial_import_is_raised_with_the_failed_rows_and_their_messages(
    way: str, dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    with pytest.raises(ImportPartiallyFailed) as caught:
        imported(way, dataarts_emulator, dataarts_client, code_tables([GOOD, NAMELESS]), timeout=30)
    outcome = caught.value.outcome
    assert caught.value.uuid == outcome.uuid == the_import(dataarts_emulator)
    assert str(caught.value) == f"import {outcome.uuid} partly failed: 1 of 2 rows failed"
    assert (outcome.status, outcome.total, outcome.success, outcome.failed) == (ExportState.SUCCESS, 2, 1, 1)
    assert [(row.name, row.object_id, row.message) for row in outcome.failed_rows] == [
        ("", None, "row 3 has no Code table code")
    ]
    assert outcome.object_ids == [GOOD[0]], "what was imported anyway"
    assert [tuple(item.values()) for item in dataarts_emulator.objects("codeTable")] == [GOOD]


@pytest.mark.parametrize("way", WAYS)
def test_a_failed_import_is_raised_as_failed_and_imports_nothing(
    way: str, dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    other = ("1224641525420683298", "", "Also nameless", "")
    with pytest.raises(ImportFailed) as caught:
        imported(way, dataarts_emulator, dataarts_client, code_tables([NAMELESS, other]), timeout=30)
    assert type(caught.value) is ImportFailed, "not a partial import: nothing was imported"
    outcome = caught.value.outcome
    assert str(caught.value) == f"import {outcome.uuid} failed: 2 of 2 rows failed"
    assert (outcome.status, outcome.total, outcome.success, outcome.failed) == (ExportState.FAIL, 2, 0, 2)
    assert [row.message for row in outcome.failed_rows] == [
        "row 2 has no Code table code",
        "row 3 has no Code table code",
    ]
    assert outcome.object_ids == []
    assert dataarts_emulator.objects("codeTable") == []


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.dataarts_emulator(export_seconds=0.0, import_seconds=60.0, strict_workspaces=True, seed=13)
def test_a_timeout_names_the_import_and_waiting_again_resumes(
    way: str, dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    timeout, outcome = timed_out_then_resumed(way, dataarts_emulator, dataarts_client, code_tables([GOOD]))
    uuid = the_import(dataarts_emulator)
    assert timeout.uuid == uuid
    assert str(timeout).startswith(f"import {uuid} not finished after ")
    assert (outcome.uuid, outcome.status, outcome.success, outcome.object_ids) == (
        uuid,
        ExportState.SUCCESS,
        1,
        [GOOD[0]],
    )
    assert [tuple(item.values()) for item in dataarts_emulator.objects("codeTable")] == [GOOD]
