"""Row: one status poll, signed with AK/SK, against the loopback stub.

The generated call (``export_design_result.sync_detailed`` with ``AkSkAuth``)
against raw ``httpx`` with the same signing and against Huawei's official SDK.
"""

from __future__ import annotations

import statistics
import sys

from .processes import free_port, run_worker, sdk_env, server
from .results import Panel, Section, paired_ratio, ratio_row

NAMES = {"generated": "generated call", "httpx": "raw httpx", "sdk": "official SDK"}


def run(rounds: int = 41, count: int = 50) -> Section:
    port = free_port()
    command = [sys.executable, "-m", "tools.bench.stub", str(port), "0"]
    with server("status stub", command, port) as base_url:
        timings = run_worker("poll_worker", base_url, str(rounds), str(count), env=sdk_env())[-1]
    per_poll = {name: statistics.median(values) for name, values in timings.items()}
    ours = f"generated call {per_poll['generated'] * 1e3:.3f} ms"
    peers = f"raw httpx {per_poll['httpx'] * 1e3:.3f} ms; official SDK {per_poll['sdk'] * 1e3:.3f} ms"
    name = "Status poll, AK/SK signed, time per poll"
    targets = (("httpx", 1.05, "raw httpx"), ("sdk", 0.6, "official SDK"))
    rows = [
        ratio_row(
            name,
            ours,
            peers,
            value=paired_ratio(timings["generated"], timings[peer]),
            limit=limit,
            relation="<=",
            of=label,
        )
        for peer, limit, label in targets
    ]
    panel = Panel(
        "Status poll (AK/SK)",
        "ms per poll",
        ["one poll"],
        {NAMES[key]: [value * 1e3] for key, value in per_poll.items()},
    )
    method = (
        f"One process holds the three clients, each with its own keep-alive connection to the same loopback stub "
        f"(`tools/bench/stub.py`); after a warm-up, {rounds} rounds of {count} turns, in each of which every client "
        "makes one poll (the order rotating), so that all meet the same machine speed and, like a program that "
        "polls now and then, caches just used by others. Times are each client's median round; each ratio is "
        "the median of the rounds' own ratios."
    )
    return Section("poll", rows, [panel], method)
