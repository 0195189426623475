"""client_from_env and token auth: endpoint and credential resolution, errors, and what goes on the wire."""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import httpx
import pytest
import yaml

from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.lib import (
    AkSkAuth,
    ConfigurationError,
    cli,
    client_from_env,
    endpoint_for_region,
    environment,
    token_client,
)
from dataarts_export_client.lib.signing import parse_authorization

from .client_fakes import PROJECT_ID, UUID, WORKSPACE, Script, status, token_client_for

TOKEN = "MIIEXAMPLE-iam-token-value"
AK = "AKEXAMPLE123"
SK = "sk-example-secret"
STS = "sts-example-security-token"


def send_one(client: AuthenticatedClient | Client) -> httpx.Request:
    """Send one ExportDesignResult poll through ``client`` into a capturing transport."""
    script = Script(status())
    httpx_args = dict(client._httpx_args)
    httpx_args["transport"] = script.transport()
    client._httpx_args = httpx_args
    export_design_result.sync_detailed(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)
    return script.requests[0]


def test_generated_authenticated_client_sends_token_without_prefix() -> None:
    script = Script(status())
    client = token_client_for(script, TOKEN)
    export_design_result.sync_detailed(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)
    sent = script.requests[0]
    assert sent.headers["X-Auth-Token"] == TOKEN
    assert "Authorization" not in sent.headers


def test_token_client_helper_matches_the_generated_setup() -> None:
    client = token_client("http://127.0.0.1:9", TOKEN)
    assert isinstance(client, AuthenticatedClient)
    assert (client.prefix, client.auth_header_name, client.token) == ("", "X-Auth-Token", TOKEN)
    assert send_one(client).headers["X-Auth-Token"] == TOKEN
    with pytest.raises(ConfigurationError):
        token_client("http://127.0.0.1:9", "")


def test_token_from_argument() -> None:
    client = client_from_env(endpoint="http://127.0.0.1:9/", token=TOKEN, environ={})
    assert isinstance(client, AuthenticatedClient)
    sent = send_one(client)
    assert sent.headers["X-Auth-Token"] == TOKEN
    assert str(sent.url).startswith("http://127.0.0.1:9/v2/")


def test_token_from_environment_and_region_endpoint() -> None:
    client = client_from_env(environ={"DATAARTS_TOKEN": TOKEN, "DATAARTS_REGION": "ap-southeast-1"})
    sent = send_one(client)
    assert sent.url.host == "dayu.ap-southeast-1.myhuaweicloud.com"
    assert sent.url.scheme == "https"
    assert sent.headers["X-Auth-Token"] == TOKEN


def test_aksk_from_environment_signs_requests() -> None:
    environ = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT_ID,
        "HUAWEICLOUD_SDK_SECURITY_TOKEN": STS,
        "HUAWEICLOUD_SDK_REGION": "cn-north-4",
    }
    client = client_from_env(environ=environ)
    assert isinstance(client, Client)
    sent = send_one(client)
    assert sent.url.host == "dayu.cn-north-4.myhuaweicloud.com"
    parsed = parse_authorization(sent.headers["Authorization"])
    assert parsed is not None
    assert parsed[0] == AK
    assert sent.headers["X-Project-Id"] == PROJECT_ID
    assert sent.headers["X-Security-Token"] == STS
    assert "X-Auth-Token" not in sent.headers


def test_arguments_win_over_environment() -> None:
    environ = {"HUAWEICLOUD_SDK_AK": "env-ak", "HUAWEICLOUD_SDK_SK": "env-sk", "DATAARTS_ENDPOINT": "http://env:1"}
    client = client_from_env(endpoint="http://127.0.0.1:9", ak=AK, sk=SK, project_id="p-arg", environ=environ)
    auth = client._httpx_args["auth"]
    assert isinstance(auth, AkSkAuth)
    assert auth.ak == AK
    assert auth.project_id == "p-arg"
    assert send_one(client).url.host == "127.0.0.1"


def test_dataarts_region_wins_over_sdk_region() -> None:
    environ = {"DATAARTS_TOKEN": TOKEN, "DATAARTS_REGION": "la-south-2", "HUAWEICLOUD_SDK_REGION": "cn-north-4"}
    assert send_one(client_from_env(environ=environ)).url.host == "dayu.la-south-2.myhuaweicloud.com"
    assert send_one(client_from_env(region="cn-east-3", environ=environ)).url.host == "dayu.cn-east-3.myhuaweicloud.com"


def test_explicit_token_wins_over_environment_aksk() -> None:
    environ = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
    client = client_from_env(endpoint="http://127.0.0.1:9", token=TOKEN, environ=environ)
    assert isinstance(client, AuthenticatedClient)


def test_environment_aksk_wins_over_environment_token() -> None:
    environ = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK, "DATAARTS_TOKEN": TOKEN}
    client = client_from_env(endpoint="http://127.0.0.1:9", environ=environ)
    assert not isinstance(client, AuthenticatedClient)


def test_client_kwargs_are_passed_through() -> None:
    client = client_from_env(
        endpoint="http://127.0.0.1:9",
        ak=AK,
        sk=SK,
        environ={},
        headers={"X-Trace": "1"},
        httpx_args={"trust_env": False},
        raise_on_unexpected_status=True,
    )
    assert client.raise_on_unexpected_status
    assert client._httpx_args["trust_env"] is False
    assert send_one(client).headers["X-Trace"] == "1"


def test_uses_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "DATAARTS_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATAARTS_TOKEN", TOKEN)
    monkeypatch.setenv("DATAARTS_REGION", "cn-south-1")
    assert isinstance(client_from_env(), AuthenticatedClient)


