"""Authentication (401): tokens, SDK-HMAC-SHA256 verification, tampering, lockout (403s: test_auth_limits.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qsl

import httpx
import pytest

from dataarts_emulator import (
    DEMO_AK,
    DEMO_PROJECT_ID,
    DEMO_SK,
    DEMO_TENANT,
    DEMO_TOKEN,
    DEMO_WORKSPACE,
    AccessKey,
    EmulatorSettings,
    Tenant,
)
from dataarts_emulator.auth import Authenticator, ReceivedRequest
from dataarts_emulator.exceptions import Unauthorized
from dataarts_export_client.lib.redaction import mask_access_key
from dataarts_export_client.lib.signing import AkSkAuth

from .support import FakeClock

URL = f"http://127.0.0.1:8000/v2/{DEMO_PROJECT_ID}/design/export-model?b=2&a=x%20y"
BODY = json.dumps({"ids": ["1"], "type": "TABLE_MODEL"}).encode()


def received(request: httpx.Request) -> ReceivedRequest:
    """The request as the server sees it."""
    raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    headers = {name.lower(): value for name, value in request.headers.items()}
    return ReceivedRequest(request.method, raw_path, query, headers, request.content)


def signed(
    clock: FakeClock, *, ak: str = DEMO_AK, sk: str = DEMO_SK, skew: float = 0.0, security_token: str | None = None
) -> ReceivedRequest:
    request = httpx.Request(
        "POST",
        URL,
        headers={"workspace": DEMO_WORKSPACE, "Content-Type": "application/json;charset=UTF-8"},
        content=BODY,
    )
    signing_time = (clock.datetime() + timedelta(seconds=skew)).replace(microsecond=0)
    AkSkAuth(ak, sk, project_id=DEMO_PROJECT_ID, security_token=security_token, clock=lambda: signing_time).sign(
        request
    )
    return received(request)


@pytest.fixture
def authenticator(clock: FakeClock) -> Authenticator:
    return Authenticator(EmulatorSettings(), clock)


@pytest.mark.fact("F-AUTH-2")
def test_a_correct_signature_authenticates(authenticator: Authenticator, clock: FakeClock) -> None:
    principal = authenticator.authenticate(signed(clock))
    assert (principal.tenant, principal.method, principal.access_key) == (DEMO_TENANT, "aksk", DEMO_AK)


def _with_header(request: ReceivedRequest, name: str, value: str) -> ReceivedRequest:
    return replace(request, headers={**request.headers, name: value})


Tamper = Callable[[ReceivedRequest], ReceivedRequest]
TAMPERING: dict[str, Tamper] = {
    "method": lambda r: replace(r, method="PUT"),
    "path": lambda r: replace(r, raw_path=r.raw_path.replace("export-model", "export-result")),
    "path project": lambda r: replace(r, raw_path=r.raw_path.replace(DEMO_PROJECT_ID, "x" + DEMO_PROJECT_ID[1:])),
    "query value": lambda r: replace(r, query=[("b", "3"), ("a", "x y")]),
    "query added": lambda r: replace(r, query=[*r.query, ("c", "1")]),
    "signed header": lambda r: _with_header(r, "workspace", "another-workspace"),
    "x-project-id": lambda r: _with_header(r, "x-project-id", "another"),
    "content-type": lambda r: _with_header(r, "content-type", "application/json"),
    "body": lambda r: replace(r, body=BODY.replace(b'"1"', b'"2"')),
    "body dropped": lambda r: replace(r, body=b""),
    "date": lambda r: _with_header(r, "x-sdk-date", r.headers["x-sdk-date"][:-2] + "59Z"),
    "signed header missing": lambda r: replace(r, headers={k: v for k, v in r.headers.items() if k != "workspace"}),
    "signature": lambda r: _with_header(r, "authorization", r.headers["authorization"][:-4] + "0000"),
    "unsigned payload claim": lambda r: _with_header(r, "x-sdk-content-sha256", "UNSIGNED-PAYLOAD"),
}


@pytest.mark.parametrize("tamper", list(TAMPERING), ids=list(TAMPERING))
def test_any_alteration_breaks_the_signature(authenticator: Authenticator, clock: FakeClock, tamper: str) -> None:
    request = TAMPERING[tamper](signed(clock))
    with pytest.raises(Unauthorized, match="Incorrect IAM authentication information"):
        authenticator.authenticate(request)


@pytest.mark.parametrize(("skew", "ok"), [(-899, True), (899, True), (-901, False), (901, False)])
def test_the_date_must_be_within_15_minutes(clock: FakeClock, skew: float, ok: bool) -> None:
    authenticator = Authenticator(EmulatorSettings(), clock)
    request = signed(clock, skew=skew)
    if ok:
        authenticator.authenticate(request)
    else:
        with pytest.raises(Unauthorized, match="expired"):
            authenticator.authenticate(request)


def test_missing_or_malformed_date_is_refused(authenticator: Authenticator, clock: FakeClock) -> None:
    request = signed(clock)
    with pytest.raises(Unauthorized, match="X-Sdk-Date"):
        authenticator.authenticate(
            replace(request, headers={k: v for k, v in request.headers.items() if k != "x-sdk-date"})
        )
    with pytest.raises(Unauthorized, match="X-Sdk-Date"):
        authenticator.authenticate(_with_header(request, "x-sdk-date", "yesterday"))


def test_unknown_access_key_is_masked_in_the_message(authenticator: Authenticator, clock: FakeClock) -> None:
    with pytest.raises(Unauthorized) as denied:
        authenticator.authenticate(signed(clock, ak="UNKNOWNACCESSKEY1234"))
    assert "UNKNOWNACCESSKEY1234" not in str(denied.value)
    assert mask_access_key("UNKNOWNACCESSKEY1234") in str(denied.value)


def test_wrong_secret_key_is_refused(authenticator: Authenticator, clock: FakeClock) -> None:
    with pytest.raises(Unauthorized, match="verify aksk signature fail"):
        authenticator.authenticate(signed(clock, sk="not-the-secret"))


def test_tokens(authenticator: Authenticator) -> None:
    base = ReceivedRequest("GET", "/", [], {}, b"")
    assert authenticator.authenticate(replace(base, headers={"x-auth-token": DEMO_TOKEN})).method == "token"
    for headers in [{"x-auth-token": "nope"}, {"x-auth-token": ""}, {"x-auth-token": "é"}, {}]:
        with pytest.raises(Unauthorized):
            authenticator.authenticate(replace(base, headers=headers))
    with pytest.raises(Unauthorized, match="not a valid SDK-HMAC-SHA256"):
        authenticator.authenticate(replace(base, headers={"authorization": "Bearer x"}))


@pytest.mark.fact("F-AUTH-2")
def test_security_token_of_temporary_credentials(clock: FakeClock) -> None:
    tenant = Tenant("p", ("w",), access_keys=(AccessKey("TEMPAK", "TEMPSK", "sec"),), name="temp")
    authenticator = Authenticator(EmulatorSettings(tenants=(tenant, DEMO_TENANT)), clock)
    assert authenticator.authenticate(signed(clock, ak="TEMPAK", sk="TEMPSK", security_token="sec")).tenant == tenant
    for token in [None, "wrong"]:
        with pytest.raises(Unauthorized, match="security token"):
            authenticator.authenticate(signed(clock, ak="TEMPAK", sk="TEMPSK", security_token=token))
    with pytest.raises(Unauthorized, match="permanent"):
        authenticator.authenticate(signed(clock, security_token="unexpected"))


@pytest.mark.fact("F-AUTH-4")
def test_repeated_failures_lock_the_key_for_five_minutes(clock: FakeClock) -> None:
    authenticator = Authenticator(EmulatorSettings(), clock)
    for _ in range(6):
        with pytest.raises(Unauthorized, match="signature fail"):
            authenticator.authenticate(signed(clock, sk="wrong"))
    with pytest.raises(Unauthorized, match="failed to reach the limit,forbidden"):
        authenticator.authenticate(signed(clock))
    clock.advance(301)
    authenticator.authenticate(signed(clock))


def test_five_failures_then_success_resets_the_count(clock: FakeClock) -> None:
    authenticator = Authenticator(EmulatorSettings(), clock)
    for _ in range(3):
        for _ in range(5):
            with pytest.raises(Unauthorized):
                authenticator.authenticate(signed(clock, sk="wrong"))
        authenticator.authenticate(signed(clock))


def test_lockout_can_be_disabled(clock: FakeClock) -> None:
    authenticator = Authenticator(EmulatorSettings(lockout_failures=0), clock)
    for _ in range(10):
        with pytest.raises(Unauthorized):
            authenticator.authenticate(signed(clock, sk="wrong"))
    authenticator.authenticate(signed(clock))
