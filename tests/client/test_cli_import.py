"""``dataarts-export import``, ``import-result`` and ``copy`` against the emulator, in-process, over real sockets.

What a script relies on: the outcome as one JSON object on stdout (also when
rows failed), the exit code (1 for a failed or partial import, never 0),
progress and the failed rows on stderr, and what to run after a timeout or
an interruption. The workspaces are strict (``strict_workspaces``), so an
export of an id the workspace does not hold is refused: the rows ``copy``
carries come from the source workspace, and what it imported can be
exported from the target.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO, cast

import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE, Tenant
from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client.lib import ExportProgress, RetryPolicy, cli
from dataarts_export_client.lib.cli import transfer
from dataarts_export_client.lib.cli.output import ProgressPrinter, Sanitiser
from dataarts_export_client.lib.environment import resolve_settings
from dataarts_export_client.lib.results import ImportProgress
from dataarts_export_client.models import ExportState

from .client_fakes import FAST_POLICY, SETTINGS_ENVS
from .test_cli import UUID_RE, single_line_error

TARGET = "7d6a3b1c9e2f4a5b8c0d1e2f3a4b5c6d"
"""A second workspace of the demo project, where ``copy`` imports."""
CODES = [
    {"ID": "1224641525420683264", "Code table code": "country", "Code table name": "Country", "Values": "3"},
    {"ID": "1224641525420683265", "Code table code": "currency", "Code table name": "Currency", "Values": "2"},
]
TENANT = Tenant(DEMO_PROJECT_ID, (DEMO_WORKSPACE, TARGET), tokens=(DEMO_TOKEN,), name="demo")

pytestmark = pytest.mark.dataarts_emulator(
    tenants=(TENANT,), export_seconds=0.2, import_seconds=0.3, strict_workspaces=True, seed=5
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, dataarts_emulator: RunningEmulator, tmp_path: Path) -> None:
    """The demo tenant through the environment only, in an empty working directory."""
    for name in SETTINGS_ENVS:
        monkeypatch.delenv(name, raising=False)
    for name, value in dataarts_emulator.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str, policy: RetryPolicy = FAST_POLICY) -> tuple[int, str, str]:
    code = cli.main(list(argv), policy=policy)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def outcome(out: str) -> dict[str, Any]:
    """The one JSON object a command printed on stdout."""
    (line,) = out.splitlines()
    document: dict[str, Any] = json.loads(line)
    return document


def workbook(tmp_path: Path, rows: Sequence[tuple[str, ...]], name: str = "codes.xlsx") -> Path:
    """An emulator-exported code table workbook holding ``rows`` (ID, code, name, values)."""
    path = tmp_path / name
    ids = tuple(row[0] for row in rows)
    path.write_bytes(build_workbook(ExportRequest(type="codeTable", ids=ids), {row[0]: row for row in rows}))
    return path


ROWS = [tuple(code.values()) for code in CODES]


def test_import_prints_the_outcome_and_what_to_export_it_by(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "import", str(workbook(tmp_path, ROWS)), "--action", "import_codetable")
    assert code == 0, err
    document = outcome(out)
    uuid = document["uuid"]
    assert UUID_RE.fullmatch(uuid)
    assert (document["status"], document["total"], document["success"], document["failed"]) == ("success", 2, 2, 0)
    assert (document["failed_rows"], document["object_ids"]) == ([], [row[0] for row in ROWS])
    assert re.search(f"^import {uuid}: importing [0-9]+% after ", err, re.MULTILINE), err
    assert f"import {uuid}: success 100%" in err
    assert dataarts_emulator.objects("codeTable") == CODES
    assert DEMO_TOKEN not in out + err


def test_rows_that_failed_exit_1_with_the_outcome_on_stdout_and_the_rows_on_stderr(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator, tmp_path: Path
) -> None:
    """A partial import is never reported as success, and the rows that were imported are still named."""
    broken = [ROWS[0], ("1224641525420683299", "", "Nameless", "1")]
    code, out, err = run(capsys, "import", str(workbook(tmp_path, broken)), "--action", "import_codetable")
    assert code == 1
    document = outcome(out)
    assert (document["status"], document["success"], document["failed"]) == ("success", 1, 1)
    assert document["failed_rows"] == [{"name": "", "object_id": None, "message": "row 3 has no Code table code"}]
    assert document["object_ids"] == [ROWS[0][0]]
    assert (
        single_line_error(err) == f"dataarts-export: error: import {document['uuid']} partly failed: 1 of 2 rows failed"
    )
    assert "  (no name): row 3 has no Code table code" in err.splitlines()
    assert [item["ID"] for item in dataarts_emulator.objects("codeTable")] == [ROWS[0][0]]


def test_an_import_whose_every_row_failed_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    nameless = [("1224641525420683298", "", "a", ""), ("1224641525420683299", "", "b", "")]
    code, out, err = run(capsys, "import", str(workbook(tmp_path, nameless)), "--action", "import_codetable")
    assert code == 1
    assert (outcome(out)["status"], outcome(out)["failed"]) == ("fail", 2)
    assert single_line_error(err).endswith("failed: 2 of 2 rows failed")


def test_skip_exist_keeps_what_the_workspace_holds(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator, tmp_path: Path
) -> None:
    dataarts_emulator.seed("codeTable", CODES[:1])
    renamed = [(ROWS[0][0], "country", "Renamed", "9")]
    code, out, err = run(
        capsys, "import", str(workbook(tmp_path, renamed)), "--action", "import_codetable", "--skip-exist"
    )
    assert code == 0, err
    assert outcome(out)["object_ids"] == [ROWS[0][0]]
    assert dataarts_emulator.objects("codeTable") == CODES[:1]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["missing.xlsx", "--action", "import_codetable"], "cannot read missing.xlsx: No such file or directory"),
        (["codes.xlsx", "--action", "import_everything"], "unknown import action 'import_everything'"),
        (["codes.xlsx", "--action", "import_relation"], "action import_relation needs model_id"),
    ],
    ids=["no-file", "unknown-action", "relation-without-model"],
)
def test_what_cannot_be_imported_exits_2_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str],
    dataarts_emulator: RunningEmulator,
    tmp_path: Path,
    argv: list[str],
    expected: str,
) -> None:
    workbook(tmp_path, ROWS)
    code, out, err = run(capsys, "import", *argv)
    assert (code, out) == (2, "")
    assert expected in single_line_error(err)
    assert dataarts_emulator.requests == []


def test_a_workbook_of_4_mb_is_refused_before_it_is_sent(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator, tmp_path: Path
) -> None:
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"\0" * (4 * 1024 * 1024))
    code, _, err = run(capsys, "import", str(big), "--action", "import_codetable")
    assert code == 2
    assert "big.xlsx has 4194304 bytes; DataArts Studio imports files under 4 MB" in single_line_error(err)
    assert dataarts_emulator.requests == []


def test_a_hostile_upload_is_an_api_error_naming_the_emulator_s_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "notes.xlsx").write_bytes(b"MZ not a workbook")
    code, out, err = run(capsys, "import", "notes.xlsx", "--action", "import_codetable")
    assert (code, out) == (3, "")
    assert "[EMU.0425]" in single_line_error(err)


def test_a_timeout_names_the_import_and_import_result_fetches_its_outcome(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator, tmp_path: Path
) -> None:
    code, out, err = run(
        capsys, "import", str(workbook(tmp_path, ROWS)), "--action", "import_codetable", "--timeout", "0"
    )
    assert (code, out) == (4, "")
    line = single_line_error(err)
    uuid = UUID_RE.search(line)
    assert uuid is not None
    assert f"import {uuid[0]} not finished" in line
    assert line.endswith("; it may still finish")
    assert f"`dataarts-export import-result --uuid {uuid[0]} --timeout 0` to wait for its outcome" in err
    assert "do not send the workbook again" in err

    dataarts_emulator.advance(1)
    code, out, err = run(capsys, "import-result", "--uuid", uuid[0])
    assert code == 0, err
    assert (outcome(out)["uuid"], outcome(out)["status"], outcome(out)["success"]) == (uuid[0], "success", 2)


def test_import_result_of_an_unknown_uuid_is_an_api_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "import-result", "--uuid", "3f2a5b1e-0000-4000-8000-000000000000")
    assert (code, out) == (3, "")
    assert "[EMU.0420]" in single_line_error(err)


@pytest.mark.fact("F-IMPORT-17")
def test_copy_exports_then_imports_elsewhere_reporting_both_halves(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator
) -> None:
    dataarts_emulator.seed("codeTable", CODES)
    ids = [word for code in CODES for word in ("--id", code["ID"])]
    code, out, err = run(capsys, "copy", "--type", "codeTable", *ids, "--to-workspace", TARGET)
    assert code == 0, err
    document = outcome(out)
    assert UUID_RE.fullmatch(document["export"]["uuid"])
    assert document["export"]["file_name"].endswith(".xlsx")
    assert document["export"]["bytes"] > 0
    assert (document["import"]["status"], document["import"]["success"]) == ("success", 2)
    assert document["import"]["object_ids"] == [code["ID"] for code in CODES]
    assert dataarts_emulator.objects("codeTable", workspace=TARGET) == CODES
    assert f"export {document['export']['uuid']}: success 100%" in err
    assert f"import {document['import']['uuid']}: success 100%" in err
    assert list(Path.cwd().iterdir()) == [], "the workbook went through a temporary directory, removed since"


@pytest.mark.fact("F-IMPORT-17")
@pytest.mark.parametrize("export_type", ["ER", "TABLE_MODEL", "DIM", "Directory_CodeTable", None])
def test_copy_asks_for_the_action_where_huawei_documents_no_counterpart(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator, export_type: str | None
) -> None:
    typed = ["--type", export_type] if export_type else []
    code, out, err = run(capsys, "copy", *typed, "--id", "1", "--to-workspace", TARGET)
    assert (code, out) == (2, "")
    assert f"import action reads an export of type {export_type or '(none)'} is not documented" in err
    assert "give --action" in single_line_error(err)
    assert dataarts_emulator.requests == []


@pytest.mark.fact("F-IMPORT-17")
def test_the_documented_counterparts_are_the_four_that_name_the_same_objects() -> None:
    assert dict(transfer.DOCUMENTED_ACTIONS) == {
        "import_bizcatalog": "import_bizcatalog",
        "import_bizmetric": "import_bizmetric",
        "codeTable": "import_codetable",
        "dataStandard": "import_datastandard",
    }
    assert transfer.action_for("ER", "import_relation") == "import_relation"


def test_copy_of_ids_the_source_does_not_hold_fails_before_importing(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator
) -> None:
    code, out, err = run(capsys, "copy", "--type", "codeTable", "--id", "404", "--to-workspace", TARGET)
    assert (code, out) == (3, "")
    assert "[EMU.0410]" in single_line_error(err)
    assert dataarts_emulator.objects("codeTable", workspace=TARGET) == []


def test_copy_whose_import_is_refused_still_reports_the_export(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator
) -> None:
    """The export half is done: its uuid is printed, the refusal of the import half exits 3."""
    dataarts_emulator.seed("codeTable", CODES)
    code, out, err = run(
        capsys, "copy", "--type", "codeTable", "--id", CODES[0]["ID"], "--to-workspace", "not-a-workspace-of-ours"
    )
    assert code == 3
    document = outcome(out)
    assert UUID_RE.fullmatch(document["export"]["uuid"])
    assert document["import"] is None
    assert "[DLG.0818]" in single_line_error(err)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--to-region", "Moon_Base"], "--to-region is not a Huawei Cloud region ID"),
        (["--to-endpoint", "ftp://elsewhere"], "--to-endpoint must be an http:// or https:// URL"),
        (["--to-project-id", "bad id"], "--to-project-id holds a character that is not visible ASCII"),
    ],
    ids=["region", "endpoint", "project"],
)
def test_a_bad_target_is_refused_before_the_export_starts(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator, argv: list[str], expected: str
) -> None:
    code, out, err = run(capsys, "copy", "--type", "codeTable", "--id", "1", "--to-workspace", TARGET, *argv)
    assert (code, out) == (2, "")
    assert expected in single_line_error(err)
    assert dataarts_emulator.requests == []


def test_copy_to_another_project_uses_a_client_of_its_own(dataarts_emulator: RunningEmulator) -> None:
    """Another endpoint or project: credentials are checked and signed for the target, not reused as they are."""
    args = cli.build_parser().parse_args(["copy", "--id", "1", "--to-workspace", TARGET])
    source = resolve_settings(environ=dataarts_emulator.env(), target=True)
    client = dataarts_emulator.client()
    same = transfer.copy_target(args, source, client, dataarts_emulator.env())
    assert (same.client, same.project_id, same.workspace) == (client, DEMO_PROJECT_ID, TARGET)
    args.to_project_id = "a1b2c3d4e5f6"
    moved = transfer.copy_target(args, source, client, dataarts_emulator.env())
    assert moved.client is not client
    assert (moved.project_id, moved.workspace) == ("a1b2c3d4e5f6", TARGET)
    assert moved.client.get_httpx_client().base_url == client.get_httpx_client().base_url


def test_the_progress_display_names_an_import_and_restarts_for_each_job() -> None:
    err = _Stream()
    printer = ProgressPrinter(cast(TextIO, err), Sanitiser({}), quiet=False)
    printer(ExportProgress("e1", ExportState.SUCCESS, None, 100.0, 1.0))
    printer.begin("import")
    assert (printer.uuid, printer.noun) == (None, "import")
    printer(ImportProgress("i1", ExportState.SUCCESS, "1.00", 100.0, 2.0))
    assert err.text == "export e1: success 100% after 1.0s\nimport i1: success 100% after 2.0s\n"
    assert (printer.uuid, printer.noun) == ("i1", "import")


class _Stream:
    """A text stream that is not a terminal."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None: ...

    def isatty(self) -> bool:
        return False


