"""The emulator answers as Huawei documents the service and its gateway (docs/fidelity.md), over HTTP.

Each answer here is one Huawei documents: its status, code, wording and body
shape, and the request id the gateway's bodies repeat; the ``api`` fixture
checks every answer against the spec besides. Flow control is held at its
documented limits, with the clock moved by hand.
"""

from __future__ import annotations

import httpx
import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TENANT, DEMO_WORKSPACE, EmulatorSettings, Tenant
from dataarts_emulator.exceptions import Throttled
from dataarts_emulator.flow_control import FlowControl, user_limits
from dataarts_emulator.spec import load_spec

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS, ClientFactory, FakeClock

NEIGHBOUR = Tenant(DEMO_PROJECT_ID, ("neighbour-workspace",), ("neighbour-token",), name="neighbour")
TWO_TENANTS = EmulatorSettings(tenants=(DEMO_TENANT, NEIGHBOUR), seed=5)
LIMIT_MESSAGE = "The throttling threshold has been reached: policy user over ratelimit,limit:{},time:1 minute"


@pytest.mark.fact("F-WS-1", "F-WS-2", "F-ERR-2")
async def test_a_workspace_that_does_not_exist_is_400_dlg_0818_in_dataarts_architecture_s_shape(
    make_client: ClientFactory,
) -> None:
    api = make_client(TWO_TENANTS)
    headers = {**TOKEN_HEADERS, "workspace": "no-such-workspace"}
    for answer in (
        await api.post(EXPORT_MODEL, headers=headers, json={}),
        await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=headers),
    ):
        assert (answer.status_code, answer.json()) == (
            400,
            {"errors": [{"error_code": "DLG.0818", "error_msg": "The workspace does not exist."}]},
        )


@pytest.mark.fact("F-WS-2", "F-WS-3", "F-EMU-2")
async def test_a_workspace_that_exists_but_is_not_granted_stays_403(make_client: ClientFactory) -> None:
    api = make_client(TWO_TENANTS)
    answer = await api.post(EXPORT_MODEL, headers={**TOKEN_HEADERS, "workspace": "neighbour-workspace"}, json={})
    assert (answer.status_code, answer.json()) == (
        403,
        {"error_code": "EMU.0403", "error_msg": "No permission to access this workspace.", "data": {}},
    )
    theirs = await api.post(
        EXPORT_MODEL, headers={"X-Auth-Token": "neighbour-token", "workspace": "neighbour-workspace"}, json={}
    )
    assert theirs.status_code == 200


@pytest.mark.fact("F-AUTH-5", "F-ERR-3")
@pytest.mark.parametrize(
    ("headers", "cause"),
    [
        ({"workspace": DEMO_WORKSPACE}, "x-auth-token not found"),
        ({"workspace": DEMO_WORKSPACE, "X-Auth-Token": "not-a-token"}, "decrypt token fail"),
    ],
)
async def test_authentication_failures_are_the_gateway_s_401_with_its_request_id(
    api: httpx.AsyncClient, headers: dict[str, str], cause: str
) -> None:
    answer = await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=headers)
    assert (answer.status_code, answer.json()) == (
        401,
        {
            "error_code": "APIG.0301",
            "error_msg": f"Incorrect IAM authentication information: {cause}",
            "request_id": answer.headers["x-request-id"],
        },
    )


@pytest.mark.fact("F-PARAM-5", "F-EMU-1")
@pytest.mark.parametrize(
    "body",
    [
        # The API Explorer's request example: "asyn" as a string.
        {"asyn": "true", "ids": ["1226583503525818368", "1217121407599800322"], "model_id": "1", "type": "ER"},
        # Its schema example: long IDs as JSON numbers.
        {"asyn": False, "ids": [1160236484595425279, 1160236484595425281], "type": "TABLE_MODEL"},
        {"directory_id": 1160236484595425280},
        {"biz_catalog_id_list": [1160236484595425283]},
    ],
)
async def test_the_api_explorer_s_example_bodies_are_refused_as_the_schema_says(
    api: httpx.AsyncClient, body: dict[str, object]
) -> None:
    answer = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=body)
    assert (answer.status_code, answer.json()["error_code"]) == (400, "EMU.0400")


