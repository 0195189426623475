"""Secrets (IAM token, secret key, security token, signatures) never show in repr, error text or logs."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.lib import (
    ApiError,
    ConfigurationError,
    ExportTimeout,
    NetworkError,
    RetryPolicy,
    client_from_env,
    export_to_file,
    wait_for_export,
)
from dataarts_export_client.models import ExportParam

from .client_fakes import PROJECT_ID, UUID, WORKSPACE, FakeClock, Script, error, status, workbook

TOKEN = "MIIE-secret-iam-token-0123456789"
AK = "AKSECRETACCESSKEY99"
SK = "secret-key-never-shown-abcdef"
STS = "security-token-never-shown-xyz"
SECRETS = (TOKEN, SK, STS)
POLICY = RetryPolicy(jitter="none", max_retries=1)


def with_transport(client: AuthenticatedClient | Client, script: Script) -> None:
    client._httpx_args = {**client._httpx_args, "transport": script.transport()}


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert AK not in text  # even the access key is masked
    assert "Signature=" not in text


def clients() -> list[AuthenticatedClient | Client]:
    return [
        client_from_env(endpoint="http://127.0.0.1:9", token=TOKEN, environ={}),
        client_from_env(endpoint="http://127.0.0.1:9", ak=AK, sk=SK, security_token=STS, environ={}),
        client_from_env(
            environ={
                "DATAARTS_REGION": "cn-north-4",
                "HUAWEICLOUD_SDK_AK": AK,
                "HUAWEICLOUD_SDK_SK": SK,
                "HUAWEICLOUD_SDK_SECURITY_TOKEN": STS,
                "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT_ID,
            }
        ),
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_returned_clients_hide_secrets_before_and_after_use(index: int) -> None:
    client = clients()[index]
    assert_clean(repr(client))
    assert_clean(str(client))
    with_transport(client, Script(status()))
    client.get_httpx_client()  # the generated clients copy the token into their headers here
    assert_clean(repr(client))
    assert_clean(repr(client.with_headers({"X-Trace": "1"})))


def test_error_texts_hide_secrets() -> None:
    errors: list[Exception] = []
    for kwargs in (
        {"endpoint": "http://127.0.0.1:9", "ak": AK, "environ": {}},
        {"endpoint": "http://127.0.0.1:9", "token": TOKEN, "sk": SK, "environ": {}},
        {"environ": {"HUAWEICLOUD_SDK_SK": SK, "DATAARTS_TOKEN": TOKEN}},
    ):
        with pytest.raises(ConfigurationError) as caught:
            client_from_env(**kwargs)
        errors.append(caught.value)
    scripts = [
        Script(error(401, code="APIG.0301", msg="verify aksk signature fail")),
        Script(httpx.ConnectError("refused"), repeat_last=True),
        Script(status(), repeat_last=True),
    ]
    for script in scripts:
        client = client_from_env(endpoint="http://127.0.0.1:9", ak=AK, sk=SK, security_token=STS, environ={})
        with_transport(client, script)
        clock = FakeClock()
        with pytest.raises((ApiError, NetworkError, ExportTimeout)) as raised:
            wait_for_export(
                client,
                project_id=PROJECT_ID,
                workspace=WORKSPACE,
                uuid=UUID,
                timeout=5,
                policy=POLICY,
                clock=clock,
                sleep=clock.sleep,
            )
        errors.append(raised.value)
    for exc in errors:
        assert_clean(str(exc))
        assert_clean(repr(exc))
        if exc.__cause__ is not None:
            assert_clean(str(exc.__cause__))


@pytest.mark.parametrize("use_token", [True, False])
def test_debug_logs_hide_secrets(caplog: pytest.LogCaptureFixture, tmp_path: Path, use_token: bool) -> None:
    caplog.set_level(logging.DEBUG)
    if use_token:
        client = client_from_env(endpoint="http://127.0.0.1:9", token=TOKEN, environ={})
    else:
        client = client_from_env(endpoint="http://127.0.0.1:9", ak=AK, sk=SK, security_token=STS, environ={})
    script = Script(
        error(429, retry_after="1"),
        httpx.Response(200, json={"data": {"uuid": UUID}}),
        httpx.ConnectError("refused"),
        status("importing", "50"),
        workbook(),
    )
    with_transport(client, script)
    clock = FakeClock()
    export_to_file(
        client,
        project_id=PROJECT_ID,
        workspace=WORKSPACE,
        body=ExportParam(),
        dest=tmp_path,
        timeout=60,
        policy=RetryPolicy(jitter="none"),
        clock=clock,
        sleep=clock.sleep,
    )
    ours = [record for record in caplog.records if record.name == "dataarts_export_client"]
    assert ours, "polls and retries are logged"
    assert {record.levelno for record in ours} == {logging.DEBUG, logging.INFO}, "polls at DEBUG, retries at INFO"
    for record in caplog.records:
        assert_clean(record.getMessage())
    assert_clean(caplog.text)
