"""The job store's answers in detail: the failure group a client parses, the rate's rounding, the store's limits.

test_models.py drives the state machine; these pin what a client reads from
it: every field of the ``BatchOperationVO`` group of a failed export, the
rate as the floor of the elapsed share, uuid version 4, the ``Retry-After``
of a full store at its bounds, a workbook built once.
"""

from __future__ import annotations

import uuid

import pytest

from dataarts_emulator import EmulatorSettings
from dataarts_emulator.exceptions import ExportNotFound, ImportNotFound, StoreFull
from dataarts_emulator.importing import RowOutcome
from dataarts_emulator.models import ExportRequest, Job, JobStore
from dataarts_emulator.ranges import etag_of

from .support import FakeClock


def store(clock: FakeClock, **settings: float | int | str) -> JobStore:
    return JobStore(EmulatorSettings(seed=1, **settings), clock)  # type: ignore[arg-type]


def failure(jobs: JobStore, request: ExportRequest) -> tuple[str, dict[str, object]]:
    job = jobs.start("p", "w", request)
    status = jobs.status("p", "w", job.uuid)[1]
    assert (status.state, status.rate) == ("fail", 100)
    assert status.group is not None
    return job.uuid, status.group


def test_a_marked_failure_reports_every_field_of_the_batch_operation(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=0)
    job_uuid, group = failure(jobs, ExportRequest(type="TABLE_MODEL", ids=("1", "x-fail-2", "fail-3")))
    assert group == {
        "id": job_uuid,
        "tenant_id": "p",
        "group_id": job_uuid,
        "biz_name": "export",
        "biz_id": job_uuid,
        "operation_status": "FAILED",
        "operation_type": "EXPORT",
        "biz_info": "TABLE_MODEL",
        "create_by": "dataarts-emulator",
        "remark": "",
        "total": 3,
        "success": 1,
        "failed": 2,
        "rate": "100",
        "logs": "export of x-fail-2 failed: object not found; export of fail-3 failed: object not found",
        "groups": [],
    }


def test_an_injected_failure_fails_the_whole_export(clock: FakeClock) -> None:
    jobs = store(clock, export_seconds=0, fail_ratio=1.0)
    _, group = failure(jobs, ExportRequest())
    assert (group["total"], group["success"], group["failed"]) == (1, 0, 1)
    assert group["logs"] == "export failed: injected failure (fail_ratio)"
    assert group["biz_info"] == ""
    _, group = failure(jobs, ExportRequest(ids=("1", "2")))
    assert (group["total"], group["success"], group["failed"]) == (2, 0, 2)


def test_the_logs_name_at_most_twenty_failed_ids(clock: FakeClock) -> None:
    ids = tuple(f"fail-{n}" for n in range(25))
    _, group = failure(store(clock, export_seconds=0), ExportRequest(ids=ids))
    assert group["failed"] == 25
    logs = str(group["logs"]).split("; ")
    assert logs == [f"export of fail-{n} failed: object not found" for n in range(20)]


@pytest.mark.parametrize(("elapsed", "rate"), [(0.0, 0), (19.9, 9), (20.0, 10), (101.5, 50), (199.9, 99)])
def test_the_rate_is_the_floor_of_the_elapsed_share(clock: FakeClock, elapsed: float, rate: int) -> None:
    jobs = store(clock, export_seconds=200)
    job = jobs.start("p", "w", ExportRequest())
    clock.advance(elapsed)
    status = jobs.status("p", "w", job.uuid)[1]
    assert (status.state, status.rate) == ("importing", rate)


def test_seeded_uuids_are_version_4(clock: FakeClock) -> None:
    jobs = store(clock)
    for _ in range(20):
        parsed = uuid.UUID(jobs.start("p", "w", ExportRequest()).uuid)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


def test_a_full_store_asks_for_at_least_one_second_and_at_most_a_day(clock: FakeClock) -> None:
    soon = store(clock, export_seconds=0, job_ttl_seconds=0.25, max_jobs=1)
    soon.start("p", "w", ExportRequest())
    with pytest.raises(StoreFull) as full:
        soon.start("p", "w", ExportRequest())
    assert full.value.retry_after == 1
    assert full.value.headers == {"Retry-After": "1"}
    late = store(clock, export_seconds=0, job_ttl_seconds=10**6, max_jobs=1)
    late.start("p", "w", ExportRequest())
    with pytest.raises(StoreFull) as full:
        late.start("p", "w", ExportRequest())
    assert full.value.retry_after == 86400


def test_the_workbook_is_built_once_from_the_request_with_its_etag() -> None:
    request = ExportRequest(type="TABLE_MODEL", ids=("1",))
    job = Job("u", "p", "w", request, started_at=0.0, duration=0.0)
    built: list[ExportRequest] = []

    def build(seen: ExportRequest, held: object) -> bytes:
        assert held == {}
        built.append(seen)
        return b"PK workbook"

    first = job.export_file(build)
    assert (first.content, first.etag) == (b"PK workbook", etag_of(b"PK workbook"))
    assert job.export_file(build) is first
    assert built == [request]
    assert job.file is first


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"type": "TABLE_MODEL"}, "TABLE_MODEL"),
        ({"type": 5}, None),
        ({}, None),
    ],
)
def test_request_type_is_read_when_it_is_text(body: dict[str, object], expected: str | None) -> None:
    request = ExportRequest.from_body(body)
    assert request.type == expected
    assert ExportRequest.from_body({**body, "model_id": 7, "directory_id": "d"}).requested_ids() == ("d",)


def test_an_export_keeps_its_own_copy_of_the_rows_the_workspace_held(clock: FakeClock) -> None:
    held = {"1": ("1", "c1")}
    job = store(clock).start("p", "w", ExportRequest(type="codeTable", ids=("1",)), held)
    held.clear()
    assert job.held == {"1": ("1", "c1")}


def test_an_import_is_kept_in_its_workspace_for_import_seconds_then_its_ttl(clock: FakeClock) -> None:
    jobs = store(clock, import_seconds=4, job_ttl_seconds=60)
    export = jobs.start("p", "w", ExportRequest())
    outcomes = (RowOutcome(2, "c1", "1", "CREATE"),)
    job = jobs.start_import("p", "w", "import_codetable", outcomes)
    assert (job.project_id, job.workspace, job.action, job.started_at, job.duration, job.outcomes) == (
        "p",
        "w",
        "import_codetable",
        clock(),
        4,
        outcomes,
    )
    assert uuid.UUID(job.uuid).version == 4
    assert job.uuid != export.uuid
    assert job.expires_at == clock() + 4 + 60
    found, status = jobs.import_status("p", "w", job.uuid)
    assert (found, status.state, status.rate) == (job, "importing", "0.00")
    clock.advance(4)
    assert jobs.import_status("p", "w", job.uuid)[1].state == "success"
    for project_id, workspace, job_uuid in (("q", "w", job.uuid), ("p", "v", job.uuid), ("p", "w", export.uuid)):
        with pytest.raises(ImportNotFound):
            jobs.import_status(project_id, workspace, job_uuid)
    with pytest.raises(ExportNotFound):
        jobs.status("p", "w", job.uuid)
    clock.advance(61)
    with pytest.raises(ImportNotFound):
        jobs.import_status("p", "w", job.uuid)
