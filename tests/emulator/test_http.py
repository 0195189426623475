"""The HTTP layer end to end, in process; every answer is checked against the spec by the ``api`` fixture."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import replace

import httpx
import openpyxl
import pytest

from dataarts_emulator import (
    DEMO_AK,
    DEMO_PROJECT_ID,
    DEMO_SK,
    DEMO_WORKSPACE,
    AccessKey,
    EmulatorSettings,
    Tenant,
    responses,
)
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.validation import MAX_JSON_DEPTH
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client.lib.signing import AkSkAuth

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS, ClientFactory, FakeClock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_UTF8 = "application/json;charset=UTF-8"


async def start(api: httpx.AsyncClient, body: object, headers: dict[str, str] | None = None) -> str:
    response = await api.post(EXPORT_MODEL, headers=headers or TOKEN_HEADERS, json=body)
    assert response.status_code == 200, response.text
    uuid: str = response.json()["data"]["uuid"]
    return uuid


async def result(api: httpx.AsyncClient, uuid: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return await api.get(EXPORT_RESULT, params={"uuid": uuid}, headers=headers or TOKEN_HEADERS)


@pytest.mark.fact("F-OP-1", "F-OP-2", "F-RESULT-1", "F-RESULT-2", "F-RESULT-4", "F-RATE-1", "F-EMU-10")
async def test_export_runs_then_returns_the_workbook(api: httpx.AsyncClient, clock: FakeClock) -> None:
    uuid = await start(api, {"ids": ["1224641525420683264", "42"], "type": "TABLE_MODEL", "asyn": True})
    first = await result(api, uuid)
    assert first.headers["content-type"] == JSON_UTF8
    assert first.json() == {"data": {"status": "importing", "group": None, "rate": "0"}}
    clock.advance(3.7)
    assert (await result(api, uuid)).json()["data"]["rate"] == "37"
    clock.advance(10)
    done = await result(api, uuid)
    assert done.status_code == 200
    assert done.headers["content-type"] == XLSX
    assert done.headers["content-length"] == str(len(done.content))
    disposition = done.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="dataarts-export-{uuid}.xlsx"')
    assert f"filename*=UTF-8''dataarts-export-{uuid}.xlsx" in disposition
    sheet = openpyxl.load_workbook(io.BytesIO(done.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["1224641525420683264", "42"]
    # The same file again: retrieving does not consume the export.
    assert (await result(api, uuid)).content == done.content


async def test_synchronous_export_is_ready_at_once(api: httpx.AsyncClient) -> None:
    uuid = await start(api, {"ids": ["1"], "type": "codeTable", "asyn": False})
    assert (await result(api, uuid)).headers["content-type"] == XLSX


@pytest.mark.fact("F-EMU-10")
async def test_failed_export_reports_the_group(api: httpx.AsyncClient, clock: FakeClock) -> None:
    uuid = await start(api, {"ids": ["1", "will-fail"], "type": "TABLE_MODEL"})
    clock.advance(11)
    data = (await result(api, uuid)).json()["data"]
    assert data["status"] == "fail"
    assert data["rate"] == "100"
    group = data["group"]
    assert (group["operation_status"], group["total"], group["success"], group["failed"]) == ("FAILED", 2, 1, 1)
    assert "will-fail" in group["logs"]


@pytest.mark.fact("F-PARAM-3")
async def test_get_with_a_content_type_but_no_body_is_accepted(api: httpx.AsyncClient) -> None:
    uuid = await start(api, {})
    response = await result(api, uuid, {**TOKEN_HEADERS, "Content-Type": "text/plain"})
    assert response.status_code == 200


@pytest.mark.fact("F-EMU-3", "F-ERR-1")
async def test_unknown_uuid_is_a_400_with_the_emulator_s_own_emu_0404(api: httpx.AsyncClient) -> None:
    """Not DLG.0818: that code means a missing workspace (F-WS-1); no source names the service's code here."""
    response = await result(api, "fd653968-864b-45f6-9842-2b125d2dbfb7")
    assert response.status_code == 400
    assert response.json() == {"error_code": "EMU.0404", "error_msg": "The export task does not exist.", "data": {}}


