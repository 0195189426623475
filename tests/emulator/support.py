"""Helpers of the emulator suite: a controllable clock and an HTTP transport that checks every answer against the spec.

``api`` talks to ``create_app`` in process (httpx.ASGITransport) through
:class:`SpecCheckingTransport`, which validates each response with
openapi-core's response validator when the spec declares its status, and
otherwise (404, 405, injected 5xx, ``/healthz``) checks the error body against
the spec's ``ErrorResponse`` schema. Every response must carry ``X-Request-Id``
and no response may be 5xx unless a test allows it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from jsonschema_path import SchemaPath
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.response.validators import V31ResponseValidator
from openapi_schema_validator import validate as validate_schema

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.routing import SpecRouter
from dataarts_emulator.spec import load_spec

SPEC = load_spec()
ROUTER = SpecRouter(SPEC)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _binary_as_text(data: bytes) -> str:
    # openapi-core checks `type: string, format: binary` against str, not bytes: hand it the bytes as Latin-1 text.
    return data.decode("latin-1")


_RESPONSE_VALIDATOR = V31ResponseValidator(
    SchemaPath.from_dict(SPEC),
    extra_media_type_deserializers={XLSX: _binary_as_text, "application/octet-stream": _binary_as_text},
)
_ERROR_SCHEMA = {**SPEC["components"]["schemas"]["ErrorResponse"], "required": ["error_code", "error_msg", "data"]}
START = 1_750_000_000.0

EXPORT_MODEL = f"/v2/{DEMO_PROJECT_ID}/design/export-model"
EXPORT_RESULT = f"/v2/{DEMO_PROJECT_ID}/design/export-result"
TOKEN_HEADERS = {"X-Auth-Token": DEMO_TOKEN, "workspace": DEMO_WORKSPACE}


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


@dataclass
class _OpenAPIRequest:
    host_url: str
    path: str
    method: str
    parameters: RequestParameters = field(default_factory=RequestParameters)
    body: bytes | None = None
    content_type: str = "application/json"


@dataclass
class _OpenAPIResponse:
    status_code: int
    content_type: str
    headers: dict[str, str]
    data: bytes


def check_response(request: httpx.Request, response: httpx.Response, *, allow_5xx: bool = False) -> None:
    """Fail unless ``response`` is what the spec allows for ``request`` (see the module docstring)."""
    assert response.headers.get("X-Request-Id"), "every answer carries X-Request-Id"
    assert allow_5xx or response.status_code < 500, f"5xx without injected faults: {response.text}"
    raw_path = request.url.raw_path.decode("ascii").split("?", 1)[0]
    found = ROUTER.find(raw_path)
    operation = None
    if found is not None and request.method in found[0].operations:
        operation = SPEC["paths"][found[0].template][request.method.lower()]
    if operation is not None and str(response.status_code) in operation["responses"]:
        adapted = _OpenAPIResponse(
            response.status_code,
            response.headers.get("content-type", "").lower(),
            dict(response.headers),
            response.content,
        )
        # Any listed server URL will do: the validator only needs it to find the operation.
        openapi_request = _OpenAPIRequest("http://127.0.0.1:8000", raw_path, request.method.lower())
        errors = list(_RESPONSE_VALIDATOR.iter_errors(openapi_request, adapted))
        assert not errors, f"{response.status_code} does not match the spec: {[str(e)[:500] for e in errors]}"
    elif raw_path == "/healthz" and response.status_code == 200:
        assert response.json() == {"status": "ok"}
    else:
        assert response.status_code in {404, 405} or response.status_code >= 500, response.status_code
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/json;charset=UTF-8"
        validate_schema(json.loads(response.content), _ERROR_SCHEMA)


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
