"""The HTTP layer: a plain ASGI app that runs the checks in order and renders what they raise.

No framework router or middleware sits between the server and these checks:
the spec is the routing table (:mod:`dataarts_emulator.routing`), every
answer is rendered here, and a crash is answered here, so a framework's
layers would only add cost to every request. Starlette's response classes
still render the answers (:mod:`dataarts_emulator.rendering`).

Order of checks, each answering at most once:

1. ``/healthz``: ``GET`` answers ``{"status": "ok"}``, any other method 405;
   never faulted, never authenticated (readiness probes must not flap);
2. route: 404 for a path the spec does not have, 405 (with ``Allow``) for a
   method it does not list there;
3. injected latency, then an injected fault: 429 / 500 / 502 / 503, a
   connection reset without any answer (:mod:`dataarts_emulator.connection`),
   or 200 with an HTML proxy page;
4. body size: 400 over ``max_body_bytes`` (an upload: over 4 MB and a little room for the form);
5. authentication: 401;
6. the gateway's flow control (with the ``flow_control`` setting): 429;
7. spec validation of parameters and body: 400;
8. project and workspace: 403, or 400 ``DLG.0818`` for a workspace that
   does not exist;
9. the operation's handler (:mod:`dataarts_emulator.responses`): 200 (206
   or 416 for a byte range of the workbook), or 400 ``EMU.0404`` for an
   unknown export, 400 ``EMU.04xx`` for an upload refused or an unknown
   import, or 429 when the job store is full.

Authentication comes before validation so that missing or wrong credentials
give 401 whatever else is wrong; flow control counts a user's requests as a
gateway does, before the service sees them; validation comes before the
tenant check so that malformed input gives 400 whoever sends it.

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

from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from .backend import EmulatorBackend
from .connection import drop_connection
from .exceptions import ConnectionReset, EmulatorError, InternalError, MethodNotAllowed, ProxyPage
from .incoming import Incoming
from .models import Clock
from .rendering import error_response, json_response, new_request_id, proxy_page_response, stamp_request_id
from .responses import HANDLERS, UPLOAD_BODY_LIMIT, UPLOAD_OPERATIONS, Call, upload_too_large
from .routing import RouteMatch
from .settings import EmulatorSettings

LOGGER_NAME = "dataarts_emulator"
logger = logging.getLogger(LOGGER_NAME)

HEALTH_PATH = "/healthz"


async def _serve_operation(
    backend: EmulatorBackend, incoming: Incoming, receive: Receive, match: RouteMatch
) -> Response:
    """Steps 3 to 9 of the module docstring."""
    if backend.faults.latency_seconds:
        await asyncio.sleep(backend.faults.latency_seconds)
    backend.faults.check_request(backend.flow_control.limits[match.operation_id])
    if match.operation_id in UPLOAD_OPERATIONS:
        await incoming.read_body(receive, UPLOAD_BODY_LIMIT, upload_too_large)
    else:
        await incoming.read_body(receive, backend.settings.max_body_bytes)
    principal = backend.authenticator.authenticate(incoming.signed_view())
    backend.flow_control.admit(principal.tenant, match.operation_id)
    document = backend.validator.validate(
        template=match.route.template,
        method=incoming.method,
        path_params=match.path_params,
        query=incoming.query_last,
        headers=incoming.headers,
        body=incoming.body,
        content_type=incoming.headers.get("content-type"),
    )
    project_id = match.path_params["project_id"]
    workspace = incoming.headers["workspace"]
    backend.authorizer.authorize(principal, project_id, workspace, incoming.headers.get("x-project-id"))
    call = Call(incoming, principal, project_id, workspace, document)
    return await HANDLERS[match.operation_id](backend, call)


async def _dispatch(backend: EmulatorBackend, incoming: Incoming, receive: Receive) -> Response:
    if incoming.raw_path == HEALTH_PATH:
        if incoming.method != "GET":
            raise MethodNotAllowed(incoming.method, "GET")
        return json_response({"status": "ok"})
    match = backend.router.match(incoming.method, incoming.raw_path)
    return await _serve_operation(backend, incoming, receive, match)


async def _answer(backend: EmulatorBackend, scope: Scope, receive: Receive, request_id: str) -> Response:
    incoming = Incoming.from_scope(scope)
    try:
        return await _dispatch(backend, incoming, receive)
    except EmulatorError as error:
        return error_response(error, request_id)
    except ProxyPage:
        return proxy_page_response()
    except ConnectionReset:
        raise  # acted out by EmulatorApp._serve: an injected fault, not a crash
    except Exception:
        logger.exception(
            "the emulator failed on %s %s; answering 500 %s",
            incoming.method,
            incoming.raw_path,
            InternalError.error_code,
            extra={"error_code": InternalError.error_code},
        )
        return error_response(InternalError(), request_id)


class EmulatorApp:
    """The emulator as an ASGI app: ``http`` requests go through the checks; ``lifespan`` is acknowledged.

    :attr:`backend` holds its state (job store, authenticator, faults, clock).
    The API has no WebSocket endpoint, so a WebSocket handshake is refused.
    """

    def __init__(self, backend: EmulatorBackend) -> None:
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._serve(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _acknowledge_lifespan(receive, send)
        else:
            await send({"type": "websocket.close", "code": 1008})

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = new_request_id()
        try:
            response = await _answer(self.backend, scope, receive, request_id)
        except ConnectionReset:
            if await drop_connection(receive):
                return
            raise  # no socket to reset (in process): the caller sees the exception instead
        stamp_request_id(response, request_id)
        await response(scope, receive, send)


async def _acknowledge_lifespan(receive: Receive, send: Send) -> None:
    """Nothing to start or stop: confirm start-up and shut-down as they come."""
    while True:
        message: Message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(settings: EmulatorSettings | None = None, *, clock: Clock | None = None) -> EmulatorApp:
    """The emulator as an ASGI app (stable interface for tests and other suites).

    ``settings`` default to the demo tenant without faults; ``clock`` (seconds
    since the epoch, default :func:`time.time`) drives export progress,
    retention and the ``X-Sdk-Date`` window, so tests can move time instead of
    sleeping. The backend is reachable as ``app.backend``.
    """
    return EmulatorApp(EmulatorBackend(settings or EmulatorSettings(), clock or time.time, HANDLERS))
