"""Rows: the largest import the service takes, the same rows exported, the round trip, and zip bombs refused.

Two emulator processes on 127.0.0.1, imports and exports finishing at once
(``--import-seconds 0 --export-seconds 0``) and strict workspaces, so every
exported row really came from an import:

- :mod:`.import_worker`, in a fresh interpreter, imports a workbook of 2,999
  code tables (3,000 rows with the header; under 4 MB) with
  ``lib.import_file``, exports the same objects with ``lib.export_to_file``,
  and carries them to a second workspace and back out (median of
  :data:`ROUNDS` rounds). Target: the import, start to result, in
  :data:`IMPORT_LIMIT` s or less.
- Two zip bombs of just under 4 MiB, sent with ``lib.start_import`` to a
  fresh emulator: one that declares its gigabytes (refused before inflating,
  ``EMU.0426``) and one whose headers lie about them (refused by the
  inflated-bytes count, ``EMU.0425``). Targets: refused in
  :data:`BOMB_LIMIT` s or less, with the emulator's peak resident memory
  (``VmHWM``, Linux) grown by :data:`RSS_LIMIT_MB` MB or less.
"""

from __future__ import annotations

import io
import statistics
import time
import zipfile
from pathlib import Path

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.testing import serve_process
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client import AuthenticatedClient
from dataarts_export_client.lib import ApiError, start_import, token_client

from .import_worker import ROWS, TARGET
from .processes import BenchError, run_worker
from .results import Panel, Row, Section

__all__ = ["BOMB_LIMIT", "IMPORT_LIMIT", "ROUNDS", "RSS_LIMIT_MB", "lying", "run", "zip_bomb"]

ROUNDS = 3
IMPORT_LIMIT = 2.0
BOMB_LIMIT = 0.5
RSS_LIMIT_MB = 50.0
EMULATOR = ["--import-seconds", "0", "--export-seconds", "0", "--strict-workspaces", "--log-level", "warning"]
_ZEROS = b"\0" * (1 << 20)
_ENTRY_LIMIT = (1 << 31) - (1 << 20)
"""Bytes of zeros per bomb entry: under zipfile's 2 GiB limit for an entry without ZIP64 fields."""
_BOMB_BYTES = 4 * 1024 * 1024 - 64 * 1024
"""A bomb stops growing here: just under the 4 MiB an upload may have, with room for its workbook."""


def zip_bomb() -> tuple[bytes, int]:
    """A real code-table workbook plus entries of zeros, just under 4 MiB in all; and the bytes it inflates to."""
    buffer = io.BytesIO(workbook_of_one())
    inflated = 0
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        entry = 0
        while buffer.tell() < _BOMB_BYTES - 512 * 1024:
            with archive.open(f"xl/media/zeros{entry}.bin", "w") as part:
                written = 0
                while written < _ENTRY_LIMIT and buffer.tell() < _BOMB_BYTES - 512 * 1024:
                    part.write(_ZEROS)
                    written += len(_ZEROS)
            inflated += written
            entry += 1
    content = buffer.getvalue()
    if len(content) >= 4 * 1024 * 1024:
        raise BenchError(f"the zip bomb came out at {len(content)} bytes, not under 4 MiB")
    return content, inflated


def workbook_of_one() -> bytes:
    """One code table: what the bombs ride on, and the emulator's warm-up before them."""
    return build_workbook(ExportRequest(type="codeTable", ids=("1",)))


def lying(content: bytes, declared: int = 1000) -> bytes:
    """``content`` with every ``zeros*.bin`` entry's uncompressed size written as ``declared`` in both headers."""
    data = bytearray(content)
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = data.find(signature)
        while start != -1:
            length = int.from_bytes(data[start + name_length_at : start + name_length_at + 2], "little")
            name = bytes(data[start + name_at : start + name_at + length])
            if name.startswith(b"xl/media/zeros"):
                data[start + size_at : start + size_at + 4] = declared.to_bytes(4, "little")
            start = data.find(signature, start + 4)
    return bytes(data)


def _peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident set (``VmHWM``) in MB; ``None`` where ``/proc`` does not say."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _upload(client: AuthenticatedClient, content: bytes) -> str:
    return start_import(
        client,
        project_id=DEMO_PROJECT_ID,
        workspace=DEMO_WORKSPACE,
        action="import_codetable",
        file=content,
        timeout=10,
    )


