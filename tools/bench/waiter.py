"""Rows: waiting for 3, 10 and 30 s exports, ``lib.wait_for_export`` against fixed 1 s and 5 s polling.

One emulator process per export length (``--export-seconds``), and every
(length, strategy, repeat) in its own thread with its own client, all at
once, so the whole row takes about as long as the longest export. Lateness
is the moment the waiter returns minus the moment the export completed
(start request sent + export length, which overstates lateness by the
start request's own few milliseconds); requests are the status GETs made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

import httpx

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.testing import serve_process
from dataarts_export_client import AuthenticatedClient
from dataarts_export_client.lib import poll_export_status, start_export, token_client, wait_for_export
from dataarts_export_client.models import ExportParam

from .results import Panel, Row, Section

LENGTHS = (3.0, 10.0, 30.0)
MAX_REQUESTS = {3.0: 5, 10.0: 7, 30.0: 10}
STRATEGIES = ("lib.wait_for_export", "fixed 1 s", "fixed 5 s")
Strategy = Callable[[AuthenticatedClient, str, float], None]


def allowed_lateness(seconds: float) -> float:
    """The issue's bound: done within max(0.5 s, 5 %) of completion."""
    return max(0.5, 0.05 * seconds)


def _smart(client: AuthenticatedClient, uuid: str, seconds: float) -> None:
    wait_for_export(client, project_id=DEMO_PROJECT_ID, workspace=DEMO_WORKSPACE, uuid=uuid, timeout=seconds * 3 + 30)


def _fixed(interval: float) -> Strategy:
    def wait(client: AuthenticatedClient, uuid: str, seconds: float) -> None:
        while True:
            snapshot = poll_export_status(client, project_id=DEMO_PROJECT_ID, workspace=DEMO_WORKSPACE, uuid=uuid)
            if snapshot.status == "success":
                return
            if snapshot.status == "fail":
                raise RuntimeError(f"export {uuid} failed")
            time.sleep(interval)

    return wait


WAITERS: dict[str, Strategy] = {"lib.wait_for_export": _smart, "fixed 1 s": _fixed(1.0), "fixed 5 s": _fixed(5.0)}


@dataclass(frozen=True)
class Trial:
    seconds: float
    strategy: str
    late: float
    requests: int


def trial(base_url: str, seconds: float, strategy: str) -> Trial:
    """Start one export and wait for it with ``strategy``, counting its status requests."""
    gets: list[str] = []

    def count(request: httpx.Request) -> None:
        if request.method == "GET":
            gets.append(request.url.path)

    client = token_client(base_url, DEMO_TOKEN, httpx_args={"event_hooks": {"request": [count]}})
    with client:
        body = ExportParam(type_="TABLE_MODEL", ids=["1224641525420683264"], asyn=True)
        sent = time.monotonic()
        uuid = start_export(client, project_id=DEMO_PROJECT_ID, workspace=DEMO_WORKSPACE, body=body, timeout=30)
        WAITERS[strategy](client, uuid, seconds)
        late = time.monotonic() - (sent + seconds)
    return Trial(seconds, strategy, late, len(gets))


def run(repeats: int = 3) -> Section:
    with ExitStack() as stack:
        urls = {
            seconds: stack.enter_context(serve_process(["--export-seconds", str(seconds), "--log-level", "warning"]))[0]
            for seconds in LENGTHS
        }
        jobs = [(urls[s], s, name) for s in LENGTHS for name in STRATEGIES for _ in range(repeats)]
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            trials = list(pool.map(lambda job: trial(*job), jobs))
    worst = {
        (s, name): (
            max(t.late for t in trials if (t.seconds, t.strategy) == (s, name)),
            max(t.requests for t in trials if (t.seconds, t.strategy) == (s, name)),
        )
        for s in LENGTHS
        for name in STRATEGIES
    }
    rows = []
    for s in LENGTHS:
        late, requests = worst[(s, STRATEGIES[0])]
        bound, most = allowed_lateness(s), MAX_REQUESTS[s]
        peers = "; ".join(
            f"{name} {worst[(s, name)][0]:.2f} s late, {worst[(s, name)][1]} req" for name in STRATEGIES[1:]
        )
        rows.append(
            Row(
                f"Waiting for a {s:g} s export (worst of {repeats})",
                f"{STRATEGIES[0]} {late:.2f} s late, {requests} req",
                peers,
                f"≤ {bound:g} s late, ≤ {most} requests",
                f"{late:.2f} s, {requests} req",
                late <= bound and requests <= most,
            )
        )
    categories = [f"{s:g} s export" for s in LENGTHS]
    panels = [
        Panel(
            "Waiter: lateness (worst)",
            "s after completion",
            categories,
            {name: [worst[(s, name)][0] for s in LENGTHS] for name in STRATEGIES},
        ),
        Panel(
            "Waiter: status requests (most)",
            "requests per export",
            categories,
            {name: [float(worst[(s, name)][1]) for s in LENGTHS] for name in STRATEGIES},
        ),
    ]
    method = (
        f"Against the emulator (`--export-seconds` 3, 10, 30; token auth), {repeats} exports per strategy and length, "
        "all in parallel threads; lateness is the return time minus (start request sent + export length); "
        "the worst lateness and the most requests are shown."
    )
    return Section("waiter", rows, panels, method)
