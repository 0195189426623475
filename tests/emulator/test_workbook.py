"""The workbook: real .xlsx, read back with openpyxl; deterministic bytes; input never breaks it."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import LAYOUTS, build_workbook


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
