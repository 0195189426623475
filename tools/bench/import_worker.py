"""Import and export of the largest workbook an import takes: ``python -m tools.bench.import_worker BASE_URL ROUNDS``.

The emulator at BASE_URL serves the demo project with two workspaces
(:data:`SOURCE`, :data:`TARGET`), imports at once and exports only what a
workspace holds. Each round, in a fresh workspace pair's state:

1. ``lib.import_file`` of :data:`ROWS` code tables into SOURCE (upload, start,
   wait for the result): ``import_seconds``;
2. ``lib.export_to_file`` of the same objects by the IDs the import reported:
   ``export_seconds``, the same rows the other way;
3. the round trip: that workbook imported into TARGET and exported from it
   again by the IDs that import reported: ``round_trip_seconds``, and whether
   the two exported workbooks are the same bytes (``identical``).

One JSON line per round, printed as it ends.
"""

from __future__ import annotations

import base64
import io
import json
import random
import sys
import time

import httpx

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client import AuthenticatedClient
from dataarts_export_client.lib import export_to_file, import_file, token_client
from dataarts_export_client.models import ExportParam

ROWS = 2_999
"""The most data rows an import takes: "under 3,000 rows", the header not counted (docs/fidelity.md F-IMPORT-10)."""
SOURCE = DEMO_WORKSPACE
TARGET = "b3c4d5e6f7a8091a2b3c4d5e6f7a8091"
EXPORT_TYPE = "codeTable"
ACTION = "import_codetable"


VALUE_BYTES = 1_300
"""Random bytes behind each row's values cell (base64): enough that the workbook nears the 4 MB an import takes."""


def workbook() -> bytes:
    """:data:`ROWS` code tables with codes, names and values of their own, as the emulator exports them.

    The values are random (seeded), so they do not compress away: the workbook is a few hundred kilobytes
    under 4 MiB, the largest an import takes, with the most rows it takes.
    """
    randomness = random.Random(18)  # noqa: S311 - filler text, not a secret
    ids = tuple(str(10**17 + index) for index in range(ROWS))
    rows = {
        object_id: (
            object_id,
            f"code_{index:05d}",
            f"Code table {index}",
            base64.b64encode(randomness.randbytes(VALUE_BYTES)).decode("ascii"),
        )
        for index, object_id in enumerate(ids)
    }
    return build_workbook(ExportRequest(type=EXPORT_TYPE, ids=ids), rows)


def _export(client: AuthenticatedClient, workspace: str, ids: list[str]) -> bytes:
    buffer = io.BytesIO()
    body = ExportParam(type_=EXPORT_TYPE, ids=ids, asyn=True)
    export_to_file(client, project_id=DEMO_PROJECT_ID, workspace=workspace, body=body, dest=buffer, timeout=60)
    return buffer.getvalue()


def _import(client: AuthenticatedClient, workspace: str, content: bytes) -> list[str]:
    outcome = import_file(
        client, project_id=DEMO_PROJECT_ID, workspace=workspace, action=ACTION, file=content, timeout=60
    )
    if outcome.success != ROWS:
        raise RuntimeError(f"{outcome.success} of {ROWS} rows imported")
    return outcome.object_ids


def main(base_url: str, rounds: int) -> None:
    content = workbook()
    print(json.dumps({"rows": ROWS, "bytes": len(content)}), flush=True)
    client = token_client(base_url, DEMO_TOKEN, timeout=httpx.Timeout(60))
    for _ in range(rounds):
        started = time.perf_counter()
        ids = _import(client, SOURCE, content)
        imported = time.perf_counter()
        exported = _export(client, SOURCE, ids)
        export_done = time.perf_counter()
        again = _export(client, TARGET, _import(client, TARGET, exported))
        finished = time.perf_counter()
        print(
            json.dumps(
                {
                    "import_seconds": imported - started,
                    "export_seconds": export_done - imported,
                    "round_trip_seconds": finished - imported,
                    "identical": again == exported,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
