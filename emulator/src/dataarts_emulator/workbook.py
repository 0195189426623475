"""The exported Excel workbook: a real ``.xlsx`` whose bytes depend only on the request and the workspace.

Each export type has its own sheet layout (title and columns); each requested
id becomes a row: the object's cells when the workspace holds it (seeded or
imported, see :mod:`dataarts_emulator.design`), else cells derived from a hash
of the type and id, so they look plausible and never change. A second sheet
records the request. The import actions read the same layouts back
(:data:`IMPORT_TYPES`).
Equal requests give equal bytes: the document properties carry a fixed date
and the zip entries a fixed timestamp (:mod:`dataarts_emulator.xlsx`), which
lets tests compare downloads and lets clients cache or checksum them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .models import ExportRequest
from .xlsx import Sheet, write_xlsx

CREATOR = "DataArts Studio emulator"
FIXED_MOMENT = datetime(2024, 1, 1, 0, 0, 0)  # naive, written as UTC
_SINGLE_IDS = ("directory_id", "biz_catalog_id", "model_id")

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
    """How one export type looks: sheet title, header row, the row for an id, and what its rows are.

    ``kind`` names the objects its rows describe (types of one kind show the
    same objects of a workspace), ``key`` the column that identifies one in a
    workspace: its code or name (Huawei's import matches tables by their
    code; assumed for every kind). The first column is always the ID.
    """

    title: str
    columns: tuple[str, ...]
    row: RowFactory
    kind: str
    key: int = 1


_TABLE = ("ID", "Table name", "Display name", "Dimension", "Data source", "Status")
_STANDARD = ("ID", "Standard code", "Standard name", "Data type", "Length")
_CODE = ("ID", "Code table code", "Code table name", "Values")
_CATALOG = ("ID", "Name", "Level", "Owner")

LAYOUTS: dict[str, SheetLayout] = {
    "TABLE_MODEL": SheetLayout("Table models", _TABLE, _table_row, "table"),
    "ER": SheetLayout("ER models", _TABLE, _table_row, "table"),
    "DIM": SheetLayout("Dimensions", _TABLE, _table_row, "table"),
    "dataStandard": SheetLayout("Data standards", _STANDARD, _standard_row, "data standard"),
    "Directory_Standard": SheetLayout("Standard directories", _STANDARD, _standard_row, "data standard"),
    "codeTable": SheetLayout("Code tables", _CODE, _code_table_row, "code table"),
    "Directory_CodeTable": SheetLayout("Code table directories", _CODE, _code_table_row, "code table"),
    "import_bizcatalog": SheetLayout("Business catalogs", _CATALOG, _catalog_row, "process"),
    "import_bizmetric": SheetLayout("Business metrics", _CATALOG, _catalog_row, "business metric"),
}
GENERIC_LAYOUT = SheetLayout("Objects", ("ID", "Name", "Display name"), _generic_row, "object")

IMPORT_TYPES: dict[str, str] = {
    "import_relation": "TABLE_MODEL",
    "import_dimension": "DIM",
    "import_codetable": "codeTable",
    "import_datastandard": "dataStandard",
    "import_bizmetric": "import_bizmetric",
    "import_bizcatalog": "import_bizcatalog",
}
"""The export type whose layout each import action reads (the emulator's own pairing; Huawei documents none,
docs/fidelity.md F-IMPORT-19); any other action, ``start-import`` (subjects) included, reads the generic layout,
which an export of any other type (``subject``, say) writes."""


def layout_for(export_type: str | None) -> SheetLayout:
    """The layout of a known type; any other type (the spec allows any string) gets a generic one."""
    return LAYOUTS.get(export_type or "", GENERIC_LAYOUT)


def import_layout(action: str) -> SheetLayout:
    """The layout an import ``action`` reads: that of its export type in :data:`IMPORT_TYPES`, else the generic one."""
    return layout_for(IMPORT_TYPES.get(action))


def build_workbook(request: ExportRequest, held: Mapping[str, tuple[str, ...]] | None = None) -> bytes:
    """The ``.xlsx`` bytes for ``request``; equal requests give equal bytes, in time linear in the ids.

    ``held`` maps ids to the cells of the objects the workspace holds (taken
    when the export started); every other id gets the made-up row of its type.
    """
    layout = layout_for(request.type)
    kind = request.type or ""
    objects = held or {}
    info = [("type", kind), ("asyn", "true" if request.asyn else "false"), ("ids", str(len(request.ids)))]
    info += [(name, value) for name in _SINGLE_IDS if (value := getattr(request, name)) is not None]
    if request.biz_catalog_id_list:
        info.append(("biz_catalog_id_list", ",".join(request.biz_catalog_id_list)))
    sheets = [
        Sheet(
            layout.title,
            layout.columns,
            (objects.get(object_id) or layout.row(kind, object_id) for object_id in request.ids),
        ),
        Sheet("Export", ("Parameter", "Value"), info),
    ]
    return write_xlsx(sheets, creator=CREATOR, title=f"DataArts export: {layout.title}", moment=FIXED_MOMENT)