def test_interrupted_before_the_import_answered_says_it_may_have_started(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def interrupted(*_args: Any, **_kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(transfer, "import_file", interrupted)
    code, out, err = run(capsys, "import", str(workbook(tmp_path, ROWS)), "--action", "import_codetable")
    assert (code, out) == (130, "")
    assert err == (
        "dataarts-export: interrupted by SIGINT; the import may have started: "
        "check the workspace before sending it again\n"
    )


def test_quiet_shows_no_progress_but_still_the_outcome_and_the_failed_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--quiet`` drops the progress lines only: the JSON on stdout, and a failure's rows on stderr, stay."""
    code, out, err = run(capsys, "import", str(workbook(tmp_path, ROWS)), "--action", "import_codetable", "--quiet")
    assert (code, err) == (0, "")
    assert (outcome(out)["status"], outcome(out)["success"]) == ("success", 2)

    broken = [("1224641525420683299", "", "Nameless", "1")]
    code, out, err = run(
        capsys, "import", str(workbook(tmp_path, broken, "broken.xlsx")), "--action", "import_codetable", "-q"
    )
    assert code == 1
    assert outcome(out)["failed_rows"] == [{"name": "", "object_id": None, "message": "row 2 has no Code table code"}]
    assert err.splitlines() == [
        f"dataarts-export: error: import {outcome(out)['uuid']} failed: 1 of 1 rows failed",
        "  (no name): row 2 has no Code table code",
    ]


def test_copy_whose_rows_failed_exits_1_with_both_halves_on_stdout_and_the_rows_on_stderr(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator
) -> None:
    """A copy that imported only part of what it exported is never a success, and says which rows did not go."""
    nameless = {"ID": "1224641525420683299", "Code table code": "", "Code table name": "Nameless", "Values": "1"}
    dataarts_emulator.seed("codeTable", [CODES[0], nameless])
    ids = ["--id", CODES[0]["ID"], "--id", nameless["ID"]]
    code, out, err = run(capsys, "copy", "--type", "codeTable", *ids, "--to-workspace", TARGET, "--quiet")
    assert code == 1
    document = outcome(out)
    assert UUID_RE.fullmatch(document["export"]["uuid"])
    imported = document["import"]
    assert (imported["status"], imported["total"], imported["success"], imported["failed"]) == ("success", 2, 1, 1)
    assert imported["failed_rows"] == [{"name": "", "object_id": None, "message": "row 3 has no Code table code"}]
    assert imported["object_ids"] == [CODES[0]["ID"]]
    assert err.splitlines() == [
        f"dataarts-export: error: import {imported['uuid']} partly failed: 1 of 2 rows failed",
        "  (no name): row 3 has no Code table code",
    ]
    assert dataarts_emulator.objects("codeTable", workspace=TARGET) == CODES[:1]


@pytest.mark.dataarts_emulator(
    tenants=(TENANT,), export_seconds=0.0, import_seconds=60.0, strict_workspaces=True, seed=5
)
def test_copy_whose_import_times_out_exits_4_with_the_export_and_the_import_result_command(
    capsys: pytest.CaptureFixture[str], dataarts_emulator: RunningEmulator
) -> None:
    dataarts_emulator.seed("codeTable", CODES)
    code, out, err = run(
        capsys, "copy", "--type", "codeTable", "--id", CODES[0]["ID"], "--to-workspace", TARGET, "--timeout", "1"
    )
    assert code == 4
    document = outcome(out)
    assert UUID_RE.fullmatch(document["export"]["uuid"])
    assert document["import"] is None, "the half that was not done"
    line = single_line_error(err)
    uuid = UUID_RE.search(line.split("import ", 1)[1])
    assert uuid is not None
    assert f"import {uuid[0]} not finished" in line
    # The command reaches the import where it runs: the target workspace, not the export's.
    assert f"`dataarts-export import-result --uuid {uuid[0]} --workspace {TARGET} --timeout 1`" in err

    dataarts_emulator.advance(60)  # the import it names is the target workspace's, found there later
    code, out, err = run(capsys, "import-result", "--uuid", uuid[0], "--workspace", TARGET, "--quiet")
    assert (code, err) == (0, "")
    assert (outcome(out)["uuid"], outcome(out)["object_ids"]) == (uuid[0], [CODES[0]["ID"]])
