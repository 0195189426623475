"""One soak run: a fresh emulator process with a fault mix, exports through the lib, a verdict.

Two phases against the same emulator process. First ``exports`` calls of
the sync :func:`~dataarts_export_client.lib.export_to_file` from a pool of
``workers`` threads (one shared client, as an application would have), then
``concurrent`` calls of :func:`~dataarts_export_client.lib.async_export_to_file`
all at once on one event loop and one async client. Every export has its own
ids, and every file is compared byte for byte with what the emulator builds
for its request (:mod:`tools.soak.plan`), so a mix-up between concurrent
exports cannot pass. The emulator's stderr is kept; a crash of the emulator
(``EMU.0500``) fails the run as surely as a wrong file.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.exceptions import InternalError
from dataarts_emulator.testing import serve_process
from dataarts_export_client import AuthenticatedClient
from dataarts_export_client.lib import DataArtsError, RetryPolicy, async_export_to_file, export_to_file, token_client
from dataarts_export_client.lib.redaction import clip

from .counting import AsyncCountingTransport, Counters, CountingTransport
from .mix import DEFAULT_MIX, FaultMix
from .plan import PlannedExport, Verdict, judge, plan

SOAK_POLICY = RetryPolicy(
    poll_interval=0.2,
    max_poll_interval=1.0,
    retry_interval=0.05,
    max_retry_interval=1.0,
    max_retries=10,
    max_retry_after=2.0,
)
"""The lib's policy for a soak: quicker polls and retries than the public defaults, and ten retries.

With a third of all requests failing on purpose, five consecutive failures
(the default limit) happen about once in 500 calls; ten make that about
once in 200,000, so a failed export means a bug, not bad luck.
"""


@dataclass(frozen=True)
class SoakConfig:
    """What to run: sizes, faults, the client's timeouts and retry policy."""

    exports: int = 200
    workers: int = 8
    concurrent: int = 64
    mix: FaultMix = DEFAULT_MIX
    export_seconds: float = 1.0
    read_timeout: float = 1.0
    export_timeout: float = 120.0
    policy: RetryPolicy = SOAK_POLICY


@dataclass
class Errors:
    """The errors the lib raised in a phase: how many of each type, and the first message of each."""

    counts: Counter[str] = field(default_factory=Counter)
    first: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, error: Exception) -> None:
        name = type(error).__name__
        with self._lock:
            self.counts[name] += 1
            self.first.setdefault(name, clip(str(error), 300))


@dataclass
class Phase:
    """The outcome of one phase: the verdict on its files, the errors raised, the wire counters."""

    name: str
    verdict: Verdict
    errors: Errors
    counters: Counters
    wall: float


@dataclass
class SoakReport:
    """Both phases, the emulator's crash count and the total wall time."""

    phases: list[Phase] = field(default_factory=list)
    emulator_crashes: int = 0
    wall: float = 0.0

    @property
    def ok(self) -> bool:
        """Every file right, nothing left over, no emulator crash."""
        return self.emulator_crashes == 0 and all(
            p.verdict.correct == p.verdict.total and not p.verdict.leftovers for p in self.phases
        )

    def line(self) -> str:
        """The one-line summary ``make soak`` prints."""
        parts = [f"{p.verdict.correct}/{p.verdict.total} {p.name}" for p in self.phases]
        leftovers = sum(len(p.verdict.leftovers) for p in self.phases)
        retries = sum(p.counters.failed_attempts for p in self.phases)
        resumed = sum(p.counters.resumed_bytes for p in self.phases)
        resumes = sum(p.counters.resumes for p in self.phases)
        return (
            f"soak: {' + '.join(parts)} exports correct, {leftovers} partial/temporary files left, "
            f"{retries} retries, {resumed} resumed bytes ({resumes} resumes), "
            f"{self.emulator_crashes} emulator crashes, {self.wall:.1f} s wall"
        )


def _client(
    base_url: str, config: SoakConfig, transport: httpx.BaseTransport | httpx.AsyncBaseTransport
) -> AuthenticatedClient:
    timeout = httpx.Timeout(10.0, read=config.read_timeout)
    return token_client(base_url, DEMO_TOKEN, timeout=timeout, httpx_args={"transport": transport})


def _arguments(item: PlannedExport, config: SoakConfig) -> dict[str, Any]:
    """The keyword arguments of one ``export_to_file`` / ``async_export_to_file`` call."""
    return {
        "project_id": DEMO_PROJECT_ID,
        "workspace": DEMO_WORKSPACE,
        "body": item.body,
        "dest": item.dest,
        "timeout": config.export_timeout,
        "policy": config.policy,
    }


def _run_sync(base_url: str, config: SoakConfig, folder: Path) -> Phase:
    planned, counters, errors = plan(config.exports, folder, prefix="sync"), Counters(), Errors()
    client = _client(base_url, config, CountingTransport(httpx.HTTPTransport(), counters))

    def one(item: PlannedExport) -> None:
        try:
            export_to_file(client, **_arguments(item, config))
        except DataArtsError as error:
            errors.record(error)

    began = time.monotonic()
    with client, ThreadPoolExecutor(max_workers=config.workers) as pool:
        list(pool.map(one, planned))
    return Phase("sync", judge(planned, folder), errors, counters, time.monotonic() - began)


async def _run_async(base_url: str, config: SoakConfig, folder: Path) -> Phase:
    planned, counters, errors = plan(config.concurrent, folder, prefix="async"), Counters(), Errors()
    client = _client(base_url, config, AsyncCountingTransport(httpx.AsyncHTTPTransport(), counters))

    async def one(item: PlannedExport) -> None:
        try:
            await async_export_to_file(client, **_arguments(item, config))
        except DataArtsError as error:
            errors.record(error)

    began = time.monotonic()
    async with client:
        await asyncio.gather(*(one(item) for item in planned))
    return Phase(
        f"concurrent async (x{config.concurrent})", judge(planned, folder), errors, counters, time.monotonic() - began
    )


def run_soak(config: SoakConfig, workdir: Path | None = None) -> SoakReport:
    """Start a fresh emulator with ``config.mix``, run both phases, judge every file."""
    with tempfile.TemporaryDirectory(prefix=".soak-", dir=workdir) as scratch:
        root = Path(scratch)
        log_path = root / "emulator.log"
        args = [*config.mix.emulator_args(), "--export-seconds", str(config.export_seconds), "--log-level", "warning"]
        report, began = SoakReport(), time.monotonic()
        with log_path.open("w", encoding="utf-8") as log, serve_process(args, stderr=log) as (base_url, _):
            if config.exports:
                (root / "sync").mkdir()
                report.phases.append(_run_sync(base_url, config, root / "sync"))
            if config.concurrent:
                (root / "async").mkdir()
                report.phases.append(asyncio.run(_run_async(base_url, config, root / "async")))
        report.wall = time.monotonic() - began
        report.emulator_crashes = log_path.read_text(encoding="utf-8").count(InternalError.error_code)
        return report
