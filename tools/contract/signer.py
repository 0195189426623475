"""Authenticating the request schemathesis sends: an AK/SK signature over the final prepared request, or a token.

``requests`` calls the signer on the *final* prepared request (method, URL
with query, every header, serialized body), so an AK/SK signature covers
exactly what goes on the wire; it signs with the client's own
:class:`~dataarts_export_client.lib.signing.AkSkAuth`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Protocol

import httpx

from dataarts_export_client.lib.signing import AkSkAuth

from .credentials import Credentials

# Headers whose values the signer copies back onto the outgoing request.
_AUTH_HEADERS = ("authorization", "x-sdk-date", "x-security-token", "x-sdk-content-sha256")
TOKEN_HEADER = "X-Auth-Token"  # noqa: S105 - a header name
PROJECT_HEADER = "X-Project-Id"


class PreparedRequestLike(Protocol):
    """The part of ``requests.PreparedRequest`` the signer uses."""

    method: str | None
    url: str | None
    headers: MutableMapping[str, str]
    body: bytes | str | None


def _is_signable(name: str, value: str) -> bool:
    """Printable ASCII only: a value whose bytes may differ in transit (latin-1 vs UTF-8) is left unsigned."""
    return value.isascii() and value.isprintable() and name.isascii() and name.isprintable()


class RequestSigner:
    """``requests`` auth callable: sets ``X-Auth-Token`` or an ``SDK-HMAC-SHA256`` signature.

    Signing happens on the prepared request, after schemathesis and
    ``requests`` have set the query, headers and body, so the signature covers
    the request as sent. Headers whose values are not printable ASCII (only
    negative test cases produce them) are left out of ``SignedHeaders``:
    servers verify only the headers named there, so such a case is judged on
    its data rather than bounced on an unverifiable signature.
    """

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials
        self._aksk: AkSkAuth | None = None
        if credentials.ak and credentials.sk:
            # X-Project-Id is added here, not by AkSkAuth, so a fuzzed value in the case is kept as sent.
            self._aksk = AkSkAuth(credentials.ak, credentials.sk, security_token=credentials.security_token)

    def __repr__(self) -> str:
        return f"RequestSigner(method={self._credentials.method!r}, project_id={self._credentials.project_id!r})"

    def __call__(self, request: PreparedRequestLike) -> PreparedRequestLike:
        if self._aksk is None:
            assert self._credentials.token is not None  # noqa: S101 - Credentials holds a token or an AK/SK pair
            request.headers[TOKEN_HEADER] = self._credentials.token
            return request
        if PROJECT_HEADER not in request.headers:
            # Multi-project AK/SK calls name the project (what the official SDK always sends).
            request.headers[PROJECT_HEADER] = self._credentials.project_id
        body = request.body
        content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        url = httpx.URL(request.url or "")
        headers = [(name, value) for name, value in request.headers.items() if _is_signable(name, value)]
        if not any(name.lower() == "host" for name, _ in headers):
            # Sign the Host the transport will send, and send exactly that one.
            host = url.netloc.decode("ascii")
            headers.append(("Host", host))
            request.headers["Host"] = host
        signable = httpx.Request(request.method or "GET", url, headers=headers, content=content)
        # httpx adds Content-Length for the body; it is never signed (proxies may rewrite it).
        self._aksk.sign(signable)
        for name in _AUTH_HEADERS:
            value = signable.headers.get(name)
            if value is not None:
                request.headers[name] = value
        return request