@pytest.mark.parametrize(
    ("kwargs", "environ", "message"),
    [
        ({}, {"DATAARTS_TOKEN": TOKEN}, "no endpoint"),
        ({"endpoint": "http://127.0.0.1:9"}, {}, "no credentials"),
        ({"endpoint": "http://127.0.0.1:9", "ak": AK}, {}, "secret key"),
        ({"endpoint": "http://127.0.0.1:9"}, {"HUAWEICLOUD_SDK_SK": SK}, "access key"),
        ({"endpoint": "http://127.0.0.1:9", "ak": "", "sk": ""}, {"HUAWEICLOUD_SDK_AK": ""}, "no credentials"),
        ({"endpoint": "http://127.0.0.1:9", "token": TOKEN, "sk": SK}, {}, "not both"),
        ({"endpoint": "ftp://x", "token": TOKEN}, {}, "http"),
        ({"region": "cn-north-4.evil.example/", "token": TOKEN}, {}, "region"),
        (
            {"endpoint": "http://127.0.0.1:9", "ak": AK, "sk": SK, "httpx_args": {"auth": ("u", "p")}},
            {},
            "auth",
        ),
    ],
)
def test_configuration_errors(kwargs: dict[str, object], environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        client_from_env(environ=environ, **kwargs)  # type: ignore[arg-type]
    text = str(caught.value) + repr(caught.value)
    for secret in (TOKEN, SK, AK):
        assert secret not in text
    assert isinstance(caught.value, ValueError)


@pytest.mark.fact("F-REGION-1")
@pytest.mark.parametrize("region", ["cn-north-4", "ap-southeast-3", "la-south-2", "cn-east-3", "xx-future-9"])
def test_endpoint_for_region(region: str) -> None:
    """The SDK's pattern, also for a region it does not list yet."""
    assert endpoint_for_region(region) == f"https://dayu.{region}.myhuaweicloud.com"


def sdk_regions() -> dict[str, str]:
    """Region ID -> endpoint, read from the locked official SDK's ``dataartsstudio_region.py`` (not imported)."""
    spec = importlib.util.find_spec("huaweicloudsdkdataartsstudio")
    assert spec is not None
    assert spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "v1" / "region" / "dataartsstudio_region.py"
    regions = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Region":
            region, url = (ast.literal_eval(arg) for arg in node.args)
            regions[region] = url
    return regions


SDK_REGIONS = sdk_regions()
EU_ENDPOINT = "https://dayu.eu-west-101.myhuaweicloud.eu"


@pytest.mark.fact("F-REGION-1", "F-REGION-2")
def test_endpoint_for_region_agrees_with_the_official_sdk_but_for_the_eu_site_s_own_domain() -> None:
    assert len(SDK_REGIONS) == 26, "huaweicloudsdkdataartsstudio 3.1.219 lists 26 regions"
    assert SDK_REGIONS["eu-west-101"] == "https://dayu.eu-west-101.myhuaweicloud.com", "the documented conflict"
    expected = {**SDK_REGIONS, "eu-west-101": EU_ENDPOINT}
    assert {region: endpoint_for_region(region) for region in SDK_REGIONS} == expected


@pytest.mark.fact("F-REGION-1", "F-REGION-2")
def test_the_spec_s_servers_are_the_sdk_s_regions_and_the_eu_site(spec_path: Path) -> None:
    regional, eu, _ = yaml.safe_load(spec_path.read_text(encoding="utf-8"))["servers"]
    enum = regional["variables"]["region"]["enum"]
    assert len(enum) == len(set(enum))
    assert set(enum) == set(SDK_REGIONS) - {"eu-west-101"}
    assert all(regional["url"].format(region=region) == endpoint_for_region(region) for region in enum)
    assert eu["url"] == endpoint_for_region("eu-west-101") == EU_ENDPOINT


# --- one place for the variable names ------------------------------------------------------------

VARIABLE_NAME = re.compile(r"""["'](?:DATAARTS|HUAWEICLOUD_SDK)_[A-Z_]+["']""")


def variable_names_written_outside(module: Path) -> dict[str, list[str]]:
    """Quoted environment-variable names in the package's modules other than ``module``."""
    found: dict[str, list[str]] = {}
    for path in sorted(module.parent.parent.rglob("*.py")):
        if path != module:
            names = VARIABLE_NAME.findall(path.read_text(encoding="utf-8"))
            if names:
                found[str(path.relative_to(module.parent.parent))] = names
    return found


def test_environment_variable_names_are_written_only_in_lib_environment() -> None:
    """The CLI, client_from_env and the contract runner import the names from lib.environment."""
    assert variable_names_written_outside(Path(environment.__file__)) == {}


def test_each_variable_name_is_written_once_in_lib_environment() -> None:
    names = VARIABLE_NAME.findall(Path(environment.__file__).read_text(encoding="utf-8"))
    assert len(names) >= 10
    assert sorted(name for name in set(names) if names.count(name) > 1) == []


def test_the_scan_finds_a_name_written_elsewhere() -> None:
    assert VARIABLE_NAME.findall('WORKSPACE = "DATAARTS_WORKSPACE"') == ['"DATAARTS_WORKSPACE"']


def test_the_cli_help_names_the_variables_of_lib_environment() -> None:
    epilog = cli.build_parser().epilog or ""
    names = (*environment.PROJECT_ID_ENVS, environment.WORKSPACE_ENV, *environment.SECRET_ENVS)
    assert [name for name in names if name not in epilog] == []
