"""``dataarts-export``: the command line against the emulator, in-process, over real sockets.

Each test calls ``cli.main([...])`` the way the console script does and
checks what a script or a person relies on: what goes to stdout (a path, a
uuid, JSON), what goes to stderr (progress, one-line errors), the exit code,
and that no credential is ever printed. One test runs the installed script.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from dataarts_emulator import DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.testing import free_port
from dataarts_export_client.lib import DEFAULT_POLICY, AuthenticationError, ExportProgress, RetryPolicy, cli
from dataarts_export_client.lib.cli import commands
from dataarts_export_client.models import ExportState

from .client_fakes import FAST_POLICY, settings_only

IDS = ["1224641525420683264", "1224641525420683265"]
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


pytestmark = pytest.mark.dataarts_emulator(export_seconds=0.3, seed=21)


@pytest.fixture
def base_url(dataarts_emulator: RunningEmulator) -> str:
    return dataarts_emulator.base_url


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, base_url: str, tmp_path: Path) -> None:
    """The demo tenant through the environment only (as a user sets it up), in an empty working directory."""
    settings_only(monkeypatch, base_url)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str, policy: RetryPolicy = FAST_POLICY) -> tuple[int, str, str]:
    """``main(argv)``: the exit code, stdout and stderr."""
    code = cli.main(list(argv), policy=policy)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export_args(*ids: str) -> list[str]:
    return ["--type", "TABLE_MODEL", *(word for item in ids for word in ("--id", item))]


def workbook_cells(path: Path) -> set[str]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    cells = {str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row}
    workbook.close()
    return cells


def single_line_error(err: str) -> str:
    """The one ``dataarts-export: error:`` line of ``err``; no traceback."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("dataarts-export: error:")]
    assert len(lines) == 1, err
    return lines[0]


def test_help_lists_exit_codes_and_keeps_credentials_off_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    codes = dict(re.findall(r"^  (\d+) +(\S.*)$", out.split("exit codes:")[1], flags=re.MULTILINE))
    assert {"0", "1", "2", "3", "4", "5"} <= codes.keys()
    assert codes["0"] == "success"
    assert "failed" in codes["1"]
    assert "usage" in codes["2"]
    assert "API error" in codes["3"]
    assert "timeout" in codes["4"]
    assert "download" in codes["5"]
    assert "never from the command line" in out
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "DATAARTS_TOKEN"):
        assert name in out
    for command in ("export", "start", "status", "wait", "download"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0
        assert "exit codes:" in out


def test_export_to_a_directory_with_the_default_timings(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "export", *export_args(*IDS), "--dest", str(tmp_path), policy=DEFAULT_POLICY)
    assert code == 0, err
    path = Path(out.strip())
    assert path.parent == tmp_path
    assert path.suffix == ".xlsx"
    assert set(IDS) <= workbook_cells(path)
    uuid = UUID_RE.search(err)
    assert uuid is not None
    assert f"export {uuid[0]}: importing" in err
    assert f"export {uuid[0]}: success 100%" in err
    assert [entry.name for entry in tmp_path.iterdir()] == [path.name]


def test_export_to_a_file_with_aksk_and_options_on_either_side(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, base_url: str
) -> None:
    for name in ("DATAARTS_TOKEN", "DATAARTS_ENDPOINT", "DATAARTS_PROJECT_ID", "DATAARTS_WORKSPACE"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", DEMO_AK)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", DEMO_SK)
    dest = tmp_path / "models.xlsx"
    code, out, err = run(
        capsys,
        *("--endpoint", base_url, "--project-id", DEMO_PROJECT_ID),
        "export",
        *("--workspace", DEMO_WORKSPACE, "--quiet", "--sync"),
        *export_args(*IDS),
        *("--dest", str(dest)),
    )
    assert (code, err) == (0, "")
    assert out == f"{dest}\n"
    assert set(IDS) <= workbook_cells(dest)


def test_start_status_wait_download(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "start", *export_args(IDS[0]))
    assert code == 0, err
    uuid = out.strip()
    assert UUID_RE.fullmatch(uuid)

    code, out, _ = run(capsys, "status", "--uuid", uuid)
    assert code == 0
    first = json.loads(out)
    assert first["uuid"] == uuid
    assert first["status"] in ("importing", "success")
    assert first["group"] is None

    code, out, err = run(capsys, "wait", "--uuid", uuid)
    assert code == 0, err
    ready = json.loads(out)
    assert (ready["uuid"], ready["status"]) == (uuid, "success")
    assert ready["file_name"].endswith(".xlsx")
    assert ready["content_length"] > 0
    assert list(tmp_path.iterdir()) == [], "wait does not download"

    code, out, _ = run(capsys, "status", "--uuid", uuid)
    assert code == 0
    done = json.loads(out)
    assert (done["status"], done["percent"], done["file_name"]) == ("success", 100.0, ready["file_name"])
    assert list(tmp_path.iterdir()) == [], "status does not download"

    dest = tmp_path / "later.xlsx"
    code, out, err = run(capsys, "download", "--uuid", uuid, "--dest", str(dest))
    assert code == 0, err
    assert out == f"{dest}\n"
    assert IDS[0] in workbook_cells(dest)


def test_a_failing_export_exits_1_with_the_logs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "export", *export_args(IDS[0], "model-that-will-fail"))
    assert (code, out) == (1, "")
    uuid = UUID_RE.search(single_line_error(err))
    assert uuid is not None
    assert f"export {uuid[0]} failed: 1 of 2 objects failed" in err
    assert "  export of model-that-will-fail failed: object not found" in err.splitlines()
    assert list(tmp_path.iterdir()) == []

    code, out, err = run(capsys, "status", "--uuid", uuid[0])
    assert code == 1
    status = json.loads(out)
    assert status["status"] == "fail"
    assert status["group"]["failed"] == 1
    assert "object not found" in status["group"]["logs"]
    assert "object not found" in err


