"""Benchmarks, measured as ratios side by side in one run (`make bench`).

1. Download memory and speed: the generated ``export_design_result.sync``
   (which holds the whole workbook in memory, like any generated call) against
   ``lib.download_export`` (which streams it to disk), on the same file from the
   same loopback server. Each variant runs in a fresh interpreter so its peak
   resident memory is its own.
2. AK/SK signing: ``lib.AkSkAuth`` against the official SDK's signer on the
   same requests.

Each line states its target; the run fails when a target is missed. Nothing
here is a test: timings vary from machine to machine, ratios much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from dataarts_export_client import Client
from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.lib import AkSkAuth, download_export
from dataarts_export_client.types import File

T = TypeVar("T")

PROJECT = "bench-project"
WORKSPACE = "bench-workspace"
UUID = "bench-uuid"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


def _serve(port: int, size: int) -> None:
    """A loopback server answering export-result with a ``size``-byte workbook, sent in chunks."""
    block = os.urandom(CHUNK)

    async def body() -> object:
        sent = 0
        while sent < size:
            piece = block[: min(CHUNK, size - sent)]
            sent += len(piece)
            yield piece

    async def result(_request: Request) -> StreamingResponse:
        headers = {"Content-Length": str(size), "Content-Disposition": 'attachment; filename="bench.xlsx"'}
        return StreamingResponse(body(), media_type=XLSX, headers=headers)  # type: ignore[arg-type]

    app = Starlette(routes=[Route(f"/v2/{PROJECT}/design/export-result", result)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _client_run(base_url: str, variant: str) -> None:
    """Download once with ``variant``; print peak RSS growth (MiB) and seconds as JSON."""
    client = Client(base_url=base_url, timeout=httpx.Timeout(60))
    client.get_httpx_client()
    baseline = _peak_rss_mib()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        dest = Path(scratch) / "export.xlsx"
        if variant == "buffered":
            answer = export_design_result.sync(PROJECT, client=client, uuid=UUID, workspace=WORKSPACE)
            if not isinstance(answer, File):
                raise SystemExit(f"expected the workbook, got {answer!r}")
            dest.write_bytes(answer.payload.read())
        else:
            download_export(client, project_id=PROJECT, workspace=WORKSPACE, uuid=UUID, dest=dest, timeout=60)
        size = dest.stat().st_size
    seconds = time.perf_counter() - started
    print(json.dumps({"variant": variant, "rss_mib": _peak_rss_mib() - baseline, "seconds": seconds, "size": size}))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"bench server did not start on port {port}")


def bench_download(size_mib: int, rounds: int) -> list[tuple[str, float, float, str]]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(size_mib * 1024 * 1024)])
    try:
        _wait_for_port(port, time.monotonic() + 20)
        results: dict[str, list[dict[str, float]]] = {"buffered": [], "streaming": []}
        for _ in range(rounds):
            for variant, runs in results.items():
                out = subprocess.run(
                    [sys.executable, __file__, "--client", f"http://127.0.0.1:{port}", variant],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait(timeout=10)
    buffered = {key: min(run[key] for run in results["buffered"]) for key in ("rss_mib", "seconds")}
    streaming = {key: min(run[key] for run in results["streaming"]) for key in ("rss_mib", "seconds")}
    print(f"download of a {size_mib} MiB workbook, best of {rounds}:")
    print(f"  {'':12}{'peak RSS growth':>18}{'seconds':>10}")
    for name, row in (("buffered", buffered), ("streaming", streaming)):
        print(f"  {name:12}{row['rss_mib']:>14.1f} MiB{row['seconds']:>10.3f}")
    memory_ratio = max(streaming["rss_mib"], 1.0) / max(buffered["rss_mib"], 1.0)
    time_ratio = streaming["seconds"] / buffered["seconds"]
    return [
        ("download memory, streaming / buffered", memory_ratio, 0.10, "<="),
        ("download time, streaming / buffered", time_ratio, 1.50, "<="),
    ]


def bench_signing(count: int) -> list[tuple[str, float, float, str]]:
    # Imported here, after main() pointed HOME at a scratch directory: the SDK writes there on import.
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: PLC0415
    from huaweicloudsdkcore.sdk_request import SdkRequest  # noqa: PLC0415
    from huaweicloudsdkcore.signer.signer import Signer  # noqa: PLC0415

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    auth = AkSkAuth("BENCHAK", "bench-sk", project_id=PROJECT, clock=lambda: moment)
    signer = Signer(BasicCredentials("BENCHAK", "bench-sk", PROJECT))
    path = f"/v2/{PROJECT}/design/export-result"

    def ours_requests() -> list[httpx.Request]:
        url = f"https://dayu.example{path}"
        headers = {"workspace": WORKSPACE}
        return [httpx.Request("GET", url, params={"uuid": UUID}, headers=headers) for _ in range(count)]

    def official_requests() -> list[SdkRequest]:
        headers = {"workspace": WORKSPACE, "X-Project-Id": PROJECT, "X-Sdk-Date": "20260101T000000Z"}
        return [
            SdkRequest("GET", "https", "dayu.example", path, query_params=[("uuid", UUID)], header_params=dict(headers))
            for _ in range(count)
        ]

    def timed(build: Callable[[], list[T]], sign: Callable[[T], object]) -> float:
        """Best of three: signing only, on requests built beforehand."""
        best = float("inf")
        for _ in range(3):
            requests = build()
            started = time.perf_counter()
            for request in requests:
                sign(request)
            best = min(best, time.perf_counter() - started)
        return best

    ours_s, official_s = timed(ours_requests, auth.sign), timed(official_requests, signer.sign)
    print(f"AK/SK signing of {count} requests, best of 3:")
    print(f"  lib.AkSkAuth                          {ours_s * 1e6 / count:8.1f} µs/request")
    print(f"  official SDK signer                   {official_s * 1e6 / count:8.1f} µs/request")
    return [("signing time, AkSkAuth / official SDK", ours_s / official_s, 1.5, "<=")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=64, help="workbook size for the download benchmark")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sign-count", type=int, default=3000)
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "BYTES"), help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=2, metavar=("BASE_URL", "VARIANT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(int(args.serve[0]), int(args.serve[1]))
        return 0
    if args.client:
        _client_run(args.client[0], args.client[1])
        return 0
    os.environ["HOME"] = tempfile.mkdtemp(prefix="bench-home-")  # the official SDK writes to $HOME on import
    ratios = bench_download(args.size_mib, args.rounds) + bench_signing(args.sign_count)
    print("\ntargets:")
    missed = 0
    for name, value, target, _relation in ratios:
        ok = value <= target
        missed += not ok
        print(f"  {'met ' if ok else 'MISS'}  {name:42} {value:6.3f}  (target <= {target:.2f})")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
