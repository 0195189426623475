"""Every export lands through the emulator's request faults: 5xx, 429, connection resets and proxy pages.

The start is retried like the polls (``RetryPolicy.retry_start``, on by
default); switched off, the same seeded faults make some exports fail at
the start, which is what the switch is for: never risking a duplicate. And
the emulator's trickle fault cannot make a call outlast its ``timeout``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_WORKSPACE
from dataarts_emulator.harness import RunningEmulator
from dataarts_export_client.lib import (
    DataArtsError,
    ExportTimeout,
    RetryPolicy,
    async_export_to_file,
    export_to_file,
)

from .test_export_end_to_end import IDS, assert_workbook, export_body

FAULTS = pytest.mark.dataarts_emulator(
    export_seconds=0.1,
    fault_rate=0.2,
    throttle_rate=0.1,
    reset_rate=0.1,
    proxy_page_rate=0.1,
    truncate_rate=0.3,
    retry_after_seconds=0,
    seed=9,
)
POLICY = RetryPolicy(
    poll_interval=0.05, max_poll_interval=0.1, retry_interval=0.01, max_retry_interval=0.05, max_retries=10
)
EXPORTS = 8


def export_all(emulator: RunningEmulator, tmp_path: Path, policy: RetryPolicy) -> int:
    """Run :data:`EXPORTS` exports against the test's fresh emulator (marked :data:`FAULTS`); return how many landed."""
    landed = 0
    client = emulator.client()
    for number in range(EXPORTS):
        folder = tmp_path / str(number)
        folder.mkdir()
        try:
            path = export_to_file(
                client,
                project_id=DEMO_PROJECT_ID,
                workspace=DEMO_WORKSPACE,
                body=export_body(),
                dest=folder / "export.xlsx",
                timeout=60,
                policy=policy,
            )
        except DataArtsError:
            assert list(folder.iterdir()) == [], "a failed export left a file"
            continue
        assert_workbook(path, IDS)
        landed += 1
    return landed


@FAULTS
def test_every_export_lands_through_resets_proxy_pages_5xx_and_truncation(
    dataarts_emulator: RunningEmulator, tmp_path: Path
) -> None:
    assert export_all(dataarts_emulator, tmp_path, POLICY) == EXPORTS


@FAULTS
def test_without_the_start_retry_the_same_faults_lose_exports(
    dataarts_emulator: RunningEmulator, tmp_path: Path
) -> None:
    assert export_all(dataarts_emulator, tmp_path, replace(POLICY, retry_start=False)) < EXPORTS


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.dataarts_emulator(export_seconds=0.1, trickle_rate=1.0, trickle_bytes_per_second=20, seed=2)
def test_the_deadline_holds_against_the_emulators_trickle(
    dataarts_emulator: RunningEmulator, tmp_path: Path, mode: str
) -> None:
    """Every workbook at 20 bytes a second (minutes for one): the call ends about a second after its timeout."""
    timeout = 2.0
    client = dataarts_emulator.client(timeout=httpx.Timeout(30.0))
    options: dict[str, Any] = {
        "project_id": DEMO_PROJECT_ID,
        "workspace": DEMO_WORKSPACE,
        "body": export_body(),
        "dest": tmp_path / "export.xlsx",
        "timeout": timeout,
        "policy": POLICY,
    }

    def run() -> object:
        if mode == "sync":
            return export_to_file(client, **options)
        return asyncio.run(async_export_to_file(client, **options))

    began = time.monotonic()
    with pytest.raises(ExportTimeout) as caught:
        run()
    took = time.monotonic() - began
    assert took < timeout + 2.0, f"ended {took:.1f}s after the start, timeout {timeout}s"
    assert caught.value.uuid is not None
    assert list(tmp_path.iterdir()) == []
