"""Starting an export: ``POST export-model``, which answers the uuid to wait for.

The POST is not idempotent, but a duplicate start only costs the service one
extra temporary export job while giving up costs the caller the whole run,
so by default it is retried like a poll (429, 500, 502, 503, 504, connection
errors, timeouts). ``RetryPolicy(retry_start=False)`` retries it only when
the request certainly did not start an export (a 429, or a connection that
could not be made). The decision is :class:`~.decisions.ExportStarter`'s, the
loop is :func:`~.io_loops.drive_start`'s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from ..client import AuthenticatedClient, Client
from ..models.export_param import ExportParam
from .backoff import DEFAULT_POLICY, RetryPolicy
from .decisions import ExportStarter
from .io_loops import async_drive_start, drive_start, start_request

__all__ = ["async_start_export", "start_export"]


def start_export(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    body: ExportParam,
    timeout: float,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> str:
    """Start an export with the generated ``export_design_models`` request; return its uuid.

    Retries 429, 500, 502, 503, 504, connection errors and timeouts with the
    polling's backoff and ``Retry-After`` handling (only a 429 and a failed
    connection, which prove nothing was started, with
    ``policy.retry_start`` off); other errors raise
    :class:`~.errors.ApiError` at once. ``timeout`` bounds the whole call.
    """
    starter = ExportStarter(timeout=timeout, policy=policy, clock=clock)
    return drive_start(client, starter, start_request(project_id, workspace, body), sleep)


async def async_start_export(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    body: ExportParam,
    timeout: float,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> str:
    """The async twin of :func:`start_export`."""
    starter = ExportStarter(timeout=timeout, policy=policy, clock=clock)
    return await async_drive_start(client, starter, start_request(project_id, workspace, body), sleep)
