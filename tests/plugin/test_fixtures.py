"""The emulator's pytest plugin, used as a suite uses it: its fixtures and marker in this very test run."""

from __future__ import annotations

import io
from typing import TypedDict

import httpx
import pytest

from dataarts_emulator import DEMO_AK, DEMO_PROJECT_ID, DEMO_SK, DEMO_TOKEN, DEMO_WORKSPACE, Tenant
from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.upload import read_sheet
from dataarts_emulator.workbook import build_workbook
from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.lib import export_to_file, import_file, poll_export_status, start_export
from dataarts_export_client.lib.errors import ApiError
from dataarts_export_client.models import ExportParam, ExportState

BODY = ExportParam(type_="TABLE_MODEL", ids=["1224641525420683264"])


def _start(emulator: RunningEmulator, client: AuthenticatedClient | Client) -> str:
    return start_export(client, project_id=emulator.project_id, workspace=emulator.workspace, body=BODY, timeout=10)


def _state(emulator: RunningEmulator, client: AuthenticatedClient | Client, uuid: str) -> ExportState:
    snapshot = poll_export_status(
        client, project_id=emulator.project_id, workspace=emulator.workspace, uuid=uuid, timeout=10
    )
    return snapshot.status


def test_the_fixture_is_the_demo_tenant_on_a_loopback_port(dataarts_emulator: RunningEmulator) -> None:
    assert dataarts_emulator.base_url.startswith("http://127.0.0.1:")
    assert (dataarts_emulator.project_id, dataarts_emulator.workspace) == (DEMO_PROJECT_ID, DEMO_WORKSPACE)
    assert (dataarts_emulator.token, dataarts_emulator.ak, dataarts_emulator.sk) == (DEMO_TOKEN, DEMO_AK, DEMO_SK)
    assert httpx.get(f"{dataarts_emulator.base_url}/healthz").json() == {"status": "ok"}
    assert DEMO_SK not in repr(dataarts_emulator), "a repr shows no secret"
    assert dataarts_emulator.env()["DATAARTS_ENDPOINT"] == dataarts_emulator.base_url


