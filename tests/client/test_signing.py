"""AkSkAuth signs exactly as Huawei's official SDK signs: byte-identical ``Authorization`` headers.

The reference is ``huaweicloudsdkcore`` itself (a test-only dependency):
for each request, the official ``BasicCredentials.sign_request`` signs an
``SdkRequest`` made of the same method, wire path, query pairs, headers and
body, and both ``Authorization`` values must be equal. Requests come from
hypothesis (odd path segments, repeated and unicode query values, JSON and
non-JSON bodies, extra headers, security token, project id) and from the
generated client's own request builders. The clock is fixed.
"""

from __future__ import annotations

import hashlib
import json
import string
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataarts_export_client import Client
from dataarts_export_client.api.export import export_design_models, export_design_result
from dataarts_export_client.lib import AkSkAuth
from dataarts_export_client.lib.errors import ConfigurationError
from dataarts_export_client.lib.signing import (
    UNSIGNED_PAYLOAD,
    canonical_query,
    combined_headers,
    format_sdk_date,
    parse_authorization,
    payload_hash,
)
from dataarts_export_client.models import ExportParam

from .client_fakes import AK, BASE_URL, PROJECT_ID, SIGNED_AT, SK, UUID, WORKSPACE, Script, status

SDK_DATE = "20240506T070809Z"

# Headers httpx or the signer set themselves; generated extra headers avoid them.
_RESERVED = {
    "host",
    "accept",
    "accept-encoding",
    "connection",
    "user-agent",
    "content-type",
    "content-length",
    "authorization",
    "transfer-encoding",
    "te",
    "keep-alive",
    "x-sdk-date",
    "x-sdk-content-sha256",
    "x-project-id",
    "x-security-token",
}

segment_text = st.text(
    alphabet=st.sampled_from([*"ab~-._ %/?#+&=;:@!$'()*,[]", "é", "中", "🙂", "\u00a0"]), min_size=1, max_size=8
)
query_text = st.text(alphabet=st.sampled_from([*"aZ0 ~-._%+&=/?#", "é", "中", "🙂"]), max_size=8)
header_name = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=12).filter(
    lambda name: name.lower() not in _RESERVED and name[0] != "-"
)
header_value = st.text(alphabet=string.ascii_letters + string.digits + " -_.;=/,", max_size=16)


@st.composite
def raw_paths(draw: st.DrawFn) -> str:
    """A path whose segments are percent-encoded in varied ways (fully, keeping sub-delims, keeping ~)."""
    segments = draw(st.lists(segment_text, min_size=1, max_size=4))
    safes = st.sampled_from(["", "~", "~!$'()*,;=:@", "~!$&'()*+,;=:@"])
    encoded = [quote(segment, safe=draw(safes)) for segment in segments]
    trailing = draw(st.sampled_from(["", "/"]))
    return "/v2/" + "/".join(encoded) + trailing


