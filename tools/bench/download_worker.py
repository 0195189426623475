"""Download the stub's workbook once, one way: ``python -m tools.bench.download_worker BASE_URL VARIANT DIR``.

Runs in a fresh interpreter so that the peak resident memory it reports is
this variant's own. The peak is reset after imports, client set-up and one
status poll on the same connection, so only the download itself counts.
Every variant ends with the file's data fsynced to disk. Prints one JSON
line: peak RSS growth in bytes, seconds, and the size written.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from dataarts_export_client import Client
from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.lib import AkSkAuth, download_export
from dataarts_export_client.types import File

from .stub import ACCESS_KEY, PATH, PROJECT, READY, RUNNING, SECRET_KEY, WORKSPACE

Download = Callable[[Path], None]
TIMEOUT = httpx.Timeout(120)


def _auth() -> AkSkAuth:
    return AkSkAuth(ACCESS_KEY, SECRET_KEY, project_id=PROJECT)


def _write_synced(dest: Path, data: bytes) -> None:
    with dest.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _status_poll(client: Client) -> Callable[[], object]:
    return lambda: export_design_result.sync_detailed(PROJECT, client=client, uuid=RUNNING, workspace=WORKSPACE)


def client_download(base_url: str) -> tuple[Callable[[], object], Download]:
    """``lib.download_export``: streamed to a temporary file, fsynced, renamed into place."""
    client = Client(base_url, timeout=TIMEOUT, httpx_args={"auth": _auth()})

    def download(dest: Path) -> None:
        download_export(client, project_id=PROJECT, workspace=WORKSPACE, uuid=READY, dest=dest, timeout=120)

    return _status_poll(client), download


def buffered_download(base_url: str) -> tuple[Callable[[], object], Download]:
    """The mutation: the generated call, which reads the whole workbook into memory, then one write."""
    client = Client(base_url, timeout=TIMEOUT, httpx_args={"auth": _auth()})

    def download(dest: Path) -> None:
        answer = export_design_result.sync(PROJECT, client=client, uuid=READY, workspace=WORKSPACE)
        if not isinstance(answer, File):
            raise SystemExit(f"expected the workbook, got {type(answer).__name__}")
        _write_synced(dest, answer.payload.read())

    return _status_poll(client), download


def httpx_download(base_url: str) -> tuple[Callable[[], object], Download]:
    """Raw ``httpx`` streaming: ``iter_bytes`` into a file, then the same fsync."""
    http = httpx.Client(base_url=base_url, auth=_auth(), timeout=TIMEOUT)
    headers = {"workspace": WORKSPACE}

    def download(dest: Path) -> None:
        with http.stream("GET", PATH, params={"uuid": READY}, headers=headers) as answer, dest.open("wb") as file:
            answer.raise_for_status()
            for chunk in answer.iter_bytes():
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())

    return lambda: http.get(PATH, params={"uuid": RUNNING}, headers=headers).raise_for_status(), download


def sdk_download(base_url: str) -> tuple[Callable[[], object], Download]:
    """Huawei's official SDK: the file arrives as ``raw_content`` (all in memory), then one write."""
    from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: PLC0415 - only this variant needs it
    from huaweicloudsdkdataartsstudio.v1 import (  # noqa: PLC0415
        DataArtsStudioClient,
        ExportDesignResultRequest,
    )

    client = (
        DataArtsStudioClient.new_builder()
        .with_credentials(BasicCredentials(ACCESS_KEY, SECRET_KEY, PROJECT))
        .with_endpoints([base_url])
        .build()
    )

    def download(dest: Path) -> None:
        answer = client.export_design_result(ExportDesignResultRequest(workspace=WORKSPACE, uuid=READY))
        _write_synced(dest, answer.raw_content)

    return lambda: client.export_design_result(ExportDesignResultRequest(workspace=WORKSPACE, uuid=RUNNING)), download


VARIANTS = {"client": client_download, "buffered": buffered_download, "httpx": httpx_download, "sdk": sdk_download}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak_rss() -> int:
    """Reset the peak resident set size to the current one (Linux ``clear_refs``); return it in bytes.

    Without the reset the import-time peak would hide any growth below it.
    Where the reset is not available the peak so far is the baseline.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS") * 1024
    except OSError:
        return peak_rss_bytes()


def peak_rss_bytes() -> int:
    """The peak resident set size of this process so far, in bytes."""
    try:
        return _status_kib("VmHWM") * 1024
    except (OSError, LookupError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def main(base_url: str, variant: str, directory: str) -> None:
    warm_up, download = VARIANTS[variant](base_url)
    warm_up()
    dest = Path(directory) / f"{variant}.xlsx"
    baseline = reset_peak_rss()
    started = time.perf_counter()
    download(dest)
    seconds = time.perf_counter() - started
    grown = peak_rss_bytes() - baseline
    print(json.dumps({"variant": variant, "rss_bytes": grown, "seconds": seconds, "size": dest.stat().st_size}))
    dest.unlink()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