async def test_uuid_of_another_tenant_answers_like_an_unknown_one(make_client: ClientFactory) -> None:
    other = Tenant("otherproject", ("ws-a", "ws-b"), tokens=("other-token",))
    api = make_client(EmulatorSettings(tenants=(EmulatorSettings().tenants[0], other), seed=1))
    foreign = await start(api, {"ids": ["1"]})
    other_headers = {"X-Auth-Token": "other-token", "workspace": "ws-a"}
    path = "/v2/otherproject/design/export-result"
    own = await start(api, {"ids": ["1"]}, None)
    assert own != foreign
    unknown = await api.get(path, params={"uuid": "no-such-export"}, headers=other_headers)
    cross = await api.get(path, params={"uuid": foreign}, headers=other_headers)
    assert (cross.status_code, cross.json()) == (unknown.status_code, unknown.json())
    # Same project, other workspace: also unknown.
    ws_uuid = await start(api, {}, None)
    other_ws = await api.get(path, params={"uuid": ws_uuid}, headers={**other_headers, "workspace": "ws-b"})
    assert (other_ws.status_code, other_ws.json()) == (unknown.status_code, unknown.json())


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"workspace": DEMO_WORKSPACE}, {"ids": ["1"]}, 401),  # no credentials
        ({"X-Auth-Token": "wrong", "workspace": DEMO_WORKSPACE}, {}, 401),
        ({"X-Auth-Token": "wrong"}, {"ids": [1]}, 401),  # 401 wins over invalid input
        (TOKEN_HEADERS, {"ids": [1]}, 400),
        (TOKEN_HEADERS, {"ids": ["1", "1"]}, 400),
        (TOKEN_HEADERS, {"biz_catalog_id_list": []}, 400),
        (TOKEN_HEADERS, {"asyn": "yes"}, 400),
        (TOKEN_HEADERS, ["not", "an", "object"], 400),
        ({"X-Auth-Token": TOKEN_HEADERS["X-Auth-Token"]}, {}, 400),  # missing workspace header
        ({**TOKEN_HEADERS, "workspace": "unknown-ws"}, {"ids": [1]}, 400),  # invalid input wins
        ({**TOKEN_HEADERS, "workspace": "unknown-ws"}, {}, 400),  # DLG.0818: no such workspace
        ({**TOKEN_HEADERS, "workspace": "unknown-ws", "X-Project-Id": "another-project"}, {}, 403),  # project first
        ({**TOKEN_HEADERS, "X-Project-Id": "another-project"}, {}, 403),
        ({**TOKEN_HEADERS, "X-Project-Id": ""}, {}, 400),
        ({**TOKEN_HEADERS, "workspace": "w" * 65}, {}, 400),
        ({**TOKEN_HEADERS, "workspace": "ws"}, {}, 400),  # 3 to 64 characters
    ],
)
@pytest.mark.fact("F-PARAM-1", "F-AUTH-5", "F-WS-1", "F-WS-3", "F-EMU-1", "F-EMU-2")
async def test_status_codes_and_their_order(
    api: httpx.AsyncClient, headers: dict[str, str], body: object, expected: int
) -> None:
    response = await api.post(EXPORT_MODEL, headers=headers, json=body)
    assert response.status_code == expected, response.text
    payload = response.json()
    if expected == 401:
        assert payload["error_code"] == "APIG.0301"
    if expected == 403:
        assert payload["error_code"] == "EMU.0403"
    if expected == 400 and "errors" in payload:
        assert payload["errors"][0]["error_code"] == "DLG.0818"
        assert headers.get("workspace") == "unknown-ws"
    elif expected == 400:
        assert payload["error_code"] == "EMU.0400"


async def test_bad_bodies_name_the_problem(api: httpx.AsyncClient) -> None:
    headers = {**TOKEN_HEADERS, "Content-Type": "application/json"}
    cases = {
        b"{not json": "request body",
        b"": "Missing required request body",
        b'{"ids": [1]}': "ids/0",
        b'{"type": 5}': "type",
        b"\xff\xfe{}": "JSON must be UTF-8 text",
        b"[" * 5000 + b"]" * 5000: "JSON nested too deeply",
    }
    for content, needle in cases.items():
        response = await api.post(EXPORT_MODEL, headers=headers, content=content)
        assert response.status_code == 400
        assert needle in response.json()["error_msg"], response.json()
    no_type = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, content=b"{}")
    assert "mimetype" in no_type.json()["error_msg"]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 300, 5000])
