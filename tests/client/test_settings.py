"""Settings are checked in one place, every problem reported at once, naming the setting and never its value.

A secret with a stray carriage return (an env file edited on Windows), a
workspace that is not ASCII, a line break in a project ID: each would fail
later as a transport error, an encoding crash or a signature mismatch, and
print the value on the way. They are configuration errors, found before
anything is sent.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from dataarts_export_client.lib import ConfigurationError, client_from_env, start_export, wait_for_export
from dataarts_export_client.lib.redaction import redact, secret_forms
from dataarts_export_client.models import ExportParam

from .client_fakes import FAST_POLICY, PROJECT_ID, WORKSPACE, Script, token_client_for

TOKEN = "MIIEXAMPLE-iam-token-value"
AK = "AKEXAMPLE123"
SK = "sk-example-secret-value"
ENDPOINT = "http://127.0.0.1:9"


def problems_of(**kwargs: object) -> tuple[str, ...]:
    with pytest.raises(ConfigurationError) as caught:
        client_from_env(**kwargs)  # type: ignore[arg-type]
    text = str(caught.value) + repr(caught.value)
    for value in (TOKEN, AK, SK):
        assert not any(form in text for form in secret_forms(value)), "a value in the message"
    return caught.value.problems


@pytest.mark.parametrize("stray", ["\r", "\n", " ", "\t", "\r\n"], ids=["cr", "lf", "space", "tab", "crlf"])
@pytest.mark.parametrize(
    ("name", "environ"),
    [
        ("DATAARTS_TOKEN", {"DATAARTS_TOKEN": TOKEN}),
        ("HUAWEICLOUD_SDK_AK", {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}),
        ("HUAWEICLOUD_SDK_SK", {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}),
        (
            "HUAWEICLOUD_SDK_SECURITY_TOKEN",
            {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK, "HUAWEICLOUD_SDK_SECURITY_TOKEN": TOKEN},
        ),
    ],
)
def test_a_secret_with_a_stray_line_end_or_space_is_a_configuration_error(
    name: str, environ: dict[str, str], stray: str
) -> None:
    environ = {**environ, name: environ[name] + stray}
    assert problems_of(endpoint=ENDPOINT, environ=environ) == (
        f"{name} has whitespace or a control character at its start or end "
        "(a line ending from a file edited on Windows?); remove it",
    )


def test_a_secret_with_a_character_http_cannot_carry_is_a_configuration_error() -> None:
    assert problems_of(endpoint=ENDPOINT, token="MIIé-token-value", environ={}) == (
        "token= holds a character that is not visible ASCII (tokens and keys are printable ASCII)",
    )


def test_every_problem_is_reported_at_once() -> None:
    environ = {"HUAWEICLOUD_SDK_SK": SK + "\r", "DATAARTS_REGION": "cn-north-4 "}
    assert problems_of(ak=AK + " ", environ=environ, project_id="proj\n") == (
        "DATAARTS_REGION is not a Huawei Cloud region ID (e.g. cn-north-4)",
        "ak= has whitespace or a control character at its start or end "
        "(a line ending from a file edited on Windows?); remove it",
        "HUAWEICLOUD_SDK_SK has whitespace or a control character at its start or end "
        "(a line ending from a file edited on Windows?); remove it",
        "project_id= has whitespace or a control character at its start or end "
        "(a line ending from a file edited on Windows?); remove it",
    )


@pytest.mark.parametrize(
    ("endpoint", "problem"),
    [
        ("ftp://x", "endpoint= must be an http:// or https:// URL"),
        ("https://", "endpoint= must be an http:// or https:// URL"),
        ("https://dayu.example.com\r", "endpoint= holds whitespace or a control character"),
        ("https://dayu .example.com", "endpoint= holds whitespace or a control character"),
        ("https://[::1/", "endpoint= is not a valid URL"),
        ("http://user@/", "endpoint= must be an http:// or https:// URL"),
    ],
)
def test_an_endpoint_that_is_not_an_http_url_is_named(endpoint: str, problem: str) -> None:
    assert problems_of(endpoint=endpoint, token=TOKEN, environ={}) == (problem,)


@pytest.mark.parametrize("region", ["cn-north-4\n", "cn-north-4\r", " cn-north-4", "cn-north-4.evil.example"])
def test_a_region_is_the_whole_value(region: str) -> None:
    assert problems_of(region=region, token=TOKEN, environ={}) == (
        "region= is not a Huawei Cloud region ID (e.g. cn-north-4)",
    )


def test_a_region_given_as_an_argument_wins_over_an_endpoint_in_the_environment() -> None:
    """Arguments win over variables, for the endpoint too (the CLI's --region over DATAARTS_ENDPOINT)."""
    client = client_from_env(region="cn-north-4", token=TOKEN, environ={"DATAARTS_ENDPOINT": ENDPOINT})
    assert client._base_url == "https://dayu.cn-north-4.myhuaweicloud.com"
    client = client_from_env(token=TOKEN, environ={"DATAARTS_ENDPOINT": ENDPOINT, "DATAARTS_REGION": "cn-north-4"})
    assert client._base_url == ENDPOINT


def test_the_message_joins_the_problems_one_per_line() -> None:
    with pytest.raises(ConfigurationError) as caught:
        client_from_env(environ={})
    assert str(caught.value) == (
        "no endpoint: pass endpoint= or region=, or set DATAARTS_ENDPOINT, DATAARTS_REGION or HUAWEICLOUD_SDK_REGION\n"
        "no credentials: pass token= or ak= and sk=, or set DATAARTS_TOKEN, or HUAWEICLOUD_SDK_AK and "
        "HUAWEICLOUD_SDK_SK"
    )


@pytest.mark.parametrize(
    ("project_id", "workspace", "problem"),
    [
        (PROJECT_ID, "wörkspace", "workspace= holds a character that is not visible ASCII (IDs are printable ASCII)"),
        (PROJECT_ID, "ws\r\nX-Injected: 1", "workspace= holds a character that is not visible ASCII"),
        ("proj\n", WORKSPACE, "project_id= has whitespace or a control character at its start or end"),
        ("", WORKSPACE, "project_id= is empty"),
    ],
)
def test_the_helpers_refuse_an_id_no_request_can_carry_before_sending(
    project_id: str, workspace: str, problem: str
) -> None:
    script = Script()
    client = token_client_for(script, TOKEN)
    with pytest.raises(ConfigurationError) as waiting:
        wait_for_export(client, project_id=project_id, workspace=workspace, uuid="u", timeout=5, policy=FAST_POLICY)
    with pytest.raises(ConfigurationError) as starting:
        start_export(
            client, project_id=project_id, workspace=workspace, body=ExportParam(), timeout=5, policy=FAST_POLICY
        )
    assert script.requests == [], "nothing was sent"
    for caught in (waiting, starting):
        assert str(caught.value).startswith(problem)


RAW_SECRET = "tok\"en'value-1234\r"  # quotes and a carriage return: every escaping writes it differently
SHOWN = {
    "as is": RAW_SECRET,
    "str repr (a dict in a traceback)": repr({"X-Auth-Token": RAW_SECRET}),
    "bytes repr (h11's 'Illegal header value')": f"Illegal header value {RAW_SECRET.encode()!r}",
    "JSON": json.dumps({"token": RAW_SECRET}),
    "JSON, ASCII only": json.dumps({"token": RAW_SECRET + "é"}),
    "URL-encoded": "https://h/?t=" + quote(RAW_SECRET, safe=""),
    "trimmed": f"token {RAW_SECRET.strip()} refused",
}


@pytest.mark.parametrize("text", SHOWN.values(), ids=SHOWN.keys())
def test_redaction_knows_the_escaped_forms_of_a_secret(text: str) -> None:
    assert "en'value-1234" in text or "en%27value-1234" in text or "en\\'value-1234" in text
    redacted = redact(text, [RAW_SECRET])
    assert "value-1234" not in redacted
    assert "***" in redacted
