"""``lib.imports``: the requests an import sends and the calls that send them, against scripted answers.

No socket and no real sleep: a scripted ``httpx.MockTransport`` answers, a
fake clock moves only when the helpers sleep. What is checked is what the
service receives (the operation, the query in both spellings of
``skip-exist``, ``X-Language``, the multipart ``file``), what is refused
before anything is sent, and how one ``timeout`` covers the start and the
wait of ``import_file``.
"""

from __future__ import annotations

import asyncio
import json
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path
from typing import Any, TypedDict

import httpx
import pytest

from dataarts_export_client.lib import (
    ApiError,
    ConfigurationError,
    ExportProgress,
    ImportOutcome,
    ImportProgress,
    ImportTimeout,
    RetryPolicy,
    async_import_file,
    async_start_import,
    async_wait_for_import,
    import_file,
    start_import,
    wait_for_import,
)
from dataarts_export_client.lib import imports as imports_module
from dataarts_export_client.lib.imports import ACTIONS, DEFAULT_LANGUAGE, MAX_UPLOAD_BYTES, start_request

from .client_fakes import (
    JSON_UTF8,
    PROJECT_ID,
    SCRIPTED_POLICY,
    UUID,
    WORKSPACE,
    XLSX,
    FakeClock,
    Script,
    client_for,
    error,
    status,
)


class Target(TypedDict):
    project_id: str
    workspace: str


TARGET = Target(project_id=PROJECT_ID, workspace=WORKSPACE)
WORKBOOK = b"PK\x03\x04 a workbook"


def started(uuid: str = UUID) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": JSON_UTF8}, content=json.dumps({"data": {"uuid": uuid}}))


def done(total: int = 1) -> httpx.Response:
    group = {
        "total": total,
        "success": total,
        "failed": 0,
        "groups": [{"biz_name": "c", "operation_status": "SUCCESS"}],
    }
    return status("success", "1.00", group)


def upload_of(request: httpx.Request) -> tuple[str, str | None, str | None, bytes]:
    """The multipart ``file`` part of ``request``: its field name, file name, content type and bytes."""
    request.read()
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.content
    )
    (part,) = list(message.iter_parts())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return (
        str(part.get_param("name", header="content-disposition")),
        part.get_filename(),
        part.get_content_type(),
        payload,
    )


def test_the_documented_actions_limits_and_language() -> None:
    assert ACTIONS == (  # the generated enum's order (alphabetical), then ImportCatalogs' one action
        "import_aggregation",
        "import_atomic",
        "import_bizcatalog",
        "import_bizmetric",
        "import_codetable",
        "import_compound",
        "import_datastandard",
        "import_derivative",
        "import_dimension",
        "import_relation",
        "start-import",
    )
    assert (MAX_UPLOAD_BYTES, DEFAULT_LANGUAGE) == (4 * 1024 * 1024, "en-us")


def test_a_models_import_sends_the_workbook_as_the_file_field() -> None:
    operation, request = start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=WORKBOOK)
    assert operation == "ImportModels"
    sent = httpx.Client().build_request(**request)
    assert (sent.method, sent.url.path) == ("POST", f"/v2/{PROJECT_ID}/design/models/action")
    assert dict(sent.url.params) == {"action-id": "import_codetable", "skip-exist": "false"}
    assert (sent.headers["workspace"], sent.headers["x-language"]) == (WORKSPACE, "en-us")
    assert upload_of(sent) == ("file", "workbook.xlsx", XLSX, WORKBOOK)


def test_skip_exist_model_directory_and_language_are_sent_as_given(tmp_path: Path) -> None:
    path = tmp_path / "tables (1).xlsx"
    path.write_bytes(WORKBOOK)
    _, request = start_request(
        PROJECT_ID,
        WORKSPACE,
        action="import_relation",
        file=path,
        skip_exist=True,
        model_id="m1",
        directory_id="d1",
        language="zh-cn",
    )
    sent = httpx.Client().build_request(**request)
    assert list(sent.url.params.multi_items()) == [
        ("action-id", "import_relation"),
        ("model_id", "m1"),
        ("directory_id", "d1"),
        ("skip-exist", "true"),
        ("skip_exist", "true"),
    ]
    assert sent.headers["x-language"] == "zh-cn"
    assert upload_of(sent)[1:] == ("tables (1).xlsx", XLSX, WORKBOOK)


