"""Settings from flags, environment and config files, and their precedence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataarts_emulator import DEMO_TENANT, DEMO_TOKEN, EmulatorSettings
from dataarts_emulator.__main__ import banner
from dataarts_emulator.config import load_config_file, options_from
from dataarts_emulator.settings import ConfigError, Declared, ServerOptions, declared, declared_in

CONFIG_YAML = """
export_seconds: 2
fault_rate: 0.1
seed: 3
tenants:
  - name: team-a
    project_id: proj-a
    workspaces: [ws-a1, ws-a2]
    tokens: [token-a]
    access_keys:
      - {ak: AKA, sk: SKA}
      - {ak: TEMPAK, sk: TEMPSK, security_token: sec}
  - project_id: proj-b
    workspaces: [ws-b]
    tokens: [token-b]
"""


def test_defaults_give_the_demo_tenant() -> None:
    options = options_from([], {})
    assert options.settings == EmulatorSettings()
    assert options.settings.tenants == (DEMO_TENANT,)
    assert (options.host, options.port) == ("127.0.0.1", 8000)


def test_flags_build_one_tenant_and_set_everything() -> None:
    argv = [
        "--host", "127.0.0.1", "--port", "9001", "--token", "t1", "--token", "t2", "--ak", "AK", "--sk", "SK",
        "--project-id", "proj", "--workspace", "w1", "--workspace", "w2", "--export-seconds", "0.5",
        "--fault-rate", "0.1", "--latency-ms", "5", "--throttle-rate", "0.2", "--truncate-rate", "0.3",
        "--max-jobs", "7", "--job-ttl-seconds", "9", "--seed", "4", "--fail-ratio", "0.25", "--fail-marker", "boom",
    ]  # fmt: skip
    options = options_from(argv, {})
    s = options.settings
    (tenant,) = s.tenants
    assert (tenant.project_id, tenant.workspaces, tenant.tokens) == ("proj", ("w1", "w2"), ("t1", "t2"))
    assert [(k.ak, k.sk) for k in tenant.access_keys] == [("AK", "SK")]
    assert (s.export_seconds, s.fault_rate, s.latency_ms, s.throttle_rate, s.truncate_rate) == (0.5, 0.1, 5, 0.2, 0.3)
    assert (s.max_jobs, s.job_ttl_seconds, s.seed, s.fail_ratio, s.fail_marker) == (7, 9, 4, 0.25, "boom")
    assert options.port == 9001


def test_environment_variables_and_flags_win_over_them() -> None:
    env = {
        "DATAARTS_EMULATOR_PORT": "9100",
        "DATAARTS_EMULATOR_FAULT_RATE": "0.5",
        "DATAARTS_EMULATOR_SEED": "8",
        "DATAARTS_EMULATOR_WORKSPACE": "a, b",
        "DATAARTS_EMULATOR_PROJECT_ID": "env-proj",
    }
    options = options_from(["--seed", "9"], env)
    assert (options.port, options.settings.fault_rate, options.settings.seed) == (9100, 0.5, 9)
    assert options.settings.tenants[0].workspaces == ("a", "b")
    assert options.settings.tenants[0].project_id == "env-proj"
    assert options.settings.tenants[0].tokens == (DEMO_TOKEN,)


def test_config_file_tenants_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "emulator.yaml"
    path.write_text(CONFIG_YAML, encoding="utf-8")
    options = options_from(["--config", str(path), "--seed", "5"], {"DATAARTS_EMULATOR_EXPORT_SECONDS": "4"})
    s = options.settings
    assert (s.export_seconds, s.fault_rate, s.seed) == (4.0, 0.1, 5)
    team_a, team_b = s.tenants
    assert (team_a.name, team_a.workspaces, team_a.tokens) == ("team-a", ("ws-a1", "ws-a2"), ("token-a",))
    assert team_a.access_keys[1].security_token == "sec"
    assert team_b.project_id == "proj-b"
    with_flag_tenant = options_from(["--config", str(path), "--project-id", "extra"], {}).settings.tenants
    assert [t.project_id for t in with_flag_tenant] == ["proj-a", "proj-b", "extra"]


def test_json_config_file_and_env_pointer(tmp_path: Path) -> None:
    path = tmp_path / "emulator.json"
    path.write_text(json.dumps({"tenants": [{"project_id": "p", "workspaces": ["w"], "tokens": ["t"]}]}))
    options = options_from([], {"DATAARTS_EMULATOR_CONFIG": str(path)})
    assert options.settings.tenants[0].project_id == "p"


@pytest.mark.parametrize(
    "content",
    [
        "unknown_key: 1",
        "tenants: {}",
        "tenants: [{project_id: p}]",
        "tenants: [{project_id: p, workspaces: [w], access_keys: [{ak: A}]}]",
        "tenants: [{project_id: p, workspaces: [w], colour: red}]",
        "max_jobs: many",
        "- a list",
        "fault_rate: [",
    ],
)
def test_bad_config_files_are_refused_with_a_reason(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config_file(path)


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["--fault-rate", "2"], {}),
        (["--fault-rate", "0.6", "--throttle-rate", "0.6"], {}),
        (["--ak", "only-ak"], {}),
        (["--port", "http"], {}),
        ([], {"DATAARTS_EMULATOR_MAX_JOBS": "lots"}),
        (["--max-jobs", "0"], {}),
        (["--config", "/nonexistent/emulator.yaml"], {}),
    ],
)
def test_bad_values_exit_with_a_usage_error(argv: list[str], env: dict[str, str]) -> None:
    with pytest.raises(SystemExit) as exited:
        options_from(argv, env)
    assert exited.value.code == 2


def test_banner_shows_credentials_and_a_ready_call() -> None:
    text = banner(options_from(["--port", "8123"], {}))
    assert "http://127.0.0.1:8123" in text
    assert DEMO_TOKEN in text
    assert DEMO_TENANT.access_keys[0].ak in text
    assert "curl -s -X POST http://127.0.0.1:8123/v2/" in text


def test_banner_hides_configured_secrets() -> None:
    argv = ["--token", "configured-token-1", "--ak", "CONFIGUREDAK", "--sk", "configured-sk-2", "--project-id", "p1"]
    text = banner(options_from(argv, {}))
    assert "configured-token-1" not in text
    assert "configured-sk-2" not in text
    assert "CONFIGUREDAK" in text, "the access key is an identifier, not a secret"
    assert "X-Auth-Token: $TOKEN" in text


def _other_value(item: Declared) -> Any:
    """A valid value different from the default."""
    if item.setting.maximum == 1:
        return 0.25
    if item.kind is str:
        return "other"
    if item.kind is bool:
        return not item.default
    return item.kind((item.default or 0) + 2)


SETTINGS = [item for item in declared_in(EmulatorSettings) if item.setting.flag]


@pytest.mark.parametrize("item", SETTINGS, ids=[item.name for item in SETTINGS])
def test_every_setting_is_a_flag_a_variable_and_a_config_key(tmp_path: Path, item: Declared) -> None:
    value = _other_value(item)
    assert value != item.default
    path = tmp_path / "emulator.yaml"
    path.write_text(json.dumps({item.name: value}), encoding="utf-8")
    ways = {
        "flag": options_from([item.flag] if item.kind is bool else [item.flag, str(value)], {}),
        "env": options_from([], {item.env: str(value)}),
        "config": options_from(["--config", str(path)], {}),
    }
    for way, options in ways.items():
        assert getattr(options.settings, item.name) == value, way


def test_help_shows_each_flag_with_its_declared_help_and_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        options_from(["--help"], {})
    text = " ".join(capsys.readouterr().out.split())
    for item in declared():
        if item.setting.flag:
            assert item.flag in text
            assert f"{item.setting.help} (default: {item.shown_default}" in text


def configured(tmp_path: Path, argv: list[str], env: dict[str, str], content: str) -> ServerOptions:
    """The options of ``argv`` and ``env`` with a config file holding ``content``."""
    path = tmp_path / "emulator.yaml"
    path.write_text(content, encoding="utf-8")
    return options_from([*argv, "--config", str(path)], env)


@pytest.mark.parametrize(
    ("argv", "env", "content", "named"),
    [
        ([], {}, "colour: red", "colour"),
        ([], {}, "max_jobs: many", "max_jobs"),
        ([], {}, "fault_rate: [0.5]", "fault_rate"),
        ([], {}, "export_seconds: -1", "export_seconds"),
        ([], {"DATAARTS_EMULATOR_LATENCY_MS": "slow"}, "", "DATAARTS_EMULATOR_LATENCY_MS"),
        (["--truncate-rate", "1.5"], {}, "", "truncate_rate"),
        (["--port", "70000"], {}, "", "port"),
        # A switch takes on or off (true/false, yes/no, 1/0 on the command line and in variables) and nothing else.
        (["--flow-control", "sometimes"], {}, "", "--flow-control"),
        ([], {"DATAARTS_EMULATOR_FLOW_CONTROL": "2"}, "", "DATAARTS_EMULATOR_FLOW_CONTROL"),
        ([], {}, "flow_control: 1", "flow_control"),
        ([], {}, "flow_control: maybe", "flow_control"),
    ],
)
def test_errors_name_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], env: dict[str, str], content: str, named: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        configured(tmp_path, argv, env, content)
    assert exited.value.code == 2
    assert named in capsys.readouterr().err


def test_the_network_faults_come_from_flags_variables_and_the_banner_names_them(tmp_path: Path) -> None:
    environ = {"DATAARTS_EMULATOR_STALL_SECONDS": "2.5", "DATAARTS_EMULATOR_TRICKLE_RATE": "0.25"}
    options = options_from(["--reset-rate", "0.1", "--proxy-page-rate", "0.05"], environ)
    settings = options.settings
    assert (settings.reset_rate, settings.proxy_page_rate, settings.stall_seconds, settings.trickle_rate) == (
        0.1,
        0.05,
        2.5,
        0.25,
    )
    assert "reset_rate=0.1 proxy_page_rate=0.05 stall_rate=0.0 trickle_rate=0.25" in banner(options)
    assert "reset_rate" not in banner(options_from([], {}))
    config = tmp_path / "faults.yaml"
    config.write_text("stall_rate: 0.5\ntrickle_bytes_per_second: 10\n", encoding="utf-8")
    from_file = options_from(["--config", str(config)], {}).settings
    assert (from_file.stall_rate, from_file.trickle_bytes_per_second) == (0.5, 10.0)


@pytest.mark.parametrize(
    ("argv", "env", "content", "expected"),
    [
        ([], {}, "", False),
        (["--flow-control"], {}, "", True),
        (["--flow-control", "off"], {"DATAARTS_EMULATOR_FLOW_CONTROL": "on"}, "", False),
        ([], {"DATAARTS_EMULATOR_FLOW_CONTROL": "TRUE"}, "", True),
        ([], {}, "flow_control: true", True),
        (["--flow-control", "no"], {}, "flow_control: true", False),
    ],
)
def test_flow_control_is_a_switch(
    tmp_path: Path, argv: list[str], env: dict[str, str], content: str, expected: bool
) -> None:
    assert configured(tmp_path, argv, env, content).settings.flow_control is expected
