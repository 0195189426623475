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

from .auth import Principal
from .backend import EmulatorBackend
from .exceptions import InvalidRequest
from .incoming import Incoming
from .models import ExportRequest
from .ranges import select_range
from .rendering import json_response, status_response, workbook_response
from .workbook import build_workbook


@dataclass(frozen=True)
class Call:
    """One authenticated, validated and authorised call of a spec operation."""

    incoming: Incoming
    principal: Principal
    project_id: str
    workspace: str
    document: Any  # the body's JSON document, as validated (None without a body)


Handler = Callable[[EmulatorBackend, Call], Awaitable[Response]]


async def export_design_models(backend: EmulatorBackend, call: Call) -> Response:
    """``ExportDesignModels``: start an export, answer its uuid."""
    # The spec requires a JSON object body here, and validation has checked it.
    job = backend.store.start(call.project_id, call.workspace, ExportRequest.from_body(call.document))
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


HANDLERS: dict[str, Handler] = {
    "ExportDesignModels": export_design_models,
    "ExportDesignResult": export_design_result,
}
"""Handler by the spec's operationId; the backend refuses to start if the spec has an operation not listed."""
