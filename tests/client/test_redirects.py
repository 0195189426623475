"""Credentials never cross origins: a redirect elsewhere is followed without the token, the signature or the STS token.

httpx (like requests) strips ``Authorization`` from a redirect that leaves
the origin, except an http -> https upgrade of the same host on the default
ports; it knows nothing of Huawei's ``X-Auth-Token`` and
``X-Security-Token``. The generated clients apply that rule to every
credential header, on every request they send, redirects included, however
the client was built.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.lib import AkSkAuth, client_from_env, token_client

from .client_fakes import PROJECT_ID, UUID, WORKSPACE

TOKEN = "MIIZ-secret-token-value"
AK, SK, STS = "HPUAFAKEACCESSKEY", "fake-secret-key-value", "fake-security-token-value"
HOME = "https://dayu.cn-north-4.myhuaweicloud.com"
CREDENTIALS = ("X-Auth-Token", "Authorization", "X-Security-Token")

BUILDERS: dict[str, Callable[..., AuthenticatedClient | Client]] = {
    "token_client": lambda url, **kw: token_client(url, TOKEN, **kw),
    "client_from_env token": lambda url, **kw: client_from_env(endpoint=url, token=TOKEN, environ={}, **kw),
    "client_from_env AK/SK": lambda url, **kw: client_from_env(
        endpoint=url, ak=AK, sk=SK, security_token=STS, environ={}, **kw
    ),
    "generated AuthenticatedClient": lambda url, **kw: AuthenticatedClient(
        url, token=TOKEN, prefix="", auth_header_name="X-Auth-Token", **kw
    ),
    "generated Client with AkSkAuth": lambda url, **kw: Client(
        url, httpx_args={**kw.pop("httpx_args"), "auth": AkSkAuth(AK, SK, security_token=STS)}, **kw
    ),
}


def redirected(location: str) -> tuple[list[httpx.Request], httpx.MockTransport]:
    """A transport answering the first request with a 302 to ``location``, then 200; it records every request."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(200, json={"data": {"status": "importing"}})

    return seen, httpx.MockTransport(answer)


def poll(client: AuthenticatedClient | Client) -> None:
    export_design_result.sync_detailed(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)


def carried(request: httpx.Request) -> list[str]:
    return [name for name in CREDENTIALS if name in request.headers]


@pytest.mark.parametrize("builder", BUILDERS)
@pytest.mark.parametrize(
    "location",
    [
        "http://another.host/steal",
        "https://another.host/steal",
        f"{HOME}:8443/steal",
        "http://dayu.cn-north-4.myhuaweicloud.com/x",
    ],
    ids=["http-elsewhere", "https-elsewhere", "other-port", "downgrade-to-http"],
)
def test_a_redirect_to_another_origin_carries_no_credential(builder: str, location: str) -> None:
    seen, transport = redirected(location)
    client = BUILDERS[builder](HOME, follow_redirects=True, httpx_args={"transport": transport})
    poll(client)
    first, second = seen
    assert carried(first), "the credentials go to the endpoint"
    assert str(second.url).startswith(location)
    assert carried(second) == []


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_redirect_within_the_origin_keeps_the_credentials(builder: str) -> None:
    seen, transport = redirected(f"{HOME}/v2/elsewhere")
    client = BUILDERS[builder](HOME, follow_redirects=True, httpx_args={"transport": transport})
    poll(client)
    assert carried(seen[1]) == carried(seen[0]) != []


def test_an_https_upgrade_of_the_same_host_keeps_the_token() -> None:
    """httpx's and requests' one exception: http -> https, same host, default ports."""
    seen, transport = redirected("https://localhost/v2/x")
    poll(token_client("http://localhost", TOKEN, follow_redirects=True, httpx_args={"transport": transport}))
    assert carried(seen[1]) == ["X-Auth-Token"]


@pytest.mark.parametrize("builder", BUILDERS)
def test_async_clients_strip_them_too(builder: str) -> None:
    seen, transport = redirected("http://another.host/steal")
    client = BUILDERS[builder](HOME, follow_redirects=True, httpx_args={"transport": transport})

    async def poll_async() -> None:
        await export_design_result.asyncio_detailed(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)

    asyncio.run(poll_async())
    assert carried(seen[1]) == []


def test_the_caller_s_own_request_hooks_still_run() -> None:
    calls: list[str] = []
    seen, transport = redirected("http://another.host/steal")
    hooks = {"request": [lambda request: calls.append(str(request.url.host))]}
    client = token_client(HOME, TOKEN, follow_redirects=True, httpx_args={"transport": transport, "event_hooks": hooks})
    poll(client)
    assert calls == ["dayu.cn-north-4.myhuaweicloud.com", "another.host"]
    assert carried(seen[1]) == []