@pytest.mark.dataarts_emulator(export_seconds=600)
def test_advance_finishes_an_export_without_sleeping(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    uuid = _start(dataarts_emulator, dataarts_client)
    assert _state(dataarts_emulator, dataarts_client, uuid) is ExportState.IMPORTING
    dataarts_emulator.advance(600)
    assert _state(dataarts_emulator, dataarts_client, uuid) is ExportState.SUCCESS


@pytest.mark.dataarts_emulator(export_seconds=0, job_ttl_seconds=60)
def test_advance_past_the_ttl_forgets_the_export_and_aksk_signing_follows_the_clock(
    dataarts_emulator: RunningEmulator, dataarts_aksk_client: Client
) -> None:
    uuid = _start(dataarts_emulator, dataarts_aksk_client)
    dataarts_emulator.advance(3600)  # far past the TTL, and past the 15-minute X-Sdk-Date window
    with pytest.raises(ApiError) as caught:
        _state(dataarts_emulator, dataarts_aksk_client, uuid)
    assert caught.value.error_code == "EMU.0404", "unknown export, not a refused signature"


def test_time_never_moves_back(dataarts_emulator: RunningEmulator) -> None:
    with pytest.raises(ValueError, match="forward"):
        dataarts_emulator.advance(-1)


def test_requests_are_recorded_with_credentials_masked(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient, dataarts_aksk_client: Client
) -> None:
    uuid = _start(dataarts_emulator, dataarts_client)
    _state(dataarts_emulator, dataarts_aksk_client, uuid)
    started, polled = dataarts_emulator.requests
    assert (started.method, started.path, started.status) == ("POST", f"/v2/{DEMO_PROJECT_ID}/design/export-model", 200)
    assert (polled.method, polled.query) == ("GET", {"uuid": uuid})
    assert started.headers["x-auth-token"] == "***"
    assert started.headers["workspace"] == DEMO_WORKSPACE
    authorization = polled.headers["authorization"]
    assert authorization.startswith("SDK-HMAC-SHA256 Access=EMUL…, SignedHeaders=")
    assert authorization.endswith("Signature=***")
    shown = repr(dataarts_emulator.requests)
    assert DEMO_TOKEN not in shown
    assert DEMO_AK not in shown
    dataarts_emulator.requests.clear()
    assert dataarts_emulator.requests == []


def test_an_unknown_token_is_masked_too(dataarts_emulator: RunningEmulator) -> None:
    headers = {"X-Auth-Token": "a-token-nobody-configured", "workspace": DEMO_WORKSPACE}
    httpx.get(f"{dataarts_emulator.base_url}/v2/{DEMO_PROJECT_ID}/design/export-result?uuid=x", headers=headers)
    (recorded,) = dataarts_emulator.requests
    assert recorded.status == 401
    assert recorded.headers["x-auth-token"] == "***"


@pytest.mark.dataarts_emulator(fault_rate=1.0)
def test_the_marker_sets_faults(dataarts_emulator: RunningEmulator) -> None:
    answer = httpx.post(f"{dataarts_emulator.base_url}/v2/{DEMO_PROJECT_ID}/design/export-model", json={})
    assert answer.status_code in {500, 502, 503}
    assert dataarts_emulator.settings.fault_rate == 1.0


def test_the_session_emulator_is_another_server(
    dataarts_emulator_session: RunningEmulator, dataarts_emulator: RunningEmulator
) -> None:
    assert dataarts_emulator_session.base_url != dataarts_emulator.base_url
    client = dataarts_emulator_session.client()
    assert _start(dataarts_emulator_session, client)
    assert dataarts_emulator.requests == []


class Target(TypedDict):
    project_id: str
    workspace: str


OTHER_WORKSPACE = "9d0c7b6a5f4e3d2c1b0a9f8e7d6c5b4a"
TWO_WORKSPACES = Tenant(DEMO_PROJECT_ID, (DEMO_WORKSPACE, OTHER_WORKSPACE), tokens=(DEMO_TOKEN,))


@pytest.mark.dataarts_emulator(tenants=(TWO_WORKSPACES,), strict_workspaces=True, export_seconds=0, import_seconds=0)
def test_seeded_objects_export_and_imported_ones_read_back(
    dataarts_emulator: RunningEmulator, dataarts_client: AuthenticatedClient
) -> None:
    """What a user's suite does: give a workspace objects, run its code, read back what it imported."""
    assert dataarts_emulator.columns("codeTable") == ("ID", "Code table code", "Code table name", "Values")
    dataarts_emulator.seed("codeTable", [{"ID": "11", "Code table code": "country"}])
    assert dataarts_emulator.objects("codeTable") == [
        {"ID": "11", "Code table code": "country", "Code table name": "", "Values": ""}
    ]
    target = Target(project_id=dataarts_emulator.project_id, workspace=dataarts_emulator.workspace)
    exported = io.BytesIO()
    export_to_file(
        dataarts_client, **target, body=ExportParam(type_="codeTable", ids=["11"]), dest=exported, timeout=10
    )
    assert read_sheet(exported.getvalue())[1].values(4) == ["11", "country", "", ""]

    rows = build_workbook(ExportRequest(type="codeTable", ids=("12",)), {"12": ("12", "currency", "Currency", "2")})
    outcome = import_file(dataarts_client, **target, action="import_codetable", file=rows, timeout=10)
    assert outcome.object_ids == ["12"]
    assert [item["Code table code"] for item in dataarts_emulator.objects("codeTable")] == ["country", "currency"]
    assert dataarts_emulator.objects("Directory_CodeTable") == dataarts_emulator.objects("codeTable"), "one kind"
    assert dataarts_emulator.objects("TABLE_MODEL") == []

    dataarts_emulator.seed("codeTable", [{"ID": "21", "Code table code": "colour"}], workspace=OTHER_WORKSPACE)
    assert [item["ID"] for item in dataarts_emulator.objects("codeTable", workspace=OTHER_WORKSPACE)] == ["21"]
    with pytest.raises(ApiError) as caught:  # a strict workspace exports only what it holds
        export_to_file(
            dataarts_client, **target, body=ExportParam(type_="codeTable", ids=["21"]), dest=io.BytesIO(), timeout=10
        )
    assert caught.value.error_code == "EMU.0410"
    with pytest.raises(ValueError, match=r"codeTable has no columns \['Colour'\]"):
        dataarts_emulator.seed("codeTable", [{"ID": "13", "Colour": "red"}])
