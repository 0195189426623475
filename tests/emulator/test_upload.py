"""Reading uploads without trusting them: each hostile input is its own refusal, fast and bounded."""

from __future__ import annotations

import io
import re
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
    CHUNK_BYTES,
    FORM_OVERHEAD_BYTES,
    MAX_COLUMNS,
    MAX_DATA_ROWS,
    MAX_FILE_BYTES,
    MAX_FILE_NAME_BYTES,
    MAX_INFLATED_BYTES,
    MAX_PARTS,
    SheetRow,
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


# --------------------------------------------------------------------------- each refusal, said exactly

BIG = bytes(range(256)) * 1024
"""256 KiB that a wrong join or a lost chunk would change."""


def test_the_limits_are_the_documented_ones_and_the_emulator_s_bounds() -> None:
    assert MAX_FILE_BYTES == 4 * 1024 * 1024, "under 4 MB, read as 4 MiB (docs/fidelity.md F-IMPORT-10)"
    assert MAX_DATA_ROWS == 2_999, "under 3,000 rows, the header not counted (F-IMPORT-10)"
    assert (MAX_INFLATED_BYTES, MAX_PARTS, CHUNK_BYTES) == (32 * 1024 * 1024, 1000, 64 * 1024)
    assert (FORM_OVERHEAD_BYTES, MAX_FILE_NAME_BYTES, MAX_COLUMNS) == (64 * 1024, 255, 16_384)


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        (
            "application/json",
            b"{}",
            "the body is not a multipart/form-data form: send the workbook as its field 'file'",
        ),
        (
            FORM,
            form(('form-data; name="files"', b"PK")),
            "the form has no field 'file': send the workbook as its field 'file'",
        ),
        (
            FORM,
            form(('form-data; name="file"', b"1"), ('form-data; name="file"', b"2")),
            "the form has more than one field 'file'",
        ),
        (
            FORM,
            form(('form-data; name="file"', b"1"))[:-4],
            "the multipart/form-data body ends before its closing boundary",
        ),
        (
            FORM,
            form(('form-data; name="file"', b"\0" * MAX_FILE_BYTES)),
            "the file must be smaller than 4194304 bytes (4 MB)",
        ),
        (
            FORM,
            form(('form-data; name="file"; filename="a.xlsx"', b"")).replace(b"a.xlsx", b"\xff.xlsx"),
            "the form part's Content-Disposition is not UTF-8 text",
        ),
    ],
    ids=["json", "no-file", "two-files", "cut", "too-large", "not-utf8"],
)
def test_each_refusal_of_a_form_says_what_is_wrong(content_type: str, body: bytes, message: str) -> None:
    with pytest.raises(EmulatorError) as caught:
        read_upload(content_type, body)
    assert caught.value.message == message


def test_a_form_that_cannot_be_parsed_says_so() -> None:
    with pytest.raises(UploadMalformed) as caught:
        read_upload(FORM, b"--b0undary\r\n:\r\n\r\n")
    assert caught.value.message == "the multipart/form-data body cannot be read: Found 0-length header at 12"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a/b.xlsx", "the file name must be a plain name, without a directory"),
        ("a\tb.xlsx", "the file name holds control characters"),
        ("a" * 256, "the file name is longer than 255 bytes"),
    ],
)
def test_each_refusal_of_a_file_name_says_why(name: str, message: str) -> None:
    with pytest.raises(HostileFileName) as caught:
        checked_file_name(name)
    assert caught.value.message == message


def test_only_a_form_data_part_named_file_is_the_file() -> None:
    no_disposition = f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nPK\r\n--{BOUNDARY}--\r\n".encode()
    for body in (no_disposition, form(('attachment; name="file"', b"PK")), form(("form-data", b"PK"))):
        with pytest.raises(UploadMissing):
            read_upload(FORM, body)
    shouted = form(('form-data; name="file"', b"PK")).replace(b"Content-Disposition", b"CONTENT-DISPOSITION")
    assert read_upload(FORM, shouted).content == b"PK"


