"""The plugin's seeding API with an import between: what a workspace was given, what the import changed, read back.

``test_fixtures.py`` seeds, imports a new object and reads it back; here the
import meets what was seeded. A workbook row whose code the workspace holds
updates that object, which keeps its ID whatever ID the workbook gives it
(docs/fidelity.md, F-IMPORT-15), a row with a new code is created, and
``skip_exist`` leaves the seeded object as it was; ``objects`` reads back
each, and the IDs the outcome reports export exactly those objects.
"""

from __future__ import annotations

import io
from typing import TypedDict

import pytest

from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.upload import read_sheet
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client import AuthenticatedClient
from dataarts_export_client.lib import export_to_file, import_file
from dataarts_export_client.models import ExportParam

SEEDED = [
    {"ID": "11", "Code table code": "country", "Code table name": "Country", "Values": "3"},
    {"ID": "12", "Code table code": "colour", "Code table name": "Colour", "Values": "5"},
]
# The workbook another workspace exported: "country" under another ID and renamed, and a code this one lacks.
INCOMING = [("91", "country", "Country or region", "4"), ("93", "currency", "Currency", "2")]

pytestmark = pytest.mark.dataarts_emulator(strict_workspaces=True, export_seconds=0, import_seconds=0)


class Target(TypedDict):
    project_id: str
    workspace: str


def target(emulator: RunningEmulator) -> Target:
    return Target(project_id=emulator.project_id, workspace=emulator.workspace)


def incoming() -> bytes:
    return build_workbook(ExportRequest(type="codeTable", ids=("91", "93")), {row[0]: row for row in INCOMING})


def test_an_import_updates_the_seeded_object_of_the_same_code_and_creates_the_new_one(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    dataarts_emulator.seed("codeTable", SEEDED)
    where = target(dataarts_emulator)
    outcome = import_file(dataarts_client, **where, action="import_codetable", file=incoming(), timeout=10)
    assert [(row.name, row.object_id, row.remark) for row in outcome.rows] == [
        ("country", "11", "UPDATE"),
        ("currency", "93", "CREATE"),
    ]
    assert dataarts_emulator.objects("codeTable") == [
        {"ID": "11", "Code table code": "country", "Code table name": "Country or region", "Values": "4"},
        SEEDED[1],
        {"ID": "93", "Code table code": "currency", "Code table name": "Currency", "Values": "2"},
    ]
    exported = io.BytesIO()
    body = ExportParam(type_="codeTable", ids=outcome.object_ids)
    export_to_file(dataarts_client, **where, body=body, dest=exported, timeout=10)
    assert [row.values(4) for row in read_sheet(exported.getvalue())[1:]] == [
        ["11", "country", "Country or region", "4"],
        ["93", "currency", "Currency", "2"],
    ]


def test_skip_exist_leaves_the_seeded_object_as_it_was(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    dataarts_emulator.seed("codeTable", SEEDED)
    where = target(dataarts_emulator)
    outcome = import_file(
        dataarts_client, **where, action="import_codetable", file=incoming(), skip_exist=True, timeout=10
    )
    assert [(row.object_id, row.remark) for row in outcome.rows] == [("11", "SKIP"), ("93", "CREATE")]
    assert dataarts_emulator.objects("codeTable")[:2] == SEEDED
    assert [item["ID"] for item in dataarts_emulator.objects("codeTable")] == ["11", "12", "93"]
