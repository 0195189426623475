"""No credential in clear text by accident: token and AK/SK clients refuse plain http:// beyond loopback."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from dataarts_export_client.lib import (
    AkSkAuth,
    ConfigurationError,
    DataArtsError,
    InsecureTransportError,
    cli,
    client_from_env,
    token_client,
)
from dataarts_export_client.lib.cli.outcomes import EXIT_USAGE
from dataarts_export_client.lib.transport_security import is_loopback_host

TOKEN = "MIIZ-secret-token-value"
AK, SK = "HPUAFAKEACCESSKEY", "fake-secret-key-value"
REMOTE = "http://dayu.example.com"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("api.localhost", True),
        ("10.0.0.1", False),
        ("192.168.1.5", False),
        ("dayu.cn-north-4.myhuaweicloud.com", False),
        ("localhost.example.com", False),
        ("127.0.0.1.nip.io", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


BUILDERS: dict[str, Callable[..., object]] = {
    "token_client": lambda url, **kw: token_client(url, TOKEN, **kw),
    "client_from_env token": lambda url, **kw: client_from_env(endpoint=url, token=TOKEN, environ={}, **kw),
    "client_from_env AK/SK": lambda url, **kw: client_from_env(endpoint=url, ak=AK, sk=SK, environ={}, **kw),
}


@pytest.mark.parametrize("builder", BUILDERS)
def test_credentials_over_plain_http_to_another_host_are_refused(builder: str) -> None:
    with pytest.raises(InsecureTransportError) as caught:
        BUILDERS[builder](REMOTE)
    assert isinstance(caught.value, DataArtsError)
    assert isinstance(caught.value, ConfigurationError)
    message = str(caught.value)
    assert "http://" in message
    assert "allow_insecure_http" in message
    for secret in (TOKEN, AK, SK):
        assert secret not in message


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "https://dayu.example.com"]
)
def test_loopback_http_and_https_keep_working(builder: str, url: str) -> None:
    BUILDERS[builder](url)


@pytest.mark.parametrize("builder", BUILDERS)
def test_an_explicit_opt_in_allows_plain_http(builder: str) -> None:
    BUILDERS[builder](REMOTE, allow_insecure_http=True)


def _send_signed(url: str, auth: AkSkAuth) -> list[httpx.Request]:
    """Send one request through ``auth`` into a MockTransport; the requests that got out."""
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    with httpx.Client(auth=auth, transport=httpx.MockTransport(answer)) as client:
        client.get(url)
    return sent


def test_a_hand_built_aksk_client_refuses_plain_http_to_another_host_before_sending() -> None:
    with pytest.raises(InsecureTransportError) as caught:
        _send_signed(f"{REMOTE}/v2/p/design/export-result", AkSkAuth(AK, SK))
    assert str(caught.value).startswith(
        "refusing to send AK/SK signatures in clear text over http:// to dayu.example.com"
    )
    assert AK not in str(caught.value)
    assert SK not in str(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/v2/p", "http://[::1]:8000/v2/p", "https://dayu.example.com/v2"])
def test_a_hand_built_aksk_client_signs_for_loopback_and_https(url: str) -> None:
    (sent,) = _send_signed(url, AkSkAuth(AK, SK))
    assert sent.headers["Authorization"].startswith("SDK-HMAC-SHA256 Access=")


def test_a_hand_built_aksk_client_sends_plain_http_when_allowed() -> None:
    (sent,) = _send_signed(f"{REMOTE}/v2/p", AkSkAuth(AK, SK, allow_insecure_http=True))
    assert sent.url.host == "dayu.example.com"


def test_client_from_env_passes_the_opt_in_to_its_signer() -> None:
    client = client_from_env(endpoint=REMOTE, ak=AK, sk=SK, environ={}, allow_insecure_http=True)
    auth = client.get_httpx_client().auth
    assert isinstance(auth, AkSkAuth)
    assert auth.allow_insecure_http


def test_the_cli_refuses_then_allows_with_the_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATAARTS_TOKEN", TOKEN)
    argv = ["--endpoint", REMOTE, "--project-id", "p", "--workspace", "w", "status", "--uuid", "u"]
    assert cli.main(argv) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--allow-insecure-http" in err
    assert TOKEN not in err

    seen: list[bool] = []

    def fake_client(_settings: object, **kwargs: object) -> object:
        seen.append(bool(kwargs["allow_insecure_http"]))
        raise ConfigurationError("stop here")

    monkeypatch.setattr(cli.commands, "client_for", fake_client)
    assert cli.main(["--allow-insecure-http", *argv]) == EXIT_USAGE
    assert cli.main([*argv, "--allow-insecure-http"]) == EXIT_USAGE
    assert seen == [True, True]
