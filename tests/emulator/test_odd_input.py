"""Odd but legal (or plainly malformed) input the emulator takes in its stride: never a 500, never a wrong 401.

Repeated headers, JSON's non-numbers, a wall clock stepping back, a carriage
return in a requested id: each once answered wrongly (a 401 and a locked key,
``NaN`` accepted as JSON, a 500, a ``\\r`` come back as ``\\n``).
"""

from __future__ import annotations

import io
import json

import httpx
import openpyxl
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest

from dataarts_emulator import DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_WORKSPACE, EmulatorSettings
from dataarts_export_client.lib.signing import AkSkAuth, format_sdk_date

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS, ClientFactory, FakeClock

BODY = {"ids": ["1224641525420683264"], "type": "TABLE_MODEL", "asyn": False}


async def test_a_repeated_header_signed_by_the_client_verifies(make_client: ClientFactory, clock: FakeClock) -> None:
    """httpx sends both lines; the signer signed their values joined by ``, `` (RFC 9110, 5.3): so must the verifier."""
    auth = AkSkAuth(DEMO_AK, DEMO_SK, project_id=DEMO_PROJECT_ID, clock=clock.datetime)
    client = make_client(EmulatorSettings(lockout_failures=1), auth=auth)
    headers = [("workspace", DEMO_WORKSPACE), ("X-Trace", "a"), ("X-Trace", "b")]
    for _ in range(3):  # a refusal would lock the key after the second
        answer = await client.post(EXPORT_MODEL, headers=headers, json=BODY)
        assert answer.status_code == 200, answer.text


async def test_a_repeated_header_signed_by_the_official_sdk_verifies(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    """The SDK takes one value per name (a dict): the repeated header's values, joined, as RFC 9110 allows."""
    body = json.dumps(BODY).encode()
    header_params = {
        "Host": "127.0.0.1:8000",
        "Content-Type": "application/json",
        "workspace": DEMO_WORKSPACE,
        "X-Trace": "a, b",
        "X-Sdk-Date": format_sdk_date(clock.datetime()),
    }
    request = SdkRequest(
        method="POST",
        schema="http",
        host="127.0.0.1:8000",
        resource_path=EXPORT_MODEL,
        query_params=[],
        header_params=header_params,
        body=body,
    )
    signed = BasicCredentials(DEMO_AK, DEMO_SK, DEMO_PROJECT_ID).sign_request(request).header_params
    lines = [(name, value) for name, value in signed.items() if name not in ("X-Trace", "Host")]
    client = make_client()
    answer = await client.post(EXPORT_MODEL, headers=[*lines, ("X-Trace", "a"), ("X-Trace", "b")], content=body)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
async def test_json_s_non_numbers_are_refused_as_json(api: httpx.AsyncClient, constant: str) -> None:
    content = f'{{"ids": ["1"], "type": "TABLE_MODEL", "asyn": false, "model_id": {constant}}}'
    answer = await api.post(
        EXPORT_MODEL, headers={**TOKEN_HEADERS, "Content-Type": "application/json"}, content=content
    )
    assert answer.status_code == 400
    assert answer.json()["error_msg"] == f"invalid request body: not JSON ({constant} is not a JSON number)"


async def test_a_wall_clock_stepping_back_after_a_synchronous_export_is_no_crash(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    started = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=BODY)
    uuid = started.json()["data"]["uuid"]
    clock.advance(-30)  # NTP stepping the clock back
    answer = await api.get(EXPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS)
    assert answer.status_code == 200
    assert answer.content.startswith(b"PK"), "a synchronous export is done whatever the clock says"


async def test_a_wall_clock_stepping_back_during_an_export_reads_as_not_started(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    started = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={**BODY, "asyn": True})
    uuid = started.json()["data"]["uuid"]
    clock.advance(-30)
    answer = await api.get(EXPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS)
    assert answer.json()["data"]["status"] == "importing"
    assert answer.json()["data"]["rate"] == "0"


async def test_carriage_returns_in_a_cell_come_back_as_sent(api: httpx.AsyncClient) -> None:
    ids = ["line\rbreak", "windows\r\nline", "unix\nline", "\r"]
    started = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={**BODY, "ids": ids})
    uuid = started.json()["data"]["uuid"]
    answer = await api.get(EXPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS)
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ids
