"""Reading uploads without trusting them: each hostile input is its own refusal, fast and bounded."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest

from dataarts_emulator.exceptions import (
    EmulatorError,
    HostileFileName,
    NotAWorkbook,
    TooManyRows,
    UnsafeWorkbookXml,
    UploadMalformed,
    UploadMissing,
    UploadTooLarge,
    WorkbookTooLarge,
)
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.upload import (
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_INFLATED_BYTES,
    checked_file_name,
    column_index,
    data_rows,
    read_sheet,
    read_upload,
)
from dataarts_emulator.workbook import build_workbook
from dataarts_emulator.xlsx import Sheet, write_xlsx

BOUNDARY = "b0undary"
FORM = f"multipart/form-data; boundary={BOUNDARY}"


def form(*parts: tuple[str, bytes]) -> bytes:
    """A multipart body of (Content-Disposition value, content) parts."""
    body = b""
    for disposition, content in parts:
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def workbook(rows: list[list[str]], header: tuple[str, ...] = ("ID", "Name", "Display name")) -> bytes:
    return write_xlsx([Sheet("Objects", header, rows)], creator="t", title="t", moment=datetime(2024, 1, 1))


@pytest.mark.fact("F-IMPORT-1")
def test_the_file_field_and_its_name_are_read() -> None:
    upload = read_upload(
        FORM, form(('form-data; name="other"', b"x"), ('form-data; name="file"; filename="a.xlsx"', b"PK"))
    )
    assert (upload.content, upload.file_name) == (b"PK", "a.xlsx")


def test_an_rfc_2231_file_name_is_read_and_a_missing_one_is_none() -> None:
    named = read_upload(FORM, form(("form-data; name=\"file\"; filename*=UTF-8''%E4%B8%AD.xlsx", b"PK")))
    assert named.file_name == "中.xlsx"
    assert read_upload(FORM, form(('form-data; name="file"', b"PK"))).file_name is None


@pytest.mark.fact("F-EMU-13", "F-EMU-14", "F-EMU-16")
@pytest.mark.parametrize(
    ("content_type", "body", "refusal"),
    [
        ("application/json", b"{}", UploadMissing),
        ("multipart/form-data", form(), UploadMissing),
        (FORM, form(('form-data; name="files"; filename="a.xlsx"', b"PK")), UploadMissing),
        (FORM, form(), UploadMissing),
        (FORM, b"--b0undary\r\nbroken", UploadMalformed),
        (FORM, form(('form-data; name="file"', b"1"), ('form-data; name="file"', b"2")), UploadMalformed),
        (FORM, form(('form-data; name="file"; filename="x"', b"\0" * MAX_FILE_BYTES)), UploadTooLarge),
        (
            FORM,
            form(('form-data; name="file"; filename="a.xlsx"', b"")).replace(b"a.xlsx", b"\xff.xlsx"),
            HostileFileName,
        ),
    ],
    ids=["json", "no-boundary", "other-field", "empty-form", "broken", "two-files", "too-large", "not-utf8"],
)
def test_forms_without_one_readable_file_are_refused(
    content_type: str, body: bytes, refusal: type[EmulatorError]
) -> None:
    with pytest.raises(refusal):
        read_upload(content_type, body)


@pytest.mark.fact("F-IMPORT-9", "F-IMPORT-10", "F-EMU-16")
def test_a_file_just_under_4_mb_is_accepted() -> None:
    upload = read_upload(FORM, form(('form-data; name="file"', b"\0" * (MAX_FILE_BYTES - 1))))
    assert len(upload.content) == MAX_FILE_BYTES - 1


@pytest.mark.fact("F-EMU-15")
@pytest.mark.parametrize(
    "name",
    ["../etc/passwd", "dir/a.xlsx", "C:\\a.xlsx", "..", ".", "", "a\nb.xlsx", "a\x00.xlsx", "é" * 128],
    ids=["traversal", "directory", "windows", "dotdot", "dot", "empty", "newline", "nul", "long"],
)
def test_hostile_file_names_are_refused(name: str) -> None:
    with pytest.raises(HostileFileName):
        checked_file_name(name)


def test_plain_names_pass_up_to_255_bytes() -> None:
    assert checked_file_name("models (2024).xlsx") == "models (2024).xlsx"
    assert checked_file_name("a" * 255) == "a" * 255
    assert checked_file_name(None) is None


def test_the_emulators_own_workbook_is_read_back_cell_for_cell() -> None:
    request = ExportRequest(type="codeTable", ids=("1", "2"))
    rows = read_sheet(build_workbook(request, {"2": ("2", "c<&>", " spaced ", "a\r\nb")}))
    assert rows[0].values(4) == ["ID", "Code table code", "Code table name", "Values"]
    assert rows[2].values(4) == ["2", "c<&>", " spaced ", "a\r\nb"]
    assert [row.number for row in rows] == [1, 2, 3]


def test_shared_strings_and_numbers_of_a_workbook_saved_by_openpyxl_are_read() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Name", "Display name"])
    sheet.append([12, "shared", "text"])
    sheet.append([])
    sheet.append(["13", "", "gap"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_sheet(buffer.getvalue())
    assert [row.values(3) for row in data_rows(rows)] == [["12", "shared", "text"], ["13", "", "gap"]]


def test_column_letters() -> None:
    assert [column_index(ref) for ref in ("A1", "Z9", "AA3", "XFD1")] == [0, 25, 26, 16383]
    with pytest.raises(NotAWorkbook):
        column_index("XFE1")


@pytest.mark.fact("F-IMPORT-9", "F-IMPORT-10", "F-EMU-20")
def test_rows_up_to_the_limit_are_read_and_one_more_is_refused() -> None:
    assert len(read_sheet(workbook([[str(n), f"n{n}", ""] for n in range(MAX_DATA_ROWS)]))) == MAX_DATA_ROWS + 1
    with pytest.raises(TooManyRows):
        read_sheet(workbook([[str(n), f"n{n}", ""] for n in range(MAX_DATA_ROWS + 1)]))


def _zip(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _parts_of(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.fact("F-EMU-17")
@pytest.mark.parametrize(
    "content",
    [b"", b"hello", b"PK\x03\x04broken", _zip({"a.txt": b"x"}), _zip({"xl/workbook.xml": b"<workbook/>"})],
    ids=["empty", "text", "broken-zip", "no-workbook", "no-sheet"],
)
def test_files_that_are_no_workbook_are_refused(content: bytes) -> None:
    with pytest.raises(NotAWorkbook):
        read_sheet(content)


def test_broken_xml_and_an_empty_sheet_are_no_workbook() -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    with pytest.raises(NotAWorkbook):
        read_sheet(_zip({**parts, "xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row>"}))
    with pytest.raises(NotAWorkbook):
        read_sheet(_zip({**parts, "xl/worksheets/sheet1.xml": b"<worksheet><sheetData/></worksheet>"}))
    bad_shared = b'<worksheet><sheetData><row><c t="s"><v>7</v></c></row></sheetData></worksheet>'
    with pytest.raises(NotAWorkbook):
        read_sheet(_zip({**parts, "xl/worksheets/sheet1.xml": bad_shared}))


@pytest.mark.fact("F-EMU-19")
@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE w SYSTEM "http://127.0.0.1:9/x.dtd">',
    ],
    ids=["billion-laughs", "external-entity", "external-dtd"],
)
def test_xml_entity_tricks_are_refused(doctype: bytes) -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    sheet = parts["xl/worksheets/sheet1.xml"].replace(b"?>\n", b"?>\n" + doctype, 1)
    with pytest.raises(UnsafeWorkbookXml):
        read_sheet(_zip({**parts, "xl/worksheets/sheet1.xml": sheet}))


@pytest.mark.fact("F-EMU-18")
def test_a_zip_bomb_is_refused_by_its_declared_size_before_inflating() -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    bomb = _zip({**parts, "xl/media/bomb.bin": b"\0" * (MAX_INFLATED_BYTES + 1)})
    assert len(bomb) < MAX_FILE_BYTES
    with pytest.raises(WorkbookTooLarge):
        read_sheet(bomb)


def test_a_zip_bomb_lying_about_its_size_is_refused_while_inflating() -> None:
    """The central directory says 200 bytes; the sheet inflates to 40 MiB of rows."""
    parts = _parts_of(workbook([["1", "a", "b"]]))
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    huge = b"<worksheet><sheetData>" + row * (40 * 1024) + b"</sheetData></worksheet>"
    content = _zip({**parts, "xl/worksheets/sheet1.xml": huge})
    lied = _lie_about_sizes(content, "xl/worksheets/sheet1.xml", 200)
    with pytest.raises(NotAWorkbook):  # zipfile stops at the declared size and the CRC no longer matches
        read_sheet(lied)


def _lie_about_sizes(content: bytes, name: str, size: int) -> bytes:
    """``content`` with ``name``'s uncompressed size set to ``size`` in both its headers."""
    data = bytearray(content)
    encoded = name.encode()
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_length = int.from_bytes(data[local + 26 : local + 28], "little")
        if bytes(data[local + 30 : local + 30 + name_length]) == encoded:
            data[local + 22 : local + 26] = size.to_bytes(4, "little")
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        if bytes(data[central + 46 : central + 46 + name_length]) == encoded:
            data[central + 24 : central + 28] = size.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@pytest.mark.fact("F-EMU-18")