async def test_nesting_is_bounded_by_the_emulator_not_by_the_interpreter(api: httpx.AsyncClient, depth: int) -> None:
    """One bound on every Python: 300 levels used to crash jsonschema-rs (500 EMU.0500), 5000 did on 3.13."""
    nested = b'{"ids": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"
    headers = {**TOKEN_HEADERS, "Content-Type": "application/json"}
    response = await api.post(EXPORT_MODEL, headers=headers, content=nested)
    assert response.status_code == 400, response.text
    too_deep = "JSON nested too deeply" in response.json()["error_msg"]
    assert too_deep == (depth > MAX_JSON_DEPTH), response.json()


async def test_other_project_in_path_is_403(api: httpx.AsyncClient) -> None:
    response = await api.post("/v2/someone-else/design/export-model", headers=TOKEN_HEADERS, json={})
    assert response.status_code == 403


@pytest.mark.fact("F-PARAM-4")
async def test_missing_or_repeated_uuid_is_400(api: httpx.AsyncClient) -> None:
    assert (await api.get(EXPORT_RESULT, headers=TOKEN_HEADERS)).status_code == 400
    assert (await api.get(EXPORT_RESULT, params={"uuid": ""}, headers=TOKEN_HEADERS)).status_code == 400
    repeated = await api.get(EXPORT_RESULT + "?uuid=a&uuid=b", headers=TOKEN_HEADERS)
    assert repeated.status_code == 400


@pytest.mark.fact("F-ERR-6", "F-ERR-7", "F-ERR-3", "F-EMU-4")
async def test_unknown_path_is_404_and_wrong_method_405(api: httpx.AsyncClient) -> None:
    missing = await api.get("/v2/x/design/nothing-here")
    assert (missing.status_code, missing.json()) == (
        404,
        {
            "error_code": "APIG.0101",
            "error_msg": "The API does not exist or has not been published in the environment.",
            "request_id": missing.headers["x-request-id"],
        },
    )
    assert (await api.get("/")).status_code == 404
    wrong = await api.delete(EXPORT_RESULT, headers=TOKEN_HEADERS)
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET")
    assert wrong.json()["error_code"] == "EMU.0405"
    wrong = await api.request("PROPFIND", EXPORT_MODEL)
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")
    assert (await api.post("/healthz")).status_code == 405


async def test_healthz(api: httpx.AsyncClient) -> None:
    response = await api.get("/healthz")
    assert response.json() == {"status": "ok"}


@pytest.mark.fact("F-EMU-6")
async def test_store_full_is_429_with_retry_after(make_client: ClientFactory, clock: FakeClock) -> None:
    api = make_client(EmulatorSettings(max_jobs=2, export_seconds=5, job_ttl_seconds=60, seed=3))
    await start(api, {})
    await start(api, {})
    full = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={})
    assert (full.status_code, full.json()["error_code"]) == (429, "EMU.0429")
    assert full.headers["retry-after"] == "65"
    clock.advance(65)
    await start(api, {})


async def test_oversized_body_is_400(make_client: ClientFactory) -> None:
    api = make_client(EmulatorSettings(max_body_bytes=100))
    response = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={"ids": ["x" * 200]})
    assert response.status_code == 400
    assert "exceeds 100 bytes" in response.json()["error_msg"]
    # The size is checked before authentication (docs/reference/emulator.md: "Checks run in this order").
    anonymous = await api.post(EXPORT_MODEL, json={"ids": ["x" * 200]})
    assert (anonymous.status_code, anonymous.json()["error_code"]) == (400, "EMU.0400")


