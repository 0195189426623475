"""Rows: a 200 MiB workbook to disk, peak memory growth and throughput.

``lib.download_export`` against raw ``httpx`` streaming to a file with the same
fsync, with Huawei's official SDK beside them; every download runs in a fresh
interpreter (:mod:`.download_worker`) against the loopback stub, and the
variants take turns, round after round.
"""

from __future__ import annotations

import sys
import tempfile
from typing import Any

from .processes import ROOT, free_port, run_worker, sdk_env, server
from .results import Panel, Row, Section, ratio_row

MIB = 1024 * 1024
RSS_LIMIT_MIB = 16.0
NAMES = {
    "client": "lib.download_export",
    "buffered": "buffered (mutation)",
    "httpx": "raw httpx",
    "sdk": "official SDK",
}


def _summary(runs: list[dict[str, Any]]) -> dict[str, float]:
    """The largest memory growth (the bound must hold every time) and the best throughput (noise only slows)."""
    return {
        "rss_mib": max(run["rss_bytes"] for run in runs) / MIB,
        "mib_s": max(run["size"] / run["seconds"] for run in runs) / MIB,
    }


def run(size_mib: int = 200, rounds: int = 5, *, client_variant: str = "client") -> Section:
    variants = [client_variant, "httpx", "sdk"]
    runs: dict[str, list[dict[str, Any]]] = {variant: [] for variant in variants}
    port = free_port()
    command = [sys.executable, "-m", "tools.bench.stub", str(port), str(size_mib * MIB)]
    with (
        server("workbook stub", command, port) as base_url,
        tempfile.TemporaryDirectory(prefix=".bench-", dir=ROOT) as scratch,
    ):
        for round_index in range(rounds):
            # The official SDK holds the whole workbook in memory and is slow: one run of it is enough.
            for variant in variants if round_index == 0 else variants[:2]:
                env = sdk_env() if variant == "sdk" else None
                (result,) = run_worker("download_worker", base_url, variant, scratch, env=env, timeout=300)
                if result["size"] != size_mib * MIB:
                    raise SystemExit(f"{variant} wrote {result['size']} bytes, not {size_mib} MiB")
                runs[variant].append(result)
    ours, raw, sdk = (_summary(runs[variant]) for variant in variants)
    name = NAMES[client_variant]
    benchmark = f"{size_mib} MiB workbook to disk"
    rss_peers = f"raw httpx {raw['rss_mib']:.1f} MiB; official SDK {sdk['rss_mib']:.1f} MiB"
    speed_peers = f"raw httpx {raw['mib_s']:.0f} MiB/s; official SDK {sdk['mib_s']:.0f} MiB/s"
    rows = [
        Row(
            f"{benchmark}: peak RSS growth",
            f"{name} {ours['rss_mib']:.1f} MiB",
            rss_peers,
            f"≤ {RSS_LIMIT_MIB:g} MiB",
            f"{ours['rss_mib']:.1f} MiB",
            ours["rss_mib"] <= RSS_LIMIT_MIB,
        ),
        ratio_row(
            f"{benchmark}: throughput",
            f"{name} {ours['mib_s']:.0f} MiB/s",
            speed_peers,
            value=ours["mib_s"] / raw["mib_s"],
            limit=0.8,
            relation=">=",
            of="of raw httpx",
            unit="%",
        ),
    ]
    labels = [NAMES[variant] for variant in variants]
    panels = [
        Panel(
            "200 MiB download: peak RSS growth",
            "MiB",
            ["peak RSS growth"],
            {label: [summary["rss_mib"]] for label, summary in zip(labels, (ours, raw, sdk), strict=True)},
            log_scale=True,
            target=RSS_LIMIT_MIB,
        ),
        Panel(
            "200 MiB download: throughput",
            "MiB/s",
            ["throughput"],
            {label: [summary["mib_s"]] for label, summary in zip(labels, (ours, raw, sdk), strict=True)},
            target=0.8 * raw["mib_s"],
        ),
    ]
    method = (
        f"Each download runs in a fresh interpreter against the loopback stub, {rounds} rounds with the variants "
        "taking turns (the official SDK, slow and informational, in the first round only); memory is the peak RSS "
        "(`VmHWM`, reset after imports, client set-up and one status poll) minus the RSS at that reset, the largest "
        "over the rounds; throughput is bytes over the time from request to fsynced file, the best of the rounds."
    )
    return Section("download", rows, panels, method)
