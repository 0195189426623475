"""Content negotiation of the generated client (overrides/templates).

ExportDesignResult's 200 is either the JSON status object or the Excel workbook,
told apart only by ``Content-Type``. The generated ``_parse_response`` must
dispatch on it: JSON (any case, any parameters, any ``+json`` type) parses into
the model, a declared binary type gives a ``File`` named after
``Content-Disposition``, and anything else raises a typed error naming the
status, the type and the first bytes, never ``json.JSONDecodeError``.

The last tests generate a client from a throwaway spec to show that the logic
is the templates', driven by the spec's media types, not a special case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataarts_export_client import errors
from dataarts_export_client.api.export import export_design_models, export_design_result
from dataarts_export_client.client import Client
from dataarts_export_client.models.error_response import ErrorResponse
from dataarts_export_client.models.export_models_result import ExportModelsResult
from dataarts_export_client.models.export_param import ExportParam
from dataarts_export_client.models.export_result import ExportResult
from dataarts_export_client.models.export_state import ExportState
from dataarts_export_client.types import File, Response, content_disposition_file_name

BASE_URL = "http://127.0.0.1:8000"
PROJECT_ID = "0833a5737480d53b2f25c010dc1a7b88"
WORKSPACE = "2ceb3c2b4b2d4b1c9d5a0a8b6a0c1e3f"
UUID = "fd653968-864b-45f6-9842-2b125d2dbfb7"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Not a real workbook: the client must hand the bytes over untouched, whatever they are.
WORKBOOK = b"PK\x03\x04" + bytes(range(256)) * 4
STATUS_BODY = {"data": {"status": "importing", "group": None, "rate": "0"}}
ERROR_BODY = {"error_code": "EMU.0404", "error_msg": "The export task does not exist.", "data": {}}

Result = ErrorResponse | ExportResult | File | None
DetailedResult = Response[ErrorResponse | ExportResult | File]


def reply(status: int, content: bytes, headers: dict[str, str] | None = None) -> Client:
    """A client whose every request is answered with this status, body and headers."""

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/v2/{PROJECT_ID}/design/export-result"
        assert request.url.params["uuid"] == UUID
        assert request.headers["workspace"] == WORKSPACE
        return httpx.Response(status, content=content, headers=headers)

    return Client(base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(handler)})


def json_reply(status: int, body: object, content_type: str = "application/json;charset=UTF-8") -> Client:
    return reply(status, json.dumps(body).encode(), {"Content-Type": content_type})


def xlsx_reply(content_disposition: str | None, content_type: str = XLSX) -> Client:
    headers = {"Content-Type": content_type}
    if content_disposition is not None:
        headers["Content-Disposition"] = content_disposition
    return reply(200, WORKBOOK, headers)


def fetch(client: Client) -> Result:
    return export_design_result.sync(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)


def fetch_detailed(client: Client) -> DetailedResult:
    return export_design_result.sync_detailed(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)


async def afetch(client: Client) -> Result:
    return await export_design_result.asyncio(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)


async def afetch_detailed(client: Client) -> DetailedResult:
    return await export_design_result.asyncio_detailed(PROJECT_ID, client=client, uuid=UUID, workspace=WORKSPACE)


def assert_workbook(parsed: Result, *, file_name: str | None, mime_type: str = XLSX) -> None:
    assert isinstance(parsed, File)
    assert parsed.payload.read() == WORKBOOK
    assert parsed.mime_type == mime_type
    assert parsed.file_name == file_name


# --- JSON media types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json;charset=UTF-8",
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON;CHARSET=UTF-8",
        "Application/Json",
        "application/vnd.dataarts.export-status+json",
        "application/problem+JSON; charset=UTF-8",
    ],
)
def test_json_types_parse_the_status_object(content_type: str) -> None:
    parsed = fetch(json_reply(200, STATUS_BODY, content_type))

    assert isinstance(parsed, ExportResult)
    assert parsed.data.status is ExportState.IMPORTING
    assert parsed.data.rate == "0"


# --- binary media types -------------------------------------------------------------------------


def test_xlsx_type_gives_a_file_named_by_filename() -> None:
    parsed = fetch(xlsx_reply('attachment; filename="dataarts-export-fd653968.xlsx"'))

    assert_workbook(parsed, file_name="dataarts-export-fd653968.xlsx")


@pytest.mark.parametrize(
    "content_disposition",
    [
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''%E5%AF%BC%E5%87%BA-na%C3%AFve.xlsx",
        # filename* wins wherever it stands (RFC 6266, section 4.3).
        "attachment; filename*=UTF-8''%E5%AF%BC%E5%87%BA-na%C3%AFve.xlsx; filename=\"export.xlsx\"",
        "attachment; filename*=utf-8'zh'%E5%AF%BC%E5%87%BA-na%C3%AFve.xlsx",
    ],
)
def test_filename_star_wins_over_filename(content_disposition: str) -> None:
    parsed = fetch(xlsx_reply(content_disposition))

    assert_workbook(parsed, file_name="导出-naïve.xlsx")


def test_undecodable_filename_star_falls_back_to_filename() -> None:
    # A NUL in the charset makes the standard library raise ValueError while decoding.
    parsed = fetch(xlsx_reply("attachment; filename=\"export.xlsx\"; filename*=a\x00b''%FF"))

    assert_workbook(parsed, file_name="export.xlsx")


@pytest.mark.parametrize("content_disposition", [None, "attachment", "inline", 'attachment; filename=""', ';;="'])
def test_no_file_name_gives_none(content_disposition: str | None) -> None:
    parsed = fetch(xlsx_reply(content_disposition))

    assert_workbook(parsed, file_name=None)


@pytest.mark.parametrize("content_type", ["application/octet-stream", "Application/Octet-Stream; name=x"])
def test_octet_stream_gives_a_file(content_type: str) -> None:
    parsed = fetch(xlsx_reply('attachment; filename="export.xlsx"', content_type=content_type))

    assert_workbook(parsed, file_name="export.xlsx", mime_type="application/octet-stream")


def test_xlsx_type_with_parameters_and_upper_case_gives_a_file() -> None:
    parsed = fetch(xlsx_reply(None, content_type=XLSX.upper() + "; charset=binary"))

    assert_workbook(parsed, file_name=None)


# --- what the spec does not declare -------------------------------------------------------------


def test_undeclared_type_raises_a_typed_error_naming_status_type_and_body() -> None:
    body = b"<html><head><title>502 Bad Gateway</title></head>" + b"x" * 200 + b"END-OF-BODY"
    client = reply(200, body, {"Content-Type": "text/html; charset=utf-8"})

    with pytest.raises(errors.UnexpectedContentType) as caught:
        fetch(client)

    error = caught.value
    assert (error.status_code, error.content_type, error.content) == (200, "text/html; charset=utf-8", body)
    message = str(error)
    assert "200" in message
    assert "text/html; charset=utf-8" in message
    assert repr(body[:64]) in message
    assert "END-OF-BODY" not in message
    assert not isinstance(error, json.JSONDecodeError)


def test_binary_garbage_is_repr_escaped_in_the_message() -> None:
    body = bytes(range(256))
    with pytest.raises(errors.UnexpectedContentType, match=r"\\x00\\x01\\x02") as caught:
        fetch(reply(200, body, {"Content-Type": "image/png"}))

    assert "\x00" not in str(caught.value)


def test_missing_content_type_on_a_negotiated_status_raises() -> None:
    with pytest.raises(errors.UnexpectedContentType, match="no Content-Type header") as caught:
        fetch(reply(200, WORKBOOK))

    assert caught.value.content_type is None


def test_binary_type_on_a_json_only_status_raises() -> None:
    with pytest.raises(errors.UnexpectedContentType, match="for status 400"):
        fetch(reply(400, WORKBOOK, {"Content-Type": XLSX}))


@pytest.mark.parametrize("status", [200, 400])
@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe\xfd", b'{"data": '])
def test_invalid_json_raises_a_typed_error(status: int, body: bytes) -> None:
    client = reply(status, body, {"Content-Type": "application/json;charset=UTF-8"})

    with pytest.raises(errors.InvalidJSONBody) as caught:
        fetch(client)

    error = caught.value
    assert not isinstance(error, json.JSONDecodeError)
    assert isinstance(error, errors.UnexpectedResponse)
    assert isinstance(error, ValueError)
    assert error.decode_error
    assert error.decode_error in error.reason
    assert error.status_code == status
    assert f"for status {status}" in str(error)
    assert "application/json;charset=UTF-8" in str(error)
    assert repr(body[:64]) in str(error)


# --- error statuses -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 429])
@pytest.mark.parametrize("content_type", ["application/json;charset=UTF-8", "application/json", None])
def test_error_statuses_parse_error_response(status: int, content_type: str | None) -> None:
    # Without Content-Type a JSON-only status is still read as JSON (the lenient choice).
    headers = {"Content-Type": content_type} if content_type else {}
    parsed = fetch(reply(status, json.dumps(ERROR_BODY).encode(), headers))

    assert isinstance(parsed, ErrorResponse)
    assert parsed.error_code == "EMU.0404"
    assert parsed.error_msg == "The export task does not exist."


def test_undocumented_status_is_not_negotiated() -> None:
    # Undocumented statuses keep the stock behaviour: None, or UnexpectedStatus when asked for.
    transport = httpx.MockTransport(
        lambda _: httpx.Response(502, content=b"<html>", headers={"Content-Type": "text/html"})
    )
    lenient = Client(base_url=BASE_URL, httpx_args={"transport": transport})
    strict = Client(base_url=BASE_URL, raise_on_unexpected_status=True, httpx_args={"transport": transport})

    assert fetch(lenient) is None
    with pytest.raises(errors.UnexpectedStatus):
        fetch(strict)


# --- every calling style ------------------------------------------------------------------------


def test_sync_detailed_carries_the_file() -> None:
    detailed = fetch_detailed(xlsx_reply('attachment; filename="export.xlsx"'))

    assert detailed.status_code == 200
    assert detailed.content == WORKBOOK
    assert detailed.headers["Content-Type"] == XLSX
    assert_workbook(detailed.parsed, file_name="export.xlsx")


def test_sync_detailed_carries_the_status_object() -> None:
    detailed = fetch_detailed(json_reply(200, STATUS_BODY))

    assert isinstance(detailed.parsed, ExportResult)


async def test_asyncio_returns_the_file() -> None:
    parsed = await afetch(xlsx_reply("attachment; filename*=UTF-8''%C3%A9t%C3%A9.xlsx"))

    assert_workbook(parsed, file_name="été.xlsx")


async def test_asyncio_detailed_returns_each_kind() -> None:
    as_file = await afetch_detailed(xlsx_reply(None, content_type="application/octet-stream"))
    as_json = await afetch_detailed(json_reply(200, STATUS_BODY, "application/json"))
    as_error = await afetch_detailed(json_reply(429, ERROR_BODY))

    assert_workbook(as_file.parsed, file_name=None, mime_type="application/octet-stream")
    assert isinstance(as_json.parsed, ExportResult)
    assert isinstance(as_error.parsed, ErrorResponse)


AsyncCall = Callable[[Client], Awaitable[Result | DetailedResult]]


@pytest.mark.parametrize("call", [afetch, afetch_detailed])
async def test_asyncio_variants_raise_the_typed_errors(call: AsyncCall) -> None:
    with pytest.raises(errors.UnexpectedContentType):
        await call(reply(200, b"<html>", {"Content-Type": "text/html"}))
    with pytest.raises(errors.InvalidJSONBody):
        await call(reply(200, b"<html>", {"Content-Type": "application/json"}))


# --- ExportDesignModels (one JSON media type per status) ---------------------------------------


def models_client(status: int, body: bytes, headers: dict[str, str]) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, content=body, headers=headers)

    return Client(base_url=BASE_URL, httpx_args={"transport": httpx.MockTransport(handler)}), seen


PARAM = ExportParam(ids=["1224641525420683264"], type_="TABLE_MODEL", asyn=True)
STARTED = json.dumps({"data": {"uuid": UUID}}).encode()


@pytest.mark.parametrize("headers", [{"Content-Type": "application/json;charset=UTF-8"}, {}])
def test_export_design_models_still_parses(headers: dict[str, str]) -> None:
    client, seen = models_client(200, STARTED, headers)

    parsed = export_design_models.sync(PROJECT_ID, client=client, body=PARAM, workspace=WORKSPACE)

    assert isinstance(parsed, ExportModelsResult)
    assert parsed.data.uuid == UUID
    assert json.loads(seen[0].content) == {"ids": ["1224641525420683264"], "type": "TABLE_MODEL", "asyn": True}


async def test_export_design_models_asyncio_and_errors() -> None:
    client, _ = models_client(200, STARTED, {"Content-Type": "application/json"})
    parsed = await export_design_models.asyncio(PROJECT_ID, client=client, body=PARAM, workspace=WORKSPACE)
    assert isinstance(parsed, ExportModelsResult)

    client, _ = models_client(403, json.dumps(ERROR_BODY).encode(), {"Content-Type": "application/json"})
    detailed = await export_design_models.asyncio_detailed(PROJECT_ID, client=client, body=PARAM, workspace=WORKSPACE)
    assert isinstance(detailed.parsed, ErrorResponse)

    client, _ = models_client(200, b"<html>", {"Content-Type": "text/html"})
    with pytest.raises(errors.UnexpectedContentType, match="for status 200"):
        export_design_models.sync_detailed(PROJECT_ID, client=client, body=PARAM, workspace=WORKSPACE)

    client, _ = models_client(200, b"oops", {})
    with pytest.raises(errors.InvalidJSONBody, match="no Content-Type header"):
        export_design_models.sync(PROJECT_ID, client=client, body=PARAM, workspace=WORKSPACE)


# --- the file name helper on its own ------------------------------------------------------------


@given(st.text())
def test_content_disposition_file_name_never_crashes(value: str) -> None:
    name = content_disposition_file_name(value)

    assert name is None or isinstance(name, str)


# Pieces of Content-Disposition values, so that near misses of valid headers come up often.
HEADER_PIECES: tuple[str, ...] = (
    *("attachment", ";", " ", "=", '"', "'", "''", "\\", "\x00", "%", "%C3%A9", "%FF", "数"),
    *("filename", "filename*", "*0", "*1*", "UTF-8", "a.xlsx"),
)


@given(st.lists(st.sampled_from(HEADER_PIECES)).map("".join))
def test_content_disposition_file_name_survives_near_misses(value: str) -> None:
    name = content_disposition_file_name(value)

    assert name is None or isinstance(name, str)


# --- the logic is generic: a throwaway spec ----------------------------------------------------

TINY_SPEC = """\
openapi: 3.1.0
info: {title: Tiny, version: 1.0.0}
paths:
  /pictures/{name}:
    get:
      operationId: GetPicture
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: The picture's metadata, or the picture itself.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Picture'}
            image/png:
              schema: {type: string, format: binary}
  /thumbnails/{name}:
    get:
      operationId: GetThumbnail
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: A thumbnail in any image format (listed first), or its metadata.
          content:
            image/*:
              schema: {type: string, format: binary}
            application/json:
              schema: {$ref: '#/components/schemas/Picture'}
        '404':
          description: No such picture.
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Picture'}
        default:
          description: Any other answer, as JSON or as a plain-text log.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Picture'}
            text/plain:
              schema: {type: string}
components:
  schemas:
    Picture:
      type: object
      required: [width]
      properties:
        width: {type: integer}
"""

TINY_CHECK = """\
import httpx
import pytest
from tiny_client import errors
from tiny_client.api.default import get_picture, get_thumbnail
from tiny_client.client import Client
from tiny_client.models.picture import Picture
from tiny_client.types import File


def client(content_type, body, status=200):
    headers = {"Content-Type": content_type} if content_type else {}
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body, headers=headers))
    return Client(base_url="http://127.0.0.1:9", httpx_args={"transport": transport})


picture = get_picture.sync("a", client=client("application/json; charset=utf-8", b'{"width": 3}'))
assert isinstance(picture, Picture) and picture.width == 3, picture
png = get_picture.sync("a", client=client("IMAGE/PNG", b"\\x89PNG"))
assert isinstance(png, File) and png.payload.read() == b"\\x89PNG" and png.mime_type == "image/png", png
with pytest.raises(errors.UnexpectedContentType, match="image/jpeg"):
    get_picture.sync("a", client=client("image/jpeg", b"\\xff\\xd8"))
with pytest.raises(errors.InvalidJSONBody):
    get_picture.sync("a", client=client("application/json", b"{"))

jpeg = get_thumbnail.sync("a", client=client("image/jpeg", b"\\xff\\xd8"))
assert isinstance(jpeg, File) and jpeg.mime_type == "image/jpeg", jpeg
meta = get_thumbnail.sync("a", client=client("application/json", b'{"width": 5}'))
assert isinstance(meta, Picture) and meta.width == 5, meta
with pytest.raises(errors.UnexpectedContentType, match="text/plain"):
    get_thumbnail.sync("a", client=client("text/plain", b"hi"))
log = get_thumbnail.sync("a", client=client("text/plain; charset=utf-8", b"boom", 500))
assert isinstance(log, File) and log.payload.read() == b"boom" and log.mime_type == "text/plain", log
problem = get_thumbnail.sync("a", client=client("application/json", b'{"width": 0}', 503))
assert isinstance(problem, Picture), problem
with pytest.raises(errors.UnexpectedContentType, match="for status 502"):
    get_thumbnail.sync("a", client=client("text/html", b"<html>", 502))
print("generic negotiation ok")
"""


TINY_CONFIG = """\
package_name_override: tiny_client
project_name_override: tiny-client
post_hooks:
  - "ruff check . --fix-only --quiet"
  - "ruff format . --quiet"
"""

TINY_RUFF = """\
line-length = 120

[lint]
select = ["F", "I", "UP"]
"""


def generate_tiny_client(repo_root: Path, tmp_path: Path, *, custom_templates: bool) -> Path:
    """Generate the tiny spec's client into tmp_path; return the directory holding the package."""
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY_SPEC, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(TINY_CONFIG, encoding="utf-8")
    # The real client's ruff settings (generated/dataarts-export-client/pyproject.toml), found by the post-hooks.
    (tmp_path / "ruff.toml").write_text(TINY_RUFF, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "RUFF_NO_CACHE": "true"}
    output = tmp_path / "tiny-client"
    command = [str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec), "--config", str(config)]
    command += ["--meta", "none", "--output-path", str(output / "tiny_client"), "--fail-on-warning"]
    if custom_templates:
        command += ["--custom-template-path", str(repo_root / "overrides" / "templates")]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def run_tiny_check(package_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    check = tmp_path / "check_tiny.py"
    check.write_text(TINY_CHECK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(package_dir)}
    return subprocess.run([sys.executable, str(check)], env=env, capture_output=True, text=True, check=False)


@pytest.mark.slow
def test_templates_negotiate_any_spec(repo_root: Path, tmp_path: Path) -> None:
    package_dir = generate_tiny_client(repo_root, tmp_path, custom_templates=True)

    result = run_tiny_check(package_dir, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generic negotiation ok" in result.stdout

    module = (package_dir / "tiny_client" / "api" / "default" / "get_thumbnail.py").read_text(encoding="utf-8")
    assert "-> File | Picture | None:" in module
    ruff = subprocess.run(
        [str(Path(sys.executable).parent / "ruff"), "check", "--no-cache", "tiny_client"],
        cwd=package_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull, "tiny_client"],
        cwd=package_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr


def test_unexpected_content_type_is_constructed_from_status_type_and_body() -> None:
    error = errors.UnexpectedContentType(200, "text/html", b"<html>" * 20)

    assert str(error).startswith("Unexpected content type for status 200: Content-Type 'text/html'")
    assert (error.status_code, error.content_type, error.content) == (200, "text/html", b"<html>" * 20)
    assert isinstance(error, errors.UnexpectedResponse)
    assert not isinstance(error, ValueError)
