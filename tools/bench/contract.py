"""Row: ``make contract`` against the embedded emulator, in cases per second.

The contract runner belongs to ``tools/contract``; this only runs the same
``make contract`` a user runs and reads its output: the runner's own
cases-per-second figure when it prints one, otherwise the cases
schemathesis reports over the runner's running time. The row is met when
the run is green; the speed is shown beside it.
"""

from __future__ import annotations

import re
import subprocess
import time

from .processes import ROOT, BenchError
from .results import Panel, Row, Section

_RATE = re.compile(r"([\d,.]+)\s*cases/s")
_GENERATED = re.compile(r"Test cases:\s*\n\s*([\d,]+) generated")
_RUNNING_TIME = re.compile(r"([\d.]+) s, (?:completed|interrupted|failure)")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def cases_per_second(output: str, wall_seconds: float) -> tuple[float, str]:
    """The speed and where it came from, read from the runner's output."""
    if found := _RATE.findall(output):
        return _number(found[-1]), "the runner's summary"
    generated = _GENERATED.findall(output)
    if not generated:
        raise BenchError("make contract printed no case count")
    running = _RUNNING_TIME.findall(output)
    seconds = _number(running[-1]) if running else wall_seconds
    return _number(generated[-1]) / seconds, "schemathesis's case count over the runner's time"


def run() -> Section:
    started = time.monotonic()
    done = subprocess.run(
        ["make", "--no-print-directory", "contract"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    output = done.stdout + done.stderr
    rate, source = cases_per_second(output, wall)
    verdict = next((line.strip() for line in output.splitlines() if line.startswith("CONTRACT ")), "no verdict")
    row = Row(
        "make contract against the emulator",
        f"{rate:,.1f} cases/s ({wall:.0f} s in all)",
        "",
        "a green run (speed informational)",
        verdict.split(":")[0],
        done.returncode == 0,
    )
    panel = Panel("make contract", "cases per second", ["contract run"], {"schemathesis vs emulator": [rate]})
    return Section("contract", [row], [panel], f"`make contract` as is; cases per second from {source}.")
