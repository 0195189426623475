"""The generated clients keep secrets out of ``repr`` (custom client template)."""

from __future__ import annotations

from dataarts_export_client import AuthenticatedClient, Client

SECRET = "s3cr3t-iam-token-value"


def test_authenticated_client_repr_hides_token_before_and_after_use() -> None:
    client = AuthenticatedClient(
        base_url="http://127.0.0.1:9", token=SECRET, prefix="", auth_header_name="X-Auth-Token"
    )
    assert SECRET not in repr(client)
    httpx_client = client.get_httpx_client()
    assert httpx_client.headers["X-Auth-Token"] == SECRET, "the token is still sent, without prefix"
    assert SECRET not in repr(client)
    assert SECRET not in repr(client.with_headers({"X-Trace": "1"}))


def test_plain_client_repr_hides_headers_and_cookies() -> None:
    client = Client(base_url="http://127.0.0.1:9", headers={"X-Auth-Token": SECRET}, cookies={"session": SECRET})
    assert SECRET not in repr(client)
