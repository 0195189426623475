"""Calls each helper as its sync version or its async twin, with the usual arguments, on a fake clock.

The one way the client's tests call ``start_export``, ``wait_for_export``,
``poll_export_status``, ``download_export`` and ``export_to_file`` (or their
``async_`` twins) against a :class:`~.client_fakes.Script`: the twin suites
(``test_twins*.py``) ask for the ``twin`` fixture and run once as ``sync``
and once as ``async``; other tests make a ``Twin()`` (sync) of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from dataarts_export_client.lib import (
    ExportReady,
    ExportSnapshot,
    RetryPolicy,
    async_download_export,
    async_export_to_file,
    async_poll_export_status,
    async_start_export,
    async_wait_for_export,
    download_export,
    export_to_file,
    poll_export_status,
    start_export,
    wait_for_export,
)
from dataarts_export_client.models import ExportParam

from .client_fakes import (
    PROJECT_ID,
    SCRIPTED_POLICY,
    UUID,
    WORKSPACE,
    FakeClock,
    Script,
    client_for,
)

_T = TypeVar("_T")
CONTENT = b"PK\x03\x04" + bytes(range(256)) * 8
BODY = ExportParam(ids=["1224641525420683264"], type_="TABLE_MODEL", asyn=True)
TIMEOUT = 600.0
"""The timeout of every call but a probe's (which keeps the helper's own), unless a test gives another."""


def started(uuid: str = UUID) -> httpx.Response:
    """The answer to a started export."""
    return httpx.Response(200, headers={"Content-Type": "application/json"}, json={"data": {"uuid": uuid}})


async def _awaited(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


@dataclass
class Twin:
    """Calls the sync helpers, or their async twins through ``asyncio.run``, with the same arguments.

    Each call answers from ``script`` for :data:`~.client_fakes.PROJECT_ID`
    and :data:`~.client_fakes.WORKSPACE` (and :data:`~.client_fakes.UUID` or
    :data:`BODY`, as the helper takes), runs on ``clock`` (and sleeps on it)
    with ``policy`` (``None``: the helper's own default, as a caller who
    passes none); keyword ``options`` add any other argument or replace these.
    """

    kind: str = "sync"
    clock: FakeClock = field(default_factory=FakeClock)
    policy: RetryPolicy | None = SCRIPTED_POLICY

    def _call(
        self,
        sync: Callable[..., _T],
        async_: Callable[..., Awaitable[_T]],
        script: Script,
        arguments: dict[str, Any],
    ) -> _T:
        sleep = self.clock.sleep if self.kind == "sync" else self.clock.async_sleep
        kwargs: dict[str, Any] = {"project_id": PROJECT_ID, "workspace": WORKSPACE, "clock": self.clock, "sleep": sleep}
        if self.policy is not None:
            kwargs["policy"] = self.policy
        kwargs.update(arguments)
        if self.kind == "sync":
            return sync(client_for(script), **kwargs)
        return asyncio.run(_awaited(async_(client_for(script), **kwargs)))

    def start(self, script: Script, **options: Any) -> str:
        return self._call(start_export, async_start_export, script, {"body": BODY, "timeout": TIMEOUT, **options})

    def wait(self, script: Script, **options: Any) -> ExportReady:
        return self._call(wait_for_export, async_wait_for_export, script, {"uuid": UUID, "timeout": TIMEOUT, **options})

    def probe(self, script: Script, **options: Any) -> ExportSnapshot:
        return self._call(poll_export_status, async_poll_export_status, script, {"uuid": UUID, **options})

    def download(self, script: Script, dest: Any, **options: Any) -> Path:
        arguments = {"uuid": UUID, "dest": dest, "timeout": TIMEOUT, **options}
        return self._call(download_export, async_download_export, script, arguments)

    def export(self, script: Script, dest: Any, **options: Any) -> Path:
        arguments = {"body": BODY, "dest": dest, "timeout": TIMEOUT, **options}
        return self._call(export_to_file, async_export_to_file, script, arguments)
