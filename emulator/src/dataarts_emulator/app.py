"""The HTTP layer: a thin Starlette app that parses, calls the backend and renders.

Order of checks for a spec path, each answering at most once:
route (404 / 405) -> injected fault (429 / 5xx) -> body size (400) ->
authentication (401) -> spec validation (400) -> tenant and workspace (403)
-> the operation (200, or 400 unknown export, or 429 store full).
Authentication comes first so that missing or wrong credentials give 401
whatever else is wrong; validation comes before the tenant check so that
malformed input gives 400 whoever sends it. Any unexpected exception is
logged and answered 400: no input can make the emulator answer 5xx (only the
injected faults do).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .auth import AuthenticationError, Authenticator, ForbiddenError, Principal, ReceivedRequest, authorize
from .config import EmulatorSettings
from .faults import FaultInjector
from .models import Clock, ExportRequest, JobNotFoundError, JobStore, StoreFullError
from .responses import RequestIdMiddleware, error_response, json_response, status_response, workbook_response
from .validation import RequestInvalidError, RequestValidator, RouteMatch, SpecRouter, load_spec, operation_has_body
from .workbook import build_workbook

logger = logging.getLogger("dataarts_emulator")

HEALTH_PATH = "/healthz"
BAD_REQUEST_CODE = "DLG.0400"
UNKNOWN_EXPORT_CODE = "DLG.0818"
UNKNOWN_EXPORT_MESSAGE = "The export task does not exist."
NOT_FOUND_CODE = "APIG.0101"
METHOD_NOT_ALLOWED_CODE = "DLG.0405"
STORE_FULL_CODE = "DLG.0429"


class _BodyTooLargeError(Exception):
    pass


@dataclass
class _Call:
    """One authenticated, validated call of a spec operation."""

    request: Request
    principal: Principal
    project_id: str
    workspace: str
    body: bytes


Handler = Callable[["EmulatorBackend", _Call], Awaitable[Response]]


class EmulatorBackend:
    """Everything behind the HTTP layer: spec, store, auth and faults, built from the settings."""

    def __init__(self, settings: EmulatorSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.spec = load_spec()
        self.router = SpecRouter(self.spec)
        self.validator = RequestValidator(self.spec)
        self.store = JobStore(settings.job_policy(), clock, seed=settings.seed)
        self.authenticator = Authenticator(
            settings.tenants,
            clock,
            date_window_seconds=settings.date_window_seconds,
            max_failures=settings.lockout_failures,
            lockout_seconds=settings.lockout_seconds,
        )
        self.faults = FaultInjector(
            fault_rate=settings.fault_rate,
            throttle_rate=settings.throttle_rate,
            truncate_rate=settings.truncate_rate,
            latency_ms=settings.latency_ms,
            retry_after_seconds=settings.retry_after_seconds,
            seed=settings.seed,
        )
        missing = {op for route in self.router.routes for op in route.operations.values()} - set(HANDLERS)
        if missing:
            raise RuntimeError(f"the spec has operations the emulator does not implement: {sorted(missing)}")


async def _export_design_models(backend: EmulatorBackend, call: _Call) -> Response:
    body = json.loads(call.body)  # the spec validator has accepted it as a JSON object
    try:
        job = backend.store.start(call.project_id, call.workspace, ExportRequest.from_body(body))
    except StoreFullError as full:
        return error_response(
            429,
            STORE_FULL_CODE,
            "Too many exports are stored; retry later.",
            {"Retry-After": str(full.retry_after)},
        )
    return json_response({"data": {"uuid": job.uuid}})


async def _export_design_result(backend: EmulatorBackend, call: _Call) -> Response:
    uuids = call.request.query_params.getlist("uuid")
    if len(uuids) != 1:
        return error_response(400, BAD_REQUEST_CODE, "invalid query parameter 'uuid': give it exactly once")
    try:
        job, status = backend.store.status(call.project_id, call.workspace, uuids[0])
    except JobNotFoundError:
        return error_response(400, UNKNOWN_EXPORT_CODE, UNKNOWN_EXPORT_MESSAGE)
    if status.state != "success":
        return status_response(status.state, status.rate, status.group)
    content = await run_in_threadpool(build_workbook, job.request)
    cut = backend.faults.truncate_at(len(content))
    return workbook_response(content, f"dataarts-export-{job.uuid}.xlsx", cut)


HANDLERS: dict[str, Handler] = {
    "ExportDesignModels": _export_design_models,
    "ExportDesignResult": _export_design_result,
}


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    if isinstance(raw, bytes):
        return raw.decode("latin-1").split("?", 1)[0]
    return quote(request.url.path)


def _decode(value: bytes) -> str:
    # The SDK signs header text and sends it as UTF-8 bytes; anything else is taken as Latin-1.
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _signed_view(request: Request, raw_path: str, body: bytes) -> ReceivedRequest:
    headers: dict[str, str] = {}
    for name, value in request.headers.raw:
        headers.setdefault(name.decode("latin-1").lower(), _decode(value))
    query = parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return ReceivedRequest(request.method, raw_path, query, headers, body)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLargeError
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


async def _serve_operation(backend: EmulatorBackend, request: Request, raw_path: str, match: RouteMatch) -> Response:
    settings = backend.settings
    if backend.faults.latency_seconds:
        await asyncio.sleep(backend.faults.latency_seconds)
    fault = backend.faults.request_fault()
    if fault is not None:
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
        return error_response(fault.status, fault.code, fault.message, headers)
    try:
        body = await _read_body(request, settings.max_body_bytes)
    except _BodyTooLargeError:
        return error_response(400, BAD_REQUEST_CODE, f"the request body exceeds {settings.max_body_bytes} bytes")
    try:
        principal = backend.authenticator.authenticate(_signed_view(request, raw_path, body))
    except AuthenticationError as denied:
        return error_response(401, denied.code, str(denied))
    operation = match.route.operations[request.method]
    try:
        backend.validator.validate(
            method=request.method,
            raw_path=raw_path,
            path_params=match.path_params,
            query=request.query_params,
            headers=request.headers,
            body=body,
            has_body_schema=operation_has_body(backend.spec, match.route.template, request.method),
        )
    except RequestInvalidError as invalid:
        return error_response(400, BAD_REQUEST_CODE, str(invalid))
    project_id = match.path_params["project_id"]
    workspace = request.headers["workspace"]
    try:
        authorize(principal, project_id, workspace, request.headers.get("x-project-id"))
    except ForbiddenError as forbidden:
        return error_response(403, forbidden.code, str(forbidden))
    call = _Call(request, principal, project_id, workspace, body)
    return await HANDLERS[operation](backend, call)


async def _dispatch(request: Request) -> Response:
    backend: EmulatorBackend = request.app.state.backend
    raw_path = _raw_path(request)
    if raw_path == HEALTH_PATH:
        if request.method != "GET":
            return error_response(405, METHOD_NOT_ALLOWED_CODE, "Only GET is allowed here.", {"Allow": "GET"})
        return json_response({"status": "ok"})
    match = backend.router.match(raw_path)
    if match is None:
        return error_response(404, NOT_FOUND_CODE, "The API does not exist or has not been published.")
    if request.method not in match.route.operations:
        allowed = match.route.allowed
        message = f"Method {request.method} is not allowed on this path; allowed: {allowed}."
        return error_response(405, METHOD_NOT_ALLOWED_CODE, message, {"Allow": allowed})
    return await _serve_operation(backend, request, raw_path, match)


async def _answer(request: Request) -> Response:
    try:
        return await _dispatch(request)
    except Exception:
        logger.exception("unexpected error handling %s %s; answering 400", request.method, request.url.path)
        return error_response(400, BAD_REQUEST_CODE, "The request could not be processed.")


async def _endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    response = await _answer(request)
    await response(scope, receive, send)


def create_app(settings: EmulatorSettings | None = None, *, clock: Clock | None = None) -> Starlette:
    """The emulator as an ASGI app (stable interface for tests and other suites).

    ``settings`` default to the demo tenant without faults; ``clock`` (seconds
    since the epoch, default :func:`time.time`) drives export progress,
    retention and the ``X-Sdk-Date`` window, so tests can move time instead of
    sleeping. The backend is reachable as ``app.state.backend``.
    """
    app = Starlette(middleware=[Middleware(RequestIdMiddleware)])
    # No Starlette routes: every path and method reaches the spec-driven dispatcher.
    app.router.default = _endpoint
    app.state.backend = EmulatorBackend(settings or EmulatorSettings(), clock or time.time)
    return app