def test_subjects_go_to_the_catalogs_call() -> None:
    operation, request = start_request(PROJECT_ID, WORKSPACE, action="start-import", file=WORKBOOK, skip_exist=True)
    assert operation == "ImportCatalogs"
    sent = httpx.Client().build_request(**request)
    assert sent.url.path == f"/v2/{PROJECT_ID}/design/catalogs/action"
    assert list(sent.url.params.multi_items()) == [
        ("action-id", "start-import"),
        ("skip-exist", "true"),
        ("skip_exist", "true"),
    ]
    assert "x-language" not in sent.headers


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"action": "import_all"},
            "unknown import action 'import_all'; the documented ones are import_aggregation, import_atomic, ",
        ),
        ({"action": "import_relation"}, "action import_relation needs model_id"),
        ({"action": "import_relation", "model_id": ""}, "action import_relation needs model_id"),
        ({"file": b"\0" * MAX_UPLOAD_BYTES}, f"the workbook has {MAX_UPLOAD_BYTES} bytes; DataArts Studio imports"),
        ({"workspace": "ws\r"}, "workspace= has whitespace or a control character"),
    ],
    ids=["unknown-action", "no-model", "empty-model", "4-mib", "bad-workspace"],
)
def test_what_cannot_be_sent_is_refused_before_sending(arguments: dict[str, Any], message: str) -> None:
    given: dict[str, Any] = {"workspace": WORKSPACE, "action": "import_codetable", "file": WORKBOOK, **arguments}
    script = Script()
    with pytest.raises(ConfigurationError) as caught:
        start_import(client_for(script), project_id=PROJECT_ID, timeout=10, **given)
    assert str(caught.value).startswith(message)
    assert script.requests == []


def test_a_file_is_measured_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as file:
        file.truncate(MAX_UPLOAD_BYTES)
    monkeypatch.setattr(Path, "read_bytes", lambda _path: pytest.fail("read before it was measured"))
    with pytest.raises(
        ConfigurationError,
        match=r"^big\.xlsx has 4194304 bytes; DataArts Studio imports files under 4 MB \(4194304 bytes\)$",
    ):
        start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=big)


def test_a_file_just_under_4_mib_and_an_unreadable_one(tmp_path: Path) -> None:
    under = tmp_path / "under.xlsx"
    under.write_bytes(b"\0" * (MAX_UPLOAD_BYTES - 1))
    _, request = start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=under)
    assert len(upload_of(httpx.Client().build_request(**request))[3]) == MAX_UPLOAD_BYTES - 1
    assert (
        len(
            start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=b"\0" * (MAX_UPLOAD_BYTES - 1))[1][
                "files"
            ]
        )
        == 1
    )
    with pytest.raises(ConfigurationError, match=r"^cannot read .*missing\.xlsx: No such file or directory$"):
        start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=tmp_path / "missing.xlsx")
    with pytest.raises(ConfigurationError, match=r"^cannot read .*: Is a directory$"):
        start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=str(tmp_path))


def test_start_import_retries_a_refused_start_and_returns_the_uuid() -> None:
    clock = FakeClock()
    script = Script(error(429, code="APIG.0308", msg="throttled", retry_after="2"), started())
    uuid = start_import(
        client_for(script),
        **TARGET,
        action="import_codetable",
        file=WORKBOOK,
        timeout=30,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.sleep,
    )
    assert (uuid, clock.sleeps, len(script.requests)) == (UUID, [2.0], 2)


def test_wait_for_import_polls_the_result_and_reports_import_progress() -> None:
    clock = FakeClock()
    script = Script(status("importing", "0.50"), done())
    seen: list[ExportProgress] = []
    outcome = wait_for_import(
        client_for(script),
        **TARGET,
        uuid=UUID,
        timeout=30,
        on_progress=seen.append,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.sleep,
    )
    assert isinstance(outcome, ImportOutcome)
    assert (outcome.uuid, outcome.total, outcome.request_id) == (UUID, 1, "req-status")
    assert [(type(report), report.percent) for report in seen] == [(ImportProgress, 50.0), (ImportProgress, 100.0)]
    (poll, _) = script.requests
    assert (poll.method, poll.url.path) == ("GET", f"/v2/{PROJECT_ID}/design/catelogs/process-import")
    assert (dict(poll.url.params), poll.headers["workspace"]) == ({"uuid": UUID}, WORKSPACE)


def test_import_file_waits_only_for_what_is_left_of_its_timeout() -> None:
    """One deadline: the start took 4 of 10 seconds, so the wait gives up 6 seconds later, naming the import."""
    clock = FakeClock()
    script = Script(
        error(429, code="APIG.0308", msg="throttled", retry_after="4"), started(), status(), repeat_last=True
    )
    with pytest.raises(ImportTimeout) as caught:
        import_file(
            client_for(script),
            **TARGET,
            action="import_codetable",
            file=WORKBOOK,
            timeout=10,
            policy=SCRIPTED_POLICY,
            clock=clock,
            sleep=clock.sleep,
        )
    assert (caught.value.uuid, caught.value.timeout) == (UUID, 6.0)
    assert clock.now - 1000.0 == pytest.approx(10.0)


