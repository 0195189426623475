"""``dataarts-export`` speaks command line: settings checked before anything is sent, flags as a CLI has them.

Every missing or unusable setting is reported at once, as options and
environment variables (never ``token=``), as exit code 2, and never with a
value; ``--version``; no silently accepted abbreviations; "did you mean"
for a mistyped command or option.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest

from dataarts_export_client.lib import cli
from dataarts_export_client.lib.redaction import secret_forms

from .client_fakes import FAST_POLICY, settings_only

UUID = "3f2a5b1e-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A complete setup but for what each test takes away; the endpoint has nothing listening (nothing is sent)."""
    settings_only(monkeypatch, "http://127.0.0.1:9")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv), policy=FAST_POLICY)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_token_with_a_windows_line_end_is_a_configuration_error_that_shows_no_form_of_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "MIIE-token-from-a-windows-env-file"
    monkeypatch.setenv("DATAARTS_TOKEN", token + "\r")
    code, out, err = run(capsys, "-v", "status", "--uuid", UUID)
    assert code == 2, err
    assert err.splitlines()[-1] == (
        "dataarts-export: error: DATAARTS_TOKEN has whitespace or a control character at its start or end "
        "(a line ending from a file edited on Windows?); remove it"
    )
    assert not any(form in out + err for form in secret_forms(token + "\r")), err


def test_every_missing_setting_is_named_at_once_in_the_cli_s_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATAARTS_ENDPOINT", "DATAARTS_TOKEN", "DATAARTS_PROJECT_ID", "DATAARTS_WORKSPACE"):
        monkeypatch.delenv(name)
    code, out, err = run(capsys, "status", "--uuid", UUID)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "dataarts-export: error: 4 settings are missing or unusable:",
        "  no endpoint: give --endpoint or --region, or set DATAARTS_ENDPOINT, DATAARTS_REGION or "
        "HUAWEICLOUD_SDK_REGION",
        "  no credentials: set DATAARTS_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK",
        "  no project ID: give --project-id or set DATAARTS_PROJECT_ID or HUAWEICLOUD_SDK_PROJECT_ID",
        "  no workspace: give --workspace or set DATAARTS_WORKSPACE",
    ]


def test_two_problems_are_counted_too(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATAARTS_WORKSPACE")
    code, _, err = run(capsys, "status", "--uuid", UUID, "--project-id", "proj\t")
    assert code == 2
    assert err.splitlines() == [
        "dataarts-export: error: 2 settings are missing or unusable:",
        "  --project-id has whitespace or a control character at its start or end "
        "(a line ending from a file edited on Windows?); remove it",
        "  no workspace: give --workspace or set DATAARTS_WORKSPACE",
    ]


def test_half_an_aksk_pair_is_named_as_the_environment_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATAARTS_TOKEN")
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", "AKEXAMPLE123")
    code, _, err = run(capsys, "status", "--uuid", UUID)
    assert code == 2
    assert err == (
        "dataarts-export: error: AK/SK auth needs both halves; the secret key is missing (set HUAWEICLOUD_SDK_SK)\n"
    )


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--workspace", "wörkspace"], "--workspace"),
        (["--project-id", "proj\r\n"], "--project-id"),
        (["--endpoint", "https://dayu.example.com\r"], "--endpoint"),
        (["--region", "cn-north-4\r"], "--region"),
    ],
    ids=["non-ascii-workspace", "crlf-project", "cr-endpoint", "cr-region"],
)
def test_a_value_no_request_can_carry_is_a_configuration_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    code, _, err = run(capsys, "status", "--uuid", UUID, *argv)
    assert code == 2, err
    assert err.startswith(f"dataarts-export: error: {named} "), err
    assert "Traceback" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"dataarts-export {version('dataarts-export-client')}\n")


@pytest.mark.parametrize(
    ("argv", "unknown", "suggested"),
    [
        (["status", "--uuid", UUID, "--time", "5"], "--time", "--timeout"),
        (["status", "--uu", UUID], "--uu", "--uuid"),
        (["--verb", "status", "--uuid", UUID], "--verb", "--verbose"),
        (["status", "--uuid", UUID, "--tiemout", "5"], "--tiemout", "--timeout"),
    ],
    ids=["abbreviation", "abbreviated-required", "abbreviation-before-the-command", "typo"],
)
def test_an_abbreviated_or_mistyped_option_is_refused_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], argv: list[str], unknown: str, suggested: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert f"unrecognized arguments: {unknown}" in err or f"unrecognized argument {unknown}" in err, err
    assert f"did you mean {suggested}?" in err, err


def test_a_mistyped_command_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "stauts", "--uuid", UUID)
    assert code == 2
    assert "invalid choice: 'stauts'" in err
    assert "did you mean 'status'?" in err
