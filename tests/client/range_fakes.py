"""A file server for ``httpx.MockTransport`` that speaks single byte ranges (RFC 9110), and ways to break it.

:class:`RangeServer` answers ``GET export-result`` with the workbook: 200 for
the whole file, 206 for ``Range: bytes=N-`` (unless ``If-Range`` names another
version), 416 past the end. ``cuts`` cut the body of successive answers after
so many bytes (the connection drops), and the switches turn it into the broken
servers the client must survive: one that ignores ``Range``, one that ignores
``If-Range`` (answering 206 of a changed file), one whose file changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dataarts_export_client import Client
from dataarts_export_client.lib import RetryPolicy, async_download_export, download_export
from dataarts_export_client.lib.destination import Destination

from .client_fakes import BASE_URL, PROJECT_ID, UUID, WORKSPACE, XLSX, BreakingStream, FakeClock

CONTENT = b"PK\x03\x04" + bytes(range(256)) * 64
ETAG = '"v1"'
MODES = ["sync", "async"]


@dataclass
class RangeServer:
    """Serves ``content`` with ranges; records every answer's status and the ``Range``/``If-Range`` asked."""

    content: bytes = CONTENT
    etag: str | None = ETAG
    last_modified: str | None = None
    cuts: list[int] = field(default_factory=list)
    ignore_range: bool = False
    ignore_if_range: bool = False
    change_after: int | None = None
    """After this many answers, the file becomes ``changed`` (a new version, a new ETag)."""
    changed: bytes = CONTENT[::-1]
    """Same length as ``content``, so that only the validator tells the versions apart."""
    statuses: list[int] = field(default_factory=list)
    asked: list[tuple[str | None, str | None]] = field(default_factory=list)

    def _version(self) -> tuple[bytes, str | None]:
        if self.change_after is not None and len(self.statuses) >= self.change_after:
            return self.changed, '"v2"' if self.etag else None
        return self.content, self.etag

    def __call__(self, request: httpx.Request) -> httpx.Response:
        content, etag = self._version()
        wanted, condition = request.headers.get("range"), request.headers.get("if-range")
        self.asked.append((wanted, condition))
        headers = {"Content-Type": XLSX, "Accept-Ranges": "bytes", "Content-Disposition": "attachment"}
        if etag:
            headers["ETag"] = etag
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        same_version = condition is None or condition in (etag, self.last_modified) or self.ignore_if_range
        start = int(wanted.removeprefix("bytes=").rstrip("-")) if wanted else None
        if start is not None and same_version and not self.ignore_range:
            if start >= len(content):
                self.statuses.append(416)
                return httpx.Response(416, headers={"Content-Range": f"bytes */{len(content)}"})
            body = content[start:]
            headers["Content-Range"] = f"bytes {start}-{len(content) - 1}/{len(content)}"
            status = 206
        else:
            body, status = content, 200
        headers["Content-Length"] = str(len(body))
        self.statuses.append(status)
        if self.cuts:
            cut = self.cuts.pop(0)
            stream = BreakingStream([body[:cut]], httpx.RemoteProtocolError("peer closed connection"))
            return httpx.Response(status, headers=headers, stream=stream)
        return httpx.Response(status, headers=headers, content=body)


RESUME_POLICY = RetryPolicy(jitter="none", retry_interval=0.5, max_retries=3, max_download_attempts=2)


def fetch(
    mode: str,
    server: Callable[[httpx.Request], httpx.Response],
    dest: Destination,
    clock: FakeClock | None = None,
    **kwargs: Any,
) -> Path:
    """``download_export`` (``mode`` "sync") or ``async_download_export`` ("async") from ``server``, on a fake clock."""
    clock = clock or FakeClock()
    client = Client(BASE_URL, httpx_args={"transport": httpx.MockTransport(server)})
    options: dict[str, Any] = {
        "project_id": PROJECT_ID,
        "workspace": WORKSPACE,
        "uuid": UUID,
        "dest": dest,
        "timeout": 600.0,
        "policy": RESUME_POLICY,
        "clock": clock,
        **kwargs,
    }
    if mode == "sync":
        return download_export(client, sleep=clock.sleep, **options)
    return asyncio.run(async_download_export(client, sleep=clock.async_sleep, **options))


def assert_same_bytes(actual: bytes, expected: bytes) -> None:
    """``actual == expected``, failing with the lengths and the first differing offset.

    A plain ``assert`` would do, but pytest explains a failed comparison of
    two byte strings with a diff whose cost grows with the square of their
    length: for these 16 KiB files, longer than the test's timeout.
    """
    if actual != expected:
        offset = next((i for i, (a, b) in enumerate(zip(actual, expected, strict=False)) if a != b), None)
        where = f"at offset {offset}" if offset is not None else "in length only"
        raise AssertionError(f"got {len(actual)} bytes, expected {len(expected)}: they differ {where}")
