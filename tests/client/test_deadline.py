"""A deadline is a deadline: ``timeout`` bounds the whole call, even against a body that trickles in.

A server sending the workbook one byte per second never trips a per-read
timeout; a stalled body trips it only after the client's own read timeout.
Both must end within about a second of ``timeout`` with ``ExportTimeout`` and
no file, in the sync and async helpers and the CLI. The bounds asserted here
are generous (the trickle alone would take minutes), not timings.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataarts_export_client import Client
from dataarts_export_client.lib import ExportTimeout, async_export_to_file, export_to_file
from dataarts_export_client.lib.cli import main
from dataarts_export_client.lib.cli.outcomes import EXIT_TIMEOUT
from dataarts_export_client.lib.deadline import GRACE, Deadline
from dataarts_export_client.models import ExportParam

from .client_fakes import FAST_POLICY, PROJECT_ID, UUID, WORKSPACE, XLSX, FakeClock
from .range_fakes import fetch
from .slow_server import slow_server

TIMEOUT = 2.0
LIMIT = TIMEOUT + 2.0
"""Generous (the deadline plus its grace, a last chunk, a loaded machine), yet below what each slow body
would take without the guard that bounds it: 200 s of trickle, the client's 30 s read timeout, or the
deadline's whole length again after a late stall."""


def client(url: str) -> Client:
    return Client(url, timeout=httpx.Timeout(30.0))  # per-read timeouts far beyond the deadline


def export(mode: str, url: str, dest: Path, timeout: float = TIMEOUT) -> Path:
    options = {
        "project_id": PROJECT_ID,
        "workspace": WORKSPACE,
        "body": ExportParam(ids=["1"]),
        "dest": dest,
        "timeout": timeout,
        "policy": FAST_POLICY,
    }
    if mode == "sync":
        return export_to_file(client(url), **options)  # type: ignore[arg-type]
    return asyncio.run(async_export_to_file(client(url), **options))  # type: ignore[arg-type]


SLOW_BODIES: dict[str, dict[str, Any]] = {
    "no answer": {"silent": True},  # the GET is never answered: no headers, no body
    "trickle": {"interval": 1.0},  # one byte a second, for 200 s
    "stall": {"interval": 0.1, "stall_after": 4},  # a few bytes, then nothing
    # Bytes until just before the deadline, then nothing: a read timeout fixed when the
    # request was sent would fire a whole timeout after the stall began.
    "late stall": {"interval": 0.1, "stall_after": 18},
}


@pytest.mark.parametrize("body", SLOW_BODIES)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_slow_body_cannot_outlast_the_deadline(tmp_path: Path, mode: str, body: str) -> None:
    dest = tmp_path / "x.xlsx"
    dest.write_bytes(b"previous")
    with slow_server(**SLOW_BODIES[body]) as server:
        began = time.monotonic()
        with pytest.raises(ExportTimeout) as caught:
            export(mode, server.url, dest)
        took = time.monotonic() - began
    assert took < LIMIT, f"{mode}/{body}: ended {took:.1f}s after the start, timeout {TIMEOUT}s"
    assert caught.value.uuid == UUID
    assert dest.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["x.xlsx"]


def test_the_cli_timeout_holds_against_a_trickle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith(("DATAARTS_", "HUAWEICLOUD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATAARTS_TOKEN", "test-token")
    with slow_server() as server:
        began = time.monotonic()
        code = main(
            [
                "export",
                "--endpoint",
                server.url,
                "--project-id",
                PROJECT_ID,
                "--workspace",
                WORKSPACE,
                "--id",
                "1",
                "--dest",
                str(tmp_path),
                "--timeout",
                str(TIMEOUT),
                "--quiet",
            ],
            policy=FAST_POLICY,
        )
        took = time.monotonic() - began
    assert code == EXIT_TIMEOUT
    assert took < LIMIT
    assert UUID in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_request_timeouts_are_cut_to_the_deadline_plus_grace() -> None:
    now = [0.0]
    deadline = Deadline("u", 10.0, lambda: now[0])
    now[0] = 7.0
    cut = deadline.request_timeout(httpx.Timeout(60.0, connect=1.0))
    assert (cut.connect, cut.read, cut.write, cut.pool) == (1.0, 3.0 + GRACE, 3.0 + GRACE, 3.0 + GRACE)
    now[0] = 20.0
    assert deadline.request_timeout(httpx.Timeout(None)).read == GRACE


def test_the_check_between_chunks_fires_only_past_the_grace() -> None:
    now = [0.0]
    deadline = Deadline("u", 10.0, lambda: now[0])
    now[0] = 10.0 + GRACE
    deadline.check()
    now[0] = 10.0 + GRACE + 0.01
    with pytest.raises(ExportTimeout):
        deadline.check()


class TrickleStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body of one-byte chunks, each arriving a second later on the fake clock."""

    def __init__(self, clock: FakeClock, size: int) -> None:
        self.clock = clock
        self.size = size

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.size):
            self.clock.now += 1.0
            yield b"x"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_deadline_is_checked_between_chunks(tmp_path: Path, mode: str) -> None:
    """No socket here (so no watchdog): only the check between chunks can end the trickle."""
    clock = FakeClock()
    headers = {"Content-Type": XLSX, "Content-Length": "1000"}

    def trickle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, stream=TrickleStream(clock, 1000))

    with pytest.raises(ExportTimeout):
        fetch(mode, trickle, tmp_path, clock, timeout=5.0)
    assert clock.now - 1000.0 <= 5.0 + GRACE + 1.0
    assert os.listdir(tmp_path) == []
