"""The HTTP handlers, one per spec operation: parse the call, ask the backend, render the answer.

Each handler receives a :class:`Call` that has already passed routing, fault
injection, authentication, validation and authorisation (see
:mod:`dataarts_emulator.app` for that order), so it only does its operation's
own work. Failures are raised as :mod:`~dataarts_emulator.exceptions` types and
rendered by the app, never here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from dataarts_export_client.lib.redaction import clip

from .auth import Principal
from .backend import EmulatorBackend
from .exceptions import InvalidRequest, ObjectsNotFound, UploadTooLarge
from .importing import ImportJob, plan_import
from .incoming import Incoming
from .models import ExportRequest
from .ranges import select_range
from .rendering import json_response, status_response, workbook_response
from .upload import FORM_OVERHEAD_BYTES, MAX_FILE_BYTES, Upload, read_sheet, read_upload
from .workbook import SheetLayout, build_workbook, import_layout, layout_for

UPLOAD_OPERATIONS = frozenset({"ImportModels", "ImportCatalogs"})
"""Operations whose body is an uploaded workbook, read up to :data:`UPLOAD_BODY_LIMIT` instead of ``max_body_bytes``."""
UPLOAD_BODY_LIMIT = MAX_FILE_BYTES + FORM_OVERHEAD_BYTES
_SHOWN_IDS = 10


@dataclass(frozen=True)
class Call:
    """One authenticated, validated and authorised call of a spec operation."""

    incoming: Incoming
    principal: Principal
    project_id: str
    workspace: str
    document: Any  # the body's JSON document, as validated (None without a body)


Handler = Callable[[EmulatorBackend, Call], Awaitable[Response]]


def upload_too_large(limit: int) -> UploadTooLarge:
    """The refusal of an upload body past ``limit`` bytes."""
    return UploadTooLarge(f"the upload exceeds {limit} bytes: the file must be smaller than {MAX_FILE_BYTES} bytes")


async def export_design_models(backend: EmulatorBackend, call: Call) -> Response:
    """``ExportDesignModels``: start an export of what the workspace holds (made-up rows for the rest), answer its uuid.

    With ``strict_workspaces``, ids the workspace does not hold are refused (:class:`ObjectsNotFound`).
    """
    # The spec requires a JSON object body here, and validation has checked it.
    request = ExportRequest.from_body(call.document)
    kind = layout_for(request.type).kind
    held = backend.design.rows(call.project_id, call.workspace, kind, request.ids)
    missing = [object_id for object_id in request.ids if object_id not in held]
    if backend.settings.strict_workspaces and missing:
        shown = ", ".join(clip(object_id, 64) for object_id in missing[:_SHOWN_IDS])
        more = f" and {len(missing) - _SHOWN_IDS} more" if len(missing) > _SHOWN_IDS else ""
        raise ObjectsNotFound(f"The workspace holds no {kind} with ID {shown}{more}.")
    job = backend.store.start(call.project_id, call.workspace, request, held)
    return json_response({"data": {"uuid": job.uuid}})


async def export_design_result(backend: EmulatorBackend, call: Call) -> Response:
    """``ExportDesignResult``: the export's status while it runs or failed, its workbook once it succeeded.

    The workbook honours a single byte ``Range`` (206, or 416), see :mod:`dataarts_emulator.ranges`.
    """
    uuids = call.incoming.query_values("uuid")
    if len(uuids) != 1:
        raise InvalidRequest("invalid query parameter 'uuid': give it exactly once")
    job, status = backend.store.status(call.project_id, call.workspace, uuids[0])
    if status.state != "success":
        return status_response(status.state, status.rate, status.group)
    # Built once per job, off the event loop; every later download reuses the bytes and their ETag.
    file = job.file
    if file is None:
        file = await run_in_threadpool(job.export_file, build_workbook)
    headers = call.incoming.headers
    part = select_range(headers.get("range"), headers.get("if-range"), file.etag, len(file.content))
    delivery = backend.faults.plan_delivery(len(file.content) if part is None else part.size)
    return workbook_response(file.content, f"dataarts-export-{job.uuid}.xlsx", file.etag, part, delivery)


def _skip_existing(incoming: Incoming) -> bool:
    """``skip-exist`` (API Explorer, SDK) or ``skip_exist`` (the doc pages' examples): skip when either says true."""
    values = incoming.query_values("skip-exist") + incoming.query_values("skip_exist")
    for value in values:
        if value not in ("true", "false"):
            raise InvalidRequest(f"invalid query parameter 'skip_exist': {clip(value, 64)!r} is not true or false")
    return "true" in values


def _import(backend: EmulatorBackend, call: Call, action: str, layout: SheetLayout, skip: bool) -> ImportJob:
    """Read the upload, decide its rows and keep the job, then apply the rows: refusals change nothing."""
    upload: Upload = read_upload(call.incoming.headers.get("content-type"), call.incoming.body)
    rows = read_sheet(upload.content)
    with backend.design.holding(call.project_id, call.workspace, layout.kind) as objects:
        plan = plan_import(rows, layout, objects, skip_existing=skip, max_objects=backend.settings.max_objects)
        job = backend.store.start_import(call.project_id, call.workspace, action, tuple(plan.outcomes))
        plan.apply(objects)
    return job


async def _start_import(backend: EmulatorBackend, call: Call, action: str) -> Response:
    skip = _skip_existing(call.incoming)
    # Parsing a workbook of thousands of rows takes tens of milliseconds: off the event loop.
    job = await run_in_threadpool(_import, backend, call, action, import_layout(action), skip)
    return json_response({"data": {"uuid": job.uuid}})


async def import_models(backend: EmulatorBackend, call: Call) -> Response:
    """``ImportModels``: import the uploaded workbook as ``action-id`` says, answer the import's uuid."""
    action = call.incoming.query_last["action-id"]  # required and checked against the spec's enum
    if action == "import_relation" and not call.incoming.query_last.get("model_id"):
        raise InvalidRequest("model_id is required with action-id import_relation")
    return await _start_import(backend, call, action)


async def import_catalogs(backend: EmulatorBackend, call: Call) -> Response:
    """``ImportCatalogs``: import the uploaded subject workbook, answer the import's uuid."""
    return await _start_import(backend, call, call.incoming.query_last["action-id"])


async def import_result(backend: EmulatorBackend, call: Call) -> Response:
    """``ImportResult``: the import's status, rate and, once it has finished, its per-row group."""
    uuids = call.incoming.query_values("uuid")
    if len(uuids) != 1:
        raise InvalidRequest("invalid query parameter 'uuid': give it exactly once")
    _, status = backend.store.import_status(call.project_id, call.workspace, uuids[0])
    return json_response({"data": {"status": status.state, "group": status.group, "rate": status.rate}})


HANDLERS: dict[str, Handler] = {
    "ExportDesignModels": export_design_models,
    "ExportDesignResult": export_design_result,
    "ImportModels": import_models,
    "ImportCatalogs": import_catalogs,
    "ImportResult": import_result,
}
"""Handler by the spec's operationId; the backend refuses to start if the spec has an operation not listed."""