def test_import_file_returns_the_outcome() -> None:
    clock = FakeClock()
    script = Script(started(), done(2))
    outcome = import_file(
        client_for(script),
        **TARGET,
        action="import_codetable",
        file=WORKBOOK,
        timeout=10,
        skip_exist=True,
        policy=SCRIPTED_POLICY,
        clock=clock,
        sleep=clock.sleep,
    )
    assert (outcome.uuid, outcome.total) == (UUID, 2)
    assert dict(script.requests[0].url.params)["skip_exist"] == "true"


def test_the_async_twins_send_and_decide_the_same() -> None:
    clock = FakeClock()
    script = Script(
        error(429, code="APIG.0308", msg="throttled", retry_after="4"),
        started(),
        status(),
        status(),
        repeat_last=True,
    )
    client = client_for(script)

    async def calls() -> tuple[str, ImportOutcome, ImportTimeout]:
        uuid = await async_start_import(
            client,
            **TARGET,
            action="import_relation",
            model_id="m1",
            file=WORKBOOK,
            timeout=30,
            policy=SCRIPTED_POLICY,
            clock=clock,
            sleep=clock.async_sleep,
        )
        script.steps = [done()]
        outcome = await async_wait_for_import(
            client, **TARGET, uuid=uuid, timeout=30, policy=SCRIPTED_POLICY, clock=clock, sleep=clock.async_sleep
        )
        script.steps = [error(429, code="APIG.0308", msg="throttled", retry_after="4"), started(), status()]
        script.repeat_last = True
        with pytest.raises(ImportTimeout) as caught:
            await async_import_file(
                client,
                **TARGET,
                action="import_codetable",
                file=WORKBOOK,
                timeout=10,
                policy=SCRIPTED_POLICY,
                clock=clock,
                sleep=clock.async_sleep,
            )
        return uuid, outcome, caught.value

    before = clock.now
    uuid, outcome, timeout = asyncio.run(calls())
    assert (uuid, outcome.uuid, outcome.total) == (UUID, UUID, 1)
    assert clock.now - before == pytest.approx(4.0 + 10.0), "the import_file's 10 s ran out on the clock given"
    assert dict(script.requests[1].url.params) == {
        "action-id": "import_relation",
        "model_id": "m1",
        "skip-exist": "false",
    }
    assert (timeout.uuid, timeout.timeout) == (UUID, 6.0)


def test_the_module_names_its_public_helpers() -> None:
    assert set(imports_module.__all__) >= {"import_file", "start_import", "wait_for_import", "ACTIONS"}


# --------------------------------------------------------------------------- every entry point passes everything on

ENTRY_POINTS = ["start_import", "async_start_import", "import_file", "async_import_file"]


def call(name: str, script: Script, clock: FakeClock, policy: RetryPolicy = SCRIPTED_POLICY, **arguments: Any) -> Any:
    """Call helper ``name`` (sync or async) with the scripted client, the fake clock and ``arguments``."""
    given: dict[str, Any] = {"action": "import_codetable", "file": WORKBOOK, "timeout": 30, **arguments}
    helper = getattr(imports_module, name)
    sleep = clock.async_sleep if name.startswith("async_") else clock.sleep
    result = helper(client_for(script), **TARGET, policy=policy, clock=clock, sleep=sleep, **given)
    return asyncio.run(result) if name.startswith("async_") else result


def answers(name: str) -> list[httpx.Response]:
    return [started(), done()] if name.endswith("import_file") else [started()]


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_every_start_sends_the_options_given_and_nothing_else_by_default(name: str) -> None:
    plain = Script(*answers(name))
    call(name, plain, FakeClock())
    sent = plain.requests[0]
    assert dict(sent.url.params) == {"action-id": "import_codetable", "skip-exist": "false"}
    assert sent.headers["x-language"] == "en-us"
    given = Script(*answers(name))
    call(
        name,
        given,
        FakeClock(),
        action="import_relation",
        model_id="m1",
        directory_id="d1",
        skip_exist=True,
        language="zh-cn",
    )
    sent = given.requests[0]
    assert list(sent.url.params.multi_items()) == [
        ("action-id", "import_relation"),
        ("model_id", "m1"),
        ("directory_id", "d1"),
        ("skip-exist", "true"),
        ("skip_exist", "true"),
    ]
    assert sent.headers["x-language"] == "zh-cn"


