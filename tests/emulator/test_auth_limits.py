"""Authentication at its limits: the date window's edge, the lockout's length and count, exact error answers.

test_auth.py shows that tampering fails and that the rules exist; these
hold each rule at the value where it turns (900 s of skew, the fifth and
sixth failure, the 300th second of a lockout), with the gateway's error
code and message a client sees, so that a rule cannot drift by one.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace

import pytest

from dataarts_emulator import (
    DEMO_AK,
    DEMO_PROJECT_ID,
    DEMO_TENANT,
    DEMO_TOKEN,
    DEMO_WORKSPACE,
    AccessKey,
    EmulatorSettings,
    Tenant,
)
from dataarts_emulator.auth import Authenticator, Authorizer, Principal, ReceivedRequest, received_body_hash
from dataarts_emulator.exceptions import Forbidden, Unauthorized, WorkspaceNotFound
from dataarts_export_client.lib.signing import EMPTY_BODY_HASH, UNSIGNED_PAYLOAD

from .support import FakeClock
from .test_auth import signed

PREFIX = "Incorrect IAM authentication information: "
OTHER = Tenant("other-project", ("other-workspace",), ("other-token",), (AccessKey("OTHERAK", "OTHERSK"),), "other")


def refusal(authenticator: Authenticator, request: ReceivedRequest) -> Unauthorized:
    with pytest.raises(Unauthorized) as caught:
        authenticator.authenticate(request)
    return caught.value


@pytest.mark.fact("F-AUTH-5", "F-EMU-2", "F-WS-1")
def test_refusals_are_the_gateway_s_401_apig_0301_the_emulator_s_403_and_dataarts_400_dlg_0818() -> None:
    denied = Unauthorized("x-auth-token not found")
    assert (denied.status, denied.error_code, denied.shape) == (401, "APIG.0301", "gateway")
    assert denied.message == PREFIX + "x-auth-token not found"
    refused = Forbidden("No permission to access this workspace.")
    assert (refused.status, refused.error_code, refused.shape) == (403, "EMU.0403", "service")
    missing = WorkspaceNotFound()
    assert (missing.status, missing.error_code, missing.shape) == (400, "DLG.0818", "architecture")
    assert missing.message == "The workspace does not exist."


@pytest.mark.fact("F-AUTH-3")
@pytest.mark.parametrize("skew", [-900, 900])
def test_a_date_exactly_15_minutes_off_is_accepted(clock: FakeClock, skew: float) -> None:
    Authenticator(EmulatorSettings(), clock).authenticate(signed(clock, skew=skew))


@pytest.mark.fact("F-AUTH-3")
@pytest.mark.parametrize("skew", [-901, 901])
def test_a_date_a_second_further_off_has_expired(clock: FakeClock, skew: float) -> None:
    denied = refusal(Authenticator(EmulatorSettings(), clock), signed(clock, skew=skew))
    assert denied.message == PREFIX + "verify aksk signature fail, signature expired"
    assert denied.error_code == "APIG.0301"


def test_the_date_window_follows_its_setting(clock: FakeClock) -> None:
    authenticator = Authenticator(EmulatorSettings(date_window_seconds=60), clock)
    authenticator.authenticate(signed(clock, skew=60))
    assert "expired" in refusal(authenticator, signed(clock, skew=61)).message


def fail(authenticator: Authenticator, clock: FakeClock, times: int = 1) -> None:
    for _ in range(times):
        assert refusal(authenticator, signed(clock, sk="wrong")).message == PREFIX + "verify aksk signature fail"


LOCKED = PREFIX + "AK access failed to reach the limit,forbidden"


@pytest.mark.fact("F-AUTH-4", "F-AUTH-5")
def test_the_sixth_failure_locks_the_key_for_exactly_300_seconds(clock: FakeClock) -> None:
    authenticator = Authenticator(EmulatorSettings(), clock)
    fail(authenticator, clock, 6)
    clock.advance(299)
    denied = refusal(authenticator, signed(clock))
    assert (denied.error_code, denied.message) == ("APIG.0301", LOCKED)
    clock.advance(1)
    assert authenticator.authenticate(signed(clock)).access_key == DEMO_AK


def test_after_a_lockout_the_count_starts_again(clock: FakeClock) -> None:
    """A failure just after a lockout expired is the first of a new count, not the seventh."""
    authenticator = Authenticator(EmulatorSettings(), clock)
    fail(authenticator, clock, 6)
    clock.advance(300)
    fail(authenticator, clock, 5)
    authenticator.authenticate(signed(clock))


def test_a_lockout_refuses_even_the_right_signature_and_only_for_that_key(clock: FakeClock) -> None:
    settings = EmulatorSettings(tenants=(DEMO_TENANT, OTHER))
    authenticator = Authenticator(settings, clock)
    fail(authenticator, clock, 6)
    assert refusal(authenticator, signed(clock)).message == LOCKED
    assert authenticator.authenticate(signed(clock, ak="OTHERAK", sk="OTHERSK")).tenant == OTHER


@pytest.mark.parametrize(("failures", "seconds"), [(1, 10.0), (2, 0.5)])
def test_lockout_count_and_length_follow_their_settings(clock: FakeClock, failures: int, seconds: float) -> None:
    authenticator = Authenticator(EmulatorSettings(lockout_failures=failures, lockout_seconds=seconds), clock)
    fail(authenticator, clock, failures)
    authenticator.authenticate(signed(clock))
    fail(authenticator, clock, failures + 1)
    assert refusal(authenticator, signed(clock)).message == LOCKED
    clock.advance(seconds)
    authenticator.authenticate(signed(clock))


@pytest.mark.fact("F-AUTH-1", "F-AUTH-5")
def test_tokens_find_their_own_tenant_and_ignore_surrounding_spaces(clock: FakeClock) -> None:
    authenticator = Authenticator(EmulatorSettings(tenants=(DEMO_TENANT, OTHER)), clock)
    base = ReceivedRequest("GET", "/", [], {}, b"")
    for token, tenant in [(DEMO_TOKEN, DEMO_TENANT), (" other-token ", OTHER)]:
        principal = authenticator.authenticate(replace(base, headers={"x-auth-token": token}))
        assert (principal.tenant, principal.method, principal.access_key) == (tenant, "token", None)
    denied = refusal(authenticator, replace(base, headers={"x-auth-token": "nope"}))
    assert denied.message == PREFIX + "decrypt token fail"
    assert refusal(authenticator, base).message == PREFIX + "x-auth-token not found"


@pytest.mark.fact("F-AUTH-5")
def test_each_refusal_says_why(clock: FakeClock) -> None:
    authenticator = Authenticator(EmulatorSettings(), clock)
    request = signed(clock)
    no_date = replace(request, headers={k: v for k, v in request.headers.items() if k != "x-sdk-date"})
    assert refusal(authenticator, no_date).message == PREFIX + "X-Sdk-Date not found"
    bad_date = replace(request, headers={**request.headers, "x-sdk-date": "yesterday"})
    assert refusal(authenticator, bad_date).message == PREFIX + "X-Sdk-Date is not in the format YYYYMMDDTHHMMSSZ"
    unsigned = replace(request, headers={k: v for k, v in request.headers.items() if k != "workspace"})
    assert refusal(authenticator, unsigned).message == (
        PREFIX + "verify aksk signature fail, signed headers do not match the request"
    )
    unknown = refusal(authenticator, signed(clock, ak="UNKNOWNACCESSKEY1234"))
    assert unknown.message == PREFIX + "Get secretKey failed,ak:UNKN…,err:ak not exist"
    garbled = replace(request, headers={**request.headers, "authorization": "SDK-HMAC-SHA256 nonsense"})
    assert refusal(authenticator, garbled).message == PREFIX + "Authorization is not a valid SDK-HMAC-SHA256 header"


def test_temporary_credentials_accept_their_token_with_spaces_around(clock: FakeClock) -> None:
    tenant = Tenant("p", ("w",), access_keys=(AccessKey("TEMPAK", "TEMPSK", "sec"),), name="temp")
    authenticator = Authenticator(EmulatorSettings(tenants=(tenant,)), clock)
    request = signed(clock, ak="TEMPAK", sk="TEMPSK", security_token="sec")
    spaced = replace(request, headers={**request.headers, "x-security-token": " sec "})
    assert authenticator.authenticate(spaced).tenant == tenant
    wrong = refusal(authenticator, signed(clock, ak="TEMPAK", sk="TEMPSK", security_token="other"))
    assert wrong.message == PREFIX + "verify security token fail"
    permanent = refusal(Authenticator(EmulatorSettings(), clock), signed(clock, security_token="sec"))
    assert permanent.message == PREFIX + "security token sent with a permanent access key"


def test_received_body_hash_follows_the_declared_hash() -> None:
    assert received_body_hash(b"", {"x-sdk-content-sha256": UNSIGNED_PAYLOAD}) == EMPTY_BODY_HASH
    assert received_body_hash(b"x", {"x-sdk-content-sha256": f" {UNSIGNED_PAYLOAD} "}) == UNSIGNED_PAYLOAD
    assert received_body_hash(b"x", {"x-sdk-content-sha256": "f" * 64}) == hashlib.sha256(b"x").hexdigest()
    assert received_body_hash(b"x", {}) == hashlib.sha256(b"x").hexdigest()


def test_undecodable_credentials_are_refused_not_crashed_on(clock: FakeClock) -> None:
    """Header bytes that are not UTF-8 reach authentication as lone surrogates: a 401, never a 500."""
    authenticator = Authenticator(EmulatorSettings(), clock)
    base = ReceivedRequest("GET", "/", [], {}, b"")
    denied = refusal(authenticator, replace(base, headers={"x-auth-token": "tok\udcff"}))
    assert denied.message == PREFIX + "decrypt token fail"
    tenant = Tenant("p", ("w",), access_keys=(AccessKey("TEMPAK", "TEMPSK", "sec"),), name="temp")
    request = signed(clock, ak="TEMPAK", sk="TEMPSK", security_token="sec")
    garbled = replace(request, headers={**request.headers, "x-security-token": "sec\udcff"})
    assert refusal(Authenticator(EmulatorSettings(tenants=(tenant,)), clock), garbled).message == (
        PREFIX + "verify security token fail"
    )


def test_the_sdk_date_is_read_as_utc_whatever_the_local_time_zone(
    clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        Authenticator(EmulatorSettings(), clock).authenticate(signed(clock, skew=900))
    finally:
        monkeypatch.undo()
        time.tzset()


NEIGHBOUR = Tenant(DEMO_PROJECT_ID, ("neighbour-workspace",), ("neighbour-token",), name="neighbour")
AUTHORIZER = Authorizer((DEMO_TENANT, NEIGHBOUR, OTHER))


@pytest.mark.fact("F-WS-3", "F-EMU-2")
@pytest.mark.parametrize(
    ("project_id", "workspace", "x_project_id", "message"),
    [
        ("another-project", DEMO_WORKSPACE, None, "The credentials do not grant access to this project."),
        (DEMO_PROJECT_ID, DEMO_WORKSPACE, "another-project", "The credentials do not grant access to this project."),
        (DEMO_PROJECT_ID, "neighbour-workspace", None, "No permission to access this workspace."),
        # Another project's workspace that exists there: still about the project, nothing said of its workspaces.
        ("other-project", "other-workspace", None, "The credentials do not grant access to this project."),
        ("other-project", "no-such-workspace", None, "The credentials do not grant access to this project."),
    ],
)
def test_authorize_refusals_are_403_emu_0403_naming_what_is_not_granted(
    project_id: str, workspace: str, x_project_id: str | None, message: str
) -> None:
    with pytest.raises(Forbidden) as caught:
        AUTHORIZER.authorize(Principal(DEMO_TENANT, "token"), project_id, workspace, x_project_id)
    assert (caught.value.status, caught.value.error_code, caught.value.message) == (403, "EMU.0403", message)


@pytest.mark.fact("F-WS-1", "F-WS-2")
def test_a_workspace_no_tenant_of_the_project_has_is_400_dlg_0818() -> None:
    for principal in (Principal(DEMO_TENANT, "token"), Principal(NEIGHBOUR, "token")):
        with pytest.raises(WorkspaceNotFound) as caught:
            AUTHORIZER.authorize(principal, DEMO_PROJECT_ID, "unknown-workspace", None)
        assert (caught.value.status, caught.value.error_code) == (400, "DLG.0818")
    # "other-workspace" exists, but in another project: in this one it does not.
    with pytest.raises(WorkspaceNotFound):
        AUTHORIZER.authorize(Principal(DEMO_TENANT, "token"), DEMO_PROJECT_ID, "other-workspace", None)
    # With only the demo tenant configured, the neighbour's workspace does not exist either.
    with pytest.raises(WorkspaceNotFound):
        Authorizer((DEMO_TENANT,)).authorize(
            Principal(DEMO_TENANT, "token"), DEMO_PROJECT_ID, "neighbour-workspace", None
        )


@pytest.mark.fact("F-WS-3")
def test_authorize_grants_the_tenants_own_project_and_workspace() -> None:
    AUTHORIZER.authorize(Principal(DEMO_TENANT, "token"), DEMO_PROJECT_ID, DEMO_WORKSPACE, DEMO_PROJECT_ID)
    AUTHORIZER.authorize(Principal(DEMO_TENANT, "token"), DEMO_PROJECT_ID, DEMO_WORKSPACE, None)
    AUTHORIZER.authorize(Principal(NEIGHBOUR, "token"), DEMO_PROJECT_ID, "neighbour-workspace", None)