@pytest.mark.fact("F-PARAM-1", "F-EMU-1")
async def test_a_project_id_shorter_than_3_characters_is_refused(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v2/ab/design/export-result", params={"uuid": "x"}, headers=TOKEN_HEADERS)
    assert (answer.status_code, answer.json()["error_code"]) == (400, "EMU.0400")
    assert "project_id" in answer.json()["error_msg"]


@pytest.mark.fact("F-LIMIT-1", "F-LIMIT-2", "F-LIMIT-5", "F-LIMIT-6")
def test_the_spec_declares_each_operation_s_per_user_limit() -> None:
    assert user_limits(load_spec()) == {
        "ExportDesignResult": 240,
        "ExportDesignModels": 120,
        "ImportModels": 120,
        "ImportCatalogs": 120,
        "ImportResult": 240,
    }


@pytest.mark.parametrize("declared", [None, {}, {"user": 0}, {"user": "240"}, {"user": True}, 7])
def test_an_operation_without_a_per_user_limit_is_refused(declared: object) -> None:
    operation: dict[str, object] = {"operationId": "Nameless"}
    if declared is not None:
        operation["x-flow-control-per-minute"] = declared
    with pytest.raises(ValueError, match=r"GET /x declares no x-flow-control-per-minute\.user limit"):
        user_limits({"paths": {"/x": {"get": operation, "parameters": []}}})


@pytest.mark.fact("F-LIMIT-4")
def test_flow_control_counts_each_user_and_operation_over_the_last_60_seconds(clock: FakeClock) -> None:
    control = FlowControl({"Read": 3, "Write": 1}, clock, enabled=True)
    for _ in range(3):
        control.admit("alice", "Read")
        clock.advance(10)
    with pytest.raises(Throttled) as caught:
        control.admit("alice", "Read")  # 30 s after the first of three
    assert (caught.value.limit, caught.value.retry_after) == (3, 30)
    assert caught.value.message == LIMIT_MESSAGE.format(3)
    control.admit("bob", "Read")  # another user
    control.admit("alice", "Write")  # another operation
    clock.advance(29.5)
    with pytest.raises(Throttled) as caught:  # refused requests are not counted: the window still starts at 0
        control.admit("alice", "Read")
    assert caught.value.retry_after == 1
    clock.advance(0.5)  # the first request is 60 s old: out of the window
    control.admit("alice", "Read")


def test_flow_control_off_counts_nothing(clock: FakeClock) -> None:
    control = FlowControl({"Read": 1}, clock, enabled=False)
    for _ in range(5):
        control.admit("alice", "Read")


@pytest.mark.fact("F-LIMIT-1", "F-LIMIT-3", "F-LIMIT-4")
async def test_flow_control_refuses_the_241st_poll_of_a_minute_as_the_gateway_does(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    api = make_client(EmulatorSettings(flow_control=True, seed=5))
    polls = [await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=TOKEN_HEADERS) for _ in range(240)]
    assert {poll.status_code for poll in polls} == {400}, "counted whatever the answer"
    refused = await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=TOKEN_HEADERS)
    assert (refused.status_code, refused.headers["retry-after"], refused.json()) == (
        429,
        "60",
        {
            "error_code": "APIG.0308",
            "error_msg": LIMIT_MESSAGE.format(240),
            "request_id": refused.headers["x-request-id"],
        },
    )
    assert (await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={})).status_code == 200, "per operation"
    clock.advance(60)
    assert (await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=TOKEN_HEADERS)).status_code == 400


@pytest.mark.fact("F-LIMIT-2", "F-LIMIT-4")
async def test_flow_control_refuses_the_121st_start_of_a_minute_per_tenant(
    make_client: ClientFactory, clock: FakeClock
) -> None:
    api = make_client(EmulatorSettings(tenants=(DEMO_TENANT, NEIGHBOUR), flow_control=True, seed=5))
    for _ in range(120):
        assert (await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={"asyn": False})).status_code == 200
    refused = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={})
    assert (refused.status_code, refused.json()["error_msg"]) == (429, LIMIT_MESSAGE.format(120))
    neighbour = {"X-Auth-Token": "neighbour-token", "workspace": "neighbour-workspace"}
    assert (await api.post(EXPORT_MODEL, headers=neighbour, json={})).status_code == 200, "another user"
    clock.advance(60)
    assert (await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={})).status_code == 200


async def test_without_flow_control_a_minute_holds_any_number_of_polls(api: httpx.AsyncClient) -> None:
    polls = [await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=TOKEN_HEADERS) for _ in range(260)]
    assert {poll.status_code for poll in polls} == {400}