def test_the_inflated_budget_covers_every_part_together() -> None:
    """Parts each under the budget but over it together: refused while inflating, not by declaration alone."""
    parts = _parts_of(workbook([["1", "a", "b"]]))
    filler = b"<sst>" + b"<si><t>" + b"y" * (MAX_INFLATED_BYTES // 2) + b"</t></si></sst>"
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rT" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>',
    )
    content = _zip({**parts, "xl/_rels/workbook.xml.rels": rels, "xl/sharedStrings.xml": filler})
    with pytest.raises(WorkbookTooLarge):
        read_sheet(content)


@pytest.mark.fact("F-EMU-17")
def test_a_part_no_import_reads_must_inflate_as_it_declares() -> None:
    """A picture (or a bomb) beside the sheet: checked whole, refused when its size or CRC lies."""
    parts = _parts_of(workbook([["1", "a", "b"]]))
    picture = _zip({**parts, "xl/media/image1.png": b"\x89PNG" + b"\0" * 100_000})
    assert [row.values(3) for row in data_rows(read_sheet(picture))] == [["1", "a", "b"]]
    with pytest.raises(NotAWorkbook, match=r"the part xl/media/image1\.png cannot be inflated"):
        read_sheet(_lie_about_sizes(picture, "xl/media/image1.png", 1000))