@pytest.mark.parametrize("scheme", ["token", "aksk"])
def test_wrong_credentials_exit_3_without_showing_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    secret = "wrong-credential-value-0123456789"
    if scheme == "token":
        monkeypatch.setenv("DATAARTS_TOKEN", secret)
    else:
        monkeypatch.delenv("DATAARTS_TOKEN")
        monkeypatch.setenv("HUAWEICLOUD_SDK_AK", DEMO_AK)
        monkeypatch.setenv("HUAWEICLOUD_SDK_SK", secret)
    code, out, err = run(capsys, "export", *export_args(IDS[0]))
    assert (code, out) == (3, "")
    line = single_line_error(err)
    assert "HTTP 401" in line
    assert "[APIG.0301]" in line
    assert re.search(r"request id [0-9a-f]{32}", line)
    assert secret not in out + err

    code, out, err = run(capsys, "--verbose", "start", *export_args(IDS[0]))
    assert code == 3
    assert "Traceback" in err, "--verbose shows the traceback"
    assert secret not in out + err


def test_missing_credentials_and_settings_exit_2_naming_the_variables(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAARTS_TOKEN")
    code, _, err = run(capsys, "export", *export_args(IDS[0]))
    assert code == 2
    line = single_line_error(err)
    for name in ("DATAARTS_TOKEN", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"):
        assert name in line

    monkeypatch.setenv("DATAARTS_TOKEN", DEMO_TOKEN)
    monkeypatch.delenv("DATAARTS_WORKSPACE")
    code, _, err = run(capsys, "start")
    assert code == 2
    assert "--workspace" in err
    assert "DATAARTS_WORKSPACE" in err

    code, _, err = run(capsys, "export", "--workspace", DEMO_WORKSPACE, "--dest", "missing/dir/out.xlsx")
    assert code == 2
    assert "missing/dir" in single_line_error(err)


def test_credentials_as_options_are_refused_without_echoing_them(capsys: pytest.CaptureFixture[str]) -> None:
    for option in ("--token", "--sk"):
        code, out, err = run(capsys, option, "secret-typed-on-the-command-line", "start")
        assert (code, out) == (2, "")
        assert "secret-typed-on-the-command-line" not in err
        assert "DATAARTS_TOKEN" in err
    code, _, err = run(capsys, "start", "--ak=AKTYPEDONTHECOMMANDLINE")
    assert code == 2
    assert "AKTYPEDONTHECOMMANDLINE" not in err


def test_a_timeout_exits_4_naming_the_uuid_and_the_export_can_be_fetched_later(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "export", *export_args(IDS[0]), "--timeout", "0")
    assert (code, out) == (4, "")
    line = single_line_error(err)
    uuid = UUID_RE.search(line)
    assert uuid is not None
    assert "timeout 0s" in line
    assert f"dataarts-export wait --uuid {uuid[0]}" in line
    assert list(tmp_path.iterdir()) == []

    code, out, err = run(capsys, "download", "--uuid", uuid[0])
    assert code == 0, err
    assert Path(out.strip()).parent == tmp_path


def test_unknown_uuid_is_an_api_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "status", "--uuid", "3f2a5b1e-0000-4000-8000-000000000000")
    assert (code, out) == (3, "")
    assert "[EMU.0404]" in single_line_error(err)


def test_an_unreachable_service_exits_5_saying_what_happened_where_and_what_to_do(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("DATAARTS_ENDPOINT", f"http://127.0.0.1:{port}")
    code, out, err = run(capsys, "start", *export_args(IDS[0]))
    assert (code, out) == (5, "")
    assert single_line_error(err) == (
        f"dataarts-export: error: POST export-model kept failing at http://127.0.0.1:{port}/v2/{DEMO_PROJECT_ID}"
        "/design/export-model after 6 attempts: connection refused; is the service running at that address and "
        "port? Check the endpoint"
    )


def test_verbose_logs_polls_at_debug_and_leaves_logging_as_it_was(capsys: pytest.CaptureFixture[str]) -> None:
    package_logger = logging.getLogger("dataarts_export_client")
    handlers, level = list(package_logger.handlers), package_logger.level
    code, out, err = run(capsys, "-v", "export", *export_args(IDS[0]), "--sync")
    assert code == 0, err
    assert "DEBUG dataarts_export_client: export" in err
    assert DEMO_TOKEN not in out + err
    assert (package_logger.handlers, package_logger.level) == (handlers, level)


def test_messages_from_the_service_are_scrubbed_to_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A (hypothetical) server that echoes the token, with control characters: neither reaches the terminal."""

    def echoing_start(*_args: Any, **_kwargs: Any) -> str:
        raise AuthenticationError(401, error_code="APIG.0301", error_msg=f"bad token {DEMO_TOKEN}\n\x1b[2Jmore")

    monkeypatch.setattr(commands, "start_export", echoing_start)
    code, _, err = run(capsys, "start")
    assert code == 3
    line = single_line_error(err)
    assert DEMO_TOKEN not in err
    assert "\x1b" not in err
    assert "bad token *** [2Jmore" in line


def test_interrupting_an_export_names_it(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    uuid = "fd653968-864b-45f6-9842-2b125d2dbfb7"

    def interrupted(*_args: Any, on_progress: Any, **_kwargs: Any) -> Path:
        on_progress(ExportProgress(uuid, ExportState.IMPORTING, "10", 10.0, 1.0))
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "export_to_file", interrupted)
    code, _, err = run(capsys, "export", "--quiet")
    assert code == 130
    assert f"dataarts-export status --uuid {uuid}" in err


def test_the_installed_script_and_python_m_run() -> None:
    script = shutil.which("dataarts-export", path=str(Path(sys.executable).parent))
    assert script is not None, "run `make setup` to install the console script"
    for command in ([script, "--help"], [sys.executable, "-m", "dataarts_export_client.lib", "--help"]):
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("usage: dataarts-export")
        assert "exit codes:" in result.stdout


# --- where the workbook goes: --dest, --overwrite, --no-clobber -------------------------------------


def test_dest_dash_writes_the_workbook_to_stdout_and_nothing_else(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    code = cli.main(["export", *export_args(*IDS), "--dest", "-", "--quiet"], policy=FAST_POLICY)
    captured = capsysbinary.readouterr()
    assert (code, captured.err) == (0, b"")
    workbook = openpyxl.load_workbook(io.BytesIO(captured.out), read_only=True)
    assert set(IDS) <= {str(cell) for row in workbook.worksheets[0].iter_rows(values_only=True) for cell in row}
    workbook.close()
    assert list(tmp_path.iterdir()) == [], "no file named -"


def test_dest_dash_is_refused_when_stdout_is_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, dataarts_emulator: RunningEmulator
) -> None:
    controller, terminal = os.openpty()
    screen = open(terminal, "w", encoding="utf-8")  # noqa: SIM115 - closed below, with the pty
    try:
        monkeypatch.setattr(sys, "stdout", screen)
        code = cli.main(["export", *export_args(IDS[0]), "--dest", "-"], policy=FAST_POLICY)
    finally:
        monkeypatch.undo()
        screen.close()
        os.close(controller)
    assert code == 2
    line = single_line_error(capsys.readouterr().err)
    assert "--dest -" in line
    assert "terminal" in line
    assert dataarts_emulator.requests == [], "refused before starting an export"


def test_dest_with_a_trailing_slash_is_a_directory_that_must_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dataarts_emulator: RunningEmulator
) -> None:
    code, out, err = run(capsys, "export", *export_args(IDS[0]), "--dest", "newdir/")
    assert (code, out) == (2, "")
    assert "--dest newdir/" in single_line_error(err)
    assert list(tmp_path.iterdir()) == []
    assert dataarts_emulator.requests == []

    (tmp_path / "newdir").mkdir()
    code, out, err = run(capsys, "export", *export_args(IDS[0]), "--dest", "newdir/", "--quiet")
    assert code == 0, err
    assert Path(out.strip()).parent == tmp_path / "newdir"


def test_a_second_download_to_a_folder_gets_a_numbered_name_unless_overwrite(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "start", *export_args(IDS[0]), "--sync")
    assert code == 0, err
    uuid = out.strip()
    saved = []
    for _ in range(2):
        code, out, err = run(capsys, "download", "--uuid", uuid, "--quiet")
        assert code == 0, err
        saved.append(Path(out.strip()))
    assert saved[1].name == saved[0].name.replace(".xlsx", " (1).xlsx")
    code, out, err = run(capsys, "download", "--uuid", uuid, "--quiet", "--overwrite")
    assert code == 0, err
    assert Path(out.strip()) == saved[0]
    assert sorted(tmp_path.iterdir()) == sorted(saved)


def test_no_clobber_refuses_a_named_file_that_exists_before_exporting(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dataarts_emulator: RunningEmulator
) -> None:
    (tmp_path / "mine.xlsx").write_bytes(b"mine")
    code, out, err = run(capsys, "export", *export_args(IDS[0]), "--dest", "mine.xlsx", "--no-clobber")
    assert (code, out) == (2, "")
    assert "--dest mine.xlsx" in single_line_error(err)
    assert (tmp_path / "mine.xlsx").read_bytes() == b"mine"
    assert dataarts_emulator.requests == []

    code, _, err = run(capsys, "export", "--overwrite", "--no-clobber")
    assert code == 2
    assert "not allowed with argument" in err


def test_an_interrupted_download_suggests_coming_back_with_the_same_options(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, base_url: str
) -> None:
    uuid = "fd653968-864b-45f6-9842-2b125d2dbfb7"

    def interrupted(*_args: Any, **_kwargs: Any) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "download_export", interrupted)
    (Path("my exports")).mkdir()
    code, out, err = run(
        capsys,
        *("--endpoint", base_url, "download", "--uuid", uuid, "--workspace", DEMO_WORKSPACE),
        *("--dest", "my exports/", "--no-clobber", "--timeout", "30", "--quiet"),
    )
    assert (code, out) == (130, "")
    options = f"--endpoint {base_url} --workspace {DEMO_WORKSPACE}"
    assert f"`dataarts-export status --uuid {uuid} {options}`" in err
    assert f"`dataarts-export download --uuid {uuid} {options} --dest 'my exports/' --no-clobber --timeout 30" in err
