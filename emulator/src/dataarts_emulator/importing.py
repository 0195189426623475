"""Imports: what each row of an uploaded sheet does to a workspace, and the import job that reports it.

Free of HTTP, like :mod:`dataarts_emulator.models`. :func:`plan_import`
decides every row against the workspace's objects without changing them;
the caller applies the plan (:meth:`ImportPlan.apply`) in the same hold of
the store's lock, after the job store has accepted the job, so an upload is
all or nothing: a refused one changes nothing, an accepted one applies
exactly the rows it reports as succeeded.

How a row is decided (the identity rule is Huawei's for tables — "whether
the table exists is determined by its code", DataArts Architecture user
guide — and the emulator's assumption for every other kind; see
``docs/fidelity.md``):

* an object of the workspace with the row's code is updated (its ID kept),
  or left alone with ``skip-exist`` (remark ``SKIP``, the remark of Huawei's
  documented ImportResult example);
* a new code creates an object with the row's ID, or with an ID derived from
  the code when the row has none; an ID that another object (or an earlier
  row) already has fails the row;
* a row without a code, a code an earlier row had, or text past the
  layout's columns fails the row, with a message saying why.

The job's result is a ``BatchOperationVO``: the counts and one group per
row (``biz_name`` the code, ``biz_id`` the ID to export it by, ``remark``
``CREATE``, ``UPDATE`` or ``SKIP``, ``logs`` the reason of a failure). The
status is ``fail`` when every row failed, else ``success`` (``failed``
counts the rows that did not); ``rate`` runs ``"0.00"`` to ``"1.00"``, the
scale of Huawei's documented ImportResult answer.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .design import Objects, Row, code_index
from .exceptions import LayoutMismatch, WorkspaceFull
from .upload import SheetRow, data_rows

if TYPE_CHECKING:
    from .workbook import SheetLayout

ImportState = Literal["importing", "fail", "success"]
CREATED, UPDATED, SKIPPED = "CREATE", "UPDATE", "SKIP"


@dataclass(frozen=True)
class RowOutcome:
    """What one data row did: ``remark`` says how it succeeded, ``message`` why it failed (``None`` otherwise)."""

    number: int
    code: str
    object_id: str | None
    remark: str | None = None
    message: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.message is None


@dataclass
class ImportPlan:
    """Every row's outcome, and the objects to write when the plan is applied."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    writes: dict[str, Row] = field(default_factory=dict)
    created: int = 0

    def apply(self, objects: Objects) -> None:
        """Write the planned objects (call in the same hold of the store's lock as :func:`plan_import`)."""
        objects.update(self.writes)


def derived_id(kind: str, code: str) -> str:
    """The ID of a new object whose row gave none: 18 digits from its kind and code, like Huawei's long IDs."""
    digest = hashlib.sha256(f"{kind}\0{code}".encode(errors="surrogatepass")).digest()  # UTF-8
    return str(10**17 + int.from_bytes(digest[:8]) % (9 * 10**17))  # big-endian


def check_header(rows: list[SheetRow], layout: SheetLayout) -> None:
    """Refuse a sheet whose first row is not ``layout``'s header (trailing empty cells allowed)."""
    header = rows[0]
    if header.values(len(layout.columns)) != list(layout.columns) or header.beyond(len(layout.columns)):
        expected = ", ".join(layout.columns)
        raise LayoutMismatch(f"the first sheet's header is not the {layout.kind} layout; expected: {expected}")


def plan_import(
    rows: list[SheetRow], layout: SheetLayout, objects: Objects, *, skip_existing: bool, max_objects: int
) -> ImportPlan:
    """Decide every data row of ``rows`` against ``objects``, which stay unchanged.

    Raises :class:`WorkspaceFull` when the new objects would pass ``max_objects``.
    """
    check_header(rows, layout)
    width, key = len(layout.columns), layout.key
    codes = code_index(objects, key)
    plan = ImportPlan()
    seen_codes: dict[str, int] = {}
    taken_ids = {object_id: row[key] for object_id, row in objects.items()}
    for row in data_rows(rows):
        cells = row.values(width)
        outcome = _decide(row, cells, layout, codes, seen_codes, taken_ids, skip_existing=skip_existing)
        plan.outcomes.append(outcome)
        if not outcome.succeeded or outcome.remark == SKIPPED or outcome.object_id is None:
            continue
        plan.writes[outcome.object_id] = (outcome.object_id, *cells[1:])
        if outcome.remark == CREATED:
            plan.created += 1
            taken_ids[outcome.object_id] = outcome.code
    if len(objects) + plan.created > max_objects:
        raise WorkspaceFull(
            f"the import would make the workspace hold more than {max_objects} {layout.kind} objects (max_objects)"
        )
    return plan