def _refusal(base_url: str, pid: int, content: bytes) -> tuple[float, str, float | None]:
    """Seconds to the refusal of ``content``, the refusal's code, and the emulator's peak RSS growth in MB."""
    client = token_client(base_url, DEMO_TOKEN)
    _upload(client, workbook_of_one())  # the code paths are loaded and warm
    before = _peak_rss_mb(pid)
    started = time.perf_counter()
    try:
        _upload(client, content)
    except ApiError as refused:
        seconds, code = time.perf_counter() - started, f"{refused.status_code} {refused.error_code}"
    else:
        raise BenchError("the emulator accepted a zip bomb")
    after = _peak_rss_mb(pid)
    return seconds, code, None if before is None or after is None else after - before


def _bomb_row(label: str, seconds: float, code: str, growth: float | None) -> Row:
    grown = "RSS growth unmeasured (no /proc)" if growth is None else f"emulator peak RSS +{growth:.1f} MB"
    met = seconds <= BOMB_LIMIT and growth is not None and growth <= RSS_LIMIT_MB
    return Row(
        label,
        f"refused {code} in {seconds * 1000:.0f} ms, {grown}",
        "",
        f"≤ {BOMB_LIMIT:g} s, RSS growth ≤ {RSS_LIMIT_MB:g} MB",
        f"{seconds:.3f} s, +{growth:.1f} MB" if growth is not None else f"{seconds:.3f} s",
        met,
    )


def run() -> Section:
    with serve_process(["--workspace", DEMO_WORKSPACE, "--workspace", TARGET, *EMULATOR]) as (base_url, _):
        lines = run_worker("import_worker", base_url, str(ROUNDS), timeout=300)
    sizes = [line for line in lines if "bytes" in line]
    rounds = [line for line in lines if "import_seconds" in line]
    if not sizes or len(rounds) != ROUNDS:
        raise BenchError(f"import_worker finished {len(rounds)} of {ROUNDS} rounds")
    mebibytes = sizes[0]["bytes"] / 2**20
    imported = statistics.median(line["import_seconds"] for line in rounds)
    exported = statistics.median(line["export_seconds"] for line in rounds)
    round_trip = statistics.median(line["round_trip_seconds"] for line in rounds)
    identical = all(line["identical"] for line in rounds)
    rows = [
        Row(
            f"Import of {ROWS:,} code tables ({ROWS + 1:,} rows with the header, {mebibytes:.2f} MiB): start to result",
            f"lib.import_file {imported:.2f} s (median of {ROUNDS})",
            "",
            f"≤ {IMPORT_LIMIT:g} s",
            f"{imported:.2f} s",
            imported <= IMPORT_LIMIT,
        ),
        Row(
            f"Export of the same {ROWS:,} objects, side by side",
            f"lib.export_to_file {exported:.2f} s (median of {ROUNDS})",
            "",
            "—",
            "",
            None,
        ),
        Row(
            f"Round trip of {ROWS:,} objects: export, import into another workspace, export from it",
            f"{round_trip:.2f} s (median of {ROUNDS}); the two workbooks "
            + ("byte-identical" if identical else "DIFFER"),
            "",
            "identical workbooks",
            "identical" if identical else "different",
            identical,
        ),
    ]
    content, inflated = zip_bomb()
    for label, bomb in (
        (f"Zip bomb of {len(content) / 2**20:.2f} MiB declaring {inflated / 2**30:.1f} GiB", content),
        (f"Zip bomb of {len(content) / 2**20:.2f} MiB lying about its {inflated / 2**30:.1f} GiB", lying(content)),
    ):
        with serve_process(EMULATOR) as (base_url, process):
            rows.append(_bomb_row(label, *_refusal(base_url, process.pid, bomb)))
    panel = Panel(
        f"{ROWS:,} code tables through the emulator",
        "seconds",
        ["import_file", "export_to_file", "round trip"],
        {"this project": [imported, exported, round_trip]},
        target=IMPORT_LIMIT,
    )
    method = (
        f"`tools/bench/import_worker.py` in a fresh interpreter against an emulator with `--import-seconds 0 "
        f"--export-seconds 0 --strict-workspaces`: {ROUNDS} rounds of `lib.import_file` (upload, start, result) of "
        f"{ROWS:,} code tables, `lib.export_to_file` of them by the IDs the import reported, and the round trip "
        "(that workbook into a second workspace and exported again, compared byte for byte). The zip bombs (a real "
        "workbook plus entries of zeros, just under 4 MiB) go to a fresh emulator through `lib.start_import`, after "
        "one small import; the emulator's peak resident memory is its `VmHWM` before and after."
    )
    return Section("import", rows, [panel], method)
