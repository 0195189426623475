"""Resuming against the real emulator: its truncation and stall faults, its Range/ETag answers, over sockets.

Every download here is cut short or stalled by the emulator, so it only
completes by resuming. Each saved file is checked byte for byte through the
emulator's strong ETag (a hash of the workbook's bytes) and the answers seen
must include 206s: the rest was asked for and appended, not fetched again.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import httpx
import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_WORKSPACE
from dataarts_emulator.harness import RunningEmulator
from dataarts_export_client.lib import RetryPolicy, async_export_to_file, export_to_file

from .test_export_end_to_end import IDS, assert_workbook, export_body

POLICY = RetryPolicy(
    poll_interval=0.05, max_poll_interval=0.1, retry_interval=0.01, max_retry_interval=0.05, max_download_attempts=2
)
"""Two attempts without progress: the downloads below only finish because progressing attempts are free."""


class Seen:
    """The status and ETag of every workbook answer, recorded by an httpx response hook."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.etags: set[str] = set()

    def record(self, response: httpx.Response) -> None:
        if response.status_code in (200, 206) and "etag" in response.headers:
            self.statuses.append(response.status_code)
            self.etags.add(response.headers["etag"])

    async def arecord(self, response: httpx.Response) -> None:
        self.record(response)


def same_bytes(path: Path, etag: str) -> bool:
    """The emulator's strong ETag is the quoted first 32 hex digits of the workbook's SHA-256."""
    return f'"{hashlib.sha256(path.read_bytes()).hexdigest()[:32]}"' == etag


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.dataarts_emulator(export_seconds=0.1, truncate_rate=0.9, seed=11)
def test_cut_downloads_resume_and_land_byte_for_byte(
    dataarts_emulator: RunningEmulator, tmp_path: Path, mode: str
) -> None:
    every_status: list[int] = []
    for number in range(4):
        seen = Seen()
        hooks = {"response": [seen.record if mode == "sync" else seen.arecord]}
        client = dataarts_emulator.client(httpx_args={"event_hooks": hooks})
        options = {
            "project_id": DEMO_PROJECT_ID,
            "workspace": DEMO_WORKSPACE,
            "body": export_body(),
            "dest": tmp_path / f"{number}" / "export.xlsx",
            "timeout": 60.0,
            "policy": POLICY,
        }
        (tmp_path / f"{number}").mkdir()
        if mode == "sync":
            path = export_to_file(client, **options)  # type: ignore[arg-type]
        else:
            path = asyncio.run(async_export_to_file(client, **options))  # type: ignore[arg-type]
        assert_workbook(path, IDS)
        (etag,) = seen.etags
        assert same_bytes(path, etag)
        assert seen.statuses[0] == 200
        every_status.extend(seen.statuses)
    assert every_status.count(206) >= 2, f"ranges were not asked for: {every_status}"


@pytest.mark.dataarts_emulator(export_seconds=0.1, stall_rate=0.5, stall_seconds=30, seed=4)
def test_a_stalled_download_times_out_per_read_and_resumes(dataarts_emulator: RunningEmulator, tmp_path: Path) -> None:
    seen = Seen()
    client = dataarts_emulator.client(
        timeout=httpx.Timeout(5.0, read=0.5), httpx_args={"event_hooks": {"response": [seen.record]}}
    )
    for number in range(3):
        dest = tmp_path / f"{number}.xlsx"
        path = export_to_file(
            client,
            project_id=DEMO_PROJECT_ID,
            workspace=DEMO_WORKSPACE,
            body=export_body(),
            dest=dest,
            timeout=60.0,
            policy=POLICY,
        )
        assert same_bytes(path, next(iter(seen.etags)))
        seen.etags.clear()
    assert 206 in seen.statuses, f"no stall was resumed: {seen.statuses}"
