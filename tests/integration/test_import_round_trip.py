"""Export and import agree: arbitrary objects exported from workspace A, imported into an empty workspace B,
exported from B by the IDs the import reports, give the same rows; for every export type the emulator has.

Both workspaces are strict, so B's export can only show rows the import created (an id B does not hold is
refused, never made up). Through the public helpers and a real server, as a user's code would go.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataarts_emulator import DEMO_TENANT, EmulatorSettings
from dataarts_emulator.harness import RunningEmulator, running_emulator
from dataarts_emulator.upload import read_sheet
from dataarts_emulator.workbook import GENERIC_LAYOUT, LAYOUTS
from dataarts_emulator.xlsx import cell_text
from dataarts_export_client.lib import ImportOutcome, export_to_file, import_file
from dataarts_export_client.models import ExportParam

WORKSPACE_B = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
# The import action that reads each export type's layout in the emulator (its own pairing, see workbook.py).
ACTIONS = {
    "TABLE_MODEL": "import_relation",
    "ER": "import_relation",
    "DIM": "import_dimension",
    "dataStandard": "import_datastandard",
    "Directory_Standard": "import_datastandard",
    "codeTable": "import_codetable",
    "Directory_CodeTable": "import_codetable",
    "import_bizcatalog": "import_bizcatalog",
    "import_bizmetric": "import_bizmetric",
    "subject": "start-import",  # any other type: the generic layout
}
assert set(ACTIONS) - {"subject"} == set(LAYOUTS)


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    tenant = dataclasses.replace(DEMO_TENANT, workspaces=(*DEMO_TENANT.workspaces, WORKSPACE_B))
    settings = EmulatorSettings(
        tenants=(tenant,), export_seconds=0, import_seconds=0, strict_workspaces=True, max_jobs=100_000, seed=3
    )
    with running_emulator(settings) as running:
        yield running


# Text a cell keeps as it is (no characters XML cannot carry, no lone surrogates), with the characters XML and
# OOXML treat specially drawn often: line ends (a bare CR is read back as LF unless escaped), markup, spaces.
SPECIAL = st.sampled_from(["\r", "\n", "\r\n", "\t", " ", "<", "&", '"', "'", "_x000D_", "]]>", "é", "中"])
PIECE = st.one_of(SPECIAL, st.characters(exclude_categories=["Cs"]))
CELL = st.lists(PIECE, max_size=12).map("".join).filter(lambda text: cell_text(text) == text)
KEY = CELL.filter(lambda text: text != "")


def objects(width: int) -> st.SearchStrategy[list[list[str]]]:
    """Rows of ``width`` cells with distinct non-empty IDs and distinct non-empty codes (the object's identity)."""
    row = st.tuples(KEY, KEY, st.lists(CELL, min_size=width - 2, max_size=width - 2))
    rows = st.lists(row, min_size=1, max_size=8, unique_by=(lambda r: r[0], lambda r: r[1]))
    return rows.map(lambda found: [[object_id, code, *rest] for object_id, code, rest in found])


@pytest.mark.parametrize("export_type", list(ACTIONS))
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_exported_objects_import_into_an_empty_workspace_as_the_same_rows(
    emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory, export_type: str, data: st.DataObject
) -> None:
    layout = LAYOUTS.get(export_type, GENERIC_LAYOUT)
    rows = data.draw(objects(len(layout.columns)))
    client = emulator.client()
    project = emulator.project_id
    source, target = emulator.workspace, WORKSPACE_B
    for workspace in (source, target):  # each example starts from empty workspaces
        with emulator.app.backend.design.holding(project, workspace, layout.kind) as held:
            held.clear()
    emulator.seed(export_type, [dict(zip(layout.columns, row, strict=True)) for row in rows], workspace=source)
    scratch = tmp_path_factory.mktemp("round-trip")
    body = ExportParam(type_=export_type, ids=[row[0] for row in rows])
    exported = export_to_file(client, project_id=project, workspace=source, body=body, dest=scratch / "a", timeout=30)
    outcome = import_file(
        client,
        project_id=project,
        workspace=target,
        action=ACTIONS[export_type],
        file=exported,
        model_id="1213499006739791872",
        timeout=30,
    )
    assert isinstance(outcome, ImportOutcome)
    assert (outcome.total, outcome.failed, len(outcome.object_ids)) == (len(rows), 0, len(rows))
    again = ExportParam(type_=export_type, ids=outcome.object_ids)
    reexported = export_to_file(
        client, project_id=project, workspace=target, body=again, dest=scratch / "b", timeout=30
    )
    assert [row.values(len(layout.columns)) for row in read_sheet(exported.read_bytes())[1:]] == rows
    assert reexported.read_bytes() == exported.read_bytes(), "B exports what A exported, byte for byte"
    assert emulator.objects(export_type, workspace=target) == emulator.objects(export_type, workspace=source)
