"""The request loops: send, feed the answer to a sans-I/O decision, sleep, repeat; once sync, once async.

Every helper (``start``, ``wait``, ``download``) is one of these loops driven
by one decision object of :mod:`.decisions`; this module holds all the I/O
of talking to the service and none of the decisions, so the sync and async
twins cannot drift apart in behaviour.

The same GET answers JSON while the export runs and the Excel file once it
has succeeded, so every poll is a *streaming* request: the headers decide,
a JSON body (a few hundred bytes) is read, and a file answer is handed to a
file handler (closed unread by ``wait_for_export``, streamed to disk by
``download_export``). Requests are built by the generated operations'
public ``request_kwargs``, the one place that knows their URL, query and
headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, TypeVar

import httpx

from ..api.export import export_design_models, export_design_result
from ..client import AuthenticatedClient, Client
from ..models.export_param import ExportParam
from .answers import MAX_JSON_BYTES, BodyCollector
from .deadline import GRACE, Deadline
from .decisions import Poller, Starter, Wait
from .environment import check_target
from .errors import DownloadError, ExportTimeout

__all__ = [
    "AsyncFileHandler",
    "FileHandler",
    "async_drive_poll",
    "async_drive_start",
    "async_guard",
    "drive_poll",
    "drive_start",
    "guard",
    "poll_request",
    "start_request",
]

_T = TypeVar("_T")
_R = TypeVar("_R")

FileHandler = Callable[[httpx.Response | None, _R], _T]
"""Called with the poller's result: with the open file answer, or ``None`` after a JSON answer (``success``)."""
AsyncFileHandler = Callable[[httpx.Response | None, _R], Awaitable[_T]]


def poll_request(project_id: str, workspace: str, uuid: str) -> dict[str, Any]:
    """The ``httpx`` request arguments of one poll (``GET export-result``), from the generated operation.

    Raises :class:`~.errors.ConfigurationError` first for a project ID or
    workspace no request can carry (see :func:`~.environment.check_target`).
    """
    check_target(project_id, workspace)
    return export_design_result.request_kwargs(project_id, uuid=uuid, workspace=workspace)


def start_request(project_id: str, workspace: str, body: ExportParam) -> dict[str, Any]:
    """The ``httpx`` request arguments of starting an export (``POST export-model``), from the generated operation.

    Checked as :func:`poll_request` checks them.
    """
    check_target(project_id, workspace)
    return export_design_models.request_kwargs(project_id, body=body, workspace=workspace)


