"""Helpers of the emulator suite: a controllable clock and an HTTP transport that checks every answer against the spec.

``api`` talks to ``create_app`` in process (httpx.ASGITransport) through
:class:`SpecCheckingTransport`, which checks each response against the spec
when the spec declares its status (media type, JSON body against the schema
with openapi-schema-validator — another engine than the emulator's own —,
headers against theirs), and otherwise (404, 405, injected 5xx, ``/healthz``)
checks the error body against the spec's ``ErrorResponse`` schema. Every
response must carry ``X-Request-Id`` and no response may be 5xx unless a
test allows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from openapi_schema_validator import OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.routing import SpecRouter
from dataarts_emulator.spec import load_spec
from dataarts_export_client.types import is_json_media_type, parse_media_type

SPEC = load_spec()
ROUTER = SpecRouter(SPEC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SPEC_URI = "urn:test:openapi"
_REGISTRY: Registry[Any] = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(SPEC))
_ERROR_SHAPES = {
    frozenset({"error_code", "error_msg", "data"}): "service",
    frozenset({"errors"}): "architecture",
    frozenset({"error_code", "error_msg", "request_id"}): "gateway",
}
"""The three error bodies of docs/fidelity.md (F-ERR-1 to F-ERR-3), by their members."""
START = 1_750_000_000.0

EXPORT_MODEL = f"/v2/{DEMO_PROJECT_ID}/design/export-model"
EXPORT_RESULT = f"/v2/{DEMO_PROJECT_ID}/design/export-result"
TOKEN_HEADERS = {"X-Auth-Token": DEMO_TOKEN, "workspace": DEMO_WORKSPACE}


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _resolved(pointer: str) -> tuple[Any, str]:
    """The spec node at JSON pointer ``pointer``, its local ``$ref`` chain followed, and where it ends."""
    while True:
        node: Any = SPEC
        for part in pointer.split("/")[1:]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        if not (isinstance(node, Mapping) and "$ref" in node):
            return node, pointer
        pointer = str(node["$ref"]).removeprefix("#")


def _check_against(pointer: str, instance: object, what: str) -> None:
    """``instance`` against the schema at ``pointer``; its ``$ref`` s resolve within the spec."""
    schema = {"$ref": f"{_SPEC_URI}#{quote(pointer, safe='/~')}"}
    errors = [error.message for error in OAS31Validator(schema, registry=_REGISTRY).iter_errors(instance)]
    assert not errors, f"{what} does not match the spec: {errors[:5]}"


def _check_declared(pointer: str, response: httpx.Response) -> None:
    """``response`` against the spec's response object at ``pointer``: headers, media type, JSON body."""
    declared, pointer = _resolved(pointer)
    for name in declared.get("headers", {}):
        header, header_pointer = _resolved(f"{pointer}/headers/{_escape(name)}")
        value = response.headers.get(name)
        assert value is not None or not header.get("required"), f"header {name} is required"
        if value is not None and "schema" in header:
            kind = _resolved(f"{header_pointer}/schema")[0].get("type")
            typed = int(value) if kind == "integer" and value.isdigit() else value  # header text, typed as declared
            _check_against(f"{header_pointer}/schema", typed, f"header {name}")
    content = declared.get("content", {})
    if not content:
        return
    media_type = parse_media_type(response.headers.get("content-type")) or ""
    assert media_type in content, f"{response.status_code} with {media_type!r}, the spec lists {sorted(content)}"
    if is_json_media_type(media_type):
        schema_pointer = f"{pointer}/content/{_escape(media_type)}/schema"
        _check_against(schema_pointer, json.loads(response.content), f"{response.status_code} body")
    else:
        assert response.content, "a declared file answer has a body"


class FakeClock:
    """A clock tests move by hand: seconds since the epoch."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


def check_response(request: httpx.Request, response: httpx.Response, *, allow_5xx: bool = False) -> None:
    """Fail unless ``response`` is what the spec allows for ``request`` (see the module docstring)."""
    assert response.headers.get("X-Request-Id"), "every answer carries X-Request-Id"
    assert allow_5xx or response.status_code < 500, f"5xx without injected faults: {response.text}"
    raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    found = ROUTER.find(raw_path)
    operation = None
    if found is not None and request.method in found[0].operations:
        operation = SPEC["paths"][found[0].template][request.method.lower()]
    if found is not None and operation is not None and str(response.status_code) in operation["responses"]:
        method = request.method.lower()
        _check_declared(f"/paths/{_escape(found[0].template)}/{method}/responses/{response.status_code}", response)
    elif raw_path == "/healthz" and response.status_code == 200:
        assert response.json() == {"status": "ok"}
    else:
        assert response.status_code in {404, 405} or response.status_code >= 500, response.status_code
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/json;charset=UTF-8"
        check_error_body(response)


def check_error_body(response: httpx.Response) -> str:
    """``response``'s error body is one of Huawei's three shapes and the spec's ``ErrorResponse``; return the shape.

    The gateway's ``request_id`` is the answer's own ``X-Request-Id``; DataArts
    Architecture's ``errors`` hold exactly one error with a code and message.
    """
    body = json.loads(response.content)
    _check_against("/components/schemas/ErrorResponse", body, "error body")
    shape = _ERROR_SHAPES.get(frozenset(body))
    assert shape is not None, f"an error body of none of the three shapes: {sorted(body)}"
    if shape == "gateway":
        assert body["request_id"] == response.headers["X-Request-Id"]
        assert body["error_code"].startswith("APIG."), body
    if shape == "architecture":
        assert [set(error) for error in body["errors"]] == [{"error_code", "error_msg"}], body
    if shape == "service":
        assert body["data"] == {}, body
    return shape


class SpecCheckingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; every response is read and checked with :func:`check_response`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, allow_5xx: bool = False) -> None:
        self.inner = inner
        self.allow_5xx = allow_5xx
        self.checked = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        checked = httpx.Response(response.status_code, headers=response.headers, content=content, request=request)
        check_response(request, checked, allow_5xx=self.allow_5xx)
        self.checked += 1
        return checked


ClientFactory = Callable[..., httpx.AsyncClient]


def read_raw(answer: httpx.Response) -> tuple[bytes, httpx.TransportError | None]:
    """The bytes of a streamed answer as they came, and the transport error that ended it early, if any."""
    received = bytearray()
    try:
        for chunk in answer.iter_raw():
            received += chunk
    except httpx.TransportError as error:
        return bytes(received), error
    return bytes(received), None
