"""Positive import cases upload a real workbook: one the emulator exports, in the layout their action reads.

Schemathesis generates the ``file`` of ``ImportModels`` and ``ImportCatalogs``
from the spec (``format: binary``): any bytes, which no server can import, so
every positive case would be refused and ``positive_data_acceptance`` would
judge the server wrong for refusing garbage. This ``before_call`` hook
replaces the file of a case generated positive in its body with the
workbook the emulator's export of the action's type writes
(:data:`dataarts_emulator.workbook.IMPORT_TYPES`), and gives
``import_relation`` the ``model_id`` its definition requires in words where
the case's query is positive (docs/fidelity.md F-IMPORT-5). A case generated
negative in a part keeps that part as generated, so it is still rejected.

Against a live service these calls would change the workspace, and the
emulator's layouts are not Huawei's templates: the runner leaves both
operations out for a server that is not this machine unless asked
(``--include-imports``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import IMPORT_TYPES, build_workbook

__all__ = ["MODEL_ID", "UPLOAD_OPERATIONS", "real_workbook", "send_real_workbooks"]

UPLOAD_OPERATIONS = ("ImportModels", "ImportCatalogs")
"""The operations whose body is an uploaded workbook (spec order)."""
MODEL_ID = "1213499006739791872"
"""The relational model ``import_relation`` imports into: the spec's example of ``model_id``."""
_IDS = ("1226583503525818368", "1226583503525818369")


@cache
def real_workbook(action: str) -> bytes:
    """The workbook the emulator exports for the type whose layout ``action`` reads (two objects)."""
    return build_workbook(ExportRequest(type=IMPORT_TYPES.get(action, "subject"), ids=_IDS))


def _negative_at(case: Any, location: str) -> bool:
    from schemathesis.core.parameters import ParameterLocation  # noqa: PLC0415 - only where schemathesis runs

    meta = getattr(case, "meta", None)
    return meta is not None and bool(meta.is_negative_at(ParameterLocation(location)))


def send_real_workbooks(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """``before_call`` hook: a real workbook in the positive body of an upload, ``model_id`` for ``import_relation``."""
    if case.operation.definition.raw.get("operationId") not in UPLOAD_OPERATIONS or _negative_at(case, "query"):
        return
    query = dict(case.query or {})
    action = query.get("action-id")
    if not isinstance(action, str):
        return
    replace_file = not _negative_at(case, "body") and isinstance(case.body, dict) and "file" in case.body
    if action == "import_relation" and "model_id" not in query:
        case.query = {**query, "model_id": MODEL_ID}
    if replace_file:
        case.body = {**case.body, "file": real_workbook(action)}
        # Schemathesis revalidates a container a before_call hook edits, and judges any body holding binary
        # schema-invalid (generation/case.py, Case._validate_component): the workbook would turn the case
        # negative, and its acceptance a failure. Any bytes are a valid `format: binary` file, so the label
        # given at generation stands: the containers as they are now become the case's starting state.
        case._record_starting_state()