def _attempt(
    request: dict[str, Any], extra_headers: Mapping[str, str], deadline: Deadline, configured: httpx.Timeout
) -> dict[str, Any]:
    """One attempt's request: ``request`` plus the decision's headers, with timeouts cut to the deadline."""
    attempt = dict(request)
    if extra_headers:
        attempt["headers"] = {**(request.get("headers") or {}), **extra_headers}
    attempt["timeout"] = deadline.request_timeout(configured)
    return attempt


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def guard(response: httpx.Response, deadline: Deadline) -> Iterator[None]:
    """Bound the reading of ``response``'s body by the deadline (sync).

    A read timeout is fixed when the request is sent, and a body that
    trickles in never trips it; the readers check the deadline between
    chunks, and this watchdog shuts the connection's socket once the
    deadline (plus :data:`~.deadline.GRACE`) has passed, which wakes a read
    blocked on a stalled body with a transport error. Answers that do not
    come from a socket (``httpx.MockTransport``) need no watchdog.
    """
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if not isinstance(sock, socket.socket):
        yield
        return
    timer = threading.Timer(max(deadline.remaining, 0.0) + GRACE, _shut, (sock,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


@contextlib.asynccontextmanager
async def async_guard(deadline: Deadline) -> AsyncIterator[None]:
    """Bound a whole attempt (request and body) by the deadline (async): :class:`ExportTimeout` when it passes."""
    try:
        async with asyncio.timeout(max(deadline.remaining, 0.0) + GRACE):
            yield
    except TimeoutError as exc:
        if isinstance(exc, ExportTimeout):
            raise
        raise deadline.expired() from None


def _read_small_body(response: httpx.Response, deadline: Deadline, limit: int = MAX_JSON_BYTES) -> bytes:
    """A status or error body, read chunk by chunk and refused past ``limit`` bytes."""
    body = BodyCollector(response.status_code, response.headers, limit)
    for chunk in response.iter_bytes():
        deadline.check()
        body.feed(chunk)
    return body.data


async def _async_read_small_body(response: httpx.Response, deadline: Deadline, limit: int = MAX_JSON_BYTES) -> bytes:
    body = BodyCollector(response.status_code, response.headers, limit)
    async for chunk in response.aiter_bytes():
        deadline.check()
        body.feed(chunk)
    return body.data


def drive_poll(
    client: AuthenticatedClient | Client,
    poller: Poller[_R],
    request: dict[str, Any],
    sleep: Callable[[float], object],
    on_ready: FileHandler[_R, _T],
) -> _T:
    """Poll until ``poller`` gives a result rather than a :class:`Wait`, then hand over to ``on_ready``."""
    http = client.get_httpx_client()
    deadline = poller.deadline
    while True:
        attempt = _attempt(request, poller.request_headers(), deadline, http.timeout)
        try:
            with http.stream(**attempt) as response, guard(response, deadline):
                if poller.is_file(response.status_code, response.headers):
                    return on_ready(response, poller.file_ready(response.headers))
                body = _read_small_body(response, deadline, poller.body_limit)
            step = poller.after_body(response.status_code, response.headers, body)
        except DownloadError as error:
            step = poller.after_download_error(error)
        except httpx.TransportError as exc:
            step = poller.after_transport_error(exc)
        if not isinstance(step, Wait):
            return on_ready(None, step)
        sleep(step.seconds)


async def async_drive_poll(
    client: AuthenticatedClient | Client,
    poller: Poller[_R],
    request: dict[str, Any],
    sleep: Callable[[float], Awaitable[object]],
    on_ready: AsyncFileHandler[_R, _T],
) -> _T:
    """The ``httpx.AsyncClient`` twin of :func:`drive_poll`."""
    http = client.get_async_httpx_client()
    deadline = poller.deadline
    while True:
        attempt = _attempt(request, poller.request_headers(), deadline, http.timeout)
        try:
            async with async_guard(deadline), http.stream(**attempt) as response:
                if poller.is_file(response.status_code, response.headers):
                    return await on_ready(response, poller.file_ready(response.headers))
                body = await _async_read_small_body(response, deadline, poller.body_limit)
            step = poller.after_body(response.status_code, response.headers, body)
        except DownloadError as error:
            step = poller.after_download_error(error)
        except httpx.TransportError as exc:
            step = poller.after_transport_error(exc)
        if not isinstance(step, Wait):
            return await on_ready(None, step)
        await sleep(step.seconds)


def drive_start(
    client: AuthenticatedClient | Client,
    starter: Starter,
    request: dict[str, Any],
    sleep: Callable[[float], object],
) -> str:
    """Send the start request until ``starter`` gives the new export's uuid (or raises)."""
    http = client.get_httpx_client()
    deadline = starter.deadline
    while True:
        attempt = _attempt(request, {}, deadline, http.timeout)  # pragma: no mutate (equivalent: None adds none either)
        try:
            with http.stream(**attempt) as response, guard(response, deadline):
                body = _read_small_body(response, deadline)
            step = starter.after_answer(response.status_code, response.headers, body)
        except httpx.TransportError as exc:
            step = starter.after_transport_error(exc)
        if isinstance(step, str):
            return step
        sleep(step.seconds)


async def async_drive_start(
    client: AuthenticatedClient | Client,
    starter: Starter,
    request: dict[str, Any],
    sleep: Callable[[float], Awaitable[object]],
) -> str:
    """The ``httpx.AsyncClient`` twin of :func:`drive_start`."""
    http = client.get_async_httpx_client()
    deadline = starter.deadline
    while True:
        attempt = _attempt(request, {}, deadline, http.timeout)  # pragma: no mutate (equivalent: None adds none either)
        try:
            async with async_guard(deadline), http.stream(**attempt) as response:
                body = await _async_read_small_body(response, deadline)
            step = starter.after_answer(response.status_code, response.headers, body)
        except httpx.TransportError as exc:
            step = starter.after_transport_error(exc)
        if isinstance(step, str):
            return step
        await sleep(step.seconds)
