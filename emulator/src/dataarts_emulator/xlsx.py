"""A small writer of ``.xlsx`` files whose sheets hold text: linear time, deterministic bytes.

Why not openpyxl: without lxml (not a dependency here) openpyxl serialises
every cell through a pure-Python XML tree, about 6 s for the 300,000 cells of
a 50,000-id export; a normal (not write-only) worksheet also rescans itself
on every appended row, which made the cost quadratic. The emulator's
workbooks have one shape — text cells, a bold first row, document
properties — so this module writes that SpreadsheetML text itself, row by
row, streaming into the zip. The parts are the minimal package Excel,
LibreOffice and openpyxl open: content types, relationships, core and app
properties, workbook, styles and one worksheet per sheet, with cells written
exactly as openpyxl writes text cells (inline strings). Every zip entry
carries one fixed timestamp, so equal input gives equal bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP_MOMENT = (1980, 1, 1, 0, 0, 0)
_MAX_CELL_CHARS = 32767  # Excel's limit for one cell
# Characters XML 1.0 does not allow (the C0 controls but tab, LF and CR; U+FFFE and U+FFFF).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROWS_PER_WRITE = 1000

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "application/vnd.openxmlformats-officedocument"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b val="1"/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_BOLD_STYLE = 1  # index into cellXfs above


@dataclass(frozen=True)
class Sheet:
    """A worksheet: its title, a bold first row, then the other rows (text cells, as many as the first row)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[str]]


def cell_text(value: str) -> str:
    """Text safe for a cell: no lone surrogates, no characters XML forbids, within Excel's length."""
    text = value.encode("utf-8", "replace").decode("utf-8")
    return _ILLEGAL.sub("", text)[:_MAX_CELL_CHARS]


def _escaped(text: str) -> str:
    """Cell text as XML character data: ``&``, ``<``, ``>`` escaped, and ``\r`` as ``&#13;``.

    An XML parser turns a literal ``\r`` (alone or before ``\n``) into ``\n``
    (XML 1.0, section 2.11); only the character reference comes back as ``\r``.
    """
    escaped = escape(text)
    return escaped.replace("\r", "&#13;") if "\r" in escaped else escaped


def _column(index: int) -> str:
    """Spreadsheet column letters of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _row(number: int, values: Sequence[str], style: str, columns: Sequence[str]) -> str:
    cells = []
    for column, value in zip(columns, values, strict=True):
        text = cell_text(value)
        if not text:  # an empty cell, written as openpyxl writes one
            cells.append(f'<c r="{column}{number}"{style} t="inlineStr"/>')
            continue
        space = ' xml:space="preserve"' if text != text.strip() else ""
        cells.append(f'<c r="{column}{number}"{style} t="inlineStr"><is><t{space}>{_escaped(text)}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _write_sheet(archive: zipfile.ZipFile, name: str, sheet: Sheet) -> None:
    columns = [_column(index) for index in range(len(sheet.header))]
    with archive.open(_entry(name), "w") as out:
        out.write(f'{_XML}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
        out.write(_row(1, sheet.header, f' s="{_BOLD_STYLE}"', columns).encode("utf-8"))
        batch: list[str] = []
        for number, values in enumerate(sheet.rows, start=2):
            batch.append(_row(number, values, "", columns))
            if len(batch) == _ROWS_PER_WRITE:
                out.write("".join(batch).encode("utf-8"))
                batch.clear()
        out.write("".join(batch).encode("utf-8"))
        out.write(b"</sheetData></worksheet>")


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_MOMENT)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{index}" Type="{kind}" Target="{target}"/>'
        for index, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_XML}<Relationships xmlns="{_PACKAGE_REL}">{items}</Relationships>'


def write_xlsx(sheets: Sequence[Sheet], *, creator: str, title: str, moment: datetime) -> bytes:
    """The ``.xlsx`` bytes of ``sheets``, with ``creator``, ``title`` and ``moment`` (naive UTC) as properties."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    sheet_parts = [f"xl/worksheets/sheet{number}.xml" for number in range(1, len(sheets) + 1)]
    overrides = [
        ("/xl/workbook.xml", f"{_OFFICE}.spreadsheetml.sheet.main+xml"),
        ("/xl/styles.xml", f"{_OFFICE}.spreadsheetml.styles+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", f"{_OFFICE}.extended-properties+xml"),
        *((f"/{part}", f"{_OFFICE}.spreadsheetml.worksheet+xml") for part in sheet_parts),
    ]
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
        + "</Types>"
    )
    core = (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{escape(creator)}</dc:creator><dc:title>{escape(title)}</dc:title>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )
    app = (
        f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>{escape(creator)}</Application></Properties>"
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name={quoteattr(sheet.title)} sheetId="{number}" r:id="rId{number}"/>'
            for number, sheet in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = _relationships(
        [*((f"{_REL}/worksheet", part.removeprefix("xl/")) for part in sheet_parts), (f"{_REL}/styles", "styles.xml")]
    )
    root_rels = _relationships(
        [
            (f"{_REL}/officeDocument", "xl/workbook.xml"),
            (f"{_PACKAGE_REL}/metadata/core-properties", "docProps/core.xml"),
            (f"{_REL}/extended-properties", "docProps/app.xml"),
        ]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", root_rels),
            ("docProps/core.xml", core),
            ("docProps/app.xml", app),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/styles.xml", _STYLES),
        ):
            archive.writestr(_entry(name), text.encode("utf-8"))
        for part, sheet in zip(sheet_parts, sheets, strict=True):
            _write_sheet(archive, part, sheet)
    return buffer.getvalue()
