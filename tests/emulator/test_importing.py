"""What each row of an import does to a workspace, and what the import job reports (no HTTP)."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from dataarts_emulator.design import DesignStore, Objects, code_index
from dataarts_emulator.exceptions import LayoutMismatch, WorkspaceFull
from dataarts_emulator.importing import ImportJob, ImportPlan, RowOutcome, check_header, derived_id, plan_import
from dataarts_emulator.upload import SheetRow
from dataarts_emulator.workbook import GENERIC_LAYOUT, LAYOUTS, import_layout

CODE = LAYOUTS["codeTable"]  # ID, Code table code, Code table name, Values


def sheet(*rows: list[str], header: tuple[str, ...] = CODE.columns) -> list[SheetRow]:
    lines = [list(header), *rows]
    return [SheetRow(n, {i: text for i, text in enumerate(cells) if text}) for n, cells in enumerate(lines, start=1)]


def plan(rows: list[SheetRow], objects: Objects | None = None, *, skip: bool = False, most: int = 99) -> ImportPlan:
    return plan_import(rows, CODE, objects if objects is not None else {}, skip_existing=skip, max_objects=most)


@pytest.mark.fact("F-IMPORT-14", "F-IMPORT-15")
def test_new_codes_create_objects_with_the_rows_ids() -> None:
    made = plan(sheet(["1", "c1", "One", "3"], ["2", "c2", "Two", ""]))
    assert made.outcomes == [RowOutcome(2, "c1", "1", "CREATE"), RowOutcome(3, "c2", "2", "CREATE")]
    assert made.writes == {"1": ("1", "c1", "One", "3"), "2": ("2", "c2", "Two", "")}
    assert made.created == 2
    objects: dict[str, tuple[str, ...]] = {"9": ("9", "old", "Old", "1")}
    made.apply(objects)
    assert set(objects) == {"9", "1", "2"}


@pytest.mark.fact("F-IMPORT-7", "F-IMPORT-14", "F-IMPORT-15")
def test_an_existing_code_is_updated_under_its_own_id_or_skipped() -> None:
    existing: Objects = {"7": ("7", "c1", "Before", "1")}
    updated = plan(sheet(["1", "c1", "After", "2"]), existing)
    assert updated.outcomes == [RowOutcome(2, "c1", "7", "UPDATE")]
    assert updated.writes == {"7": ("7", "c1", "After", "2")}
    assert updated.created == 0
    skipped = plan(sheet(["1", "c1", "After", "2"]), existing, skip=True)
    assert skipped.outcomes == [RowOutcome(2, "c1", "7", "SKIP")]
    assert skipped.writes == {}


def test_a_row_without_an_id_gets_one_derived_from_its_code() -> None:
    made = plan(sheet(["", "c1", "One", ""]))
    assert made.outcomes[0].object_id == derived_id("code table", "c1")
    assert len(derived_id("code table", "c1")) == 18
    assert derived_id("code table", "c1") != derived_id("code table", "c2") != derived_id("table", "c2")


@pytest.mark.parametrize(
    ("rows", "objects", "message"),
    [
        ([["1", "", "x", ""]], {}, "row 2 has no Code table code"),
        ([["1", "c1", "", ""], ["2", "c1", "", ""]], {}, "Code table code 'c1' is also in row 2"),
        ([["7", "c2", "", ""]], {"7": ("7", "c1", "", "")}, "ID 7 already belongs to Code table code 'c1'"),
        ([["1", "c1", "", ""], ["1", "c2", "", ""]], {}, "ID 1 already belongs to Code table code 'c1'"),
        ([["1", "c1", "", "", "extra"]], {}, "row 2 has text past the layout's columns"),
    ],
    ids=["no-code", "duplicate-code", "taken-id", "id-taken-by-an-earlier-row", "extra-cell"],
)
def test_rows_that_cannot_be_imported_fail_with_a_reason(rows: list[list[str]], objects: Objects, message: str) -> None:
    made = plan(sheet(*rows), dict(objects))
    failed = made.outcomes[-1]
    assert (failed.message, failed.object_id, failed.remark, failed.succeeded) == (message, None, None, False)
    assert failed.number == len(rows) + 1
    assert set(made.writes) <= {"1"}


def test_empty_rows_are_not_rows() -> None:
    made = plan(sheet(["", "", "", ""], ["1", "c1", "", ""]))
    assert [o.number for o in made.outcomes] == [3]


@pytest.mark.fact("F-EMU-21")
def test_the_header_must_be_the_actions_layout() -> None:
    check_header(sheet(), CODE)
    check_header([SheetRow(1, {0: "ID", 1: "Code table code", 2: "Code table name", 3: "Values"})], CODE)
    for header in [("ID", "Name", "Display name"), (*CODE.columns, "More")]:
        with pytest.raises(LayoutMismatch, match="expected: ID, Code table code, Code table name, Values"):
            check_header(sheet(header=header), CODE)


@pytest.mark.fact("F-EMU-22")
def test_more_objects_than_max_objects_refuses_the_whole_upload() -> None:
    objects: Objects = {"9": ("9", "old", "", "")}
    assert plan(sheet(["1", "c1", "", ""]), objects, most=2).created == 1
    with pytest.raises(WorkspaceFull, match="more than 1 code table objects"):
        plan(sheet(["1", "c1", "", ""]), objects, most=1)
    assert plan(sheet(["1", "old", "", ""]), objects, most=1).outcomes[0].remark == "UPDATE"
    assert objects == {"9": ("9", "old", "", "")}


@pytest.mark.fact("F-IMPORT-19")
def test_import_actions_read_their_layouts() -> None:
    assert import_layout("import_codetable") is CODE
    assert import_layout("import_relation").kind == import_layout("import_dimension").kind == "table"
    assert import_layout("start-import") is import_layout("import_atomic") is GENERIC_LAYOUT


def job(outcomes: tuple[RowOutcome, ...], duration: float = 10.0) -> ImportJob:
    return ImportJob("94b429c0-9524-481f-aa8d-c2c9ee965702", "p", "w", "import_codetable", 100.0, duration, outcomes)


@pytest.mark.fact("F-IMPORT-12", "F-IMPORT-13", "F-EMU-23")
def test_an_import_reports_progress_then_its_groups() -> None:
    running = job((RowOutcome(2, "c1", "1", "CREATE"),))
    assert [running.status(100.0 + t).rate for t in (0, 2.5, 9.99)] == ["0.00", "0.25", "0.99"]
    assert running.status(105).state == "importing"
    assert running.status(105).group is None
    done = running.status(110.0)
    assert (done.state, done.rate) == ("success", "1.00")
    assert done.group is not None
    group = done.group
    assert (group["total"], group["success"], group["failed"]) == (1, 1, 0)
    assert (group["operation_status"], group["operation_type"], group["rate"]) == (
        "SUCCESS",
        "IMPORT_CODETABLE",
        "1.00",
    )
    assert (group["id"], group["biz_id"], group["biz_name"], group["logs"], group["tenant_id"]) == (
        None,
        None,
        None,
        None,
        "p",
    )
    assert group["group_id"] == str(int("94b429c09524481faa8dc2c9ee965702", 16) >> 66)
    (row,) = group["groups"]
    assert row["biz_name"] == "c1"
    assert row["biz_id"] == "1"
    assert (row["operation_status"], row["remark"], row["logs"], row["groups"]) == ("SUCCESS", "CREATE", None, None)
    assert (row["total"], row["success"], row["failed"]) == (1, 1, 0)
    assert json.loads(row["biz_info"]) == {"op_name": "c1", "op_number": 0}
    assert row["id"] == group["group_id"] + "00000"


@pytest.mark.fact("F-IMPORT-16")
def test_some_failed_rows_make_a_failed_group_of_a_successful_import() -> None:
    outcomes = (RowOutcome(2, "c1", "1", "CREATE"), RowOutcome(3, "", None, message="row 3 has no code"))
    status = job(outcomes, 0.0).status(100.0)
    assert status.state == "success"
    assert status.group is not None
    assert (status.group["failed"], status.group["success"], status.group["operation_status"]) == (1, 1, "FAILED")
    assert status.group["logs"] == "row 3 has no code"
    assert status.group["groups"][1]["operation_status"] == "FAILED"
    assert status.group["groups"][1]["logs"] == "row 3 has no code"


@pytest.mark.fact("F-IMPORT-16")
def test_an_import_whose_every_row_failed_fails_and_an_empty_one_succeeds() -> None:
    assert job((RowOutcome(2, "", None, message="no"),), 0.0).status(100.0).state == "fail"
    assert job((), 0.0).status(100.0).state == "success"
    assert job((), 0.0).status(100.0).group == {**job((), 0.0).group(), "total": 0}


def test_subjects_have_their_own_operation_type() -> None:
    subjects = ImportJob("94b429c0-9524-481f-aa8d-c2c9ee965702", "p", "w", "start-import", 0.0, 0.0, ())
    assert subjects.group()["operation_type"] == "IMPORT_START_IMPORT"


def test_the_store_holds_objects_per_workspace_and_kind() -> None:
    store = DesignStore()
    store.put("p", "w", "code table", [("1", "c1", "", ""), ("2", "c2", "", "")])
    store.put("p", "w", "code table", [("1", "c9", "", "")])
    assert store.all_rows("p", "w", "code table") == [("1", "c9", "", ""), ("2", "c2", "", "")]
    assert store.rows("p", "w", "code table", ["2", "3"]) == {"2": ("2", "c2", "", "")}
    assert store.rows("p", "other", "code table", ["2"]) == {}
    assert store.rows("p", "w", "table", ["2"]) == {}
    with store.holding("p", "w", "code table") as objects:
        assert code_index(objects, 1) == {"c9": "1", "c2": "2"}


# --------------------------------------------------------------------------- what the first mutation run showed


def test_a_derived_id_is_the_same_18_digits_from_one_release_to_the_next() -> None:
    """Exports name objects by ID: an ID derived from a code must not change when the emulator does."""
    assert derived_id("code table", "c1") == "737391887207159374"
    assert derived_id("table", "中") == "350133279756396723"
    assert derived_id("code table", "\ud800") == "355212583214502018", "any str, even a lone surrogate"


def test_every_failing_row_keeps_its_code_and_the_rows_after_it_are_still_decided() -> None:
    made = plan(
        sheet(
            ["1", "c1", "", ""],
            ["2", "", "no code", ""],
            ["3", "c1", "", ""],
            ["1", "c2", "", ""],
            ["5", "c5", "", "", "extra"],
            ["6", "c6", "", ""],
        )
    )
    assert [(o.number, o.code, o.succeeded) for o in made.outcomes] == [
        (2, "c1", True),
        (3, "", False),
        (4, "c1", False),
        (5, "c2", False),
        (6, "c5", False),
        (7, "c6", True),
    ]
    assert made.writes == {"1": ("1", "c1", "", ""), "6": ("6", "c6", "", "")}


def test_the_result_group_of_a_finished_import_field_by_field() -> None:
    """Every field of the ``BatchOperationVO``, of the import and of each row, as the result answers it."""
    uuid = "94b429c0-9524-481f-aa8d-c2c9ee965702"
    group_id = str(int(uuid.replace("-", ""), 16) >> 66)
    outcomes = (RowOutcome(2, "中", "1", "CREATE"), RowOutcome(3, "", None, message="row 3 has no code"))
    group = ImportJob(uuid, "p", "w", "import_codetable", 0.0, 0.0, outcomes).group()
    common = {"tenant_id": "p", "group_id": group_id, "operation_type": "IMPORT_CODETABLE"}
    common |= {"create_by": "dataarts-emulator"}
    assert group == {
        **common,
        "id": None,
        "biz_name": None,
        "biz_id": None,
        "operation_status": "FAILED",
        "biz_info": None,
        "remark": None,
        "total": 2,
        "success": 1,
        "failed": 1,
        "rate": "1.00",
        "logs": "row 3 has no code",
        "groups": [
            {
                **common,
                "id": f"{group_id}00000",
                "biz_name": "中",
                "biz_id": "1",
                "operation_status": "SUCCESS",
                "biz_info": '{"op_name": "中", "op_number": 0}',
                "remark": "CREATE",
                "total": 1,
                "success": 1,
                "failed": 0,
                "rate": None,
                "logs": None,
                "groups": None,
            },
            {
                **common,
                "id": f"{group_id}00001",
                "biz_name": "",
                "biz_id": None,
                "operation_status": "FAILED",
                "biz_info": '{"op_name": "", "op_number": 1}',
                "remark": None,
                "total": 1,
                "success": 0,
                "failed": 1,
                "rate": None,
                "logs": "row 3 has no code",
                "groups": None,
            },
        ],
    }


def test_the_import_s_logs_are_the_first_100_messages_one_a_line() -> None:
    outcomes = tuple(RowOutcome(n, "", None, message=f"row {n} has no code") for n in range(2, 103))
    logs = job(outcomes, 0.0).group()["logs"]
    assert logs == "\n".join(f"row {n} has no code" for n in range(2, 102))


def test_outcomes_and_statuses_are_frozen_and_a_job_never_expires_by_default() -> None:
    outcome = RowOutcome(2, "c1", "1", "CREATE")
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.code = "c2"  # type: ignore[misc]
    status = job((outcome,), 0.0).status(100.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.rate = "0.50"  # type: ignore[misc]
    assert job((outcome,)).expires_at == math.inf
