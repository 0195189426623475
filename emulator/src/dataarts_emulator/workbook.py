"""The exported Excel workbook: a real ``.xlsx`` whose bytes depend only on the request.

Each export type has its own sheet layout (title and columns); each requested
id becomes a row whose other cells are derived from a hash of the type and id,
so they look plausible and never change. A second sheet records the request.
Equal requests give equal bytes: the document properties carry a fixed date
and the zip entries a fixed timestamp, which lets tests compare downloads and
lets clients cache or checksum them.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from .models import ExportRequest

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIXED_MOMENT = datetime(2024, 1, 1, 0, 0, 0)  # naive: openpyxl writes it as UTC
_ZIP_MOMENT = (1980, 1, 1, 0, 0, 0)
_MAX_CELL_CHARS = 32767  # Excel's limit for one cell

RowFactory = Callable[[str, str], list[str]]


def _digest(export_type: str, object_id: str) -> str:
    return hashlib.sha256(f"{export_type}\0{object_id}".encode("utf-8", "replace")).hexdigest()


def _table_row(kind: str, object_id: str) -> list[str]:
    d = _digest(kind, object_id)
    return [object_id, f"tbl_{d[:8]}", f"Table {d[8:12].upper()}", f"dim_{d[12:16]}", "DWS", "PUBLISHED"]


def _standard_row(kind: str, object_id: str) -> list[str]:
    d = _digest(kind, object_id)
    return [object_id, f"std_{d[:8]}", f"Standard {d[8:12].upper()}", "STRING", f"{int(d[12:14], 16) % 255 + 1}"]


def _code_table_row(kind: str, object_id: str) -> list[str]:
    d = _digest(kind, object_id)
    return [object_id, f"code_{d[:8]}", f"Code table {d[8:12].upper()}", f"{int(d[12:14], 16) % 20 + 1}"]


def _catalog_row(kind: str, object_id: str) -> list[str]:
    d = _digest(kind, object_id)
    return [object_id, f"Catalog {d[:6].upper()}", f"L{int(d[6], 16) % 5 + 1}", f"owner_{d[7:11]}"]


def _generic_row(kind: str, object_id: str) -> list[str]:
    d = _digest(kind, object_id)
    return [object_id, f"obj_{d[:8]}", f"Object {d[8:12].upper()}"]


@dataclass(frozen=True)
class SheetLayout:
    """How one export type looks: sheet title, header row, and the row for an id."""

    title: str
    columns: tuple[str, ...]
    row: RowFactory


_TABLE = ("ID", "Table name", "Display name", "Dimension", "Data source", "Status")
_STANDARD = ("ID", "Standard code", "Standard name", "Data type", "Length")
_CODE = ("ID", "Code table code", "Code table name", "Values")
_CATALOG = ("ID", "Name", "Level", "Owner")

LAYOUTS: dict[str, SheetLayout] = {
    "TABLE_MODEL": SheetLayout("Table models", _TABLE, _table_row),
    "ER": SheetLayout("ER models", _TABLE, _table_row),
    "DIM": SheetLayout("Dimensions", _TABLE, _table_row),
    "dataStandard": SheetLayout("Data standards", _STANDARD, _standard_row),
    "Directory_Standard": SheetLayout("Standard directories", _STANDARD, _standard_row),
    "codeTable": SheetLayout("Code tables", _CODE, _code_table_row),
    "Directory_CodeTable": SheetLayout("Code table directories", _CODE, _code_table_row),
    "import_bizcatalog": SheetLayout("Business catalogs", _CATALOG, _catalog_row),
    "import_bizmetric": SheetLayout("Business metrics", _CATALOG, _catalog_row),
}
GENERIC_LAYOUT = SheetLayout("Objects", ("ID", "Name", "Display name"), _generic_row)


def layout_for(export_type: str | None) -> SheetLayout:
    """The layout of a known type; any other type (the spec allows any string) gets a generic one."""
    return LAYOUTS.get(export_type or "", GENERIC_LAYOUT)


def cell_text(value: str) -> str:
    """Text safe for a cell: no lone surrogates, no XML-illegal characters, within Excel's length."""
    text = value.encode("utf-8", "replace").decode("utf-8")
    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", text)
    return cleaned[:_MAX_CELL_CHARS]


def _append(sheet: Any, values: Sequence[str], *, bold: bool = False) -> None:
    sheet.append([cell_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        # Strings starting with "=" would otherwise become formulas: ids are data, never code.
        cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)


def build_workbook(request: ExportRequest) -> bytes:
    """The ``.xlsx`` bytes for ``request``; equal requests give equal bytes."""
    layout = layout_for(request.type)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = layout.title
    _append(sheet, layout.columns, bold=True)
    for object_id in request.ids:
        _append(sheet, layout.row(request.type or "", object_id))
    info = workbook.create_sheet("Export")
    _append(info, ("Parameter", "Value"), bold=True)
    _append(info, ("type", request.type or ""))
    _append(info, ("asyn", "true" if request.asyn else "false"))
    _append(info, ("ids", str(len(request.ids))))
    for name in ("directory_id", "biz_catalog_id", "model_id"):
        value = getattr(request, name)
        if value is not None:
            _append(info, (name, value))
    if request.biz_catalog_id_list:
        _append(info, ("biz_catalog_id_list", ",".join(request.biz_catalog_id_list)))
    props = workbook.properties
    props.creator = "DataArts Studio emulator"
    props.title = f"DataArts export: {layout.title}"
    props.created = FIXED_MOMENT
    props.modified = FIXED_MOMENT
    return _with_fixed_timestamps(_save(workbook))


def _save(workbook: Workbook) -> bytes:
    # ExcelWriter directly: openpyxl's save_workbook stamps "modified" with the current time.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return buffer.getvalue()


def _with_fixed_timestamps(data: bytes) -> bytes:
    """Re-pack the zip with one fixed timestamp per entry (zipfile stamps entries with the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=_ZIP_MOMENT)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()
