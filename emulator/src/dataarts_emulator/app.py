"""The HTTP layer: a thin Starlette app that runs the checks in order and renders what they raise.

Order of checks, each answering at most once:

1. ``/healthz``: ``GET`` answers ``{"status": "ok"}``, any other method 405;
   never faulted, never authenticated (readiness probes must not flap);
2. route: 404 for a path the spec does not have, 405 (with ``Allow``) for a
   method it does not list there;
3. injected latency, then an injected fault (429 / 500 / 502 / 503);
4. body size: 400 over ``max_body_bytes``;
5. authentication: 401;
6. spec validation of parameters and body: 400;
7. tenant and workspace: 403;
8. the operation's handler (:mod:`dataarts_emulator.responses`): 200, or 400
   ``DLG.0818`` for an unknown export, or 429 when the job store is full.

Authentication comes before validation so that missing or wrong credentials
give 401 whatever else is wrong; validation comes before the tenant check so
that malformed input gives 400 whoever sends it.

Every :class:`~dataarts_emulator.exceptions.EmulatorError` raised on the way
is rendered here, in one place. Any other exception is a bug in the emulator:
it is logged with its traceback at ERROR on the ``dataarts_emulator`` logger
(the record's ``error_code`` attribute names :class:`InternalError`'s code)
and answered 500 with that code, ``EMU.0500``, never disguised as a 4xx; the
test suite fails when that happens.
"""

from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .auth import ReceivedRequest, authorize
from .backend import EmulatorBackend
from .exceptions import EmulatorError, InternalError, InvalidRequest, MethodNotAllowed
from .models import Clock
from .rendering import RequestIdMiddleware, error_response, json_response
from .responses import HANDLERS, Call
from .routing import RouteMatch
from .settings import EmulatorSettings

LOGGER_NAME = "dataarts_emulator"
logger = logging.getLogger(LOGGER_NAME)

HEALTH_PATH = "/healthz"


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
    too_large = InvalidRequest(f"the request body exceeds {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _serve_operation(backend: EmulatorBackend, request: Request, raw_path: str, match: RouteMatch) -> Response:
    """Steps 3 to 8 of the module docstring."""
    if backend.faults.latency_seconds:
        await asyncio.sleep(backend.faults.latency_seconds)
    backend.faults.check_request()
    body = await _read_body(request, backend.settings.max_body_bytes)
    principal = backend.authenticator.authenticate(_signed_view(request, raw_path, body))
    backend.validator.validate(
        method=request.method,
        raw_path=raw_path,
        path_params=match.path_params,
        query=request.query_params,
        headers=request.headers,
        body=body,
        has_body_schema=backend.validator.has_body(match.route.template, request.method),
    )
    project_id = match.path_params["project_id"]
    workspace = request.headers["workspace"]
    authorize(principal, project_id, workspace, request.headers.get("x-project-id"))
    call = Call(request, principal, project_id, workspace, body)
    return await HANDLERS[match.operation_id](backend, call)


async def _dispatch(request: Request) -> Response:
    backend: EmulatorBackend = request.app.state.backend
    raw_path = _raw_path(request)
    if raw_path == HEALTH_PATH:
        if request.method != "GET":
            raise MethodNotAllowed(request.method, "GET")
        return json_response({"status": "ok"})
    match = backend.router.match(request.method, raw_path)
    return await _serve_operation(backend, request, raw_path, match)


async def _answer(request: Request) -> Response:
    try:
        return await _dispatch(request)
    except EmulatorError as error:
        return error_response(error)
    except Exception:
        logger.exception(
            "the emulator failed on %s %s; answering 500 %s",
            request.method,
            request.url.path,
            InternalError.error_code,
            extra={"error_code": InternalError.error_code},
        )
        return error_response(InternalError())


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
    app.state.backend = EmulatorBackend(settings or EmulatorSettings(), clock or time.time, HANDLERS)
    return app