def _decide(
    row: SheetRow,
    cells: list[str],
    layout: SheetLayout,
    codes: dict[str, str],
    seen_codes: dict[str, int],
    taken_ids: dict[str, str],
    *,
    skip_existing: bool,
) -> RowOutcome:
    code, given_id = cells[layout.key], cells[0]
    column = layout.columns[layout.key]
    if row.beyond(len(layout.columns)):
        return RowOutcome(row.number, code, None, message=f"row {row.number} has text past the layout's columns")
    if not code:
        return RowOutcome(row.number, code, None, message=f"row {row.number} has no {column}")
    if code in seen_codes:
        first = seen_codes[code]
        return RowOutcome(row.number, code, None, message=f"{column} {code!r} is also in row {first}")
    seen_codes[code] = row.number
    existing = codes.get(code)
    if existing is not None:
        return RowOutcome(row.number, code, existing, remark=SKIPPED if skip_existing else UPDATED)
    object_id = given_id or derived_id(layout.kind, code)
    owner = taken_ids.get(object_id)
    if owner is not None:
        return RowOutcome(row.number, code, None, message=f"ID {object_id} already belongs to {column} {owner!r}")
    return RowOutcome(row.number, code, object_id, remark=CREATED)


@dataclass(frozen=True)
class ImportStatus:
    """What ``ImportResult`` reports: state, ``rate`` (``"0.00"`` to ``"1.00"``) and the result group."""

    state: ImportState
    rate: str
    group: dict[str, Any] | None = None


@dataclass
class ImportJob:
    """One import: decided when it started, reported over ``duration`` seconds like an export's progress."""

    uuid: str
    project_id: str
    workspace: str
    action: str
    started_at: float
    duration: float
    outcomes: tuple[RowOutcome, ...]
    expires_at: float = field(default=math.inf)

    @property
    def finishes_at(self) -> float:
        return self.started_at + self.duration

    @property
    def state(self) -> ImportState:
        """The final state: ``fail`` when every row failed, else ``success``."""
        failed = sum(not outcome.succeeded for outcome in self.outcomes)
        return "fail" if self.outcomes and failed == len(self.outcomes) else "success"

    def status(self, now: float) -> ImportStatus:
        """Rising rate while importing, then the decided outcome with its group."""
        if now < self.finishes_at:
            fraction = max(0.0, now - self.started_at) / self.duration
            return ImportStatus("importing", f"{min(0.99, fraction):.2f}")
        return ImportStatus(self.state, "1.00", self.group())

    def group(self) -> dict[str, Any]:
        """The ``BatchOperationVO`` of the finished import: counts, then one group per row."""
        operation_type = "IMPORT_" + self.action.removeprefix("import_").replace("-", "_").upper()
        group_id = str(int(self.uuid.replace("-", ""), 16) >> 66)
        failed = sum(not outcome.succeeded for outcome in self.outcomes)
        messages = [outcome.message for outcome in self.outcomes if outcome.message is not None]
        return {
            "id": None,
            "tenant_id": self.project_id,
            "group_id": group_id,
            "biz_name": None,
            "biz_id": None,
            "operation_status": "FAILED" if failed else "SUCCESS",
            "operation_type": operation_type,
            "biz_info": None,
            "create_by": "dataarts-emulator",
            "remark": None,
            "total": len(self.outcomes),
            "success": len(self.outcomes) - failed,
            "failed": failed,
            "rate": "1.00",
            "logs": "\n".join(messages[:100]) or None,
            "groups": [self._row_group(group_id, operation_type, index, o) for index, o in enumerate(self.outcomes)],
        }

    def _row_group(self, group_id: str, operation_type: str, index: int, outcome: RowOutcome) -> dict[str, Any]:
        return {
            "id": f"{group_id}{index:05d}",
            "tenant_id": self.project_id,
            "group_id": group_id,
            "biz_name": outcome.code,
            "biz_id": outcome.object_id,
            "operation_status": "SUCCESS" if outcome.succeeded else "FAILED",
            "operation_type": operation_type,
            "biz_info": json.dumps(
                {"op_name": outcome.code, "op_number": index},
                ensure_ascii=False,  # pragma: no mutate (equivalent: None is as false as False)
            ),
            "create_by": "dataarts-emulator",
            "remark": outcome.remark,
            "total": 1,
            "success": int(outcome.succeeded),
            "failed": int(not outcome.succeeded),
            "rate": None,
            "logs": outcome.message,
            "groups": None,
        }
