"""What the signer leaves out, what its date constant says, and how much it remembers.

Guards what mutation testing of module constants and decorator arguments
found unguarded in ``lib/signing.py``: headers that proxies and transports
add, drop or rewrite (hop-by-hop ones, ``Connection``, ``Keep-Alive``,
``TE``, ``Transfer-Encoding``) and an ``Authorization`` left from an earlier
signature are never signed, so a request re-signed on a retry or carrying
them verifies just like one without them; ``DATE_FORMAT`` (read by the
emulator to verify ``X-Sdk-Date``) describes exactly what the signer writes;
and the cache of canonical paths stays bounded.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from dataarts_export_client.lib import AkSkAuth
from dataarts_export_client.lib.signing import (
    DATE_FORMAT,
    UNSIGNED_HEADERS,
    canonical_uri,
    format_sdk_date,
    parse_authorization,
)

from .client_fakes import AK, BASE_URL, SIGNED_AT, SK

# Hop-by-hop and transport headers (RFC 9110 section 7.6.1), and a signature from an earlier attempt.
LEFT_OUT = {
    "Authorization": "SDK-HMAC-SHA256 Access=OLD, SignedHeaders=host, Signature=00",
    "Connection": "keep-alive",
    "Keep-Alive": "timeout=5, max=100",
    "TE": "trailers",
    "Transfer-Encoding": "chunked",
    "Accept-Encoding": "gzip, deflate",
    "Content-Length": "2",
}


def signed(extra: dict[str, str]) -> tuple[list[str], str]:
    """The signed header names and the signature of one JSON POST carrying ``extra`` headers."""
    request = httpx.Request(
        "POST",
        BASE_URL + "/v2/p/design/export-model",
        headers={"Content-Type": "application/json", **extra},
        content=b"{}",
    )
    AkSkAuth(AK, SK, clock=lambda: SIGNED_AT).sign(request)
    parsed = parse_authorization(request.headers["Authorization"])
    assert parsed is not None
    _, names, signature = parsed
    return names, signature


@pytest.mark.parametrize("name", sorted(LEFT_OUT))
def test_hop_by_hop_and_old_authorization_headers_are_never_signed(name: str) -> None:
    """Each such header is left out of SignedHeaders, and the signature is the one made without it."""
    names, signature = signed({name: LEFT_OUT[name]})
    assert name.lower() not in names
    assert (names, signature) == signed({})


def test_the_unsigned_set_is_exactly_the_transport_s_headers() -> None:
    assert {name.lower() for name in LEFT_OUT} == UNSIGNED_HEADERS


def test_a_request_signed_again_replaces_the_old_signature_and_verifies_the_same() -> None:
    """A retry signs the request that already carries the first attempt's Authorization: same signature."""
    request = httpx.Request("GET", BASE_URL + "/v2/p/design/export-result?uuid=u")
    auth = AkSkAuth(AK, SK, clock=lambda: SIGNED_AT)
    auth.sign(request)
    first = request.headers["Authorization"]
    auth.sign(request)
    assert request.headers.get_list("Authorization") == [first]


@pytest.mark.parametrize(
    "moment", [SIGNED_AT, datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC), datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC)]
)
def test_date_format_reads_back_what_the_signer_writes(moment: datetime) -> None:
    """``DATE_FORMAT`` is how a verifier parses ``X-Sdk-Date``: it must read the signer's text as the same moment."""
    text = format_sdk_date(moment)
    assert datetime.strptime(text, DATE_FORMAT).replace(tzinfo=UTC) == moment
    assert datetime.strftime(moment, DATE_FORMAT) == text


def test_the_path_cache_keeps_the_documented_256_paths_and_no_more() -> None:
    """A long-lived client signing ever new paths (one per export uuid) must not grow without bound."""
    canonical_uri.cache_clear()
    for number in range(300):
        assert canonical_uri(f"/v2/p/design/{number}") == f"/v2/p/design/{number}/"
    info = canonical_uri.cache_info()
    assert (info.maxsize, info.currsize) == (256, 256)
