"""Tolerant of what the service adds: a status the spec does not list is kept, and waited through.

The generated enums keep an undocumented value as a pseudo-member (template
``overrides/templates/str_enum.py.jinja``); the helpers take it as "still
running" until ``success`` (or the file), ``fail`` or the deadline, log it
once at WARNING, and pass it on in progress reports and the CLI's JSON.
(The contract tests stay strict: tests/contract/test_mutations.py checks
that an undocumented ``status`` is still reported as drift.)
"""

from __future__ import annotations

import json
import logging

import pytest

from dataarts_export_client.lib import (
    ExportProgress,
    ExportTimeout,
    cli,
)
from dataarts_export_client.lib.cli.outcomes import EXIT_OK
from dataarts_export_client.models import ExportState, ExportStatus, OperationStatus

from .client_fakes import PROJECT_ID, UUID, WORKSPACE, Script, client_for, status, workbook
from .twin_fakes import Twin

MODES = ["sync", "async"]


def test_an_undocumented_value_is_kept_and_typed() -> None:
    queued = ExportState("queued")
    assert isinstance(queued, ExportState)
    assert queued == "queued"
    assert queued.value == "queued"
    assert str(queued) == "queued"
    assert not queued.is_known
    assert all(queued is not member and queued != member for member in ExportState)
    assert queued not in list(ExportState)
    assert len(ExportState) == 3
    assert ExportState("success") is ExportState.SUCCESS
    assert ExportState.SUCCESS.is_known
    assert json.dumps({"status": queued}) == '{"status": "queued"}'


def test_a_non_string_is_still_refused() -> None:
    with pytest.raises(ValueError, match="not a valid"):
        ExportState(3)  # type: ignore[arg-type]


def test_every_generated_string_enum_is_tolerant() -> None:
    assert OperationStatus("PAUSED").value == "PAUSED"
    assert not OperationStatus("PAUSED").is_known


def test_the_model_round_trips_an_undocumented_status() -> None:
    document = {"status": "queued", "rate": "0", "group": None}
    parsed = ExportStatus.from_dict(document)
    assert parsed.status == "queued"
    assert parsed.to_dict()["status"] == "queued"


@pytest.mark.parametrize("mode", MODES)
def test_an_unknown_state_is_waited_through_logged_once_and_reported(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[ExportProgress] = []
    script = Script(status("queued", None), status("queued", None), status("importing", "50"), workbook())
    with caplog.at_level(logging.WARNING, logger="dataarts_export_client"):
        ready = Twin(mode).wait(script, on_progress=seen.append)
    assert ready.uuid == UUID
    assert [progress.status.value for progress in seen] == ["queued", "queued", "importing", "success"]
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "'queued'" in warnings[0].getMessage()


@pytest.mark.parametrize("mode", MODES)
def test_an_unknown_state_never_ends_the_wait_but_the_deadline_does(mode: str) -> None:
    twin = Twin(mode)
    with pytest.raises(ExportTimeout):
        twin.wait(Script(status("queued", None), repeat_last=True), timeout=30.0)
    assert twin.clock.now - 1000.0 == pytest.approx(30.0)


@pytest.mark.parametrize("mode", MODES)
def test_only_fail_and_success_end_the_wait(mode: str) -> None:
    script = Script(status("paused", None), status("success", "100"))
    assert Twin(mode).wait(script).uuid == UUID


def test_poll_export_status_returns_an_unknown_state_as_is() -> None:
    snapshot = Twin().probe(Script(status("queued", "0")))
    assert snapshot.status == "queued"
    assert not snapshot.status.is_known


def test_the_cli_status_json_shows_the_state_as_sent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATAARTS_TOKEN", "MIIE-token-for-the-fake-service")
    monkeypatch.setattr(cli.commands, "client_for", lambda *_, **__: client_for(Script(status("queued", "0"))))
    argv = ["--endpoint", "http://127.0.0.1:9", "--project-id", PROJECT_ID, "--workspace", WORKSPACE]
    assert cli.main([*argv, "status", "--uuid", UUID]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "queued"