def test_a_file_arriving_in_many_chunks_is_kept_whole_and_measured_whole() -> None:
    upload = read_upload(FORM, form(('form-data; name="other"', b"x" * 100), ('form-data; name="file"', BIG)))
    assert upload.content == BIG
    followed = read_upload(FORM, form(('form-data; name="file"', BIG), ('form-data; name="after"', b"y" * 100)))
    assert followed.content == BIG
    with pytest.raises(UploadTooLarge):
        read_upload(FORM, form(('form-data; name="file"', b"\r\n-" * (MAX_FILE_BYTES // 3 + 1))))


def test_each_file_part_is_measured_on_its_own() -> None:
    """Two files of 3 MiB: refused as two files, not as one of 6 MiB."""
    three = b"\0" * (3 * 1024 * 1024)
    with pytest.raises(UploadMalformed, match="more than one field 'file'"):
        read_upload(FORM, form(('form-data; name="file"', three), ('form-data; name="file"', three)))


def test_an_upload_keeps_its_bytes_out_of_its_repr_and_is_frozen() -> None:
    upload = read_upload(FORM, form(('form-data; name="file"; filename="a.xlsx"', b"PK secret")))
    assert "secret" not in repr(upload)
    assert "a.xlsx" in repr(upload)
    with pytest.raises(AttributeError):
        upload.content = b""  # type: ignore[misc]
    row = SheetRow(1, {0: "a"})
    with pytest.raises(AttributeError):
        row.number = 2  # type: ignore[misc]


def _workbook_parts(sheet: bytes, **more: bytes) -> dict[str, bytes]:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    return {
        **parts,
        "xl/worksheets/sheet1.xml": sheet,
        **{name.replace("__", "/"): part for name, part in more.items()},
    }


SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet><sheetData>'
SHEET_TAIL = b"</sheetData></worksheet>"


def sheet_of(rows: bytes) -> list[SheetRow]:
    return read_sheet(_zip(_workbook_parts(SHEET_HEAD + rows + SHEET_TAIL)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "the file is not an .xlsx workbook (not a zip archive)"),
        (
            _zip({f"p{n}": b"" for n in range(MAX_PARTS + 1)}),
            "the file has more than 1000 parts: not an .xlsx workbook",
        ),
        (
            _zip({"big": b"\0" * (MAX_INFLATED_BYTES + 1)}),
            "the workbook declares more than 33554432 bytes once inflated",
        ),
        (_zip({"a.txt": b"x"}), "the workbook has no part xl/workbook.xml"),
        (
            _zip(_workbook_parts(SHEET_HEAD + b"<row>" + SHEET_TAIL)),
            "xl/worksheets/sheet1.xml is not well-formed XML: <unknown>:2:29: mismatched tag",
        ),
        (_zip(_workbook_parts(SHEET_HEAD + SHEET_TAIL)), "the first sheet is empty: it needs at least its header row"),
        (
            _zip(_workbook_parts(b"<!DOCTYPE worksheet><worksheet/>")),
            "xl/worksheets/sheet1.xml declares a DTD, entities or external references",
        ),
    ],
    ids=["not-zip", "parts", "declared", "no-workbook", "broken-xml", "empty-sheet", "bare-dtd"],
)
def test_each_refusal_of_a_workbook_says_what_is_wrong(content: bytes, message: str) -> None:
    with pytest.raises(EmulatorError) as caught:
        read_sheet(content)
    assert caught.value.message == message


def test_the_parts_at_the_limits_are_read() -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    filler = {f"xl/media/p{n}": b"" for n in range(MAX_PARTS - len(parts))}
    assert len(read_sheet(_zip({**parts, **filler}))) == 2
    declared = sum(len(part) for part in parts.values())
    exact = _zip({**parts, "xl/media/zeros.bin": b"\0" * (MAX_INFLATED_BYTES - declared)})
    assert len(read_sheet(exact)) == 2


def test_a_part_that_cannot_be_inflated_is_named() -> None:
    content = _zip(_workbook_parts(SHEET_HEAD + b'<row r="1"><c><v>1</v></c></row>' + SHEET_TAIL))
    lied = _lie_about_sizes(content, "xl/workbook.xml", 10)
    with pytest.raises(NotAWorkbook) as caught:
        read_sheet(lied)
    assert caught.value.message == "the part xl/workbook.xml cannot be inflated"


def test_the_budget_takes_a_part_read_twice_up_to_exactly_its_size() -> None:
    """The shared strings named twice: read twice, counted twice; exactly the budget is read, a byte more is not."""
    parts = _parts_of(workbook([["1", "a", "b"]]))
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rT" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="/xl/sharedStrings.xml"/></Relationships>',
    )
    read_once = len(parts["xl/workbook.xml"]) + len(rels) + len(parts["xl/worksheets/sheet1.xml"])
    shell = b"<sst><si><t></t></si></sst>"
    for extra, refused in ((0, False), (2, True)):
        padding = (MAX_INFLATED_BYTES - read_once - 2 * len(shell)) // 2 + extra
        strings = b"<sst><si><t>" + b"y" * padding + b"</t></si></sst>"
        assert 2 * len(strings) + read_once == MAX_INFLATED_BYTES + 2 * extra
        content = _zip({**parts, "xl/_rels/workbook.xml.rels": rels, "xl/sharedStrings.xml": strings})
        if refused:
            with pytest.raises(WorkbookTooLarge) as caught:
                read_sheet(content)
            assert caught.value.message == "the workbook inflates to more than 33554432 bytes"
        else:
            assert len(read_sheet(content)) == 2


def test_parts_are_inflated_a_chunk_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    read = zipfile.ZipExtFile.read

    def spy(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        sizes.append(n)
        return read(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", spy)
    read_sheet(workbook([[str(n), "x" * 100, ""] for n in range(2_000)]))
    assert set(sizes) == {CHUNK_BYTES}


def test_relationships_without_an_id_or_a_target_name_no_sheet() -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    rels = parts["xl/_rels/workbook.xml.rels"]
    for broken in (re.sub(rb' Id="[^"]*"', b"", rels), re.sub(rb' Target="[^"]*"', b"", rels)):
        with pytest.raises(NotAWorkbook) as caught:
            read_sheet(_zip({**parts, "xl/_rels/workbook.xml.rels": broken}))
        assert caught.value.message == "the workbook names no sheet"


def test_the_first_sheet_is_read_and_its_part_found_by_either_kind_of_target() -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    rels = parts["xl/_rels/workbook.xml.rels"]
    absolute = rels.replace(b'Target="worksheets/sheet1.xml"', b'Target="/xl/worksheets/sheet1.xml"')
    assert absolute != rels
    assert read_sheet(_zip({**parts, "xl/_rels/workbook.xml.rels": absolute}))[1].values(3) == ["1", "a", "b"]
    two_sheets = _parts_of(build_workbook(ExportRequest(type="codeTable", ids=("1",))))
    assert read_sheet(_zip(two_sheets))[0].values(2) == ["ID", "Code table code"]
    swapped = {
        **two_sheets,
        "xl/worksheets/sheet1.xml": two_sheets["xl/worksheets/sheet2.xml"],
        "xl/worksheets/sheet2.xml": two_sheets["xl/worksheets/sheet1.xml"],
    }
    assert read_sheet(_zip(swapped))[0].values(2) == ["Parameter", "Value"], "the workbook's first sheet, by its id"


def test_shared_strings_are_their_text_runs_joined() -> None:
    strings = (
        b'<sst><si><t>plain</t></si><si>\n <r><t>rich</t></r><r><rPr/><t xml:space="preserve"> text</t></r>\n</si>'
        b"<t>outside</t><si><t/></si></sst>"
    )
    parts = _parts_of(workbook([["1", "a", "b"]]))
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    sheet = SHEET_HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    sheet += b'<c r="C1" t="s"><v>2</v></c></row>' + SHEET_TAIL
    content = _zip(
        {
            **parts,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/sharedStrings.xml": strings,
            "xl/worksheets/sheet1.xml": sheet,
        }
    )
    assert read_sheet(content)[0].cells == {0: "plain", 1: "rich text"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("3", "a cell refers to shared string '3', which the workbook does not hold"),
        ("x" * 30, f"a cell refers to shared string {'x' * 20!r}, which the workbook does not hold"),
    ],
)
def test_a_shared_string_the_workbook_does_not_hold_is_refused(raw: str, message: str) -> None:
    with pytest.raises(NotAWorkbook) as caught:
        sheet_of(f'<row><c t="s"><v>{raw}</v></c></row>'.encode())
    assert caught.value.message == message


def test_rows_and_cells_without_references_follow_the_previous_ones() -> None:
    rows = sheet_of(
        b'<row><c><v>a</v></c><c><v>b</v></c><c r="E1"><v>e</v></c><c><v>f</v></c></row>'
        b'<row r="7"><c t="inlineStr"><is><t>x</t></is></c></row><row><c><v>y</v></c></row>'
    )
    assert [(row.number, row.cells) for row in rows] == [
        (1, {0: "a", 1: "b", 4: "e", 5: "f"}),
        (7, {0: "x"}),
        (8, {0: "y"}),
    ]


def test_only_the_text_of_cells_in_rows_counts() -> None:
    rows = sheet_of(b'<c r="A9"><v>stray</v></c><row r="1">\n <c r="A1">\n <v>a</v>\n <f>SUM(A1)</f></c>\n</row>')
    assert [(row.number, row.cells) for row in rows] == [(1, {0: "a"})]


def test_a_sheet_with_one_row_too_many_says_how_many_it_takes() -> None:
    with pytest.raises(TooManyRows) as caught:
        read_sheet(workbook([[str(n), "x", ""] for n in range(MAX_DATA_ROWS + 1)]))
    assert caught.value.message == "the sheet has more than 2999 data rows (under 3,000 are accepted)"


@pytest.mark.parametrize("reference", ["a1", "A", "1", "AAAA1", "A1B"])
def test_what_is_not_a_cell_reference_is_refused(reference: str) -> None:
    with pytest.raises(NotAWorkbook) as caught:
        column_index(reference)
    assert caught.value.message == f"{reference!r} is not a cell reference"


def test_a_cell_past_the_last_column_names_its_reference() -> None:
    assert column_index("XFD1048576") == 16_383
    with pytest.raises(NotAWorkbook) as caught:
        column_index("XFE12345678901234567890")
    assert caught.value.message == "the cell reference 'XFE12345678901234567890' is past the last column"


def test_a_row_knows_its_cells_and_what_lies_beyond_a_width() -> None:
    row = SheetRow(3, {0: "a", 3: "d", 5: ""})
    assert row.values(4) == ["a", "", "", "d"]
    assert (row.beyond(3), row.beyond(4), row.beyond(6)) == (True, False, False)


# --------------------------------------------------------------------------- what the first mutation run showed


def test_a_part_without_a_content_disposition_is_neither_the_file_nor_measured() -> None:
    """Only the field ``file`` counts against the 4 MB: a large part without a disposition is skipped, not kept."""
    anonymous = f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\n".encode() + b"\0" * MAX_FILE_BYTES + b"\r\n"
    body = anonymous + form(('form-data; name="file"; filename="a.xlsx"', b"PK"))
    upload = read_upload(FORM, body)
    assert (upload.content, upload.file_name) == (b"PK", "a.xlsx")


def test_the_disposition_is_found_after_other_headers_of_its_part() -> None:
    body = (
        f"--{BOUNDARY}\r\nContent-Type: application/octet-stream\r\n"
        f'Content-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK\r\n--{BOUNDARY}--\r\n'
    ).encode()
    assert read_upload(FORM, body).file_name == "a.xlsx"


@pytest.mark.parametrize(
    "split", ["Content-Disp", 'Content-Disposition: form-data; name="fi'], ids=["in-the-name", "in-the-value"]
)
def test_a_header_cut_by_the_end_of_a_chunk_is_read_whole(split: str) -> None:
    """A body is read a chunk at a time: a header that spans two chunks is joined, not read from its second half."""
    file_part = f'Content-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nPK\r\n--{BOUNDARY}--\r\n'
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="other"\r\n\r\n'
    filler = CHUNK_BYTES - len(head) - len(f"\r\n--{BOUNDARY}\r\n") - len(split)
    body = (head + "x" * filler + f"\r\n--{BOUNDARY}\r\n" + file_part).encode()
    assert body[CHUNK_BYTES - len(split) : CHUNK_BYTES] == split.encode()
    upload = read_upload(FORM, body)
    assert (upload.content, upload.file_name) == (b"PK", "a.xlsx")


def test_an_absolute_target_loses_only_its_leading_slash() -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    sheet = parts.pop("xl/worksheets/sheet1.xml")
    rels = parts["xl/_rels/workbook.xml.rels"].replace(b'Target="worksheets/sheet1.xml"', b'Target="/Xs/sheet1.xml"')
    content = _zip({**parts, "Xs/sheet1.xml": sheet, "xl/_rels/workbook.xml.rels": rels})
    assert read_sheet(content)[1].values(3) == ["1", "a", "b"]


def test_a_sheet_element_without_a_relationship_id_names_no_sheet() -> None:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    book = re.sub(rb' r:id="[^"]*"', b"", parts["xl/workbook.xml"])
    assert book != parts["xl/workbook.xml"]
    with pytest.raises(NotAWorkbook) as caught:
        read_sheet(_zip({**parts, "xl/workbook.xml": book}))
    assert caught.value.message == "the workbook names no sheet"


def test_a_long_non_reference_is_quoted_in_its_first_20_characters() -> None:
    with pytest.raises(NotAWorkbook) as caught:
        column_index("A" * 30)
    assert caught.value.message == f"{'A' * 20!r} is not a cell reference"


def _with_shared_strings(strings: bytes, sheet: bytes) -> bytes:
    parts = _parts_of(workbook([["1", "a", "b"]]))
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return _zip(
        {
            **parts,
            "xl/_rels/workbook.xml.rels": rels,
            "xl/sharedStrings.xml": strings,
            "xl/worksheets/sheet1.xml": SHEET_HEAD + sheet + SHEET_TAIL,
        }
    )


def test_shared_strings_are_only_the_text_of_t_elements_inside_si() -> None:
    """A ``<t>`` before any ``<si>``, and text after a ``</t>``, are not part of any string."""
    strings = b"<sst><t>before</t><si><t>a</t>tail</si><si><r><t>b</t>tail</r></si></sst>"
    sheet = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    assert read_sheet(_with_shared_strings(strings, sheet))[0].cells == {0: "a", 1: "b"}


def test_a_cell_s_text_is_only_that_of_its_v_or_t_elements() -> None:
    """Text after a ``</t>`` or ``</v>``, and a ``<v>`` outside any cell, are no cell's text."""
    rows = sheet_of(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t>tail</is></c><c r="B1"><v>y</v>tail</c><v>stray</v></row>'
    )
    assert [(row.number, row.cells) for row in rows] == [(1, {0: "x", 1: "y"})]


def test_a_shared_string_index_one_past_the_last_is_refused() -> None:
    strings = b"<sst><si><t>a</t></si></sst>"
    with pytest.raises(NotAWorkbook) as caught:
        read_sheet(_with_shared_strings(strings, b'<row r="1"><c r="A1" t="s"><v>1</v></c></row>'))
    assert caught.value.message == "a cell refers to shared string '1', which the workbook does not hold"
