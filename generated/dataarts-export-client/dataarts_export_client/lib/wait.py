"""Waiting for an export, or asking once how it is doing, without downloading its file.

``wait_for_export`` polls ``GET export-result`` until the export is ready
(decisions: :class:`~.decisions.ExportPoller`); ``poll_export_status`` asks
once (decisions: :class:`~.decisions.ExportProbe`). Both run the polling loop
of :mod:`.io_loops`, which closes a file answer unread here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from ..client import AuthenticatedClient, Client
from .backoff import DEFAULT_POLICY, RetryPolicy
from .decisions import ExportPoller, ExportProbe
from .io_loops import async_drive_poll, drive_poll, poll_request
from .results import ExportReady, ExportSnapshot, ProgressCallback

__all__ = ["async_poll_export_status", "async_wait_for_export", "poll_export_status", "wait_for_export"]

_R = TypeVar("_R")


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
    probe = ExportProbe(ExportPoller(uuid=uuid, timeout=timeout, policy=policy, clock=clock))
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
    probe = ExportProbe(ExportPoller(uuid=uuid, timeout=timeout, policy=policy, clock=clock))
    return await async_drive_poll(client, probe, poll_request(project_id, workspace, uuid), sleep, _async_ready)
