"""Cost of an export of N ids: ``python -m tools.bench.workbook_worker N BASE_URL DIR``.

Prints one JSON line after building the emulator's workbook for N ids in
process (``build_seconds``), and another after the whole
``lib.export_to_file`` of the same ids against the emulator at BASE_URL
(``export_seconds``: start, wait, download, fsync), so that a run stopped at
its time limit still reports what it finished.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import httpx

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client.lib import export_to_file, token_client
from dataarts_export_client.models import ExportParam

EXPORT_TYPE = "TABLE_MODEL"


def ids(count: int) -> list[str]:
    """``count`` distinct 16-digit ids: 50,000 of them fit the emulator's 1 MiB body limit."""
    return [str(10**15 + index) for index in range(count)]


def main(count: int, base_url: str, directory: str) -> None:
    wanted = ids(count)
    started = time.perf_counter()
    workbook = build_workbook(ExportRequest(type=EXPORT_TYPE, ids=tuple(wanted)))
    build = time.perf_counter() - started
    print(json.dumps({"ids": count, "build_seconds": build, "bytes": len(workbook)}), flush=True)

    client = token_client(base_url, DEMO_TOKEN, timeout=httpx.Timeout(120))
    body = ExportParam(type_=EXPORT_TYPE, ids=wanted, asyn=True)
    dest = Path(directory) / f"export-{count}.xlsx"
    started = time.perf_counter()
    export_to_file(client, project_id=DEMO_PROJECT_ID, workspace=DEMO_WORKSPACE, body=body, dest=dest, timeout=120)
    export = time.perf_counter() - started
    print(json.dumps({"ids": count, "export_seconds": export, "bytes": dest.stat().st_size}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
