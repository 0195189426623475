"""Runs each helper as its sync version or its async twin, with the same arguments, on a fake clock.

Shared by the twin suites (``test_twins*.py``): a test asks for the ``twin``
fixture and is run once as ``sync`` and once as ``async``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from dataarts_export_client.lib import (
    ExportProgress,
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


def started(uuid: str = UUID) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "application/json"}, json={"data": {"uuid": uuid}})


async def _awaited(awaitable: Awaitable[_T]) -> _T:
    return await awaitable


@dataclass
class Twin:
    """Calls the sync helpers, or their async twins through ``asyncio.run``, with the same arguments."""

    kind: str
    clock: FakeClock

    def _call(self, sync: Callable[..., _T], async_: Callable[..., Awaitable[_T]], **kwargs: Any) -> _T:
        if self.kind == "sync":
            return sync(clock=self.clock, sleep=self.clock.sleep, **kwargs)
        return asyncio.run(_awaited(async_(clock=self.clock, sleep=self.clock.async_sleep, **kwargs)))

    def start(self, script: Script, *, timeout: float = 600.0, policy: RetryPolicy = SCRIPTED_POLICY) -> str:
        where = {"project_id": PROJECT_ID, "workspace": WORKSPACE}
        return self._call(
            start_export,
            async_start_export,
            client=client_for(script),
            body=BODY,
            timeout=timeout,
            policy=policy,
            **where,
        )

    def wait(
        self,
        script: Script,
        *,
        timeout: float = 600.0,
        reports: list[ExportProgress] | None = None,
        policy: RetryPolicy = SCRIPTED_POLICY,
    ) -> ExportReady:
        return self._call(
            wait_for_export,
            async_wait_for_export,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            uuid=UUID,
            timeout=timeout,
            on_progress=None if reports is None else reports.append,
            policy=policy,
        )

    def probe(self, script: Script) -> ExportSnapshot:
        return self._call(
            poll_export_status,
            async_poll_export_status,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            uuid=UUID,
            policy=SCRIPTED_POLICY,
        )

    def download(self, script: Script, dest: Path, *, timeout: float = 600.0) -> Path:
        return self._call(
            download_export,
            async_download_export,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            uuid=UUID,
            dest=dest,
            timeout=timeout,
            policy=SCRIPTED_POLICY,
        )

    def export(
        self, script: Script, dest: Path, *, timeout: float = 600.0, reports: list[ExportProgress] | None = None
    ) -> Path:
        return self._call(
            export_to_file,
            async_export_to_file,
            client=client_for(script),
            project_id=PROJECT_ID,
            workspace=WORKSPACE,
            body=BODY,
            dest=dest,
            timeout=timeout,
            on_progress=None if reports is None else reports.append,
            policy=SCRIPTED_POLICY,
        )