async def test_aksk_signed_requests_work_over_http(make_client: ClientFactory, clock: FakeClock) -> None:
    api = make_client(auth=AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock.datetime))
    headers = {"workspace": DEMO_WORKSPACE, "Content-Type": "application/json;charset=UTF-8"}
    started = await api.post(EXPORT_MODEL, headers=headers, content=json.dumps({"ids": ["a b/ü"], "asyn": False}))
    assert started.status_code == 200, started.text
    uuid = started.json()["data"]["uuid"]
    fetched = await api.get(EXPORT_RESULT, params={"uuid": uuid}, headers=headers)
    assert fetched.headers["content-type"] == XLSX
    bad_key = make_client(auth=AkSkAuth(DEMO_AK, "wrong-secret", clock=clock.datetime))
    denied = await bad_key.get(EXPORT_RESULT, params={"uuid": uuid}, headers=headers)
    assert denied.status_code == 401
    assert DEMO_AK not in denied.json()["error_msg"]


async def test_temporary_credentials_need_their_security_token(make_client: ClientFactory, clock: FakeClock) -> None:
    tenant = Tenant(DEMO_PROJECT_ID, (DEMO_WORKSPACE,), access_keys=(AccessKey("TEMPAK", "TEMPSK", "sec-token"),))
    settings = EmulatorSettings(tenants=(tenant,))
    good = make_client(settings, auth=AkSkAuth("TEMPAK", "TEMPSK", security_token="sec-token", clock=clock.datetime))
    bad = make_client(settings, auth=AkSkAuth("TEMPAK", "TEMPSK", clock=clock.datetime))
    headers = {"workspace": DEMO_WORKSPACE}
    assert (await good.post(EXPORT_MODEL, headers=headers, json={})).status_code == 200
    assert (await bad.post(EXPORT_MODEL, headers=headers, json={})).status_code == 401


@pytest.mark.parametrize(
    "content",
    [b"\x00\xff\xfe", b'{"ids": ["\\ud800"], "type": "\\u0000="}', b"[]", b"1e999999", b'{"ids": null}', b"{}" * 1000],
)
async def test_strange_input_never_gives_5xx(api: httpx.AsyncClient, clock: FakeClock, content: bytes) -> None:
    headers = {**TOKEN_HEADERS, "Content-Type": "application/json"}
    response = await api.post(EXPORT_MODEL, headers=headers, content=content)
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        clock.advance(60)
        assert (await result(api, response.json()["data"]["uuid"])).status_code == 200


async def test_strange_paths_and_headers_never_give_5xx(api: httpx.AsyncClient) -> None:
    for path in ["/v2/%ZZ/design/export-result", "/v2/a%2Fb/design/export-result", "/v2//design/export-result"]:
        response = await api.get(path + "?uuid=x", headers=TOKEN_HEADERS)
        assert response.status_code < 500
    latin = [(b"Authorization", b"garbage"), (b"workspace", "é".encode())]
    odd = await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=latin)
    assert odd.status_code == 401
    for header in ["SDK-HMAC-SHA256 Access=A, SignedHeaders=host, Signature=00", "SDK-HMAC-SHA256 "]:
        assert (await api.get(EXPORT_RESULT, headers={"Authorization": header})).status_code == 401


async def test_every_answer_has_a_distinct_request_id(api: httpx.AsyncClient) -> None:
    ids = {(await api.get("/healthz")).headers["x-request-id"] for _ in range(3)}
    assert len(ids) == 3


async def test_settings_are_respected_per_app(make_client: ClientFactory, settings: EmulatorSettings) -> None:
    api = make_client(replace(settings, export_seconds=0))
    uuid = await start(api, {"ids": ["1"]})
    assert (await result(api, uuid)).headers["content-type"] == XLSX


async def test_a_finished_exports_workbook_is_built_once(
    api: httpx.AsyncClient, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[ExportRequest] = []

    def counting_build(request: ExportRequest, held: Mapping[str, tuple[str, ...]]) -> bytes:
        built.append(request)
        return build_workbook(request, held)

    monkeypatch.setattr(responses, "build_workbook", counting_build)
    uuid = await start(api, {"ids": ["1", "2"], "type": "ER"})
    assert (await result(api, uuid)).headers["content-type"] == JSON_UTF8
    clock.advance(11)
    downloads = [(await result(api, uuid)).content for _ in range(3)]
    assert downloads[0] == downloads[1] == downloads[2]
    assert len(built) == 1, "the bytes are kept with the job, not rebuilt on every download"
