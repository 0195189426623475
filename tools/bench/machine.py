"""What the figures were measured on, and with which versions of the peers."""

from __future__ import annotations

import json
import os
import platform
from importlib.metadata import version
from pathlib import Path

from .processes import ROOT


def _first(path: str, prefix: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), None)


def machine() -> str:
    """CPU model, cores, memory, Python and OS in one line."""
    cpu = _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    memory = _first("/proc/meminfo", "MemTotal")
    gib = f"{int(memory.split()[0]) / 1024**2:.1f} GiB" if memory else "unknown memory"
    return (
        f"{cpu}, {os.cpu_count()} cores, {gib} memory; Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def peers() -> str:
    """Versions of the peers and tools measured against, from the environment and the npm pins."""
    pins = json.loads((ROOT / "tools" / "node" / "package.json").read_text())["dependencies"]
    return (
        f"httpx {version('httpx')}, huaweicloudsdkdataartsstudio {version('huaweicloudsdkdataartsstudio')}, "
        f"starlette {version('starlette')}, uvicorn {version('uvicorn')}, "
        f"Prism {pins['@stoplight/prism-cli']}, autocannon {pins['autocannon']}"
    )
