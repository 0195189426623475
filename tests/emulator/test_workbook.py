"""The workbook: real .xlsx, read back with openpyxl; deterministic bytes; input never breaks it."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Sequence

import openpyxl
import pytest
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import FIXED_MOMENT, LAYOUTS, build_workbook, layout_for


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("export_type", sorted(LAYOUTS))
def test_each_type_has_its_own_sheet_with_a_row_per_id(export_type: str) -> None:
    workbook = load(build_workbook(ExportRequest(type=export_type, ids=("10", "20", "30"))))
    sheet = workbook.worksheets[0]
    assert sheet.title == LAYOUTS[export_type].title
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == LAYOUTS[export_type].columns
    assert [row[0] for row in rows[1:]] == ["10", "20", "30"]
    assert all(all(isinstance(cell, str) and cell for cell in row) for row in rows[1:])


def test_the_request_is_recorded_on_a_second_sheet() -> None:
    request = ExportRequest(type="TABLE_MODEL", ids=("1",), directory_id="dir", biz_catalog_id_list=("a", "b"))
    info = load(build_workbook(request))["Export"]
    values = {row[0]: row[1] for row in info.iter_rows(min_row=2, values_only=True)}
    assert values == {
        "type": "TABLE_MODEL",
        "asyn": "true",
        "ids": "1",
        "directory_id": "dir",
        "biz_catalog_id_list": "a,b",
    }


def test_unknown_and_missing_types_get_the_generic_sheet() -> None:
    assert load(build_workbook(ExportRequest(type="something-new"))).worksheets[0].title == "Objects"
    assert load(build_workbook(ExportRequest())).worksheets[0].title == "Objects"


def test_equal_requests_give_equal_bytes_even_seconds_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    request = ExportRequest(type="ER", ids=("1", "2"))
    first = build_workbook(request)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 86_400)  # zipfile stamps entries with time.time()
    assert build_workbook(request) == first
    assert build_workbook(ExportRequest(type="ER", ids=("1", "3"))) != first
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zipfile.ZipFile(io.BytesIO(first)).infolist())
    assert load(first).properties.modified.year == 2024


def test_hostile_ids_stay_data() -> None:
    ids = ('=HYPERLINK("http://x")', "\x00\x07bell", "lone\ud800surrogate", "x" * 40_000)
    sheet = load(build_workbook(ExportRequest(type="TABLE_MODEL", ids=ids))).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells[0] == '=HYPERLINK("http://x")'  # a string, not a formula
    assert sheet["A2"].data_type == "s"
    assert cells[1] == "bell"
    assert cells[2] == "lone?surrogate"
    assert len(cells[3]) == 32767


def reference_workbook(request: ExportRequest) -> bytes:
    """The workbook as the emulator built it before its own writer: openpyxl, cell by cell (quadratic, slow)."""
    layout = layout_for(request.type)
    workbook = openpyxl.Workbook()
    sheets = [workbook.active, workbook.create_sheet("Export")]
    sheets[0].title = layout.title
    info = [("type", request.type or ""), ("asyn", "true" if request.asyn else "false"), ("ids", str(len(request.ids)))]
    info += [(name, getattr(request, name)) for name in ("directory_id", "biz_catalog_id", "model_id")]
    info += [("biz_catalog_id_list", ",".join(request.biz_catalog_id_list))] if request.biz_catalog_id_list else []
    rows: list[list[Sequence[str]]] = [
        [layout.columns, *(layout.row(request.type or "", object_id) for object_id in request.ids)],
        [("Parameter", "Value"), *(row for row in info if row[1] is not None)],
    ]
    for sheet, sheet_rows in zip(sheets, rows, strict=True):
        for index, values in enumerate(sheet_rows):
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v.encode("utf-8", "replace").decode())[:32767] for v in values])
            for cell in sheet[sheet.max_row]:
                cell.data_type = "s"
                cell.font = Font(bold=index == 0)
    workbook.properties.creator = "DataArts Studio emulator"
    workbook.properties.title = f"DataArts export: {layout.title}"
    workbook.properties.created = workbook.properties.modified = FIXED_MOMENT
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        ExcelWriter(workbook, archive).write_data()  # save() would stamp "modified" with the current time
    return buffer.getvalue()


def content(data: bytes) -> list[object]:
    """Everything a reader sees: sheet titles, each cell's value, type and boldness, the document properties."""
    workbook = load(data)
    cells = [
        (sheet.title, cell.coordinate, cell.value, cell.data_type, bool(cell.font.b))
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    ]
    props = workbook.properties
    return [cells, props.creator, props.title, props.created, props.modified]


@pytest.mark.parametrize(
    "request_",
    [
        ExportRequest(type="TABLE_MODEL", ids=("1224641525420683264", "42", " padded ", "a&b<c>", "=1+1")),
        ExportRequest(type="codeTable", ids=("\x00\x07bell", "lone\ud800surrogate", "é中文"), asyn=False),
        ExportRequest(type="import_bizcatalog", directory_id="d", biz_catalog_id_list=("x", "y"), model_id="m"),
        ExportRequest(type=None, ids=tuple(str(i) for i in range(300))),
    ],
    ids=["table", "hostile", "catalog", "generic-300"],
)
def test_content_is_what_openpyxl_cell_by_cell_wrote(request_: ExportRequest) -> None:
    assert content(build_workbook(request_)) == content(reference_workbook(request_))


def test_cost_is_linear_in_the_ids_so_large_exports_are_possible() -> None:
    # 20,000 ids: minutes with the old quadratic build; the check is on content, never on time.
    ids = tuple(f"id-{index}" for index in range(20_000))
    sheet = load(build_workbook(ExportRequest(type="DIM", ids=ids))).worksheets[0]
    assert sheet.max_row == 20_001
    assert sheet.cell(row=20_001, column=1).value == "id-19999"