@pytest.mark.parametrize("name", ENTRY_POINTS)
@pytest.mark.parametrize(
    ("action", "operation"), [("import_atomic", "ImportModels"), ("start-import", "ImportCatalogs")]
)
def test_a_refused_start_names_its_operation(name: str, action: str, operation: str) -> None:
    script = Script(error(400, code="EMU.0425", msg="not a workbook"))
    with pytest.raises(ApiError) as caught:
        call(name, script, FakeClock(), action=action)
    assert caught.value.operation == operation


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_every_start_keeps_to_the_policy_and_the_clock_given(name: str) -> None:
    """On the fake clock the start's 3 s run out after one retry; on the real one it would retry until refused."""
    script = Script(error(429, code="APIG.0308", msg="throttled", retry_after="4"), repeat_last=True)
    clock = FakeClock()
    with pytest.raises(ImportTimeout) as caught:
        call(name, script, clock, timeout=3)
    assert (caught.value.uuid, clock.sleeps, len(script.requests)) == (None, [3.0], 2)
    strict = Script(error(429, code="APIG.0308", msg="throttled"))
    with pytest.raises(ApiError):
        call(name, strict, FakeClock(), policy=RetryPolicy(max_retries=0))
    assert len(strict.requests) == 1, "max_retries=0: the throttled start is not sent again"


@pytest.mark.parametrize("name", ["wait_for_import", "async_wait_for_import", "import_file", "async_import_file"])
def test_every_wait_polls_the_import_s_result_and_reports_progress(name: str) -> None:
    script = Script(*([started()] if name.endswith("import_file") else []), status("importing", "0.25"), done())
    seen: list[ExportProgress] = []
    clock = FakeClock()
    helper = getattr(imports_module, name)
    sleep = clock.async_sleep if name.startswith("async_") else clock.sleep
    arguments: dict[str, Any] = {"uuid": UUID} if "wait" in name else {"action": "import_codetable", "file": WORKBOOK}
    arguments.update(timeout=30, on_progress=seen.append, policy=SCRIPTED_POLICY, clock=clock, sleep=sleep)
    result = helper(client_for(script), **TARGET, **arguments)
    outcome = asyncio.run(result) if name.startswith("async_") else result
    assert outcome.uuid == UUID
    assert [report.percent for report in seen] == [25.0, 100.0]
    poll = script.requests[-1]
    assert (poll.url.path, dict(poll.url.params), poll.headers["workspace"]) == (
        f"/v2/{PROJECT_ID}/design/catelogs/process-import",
        {"uuid": UUID},
        WORKSPACE,
    )


def test_a_file_without_the_xlsx_suffix_is_still_sent_as_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "export-2024"
    path.write_bytes(WORKBOOK)
    _, request = start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=path)
    sent = httpx.Client().build_request(**request)
    sent.read()
    assert f"Content-Type: {XLSX}\r\n".encode() in sent.content
    assert upload_of(sent)[1:3] == ("export-2024", XLSX)


def test_a_file_that_cannot_be_read_is_named_with_what_went_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(WORKBOOK)

    def refuse(_path: Path) -> bytes:
        raise OSError("no reason given")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ConfigurationError, match=r"^cannot read .*locked\.xlsx: OSError$"):
        start_request(PROJECT_ID, WORKSPACE, action="import_codetable", file=path)


@pytest.mark.parametrize("name", ["wait_for_import", "async_wait_for_import", "import_file", "async_import_file"])
def test_every_wait_keeps_to_the_policy_given(name: str) -> None:
    """``max_retries=0``: a poll answered 503 is raised at once, not asked again as the default policy would."""
    script = Script(*([started()] if name.endswith("import_file") else []), error(503, code="EMU.F503", msg="busy"))
    clock = FakeClock()
    helper = getattr(imports_module, name)
    sleep = clock.async_sleep if name.startswith("async_") else clock.sleep
    arguments: dict[str, Any] = {"uuid": UUID} if "wait" in name else {"action": "import_codetable", "file": WORKBOOK}
    arguments.update(timeout=30, policy=RetryPolicy(max_retries=0), clock=clock, sleep=sleep)

    def run() -> object:
        result = helper(client_for(script), **TARGET, **arguments)
        return asyncio.run(result) if name.startswith("async_") else result

    with pytest.raises(ApiError) as caught:
        run()
    assert (caught.value.status_code, caught.value.operation) == (503, "ImportResult")
