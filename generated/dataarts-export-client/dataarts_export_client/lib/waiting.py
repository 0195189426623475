"""Waiting for an export: poll ``GET export-result`` until the file is ready.

The same GET answers JSON while the export runs and the Excel file once it
has succeeded, so every poll is a *streaming* request: the headers decide,
a JSON body (a few hundred bytes) is read, and a file answer is closed
unread here (``wait_for_export``) or streamed to disk (``download_export``).
The request itself is built by the generated ``export_design_result.request_kwargs``,
the one place that knows the URL, query and headers of the call.

The decisions live in :mod:`.polling`; this module only does the I/O, once
for ``httpx.Client`` and once for ``httpx.AsyncClient``. The same loop serves
``poll_export_status``, whose decisions (:class:`~.polling.ExportProbe`) stop
at the first status answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from ..api.export import export_design_result
from ..client import AuthenticatedClient, Client
from .answers import BodyCollector
from .backoff import DEFAULT_POLICY, RetryPolicy
from .errors import DownloadError
from .polling import ExportPoller, ExportProbe, Poller, ProgressCallback, Wait
from .results import ExportReady, ExportSnapshot

__all__ = ["async_poll_export_status", "async_wait_for_export", "poll_export_status", "wait_for_export"]

_T = TypeVar("_T")
_R = TypeVar("_R")

FileHandler = Callable[[httpx.Response | None, _R], _T]
"""Called with the poller's result: with the open file answer, or ``None`` after a JSON answer (``success``)."""
AsyncFileHandler = Callable[[httpx.Response | None, _R], Awaitable[_T]]


def poll_request(project_id: str, workspace: str, uuid: str) -> dict[str, Any]:
    """The ``httpx`` request arguments of one poll, from the generated operation."""
    return export_design_result.request_kwargs(project_id, uuid=uuid, workspace=workspace)


def drive_poll(
    client: AuthenticatedClient | Client,
    poller: Poller[_R],
    request: dict[str, Any],
    sleep: Callable[[float], object],
    on_ready: FileHandler[_R, _T],
) -> _T:
    """Poll until ``poller`` gives a result rather than a :class:`Wait`, then hand over to ``on_ready``."""
    http = client.get_httpx_client()
    while True:
        try:
            with http.stream(**request) as response:
                if poller.is_file(response.status_code, response.headers):
                    return on_ready(response, poller.file_ready(response.headers))
                body = BodyCollector(response.status_code, response.headers)
                for chunk in response.iter_bytes():
                    body.feed(chunk)
            step = poller.after_body(response.status_code, response.headers, body.data)
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
    while True:
        try:
            async with http.stream(**request) as response:
                if poller.is_file(response.status_code, response.headers):
                    return await on_ready(response, poller.file_ready(response.headers))
                body = BodyCollector(response.status_code, response.headers)
                async for chunk in response.aiter_bytes():
                    body.feed(chunk)
            step = poller.after_body(response.status_code, response.headers, body.data)
        except DownloadError as error:
            step = poller.after_download_error(error)
        except httpx.TransportError as exc:
            step = poller.after_transport_error(exc)
        if not isinstance(step, Wait):
            return await on_ready(None, step)
        await sleep(step.seconds)


def _ready(_response: httpx.Response | None, ready: _R) -> _R:
    """Return the result; an open file answer is closed unread when the stream's block exits."""
    return ready


async def _async_ready(_response: httpx.Response | None, ready: _R) -> _R:
    return ready


def wait_for_export(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> ExportReady:
    """Wait until export ``uuid`` has succeeded; return without downloading its file.

    Polls with growing, jittered intervals (``policy``) until the service
    answers with the file or a JSON ``success``, calling ``on_progress`` with
    an :class:`~.results.ExportProgress` after every status answer. Connection
    errors, 429 and 500/502/503/504 are retried (honouring ``Retry-After``)
    up to ``policy.max_retries`` in a row. ``timeout`` (seconds, measured on
    ``clock``, a monotonic clock by default) bounds the whole wait.

    Raises:
        ExportFailed: the service reports ``status: fail``.
        ExportTimeout: the deadline passed first.
        ApiError: an HTTP error (a subclass per kind), after retries if retryable.
        NetworkError: the connection kept failing.
        UnexpectedResponse: a 200 that is neither the status object nor a file.
    """
    poller = ExportPoller(uuid=uuid, timeout=timeout, policy=policy, clock=clock, on_progress=on_progress)
    return drive_poll(client, poller, poll_request(project_id, workspace, uuid), sleep, _ready)


async def async_wait_for_export(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> ExportReady:
    """The async twin of :func:`wait_for_export` (uses ``client.get_async_httpx_client()``)."""
    poller = ExportPoller(uuid=uuid, timeout=timeout, policy=policy, clock=clock, on_progress=on_progress)
    return await async_drive_poll(client, poller, poll_request(project_id, workspace, uuid), sleep, _async_ready)


def poll_export_status(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    timeout: float = 60.0,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> ExportSnapshot:
    """Ask once how export ``uuid`` is doing; return an :class:`~.results.ExportSnapshot` without downloading.

    For dashboards and command-line checks that must not block until the
    export ends. One status answer ends the call, whatever it says, so a
    failed export is returned (``status`` ``fail``, with its ``group``)
    rather than raised. When the service answers with the file instead, the
    answer is closed unread and the snapshot says ``success``. Transient
    failures are retried as in :func:`wait_for_export`, within ``timeout``
    seconds.

    Raises:
        ExportTimeout: the retries of transient failures outlasted ``timeout``.
        ApiError: an HTTP error (a subclass per kind), after retries if retryable.
        NetworkError: the connection kept failing.
        UnexpectedResponse: a 200 that is neither the status object nor a file.
    """
    probe = ExportProbe(uuid=uuid, timeout=timeout, policy=policy, clock=clock)
    return drive_poll(client, probe, poll_request(project_id, workspace, uuid), sleep, _ready)


async def async_poll_export_status(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    timeout: float = 60.0,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> ExportSnapshot:
    """The async twin of :func:`poll_export_status`."""
    probe = ExportProbe(uuid=uuid, timeout=timeout, policy=policy, clock=clock)
    return await async_drive_poll(client, probe, poll_request(project_id, workspace, uuid), sleep, _async_ready)
