"""The nightly job against the DataArts emulator (the dataarts-emulator pytest plugin's fixtures)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from dataarts_emulator.harness import RunningEmulator
from dataarts_export_client import AuthenticatedClient
from dataarts_export_client.lib import ExportFailed, RetryPolicy
from nightly_export import FILE_NAME, nightly_export, read_ids
from nightly_export.__main__ import main

TONIGHT = date(2026, 11, 30)
IDS = ["1224641525420683264", "1224641525420683265"]
# Short waits: the emulator runs on real time, and the job's real policy waits as long as the service needs.
QUICK = RetryPolicy(poll_interval=0.05, max_poll_interval=0.2, retry_interval=0.01, max_retry_interval=0.05)


def run(emulator: RunningEmulator, client: AuthenticatedClient, root: Path, ids: list[str] = IDS) -> Path:
    return nightly_export(
        client,
        project_id=emulator.project_id,
        workspace=emulator.workspace,
        ids=ids,
        root=root,
        day=TONIGHT,
        timeout=60,
        policy=QUICK,
    )


def workbook_text(path: Path) -> str:
    with zipfile.ZipFile(path) as workbook:
        return "".join(workbook.read(name).decode("utf-8") for name in workbook.namelist() if name.endswith(".xml"))


def test_tonights_workbook_lands_in_a_dated_folder(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient, tmp_path: Path
) -> None:
    path = run(dataarts_emulator, dataarts_client, tmp_path)
    assert path == tmp_path / "2026-11-30" / FILE_NAME
    text = workbook_text(path)
    assert all(model_id in text for model_id in IDS), "the workbook holds the requested table models"
    (started,) = [request for request in dataarts_emulator.requests if request.method == "POST"]
    assert started.path.endswith("/design/export-model")


def test_a_rerun_the_same_night_exports_nothing(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient, tmp_path: Path
) -> None:
    first = run(dataarts_emulator, dataarts_client, tmp_path)
    dataarts_emulator.requests.clear()
    assert run(dataarts_emulator, dataarts_client, tmp_path) == first
    assert dataarts_emulator.requests == []


@pytest.mark.dataarts_emulator(fault_rate=0.2, throttle_rate=0.1, retry_after_seconds=0, seed=5)
def test_the_job_rides_out_server_errors_and_throttling(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient, tmp_path: Path
) -> None:
    path = run(dataarts_emulator, dataarts_client, tmp_path)
    assert path.read_bytes().startswith(b"PK")
    answers = [request.status for request in dataarts_emulator.requests]
    assert {500, 502, 503, 429} & set(answers), f"the emulator injected faults: {answers}"


def test_a_failed_export_leaves_no_file_for_tonight(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient, tmp_path: Path
) -> None:
    with pytest.raises(ExportFailed):
        run(dataarts_emulator, dataarts_client, tmp_path, ids=["1224641525420683264", "model-that-will-fail"])
    assert not (tmp_path / "2026-11-30" / FILE_NAME).exists(), "tomorrow's run must not skip this night"


@pytest.mark.dataarts_emulator(export_seconds=0)
def test_the_command_reads_the_ids_file_and_the_environment(
    dataarts_emulator: RunningEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in dataarts_emulator.env().items():
        monkeypatch.setenv(name, value)
    ids = tmp_path / "ids.txt"
    ids.write_text("# tonight's tables\n1224641525420683264\n\n1224641525420683265  # orders\n", encoding="utf-8")
    assert read_ids(ids) == IDS
    assert main(["--ids", str(ids), "--root", str(tmp_path / "out"), "--date", "2026-11-30"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "out" / "2026-11-30" / FILE_NAME)


def test_the_command_fails_in_one_line_without_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DATAARTS_ENDPOINT", "DATAARTS_TOKEN", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"):
        monkeypatch.delenv(name, raising=False)
    ids = tmp_path / "ids.txt"
    ids.write_text("1\n", encoding="utf-8")
    assert main(["--ids", str(ids), "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err.startswith("nightly-export: ConfigurationError")
