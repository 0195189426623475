"""The import calls over HTTP (in process, every answer checked against the spec): workspaces, refusals, strictness."""

from __future__ import annotations

import dataclasses
import io
import time
import zipfile
from typing import Any

import httpx
import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_WORKSPACE, EmulatorApp, EmulatorSettings, create_app
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.upload import MAX_FILE_BYTES, read_sheet
from dataarts_emulator.workbook import build_workbook

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS, ClientFactory, FakeClock

IMPORT_MODELS = f"/v2/{DEMO_PROJECT_ID}/design/models/action"
IMPORT_CATALOGS = f"/v2/{DEMO_PROJECT_ID}/design/catalogs/action"
IMPORT_RESULT = f"/v2/{DEMO_PROJECT_ID}/design/catelogs/process-import"
CODES = build_workbook(ExportRequest(type="codeTable", ids=("11", "12")))


@pytest.fixture
def settings() -> EmulatorSettings:
    return EmulatorSettings(export_seconds=0.0, import_seconds=2.0, strict_workspaces=True, seed=7)


async def upload(
    api: httpx.AsyncClient,
    content: bytes = CODES,
    *,
    action: str = "import_codetable",
    query: dict[str, str] | None = None,
) -> httpx.Response:
    params = {"action-id": action, **(query or {})}
    files = {"file": ("codes.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    return await api.post(IMPORT_MODELS, params=params, headers=TOKEN_HEADERS, files=files)


async def outcome(api: httpx.AsyncClient, uuid: str) -> dict[str, Any]:
    answer = await api.get(IMPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


async def export(api: httpx.AsyncClient, export_type: str, ids: list[str]) -> httpx.Response:
    started = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={"type": export_type, "ids": ids})
    if started.status_code != 200:
        return started
    return await api.get(EXPORT_RESULT, params={"uuid": started.json()["data"]["uuid"]}, headers=TOKEN_HEADERS)


def app_of(api: httpx.AsyncClient) -> EmulatorApp:
    transport: Any = api._transport
    app: EmulatorApp = transport.inner.app
    return app


@pytest.mark.fact("F-IMPORT-1", "F-IMPORT-3", "F-IMPORT-11", "F-IMPORT-14", "F-EMU-23")
async def test_an_import_runs_then_reports_each_row_and_the_rows_export_again(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    started = await upload(api)
    assert started.status_code == 200
    uuid = started.json()["data"]["uuid"]
    running = await outcome(api, uuid)
    assert (running["status"], running["rate"], running["group"]) == ("importing", "0.00", None)
    clock.advance(1)
    assert (await outcome(api, uuid))["rate"] == "0.50"
    clock.advance(1)
    done = await outcome(api, uuid)
    assert (done["status"], done["rate"], done["group"]["total"], done["group"]["success"]) == ("success", "1.00", 2, 2)
    ids = [row["biz_id"] for row in done["group"]["groups"]]
    assert ids == ["11", "12"]
    again = await export(api, "codeTable", ids)
    assert again.status_code == 200
    assert again.content == CODES, "what was imported exports as the same workbook"


@pytest.mark.fact("F-IMPORT-2")
async def test_subjects_are_imported_through_the_catalogs_call(api: httpx.AsyncClient, clock: FakeClock) -> None:
    subjects = build_workbook(ExportRequest(type="subject", ids=("s1",)))
    files = {"file": ("subjects.xlsx", subjects)}
    started = await api.post(IMPORT_CATALOGS, params={"action-id": "start-import"}, headers=TOKEN_HEADERS, files=files)
    assert started.status_code == 200
    clock.advance(2)
    done = await outcome(api, started.json()["data"]["uuid"])
    assert done["group"]["operation_type"] == "IMPORT_START_IMPORT"
    assert (await export(api, "subject", ["s1"])).content == subjects


@pytest.mark.fact("F-IMPORT-7")
@pytest.mark.parametrize("spelling", ["skip-exist", "skip_exist"])
async def test_either_spelling_of_skip_exist_leaves_existing_objects_alone(
    api: httpx.AsyncClient, clock: FakeClock, spelling: str
) -> None:
    await upload(api)
    first = read_sheet(CODES)[1].values(4)
    renamed = build_workbook(ExportRequest(type="codeTable", ids=("11",)), {"11": (first[0], first[1], "New", "9")})
    skipped = await upload(api, renamed, query={spelling: "true"})
    clock.advance(2)
    rows = (await outcome(api, skipped.json()["data"]["uuid"]))["group"]["groups"]
    assert [(row["remark"], row["biz_id"]) for row in rows] == [("SKIP", "11")]
    assert (await export(api, "codeTable", ["11", "12"])).content == CODES
    updated = await upload(api, renamed)
    clock.advance(2)
    rows = (await outcome(api, updated.json()["data"]["uuid"]))["group"]["groups"]
    assert [row["remark"] for row in rows] == ["UPDATE"]
    assert read_sheet((await export(api, "codeTable", ["11"])).content)[1].values(4) == [*first[:2], "New", "9"]


@pytest.mark.fact("F-IMPORT-7")
async def test_skip_exist_true_in_either_spelling_wins_and_nonsense_is_refused(api: httpx.AsyncClient) -> None:
    both = await api.post(
        IMPORT_MODELS + "?action-id=import_codetable&skip-exist=false&skip_exist=true",
        headers=TOKEN_HEADERS,
        files={"file": ("a.xlsx", CODES)},
    )
    assert both.status_code == 200
    nonsense = await upload(api, query={"skip_exist": "maybe"})
    assert (nonsense.status_code, nonsense.json()["error_code"]) == (400, "EMU.0400")
    assert "skip_exist" in nonsense.json()["error_msg"]
    spec_nonsense = await upload(api, query={"skip-exist": "maybe"})
    assert (spec_nonsense.status_code, spec_nonsense.json()["error_code"]) == (400, "EMU.0400")


@pytest.mark.fact("F-IMPORT-5")
async def test_model_id_is_required_for_import_relation(api: httpx.AsyncClient) -> None:
    tables = build_workbook(ExportRequest(type="ER", ids=("1",)))
    refused = await upload(api, tables, action="import_relation")
    assert (refused.status_code, refused.json()["error_code"]) == (400, "EMU.0400")
    assert "model_id" in refused.json()["error_msg"]
    assert (
        await upload(api, tables, action="import_relation", query={"model_id": "1213499006739791872"})
    ).status_code == 200


@pytest.mark.fact("F-EMU-12", "F-EMU-3")
async def test_unknown_and_foreign_uuids(api: httpx.AsyncClient) -> None:
    unknown = await api.get(IMPORT_RESULT, params={"uuid": "nope"}, headers=TOKEN_HEADERS)
    assert (unknown.status_code, unknown.json()["error_code"]) == (400, "EMU.0420")
    export_uuid = (await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={"ids": []})).json()["data"]["uuid"]
    crossed = await api.get(IMPORT_RESULT, params={"uuid": export_uuid}, headers=TOKEN_HEADERS)
    assert crossed.json()["error_code"] == "EMU.0420"
    import_uuid = (await upload(api)).json()["data"]["uuid"]
    crossed = await api.get(EXPORT_RESULT, params={"uuid": import_uuid}, headers=TOKEN_HEADERS)
    assert crossed.json()["error_code"] == "EMU.0404"
    twice = await api.get(f"{IMPORT_RESULT}?uuid={import_uuid}&uuid={import_uuid}", headers=TOKEN_HEADERS)
    assert twice.status_code == 400


@pytest.mark.fact("F-IMPORT-18", "F-EMU-11")
async def test_a_strict_workspace_refuses_ids_it_does_not_hold(api: httpx.AsyncClient) -> None:
    refused = await export(api, "codeTable", ["404", "405"])
    assert (refused.status_code, refused.json()["error_code"]) == (400, "EMU.0410")
    assert refused.json()["error_msg"] == "The workspace holds no code table with ID 404, 405."
    many = await export(api, "codeTable", [str(n) for n in range(12)])
    assert many.json()["error_msg"].endswith("ID 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 2 more.")


@pytest.mark.fact("F-IMPORT-18")
async def test_a_workspace_that_is_not_strict_makes_up_rows_for_ids_it_does_not_hold(
    make_client: ClientFactory, settings: EmulatorSettings
) -> None:
    api = make_client(dataclasses.replace(settings, strict_workspaces=False))
    await upload(api)
    mixed = await export(api, "codeTable", ["11", "404"])
    assert mixed.status_code == 200
    assert mixed.content == build_workbook(ExportRequest(type="codeTable", ids=("11", "404")))


def _repacked(content: bytes, **changed: bytes) -> bytes:
    """``content`` (a workbook) with the parts ``changed`` (``/`` written ``__``) replaced or added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        parts = {name: source.read(name) for name in source.namelist()}
        for name, part in {**parts, **{key.replace("__", "/"): value for key, value in changed.items()}}.items():
            target.writestr(name, part)
    return buffer.getvalue()


SHEET = "xl__worksheets__sheet1.xml"
_PLAIN_SHEET = zipfile.ZipFile(io.BytesIO(CODES)).read("xl/worksheets/sheet1.xml")
BOMB = _repacked(CODES, xl__media__bomb_bin=b"\0" * (40 * 1024 * 1024))
ENTITIES = _repacked(CODES, **{SHEET: _PLAIN_SHEET.replace(b"?>\n", b'?>\n<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>', 1)})
TOO_MANY_ROWS = build_workbook(
    ExportRequest(type="codeTable", ids=tuple(str(n) for n in range(3000))),
    {str(n): (str(n), f"c{n}", "", "") for n in range(3000)},
)
_TWO_FILES = [("file", ("a.xlsx", CODES)), ("file", ("b.xlsx", CODES))]

HOSTILE: list[tuple[str, dict[str, Any], str]] = [
    ("no-file", {"files": {"other": ("a.xlsx", CODES)}}, "EMU.0421"),
    ("two-files", {"files": _TWO_FILES}, "EMU.0422"),
    ("zip-bomb", {"files": {"file": ("a.xlsx", BOMB)}}, "EMU.0426"),
    ("xml-entities", {"files": {"file": ("a.xlsx", ENTITIES)}}, "EMU.0427"),
    ("3000-rows", {"files": {"file": ("a.xlsx", TOO_MANY_ROWS)}}, "EMU.0428"),
    ("not-a-form", {"content": b"PK", "headers": {"Content-Type": "application/octet-stream"}}, "EMU.0400"),
    ("form-without-boundary", {"content": b"PK", "headers": {"Content-Type": "multipart/form-data"}}, "EMU.0421"),
    ("hostile-name", {"files": {"file": ("../../etc/cron.d/x.xlsx", CODES)}}, "EMU.0423"),
    ("not-xlsx", {"files": {"file": ("a.xlsx", b"MZ\x90\x00 not a workbook")}}, "EMU.0425"),
    ("wrong-layout", {"files": {"file": ("a.xlsx", build_workbook(ExportRequest(type="ER", ids=("1",))))}}, "EMU.0430"),
]


@pytest.mark.fact(
    "F-EMU-13", "F-EMU-14", "F-EMU-15", "F-EMU-17", "F-EMU-18", "F-EMU-19", "F-EMU-20", "F-EMU-21", "F-EMU-23"
)
@pytest.mark.parametrize(("case", "request_args", "code"), HOSTILE, ids=[case for case, _, _ in HOSTILE])
async def test_hostile_uploads_are_refused_and_the_workspace_is_unchanged(
    api: httpx.AsyncClient, case: str, request_args: dict[str, Any], code: str
) -> None:
    await upload(api)
    design = app_of(api).backend.design
    before = design.all_rows(DEMO_PROJECT_ID, DEMO_WORKSPACE, "code table")
    arguments = dict(request_args)
    headers = {**TOKEN_HEADERS, **arguments.pop("headers", {})}
    answer = await api.post(IMPORT_MODELS, params={"action-id": "import_codetable"}, headers=headers, **arguments)
    assert (answer.status_code, answer.json()["error_code"]) == (400, code), case
    assert design.all_rows(DEMO_PROJECT_ID, DEMO_WORKSPACE, "code table") == before


@pytest.mark.fact("F-EMU-22")
async def test_an_import_past_max_objects_is_refused_whole(
    make_client: ClientFactory, settings: EmulatorSettings
) -> None:
    api = make_client(dataclasses.replace(settings, max_objects=3))
    assert (await upload(api)).status_code == 200
    design = app_of(api).backend.design
    three = build_workbook(ExportRequest(type="codeTable", ids=("21", "22", "23")))
    answer = await upload(api, three)
    assert (answer.status_code, answer.json()["error_code"]) == (400, "EMU.0431")
    assert [row[0] for row in design.all_rows(DEMO_PROJECT_ID, DEMO_WORKSPACE, "code table")] == ["11", "12"]


@pytest.mark.fact("F-EMU-16")
async def test_a_body_over_the_upload_limit_is_refused_without_reading_it_all(settings: EmulatorSettings) -> None:
    app = create_app(settings)
    received = 0

    async def body() -> Any:
        nonlocal received
        for _ in range(200):
            received += 65536
            yield b"\0" * 65536

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        started = time.perf_counter()
        answer = await client.post(
            IMPORT_MODELS,
            params={"action-id": "import_codetable"},
            headers={**TOKEN_HEADERS, "Content-Type": "multipart/form-data; boundary=x"},
            content=body(),
        )
        elapsed = time.perf_counter() - started
    assert (answer.status_code, answer.json()["error_code"]) == (400, "EMU.0424")
    assert received <= MAX_FILE_BYTES + 2 * 65536 + 65536, "reading stops at the limit"
    assert elapsed < 5


async def test_an_upload_over_the_export_body_limit_is_still_accepted(
    make_client: ClientFactory, settings: EmulatorSettings
) -> None:
    """Export bodies stop at max_body_bytes; an upload may be up to 4 MB whatever that says."""
    api = make_client(dataclasses.replace(settings, max_body_bytes=1024))
    padded = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(CODES)) as source, zipfile.ZipFile(padded, "w", zipfile.ZIP_STORED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("xl/media/padding.bin", b"\x01" * 200_000)
    assert (await upload(api, padded.getvalue())).status_code == 200
    assert (await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={"ids": ["1" * 2000]})).status_code == 400