bodies = st.one_of(
    st.none(),
    st.tuples(
        st.just("json"),
        st.dictionaries(st.text(max_size=5), st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
        st.sampled_from(["application/json", "application/json;charset=UTF-8"]),
    ),
    st.tuples(
        st.just("raw"),
        st.binary(min_size=1, max_size=32),
        st.sampled_from(["text/plain", "application/octet-stream", "application/xml", "multipart/form-data"]),
    ),
    st.tuples(st.just("raw"), st.just(b""), st.sampled_from(["text/plain"])),
)


def official_authorization(
    *,
    method: str,
    url: httpx.URL,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
    project_id: str | None,
    security_token: str | None,
) -> tuple[str, SdkRequest]:
    """Sign with the official SDK: ``BasicCredentials.sign_request`` over an ``SdkRequest``."""
    request = SdkRequest(
        method=method,
        schema=url.scheme,
        host=url.netloc.decode("ascii"),
        resource_path=url.raw_path.decode("ascii").split("?", 1)[0],
        query_params=list(query),
        header_params=dict(headers),
        body=body,
    )
    credentials = BasicCredentials(AK, SK, project_id)
    if security_token is not None:
        credentials = credentials.with_security_token(security_token)
    signed = credentials.sign_request(request)
    return signed.header_params["Authorization"], signed


def capture(auth: AkSkAuth, method: str, url: str, **kwargs: Any) -> httpx.Request:
    """Send a request through ``auth`` into a MockTransport and return the request as it went out."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.request(method, url, **kwargs)
    return seen[0]


@pytest.mark.fact("F-AUTH-2")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    path=raw_paths(),
    query=st.lists(st.tuples(st.text(alphabet="ab_~é", min_size=1, max_size=3), query_text), max_size=5),
    extra=st.dictionaries(header_name, header_value, max_size=4),
    body=bodies,
    project_id=st.one_of(st.none(), st.just(PROJECT_ID)),
    security_token=st.one_of(st.none(), st.text(alphabet=string.ascii_letters + string.digits + "+/=", min_size=1)),
)
def test_authorization_is_byte_identical_to_official_sdk(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    extra: dict[str, str],
    body: tuple[str, Any, str] | None,
    project_id: str | None,
    security_token: str | None,
) -> None:
    lowered: dict[str, str] = {}
    for name in extra:
        lowered.setdefault(name.lower(), name)
    extra = {name: extra[name] for name in lowered.values()}
    headers = {**extra, "workspace": WORKSPACE}
    content = b""
    if body is not None:
        kind, payload, content_type = body
        content = json.dumps(payload).encode() if kind == "json" else payload
        headers["Content-Type"] = content_type
    auth = AkSkAuth(AK, SK, project_id=project_id, security_token=security_token, clock=lambda: SIGNED_AT)
    sent = capture(auth, method, BASE_URL + path, params=query, headers=headers, content=content)

    expected_headers = {
        "Host": sent.url.netloc.decode("ascii"),
        "Accept": "*/*",
        "User-Agent": sent.headers["User-Agent"],
        "X-Sdk-Date": SDK_DATE,
        **headers,
    }
    expected, official = official_authorization(
        method=method,
        url=sent.url,
        query=query,
        headers=expected_headers,
        body=content,
        project_id=project_id,
        security_token=security_token,
    )
    assert sent.headers["Authorization"] == expected
    # What went on the wire is what was signed: the SDK's canonical query, and the same signed headers.
    assert sent.url.query.decode("ascii") == Signer.process_canonical_query_string(official)
    for name in ("X-Project-Id", "X-Security-Token", "X-Sdk-Content-Sha256"):
        assert sent.headers.get(name) == official.header_params.get(name)


def _generated_client(auth: AkSkAuth, script: Script) -> Client:
    return Client(BASE_URL, httpx_args={"auth": auth, "transport": script.transport()})


def _expected_for_generated(sent: httpx.Request, kwargs: dict[str, Any], project_id: str | None) -> str:
    headers: dict[str, str] = {
        "Host": "127.0.0.1:9",
        "Accept": "*/*",
        "User-Agent": sent.headers["User-Agent"],
        "X-Sdk-Date": SDK_DATE,
    }
    headers.update({name: str(value) for name, value in kwargs["headers"].items()})
    expected, _ = official_authorization(
        method=kwargs["method"].upper(),
        url=sent.url,
        query=httpx.URL(kwargs["url"]).params.multi_items(),
        headers=headers,
        body=sent.content,
        project_id=project_id,
        security_token="temporary-token",
    )
    return expected


@pytest.mark.parametrize("project_id", [None, PROJECT_ID])
@pytest.mark.parametrize(
    ("path_project", "uuid"),
    [(PROJECT_ID, UUID), ("odd project/é~%", "a b+c&d=é"), ("~", "x")],
)
def test_generated_export_design_result_request_signs_like_official(
    project_id: str | None, path_project: str, uuid: str
) -> None:
    script = Script(status())
    client = _generated_client(
        AkSkAuth(AK, SK, project_id=project_id, security_token="temporary-token", clock=lambda: SIGNED_AT), script
    )
    kwargs = export_design_result.request_kwargs(path_project, uuid=uuid, workspace=WORKSPACE)
    client.get_httpx_client().request(**kwargs)
    sent = script.requests[0]
    assert sent.headers["Authorization"] == _expected_for_generated(sent, kwargs, project_id)


def test_generated_sync_detailed_call_is_signed_like_official() -> None:
    script = Script(status())
    client = _generated_client(AkSkAuth(AK, SK, security_token="temporary-token", clock=lambda: SIGNED_AT), script)
    export_design_result.sync_detailed(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)
    sent = script.requests[0]
    kwargs = export_design_result.request_kwargs(PROJECT_ID, uuid=UUID, workspace=WORKSPACE)
    assert sent.headers["Authorization"] == _expected_for_generated(sent, kwargs, None)


@pytest.mark.parametrize(
    "body",
    [
        ExportParam(ids=["1224641525420683264", "1224641525420683265"], type_="TABLE_MODEL", asyn=True),
        ExportParam(),
        ExportParam(biz_catalog_id_list=["é中", "a b"], directory_id="7"),
    ],
)
def test_generated_export_design_models_request_signs_like_official(body: ExportParam) -> None:
    script = Script(httpx.Response(200, json={"data": {"uuid": UUID}}))
    client = _generated_client(
        AkSkAuth(AK, SK, project_id=PROJECT_ID, security_token="temporary-token", clock=lambda: SIGNED_AT), script
    )
    kwargs = export_design_models.request_kwargs(PROJECT_ID, body=body, workspace=WORKSPACE, x_project_id=PROJECT_ID)
    client.get_httpx_client().request(**kwargs)
    sent = script.requests[0]
    assert sent.headers["Authorization"] == _expected_for_generated(sent, kwargs, PROJECT_ID)
    assert "X-Sdk-Content-Sha256" not in sent.headers  # JSON bodies are hashed, not UNSIGNED-PAYLOAD


@pytest.mark.fact("F-PARAM-2")
def test_credentials_project_id_wins_over_request_header_as_in_sdk() -> None:
    auth = AkSkAuth(AK, SK, project_id=PROJECT_ID, clock=lambda: SIGNED_AT)
    sent = capture(auth, "GET", BASE_URL + "/v2/x", headers={"X-Project-Id": "other"})
    assert sent.headers["X-Project-Id"] == PROJECT_ID


def test_existing_sdk_date_is_kept() -> None:
    auth = AkSkAuth(AK, SK, clock=lambda: SIGNED_AT)
    sent = capture(auth, "GET", BASE_URL + "/v2/x", headers={"X-Sdk-Date": "20200101T000000Z"})
    assert sent.headers["X-Sdk-Date"] == "20200101T000000Z"


def test_default_clock_is_current_utc_time() -> None:
    sent = capture(AkSkAuth(AK, SK), "GET", BASE_URL + "/v2/x")
    stamped = datetime.strptime(sent.headers["X-Sdk-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - stamped).total_seconds()) < 300


def test_declared_content_hash_is_used_as_the_sdk_does() -> None:
    assert payload_hash(b"{}", "application/json", UNSIGNED_PAYLOAD) == UNSIGNED_PAYLOAD
    assert payload_hash(b"", "text/plain", UNSIGNED_PAYLOAD) != UNSIGNED_PAYLOAD
    headers = {"Content-Type": "application/json", "X-Sdk-Content-Sha256": UNSIGNED_PAYLOAD}
    auth = AkSkAuth(AK, SK, clock=lambda: SIGNED_AT)
    sent = capture(auth, "POST", BASE_URL + "/v2/x", headers=headers, content=b'{"a": 1}')
    expected, _ = official_authorization(
        method="POST",
        url=sent.url,
        query=[],
        headers={
            "Host": "127.0.0.1:9",
            "Accept": "*/*",
            "User-Agent": sent.headers["User-Agent"],
            "X-Sdk-Date": SDK_DATE,
            **headers,
        },
        body=b'{"a": 1}',
        project_id=None,
        security_token=None,
    )
    assert sent.headers["Authorization"] == expected


def test_canonical_query_sorts_and_encodes_like_sdk() -> None:
    pairs = [("b", "2"), ("a", "x y"), ("a", "~é")]
    assert canonical_query(pairs) == "a=x%20y&a=~%C3%A9&b=2"


def test_authorization_round_trips_through_parser() -> None:
    sent = capture(AkSkAuth(AK, SK, clock=lambda: SIGNED_AT), "GET", BASE_URL + "/v2/x")
    parsed = parse_authorization(sent.headers["Authorization"])
    assert parsed is not None
    access, names, signature_hex = parsed
    assert access == AK
    assert names == sorted(names)
    assert len(signature_hex) == 64
    assert parse_authorization("Bearer abc") is None


def test_repr_hides_secret_key_and_security_token() -> None:
    auth = AkSkAuth(AK, SK, project_id=PROJECT_ID, security_token="sts-secret-token")
    text = repr(auth)
    assert SK not in text
    assert "sts-secret-token" not in text
    assert AK not in text  # the access key is masked as well
    assert PROJECT_ID in text


@pytest.mark.parametrize(("ak", "sk"), [("", SK), (AK, "")])
def test_empty_keys_are_refused(ak: str, sk: str) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        AkSkAuth(ak, sk)


def _official_for(sent: httpx.Request, headers: dict[str, str], body: bytes, **credentials: str | None) -> SdkRequest:
    """The official SDK's signing of what ``sent`` carried (``headers``: those the caller set)."""
    _, official = official_authorization(
        method=sent.method,
        url=sent.url,
        query=list(sent.url.params.multi_items()),
        headers={
            "Host": sent.url.netloc.decode("ascii"),
            "Accept": "*/*",
            "User-Agent": sent.headers["User-Agent"],
            "X-Sdk-Date": SDK_DATE,
            **headers,
        },
        body=body,
        project_id=credentials.get("project_id"),
        security_token=credentials.get("security_token"),
    )
    return official


def test_bson_bodies_are_hashed_like_json_as_in_sdk() -> None:
    """The SDK hashes ``application/bson`` bodies (no UNSIGNED-PAYLOAD), like JSON ones."""
    body = b"\x05\x00\x00\x00\x00"
    headers = {"Content-Type": "application/bson"}
    sent = capture(AkSkAuth(AK, SK, clock=lambda: SIGNED_AT), "POST", BASE_URL + "/v2/x", headers=headers, content=body)
    official = _official_for(sent, headers, body)
    assert "X-Sdk-Content-Sha256" not in sent.headers
    assert "X-Sdk-Content-Sha256" not in official.header_params
    assert sent.headers["Authorization"] == official.header_params["Authorization"]


def test_payload_hash_follows_the_sdk_rules() -> None:
    """What a verifier recomputes: empty bodies, JSON and BSON hashed, other types unsigned, declared hashes kept."""
    assert payload_hash(b"", None) == hashlib.sha256(b"").hexdigest()
    assert payload_hash(b"{}", "application/json") == hashlib.sha256(b"{}").hexdigest()
    assert payload_hash(b"{}", "application/bson") == hashlib.sha256(b"{}").hexdigest()
    assert payload_hash(b"{}", None) == hashlib.sha256(b"{}").hexdigest()
    assert payload_hash(b"a,b", "text/csv") == UNSIGNED_PAYLOAD
    assert payload_hash(b"a,b", "text/csv", "f" * 64) == "f" * 64


def test_declared_body_hash_is_signed_as_declared() -> None:
    """A caller that declares the real SHA-256 of a JSON body gets the signature the SDK computes from it."""
    body = b'{"ids": ["1"]}'
    headers = {"Content-Type": "application/json", "X-Sdk-Content-Sha256": hashlib.sha256(body).hexdigest()}
    sent = capture(AkSkAuth(AK, SK, clock=lambda: SIGNED_AT), "POST", BASE_URL + "/v2/x", headers=headers, content=body)
    assert sent.headers["Authorization"] == _official_for(sent, headers, body).header_params["Authorization"]
    other = {**headers, "X-Sdk-Content-Sha256": "0" * 64}
    resent = capture(AkSkAuth(AK, SK, clock=lambda: SIGNED_AT), "POST", BASE_URL + "/v2/x", headers=other, content=body)
    assert resent.headers["Authorization"] != sent.headers["Authorization"]


def test_a_non_json_body_is_unsigned_payload_even_with_a_declared_hash_as_in_the_sdk() -> None:
    """The SDK's signer sets UNSIGNED-PAYLOAD for a non-JSON Content-Type over whatever the caller declared."""
    body = b"a,b\n1,2\n"
    headers = {"Content-Type": "text/csv", "X-Sdk-Content-Sha256": hashlib.sha256(body).hexdigest()}
    sent = capture(AkSkAuth(AK, SK, clock=lambda: SIGNED_AT), "POST", BASE_URL + "/v2/x", headers=headers, content=body)
    official = _official_for(sent, headers, body)
    assert sent.headers["X-Sdk-Content-Sha256"] == official.header_params["X-Sdk-Content-Sha256"] == UNSIGNED_PAYLOAD
    assert sent.headers["Authorization"] == official.header_params["Authorization"]


HEADER_LISTS = st.lists(
    st.tuples(st.sampled_from(["X-A", "x-a", "Workspace", "X-B"]), st.text(alphabet="ab, é中", max_size=4)), max_size=6
)


@given(HEADER_LISTS)
def test_headers_are_read_as_httpx_items_gives_them_repeated_names_joined(raw: list[tuple[str, str]]) -> None:
    headers = httpx.Headers([(name.encode("ascii"), value.encode("utf-8")) for name, value in raw])
    assert combined_headers(headers.raw, headers.encoding) == {name.lower(): value for name, value in headers.items()}


def test_a_repeated_header_is_signed_with_its_values_joined() -> None:
    headers = httpx.Headers([("X-A", "1"), ("x-a", "2")])
    assert combined_headers(headers.raw, headers.encoding) == {"x-a": "1, 2"}


def test_streamed_body_is_signed_like_the_same_bytes_in_memory() -> None:
    """A body given as an iterator of chunks is read before signing and hashed whole, as the SDK hashes it."""
    chunks = [b'{"ids": ', b'["1224641525420683264"], ', b'"type": "TABLE_MODEL"}']
    headers = {"Content-Type": "application/json"}

    def stream() -> Iterator[bytes]:
        yield from chunks

    auth = AkSkAuth(AK, SK, clock=lambda: SIGNED_AT)
    sent = capture(auth, "POST", BASE_URL + "/v2/x", headers=headers, content=stream())
    assert (
        sent.headers["Authorization"] == _official_for(sent, headers, b"".join(chunks)).header_params["Authorization"]
    )


def test_headers_on_the_wire_are_spelled_as_the_sdk_spells_them() -> None:
    """The signer adds exactly the header names the SDK adds, in the SDK's spelling."""
    headers = {"Content-Type": "text/plain"}
    credentials = {"project_id": PROJECT_ID, "security_token": "temporary-token"}
    auth = AkSkAuth(AK, SK, clock=lambda: SIGNED_AT, project_id=PROJECT_ID, security_token="temporary-token")
    sent = capture(auth, "PUT", BASE_URL + "/v2/x", headers=headers, content=b"plain")
    official = _official_for(sent, headers, b"plain", **credentials)
    added = {"X-Project-Id", "X-Security-Token", "X-Sdk-Date", "X-Sdk-Content-Sha256", "Authorization"}
    assert added <= set(official.header_params)
    assert added <= {name.decode("ascii") for name, _ in sent.headers.raw}
    assert sent.headers["Authorization"] == official.header_params["Authorization"]


def test_parse_authorization_returns_each_part() -> None:
    value = f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-project-id;x-sdk-date, Signature={'a1' * 32}"
    assert parse_authorization(value) == (AK, ["host", "x-project-id", "x-sdk-date"], "a1" * 32)
    assert parse_authorization(f"  {value}\n") == (AK, ["host", "x-project-id", "x-sdk-date"], "a1" * 32)
    assert parse_authorization(value.replace("SDK-HMAC-SHA256", "SDK-HMAC-SHA1")) is None
    assert parse_authorization(value.replace("Signature=a1", "Signature=Z1")) is None


def test_sdk_date_is_utc_whatever_the_local_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock in another zone, on a machine in yet another zone, still stamps UTC."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        eastern = SIGNED_AT.astimezone(timezone(timedelta(hours=-5)))
        assert format_sdk_date(eastern) == SDK_DATE
        sent = capture(AkSkAuth(AK, SK, clock=lambda: eastern), "GET", BASE_URL + "/v2/x")
        assert sent.headers["X-Sdk-Date"] == SDK_DATE
    finally:
        monkeypatch.undo()
        time.tzset()


def test_repr_shows_what_is_safe_to_show() -> None:
    plain = AkSkAuth(AK, SK, project_id=PROJECT_ID)
    assert repr(plain) == f"AkSkAuth(ak='HPUA…', sk=***, project_id='{PROJECT_ID}')"
    temporary = AkSkAuth(AK, SK, security_token="sts-secret-token")
    assert repr(temporary) == "AkSkAuth(ak='HPUA…', sk=***, project_id=None, security_token=***)"


def test_empty_key_message_names_both_keys() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AkSkAuth(AK, "")
    assert str(caught.value) == "AkSkAuth needs a non-empty access key and secret key"
