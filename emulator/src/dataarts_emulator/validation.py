"""Routing and request validation driven by ``openapi.yaml`` (the spec shipped in the client package).

The emulator has no hand-written list of paths, parameters or body rules: the
routes come from the spec's ``paths`` and every request is checked with
openapi-core against the operation's parameters and request body. Security is
deliberately *not* validated here — :mod:`dataarts_emulator.auth` decides 401
and 403 itself, before and after this step — so openapi-core only ever
produces 400s.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import unquote

import yaml
from jsonschema_path import SchemaPath
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.validators import V31RequestBodyValidator, V31RequestParametersValidator
from starlette.datastructures import Headers, QueryParams

SPEC_PACKAGE = "dataarts_export_client"
SPEC_RESOURCE = "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MAX_MESSAGE = 2000


@cache
def load_spec() -> dict[str, Any]:
    """The spec as shipped inside the generated client package (``make generate`` copies it there)."""
    text = importlib.resources.files(SPEC_PACKAGE).joinpath(SPEC_RESOURCE).read_text(encoding="utf-8")
    spec = yaml.safe_load(text)
    if not isinstance(spec, dict):
        raise TypeError(f"{SPEC_PACKAGE}/{SPEC_RESOURCE} is not an OpenAPI document")
    return spec


@dataclass(frozen=True)
class Route:
    """One spec path: its template, the pattern matching raw paths, and its operations by method."""

    template: str
    pattern: re.Pattern[str]
    operations: Mapping[str, str]  # upper-case method -> operationId

    @property
    def allowed(self) -> str:
        """The ``Allow`` header value for this path."""
        return ", ".join(sorted(self.operations))


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path_params: dict[str, str]


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
        pattern += re.escape(literal)
        if name:
            # One raw segment: a percent-encoded "/" stays inside the parameter.
            pattern += f"(?P<{name}>[^/]+)"
    return re.compile(f"^{pattern}$")


class SpecRouter:
    """Matches raw request paths against the spec's path templates."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        routes = []
        for template, item in spec.get("paths", {}).items():
            operations = {
                method.upper(): str(operation.get("operationId", method))
                for method, operation in item.items()
                if method in HTTP_METHODS
            }
            routes.append(Route(template, _compile(template), operations))
        self.routes: tuple[Route, ...] = tuple(routes)

    def match(self, raw_path: str) -> RouteMatch | None:
        """The route whose template matches ``raw_path``, with decoded path parameters."""
        for route in self.routes:
            found = route.pattern.match(raw_path)
            if found:
                return RouteMatch(route, {k: unquote(v) for k, v in found.groupdict().items()})
        return None


class RequestInvalidError(Exception):
    """The spec rejects the request (HTTP 400); the message names what is wrong."""


@dataclass
class _OpenAPIRequest:
    """The request as openapi-core's ``Request`` protocol wants it."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    body: bytes | None
    content_type: str
    extra: dict[str, Any] = field(default_factory=dict)


def _server_url(spec: Mapping[str, Any]) -> str:
    # Any server without variables: routing is ours, openapi-core only needs a URL the spec lists.
    for server in spec.get("servers", []):
        url = str(server.get("url", ""))
        if "{" not in url:
            return url.rstrip("/")
    return ""


class RequestValidator:
    """Validates parameters and bodies with openapi-core, security excluded."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        schema_path = SchemaPath.from_dict(dict(spec))
        self._parameters = V31RequestParametersValidator(schema_path)
        self._body = V31RequestBodyValidator(schema_path)
        self._host_url = _server_url(spec)

    def validate(
        self,
        *,
        method: str,
        raw_path: str,
        path_params: Mapping[str, str],
        query: QueryParams,
        headers: Headers,
        body: bytes,
        has_body_schema: bool,
    ) -> None:
        """Raise :class:`RequestInvalidError` listing every problem the spec finds."""
        request = _OpenAPIRequest(
            host_url=self._host_url,
            path=raw_path,
            method=method.lower(),
            parameters=RequestParameters(query=query, header=headers, path=dict(path_params)),
            body=body,
            # A bodiless request's Content-Type is never checked (the SDK sends one on GET).
            content_type=(headers.get("content-type") or "application/octet-stream").lower(),
        )
        problems = [describe(error) for error in self._parameters.iter_errors(request)]
        if has_body_schema and body and _is_json(request.content_type):
            check_json_text(body)
        if has_body_schema:
            problems += [describe(error) for error in self._body.iter_errors(request)]
        if problems:
            raise RequestInvalidError(clip("; ".join(problems)))


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip()
    return media_type == "application/json" or media_type.endswith("+json")


def check_json_text(body: bytes) -> None:
    """Reject a JSON body that is not UTF-8 JSON text (RFC 8259) with a clear message.

    openapi-core would fail on such bodies too, but with errors that cannot
    even be printed (non-UTF-8 bytes) or a RecursionError (deep nesting).
    """
    try:
        json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestInvalidError("invalid request body: JSON must be UTF-8 text") from None
    except RecursionError:
        raise RequestInvalidError("invalid request body: JSON nested too deeply") from None
    except ValueError as error:
        raise RequestInvalidError(clip(f"invalid request body: not JSON ({error})")) from None


def _schema_errors(error: BaseException) -> Iterator[str]:
    for schema_error in getattr(error, "schema_errors", ()) or ():
        where = "/".join(str(part) for part in getattr(schema_error, "path", ()))
        message = clip(str(getattr(schema_error, "message", schema_error)), 300)
        yield f"{where}: {message}" if where else message


def _label(error: BaseException) -> str:
    name, location = getattr(error, "name", None), getattr(error, "location", None)
    if isinstance(name, str) and isinstance(location, str):
        return f"invalid {location} parameter '{name}'"
    return "invalid request body" if "body" in type(error).__name__.lower() else str(error)


def describe(error: BaseException) -> str:
    """One line naming what is wrong: where (parameter or body) and the deepest reason openapi-core gives."""
    cause, deepest = error.__cause__, None
    while cause is not None:
        details = list(_schema_errors(cause))
        if details:
            return f"{_label(error)}: {', '.join(details)}"
        deepest, cause = cause, cause.__cause__
    if deepest is None:
        return str(error)
    return f"{_label(error)}: {deepest}"


def clip(text: str, limit: int = _MAX_MESSAGE) -> str:
    """Bound messages that echo client input (the spec caps ``error_msg`` at 10240 characters)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def operation_has_body(spec: Mapping[str, Any], template: str, method: str) -> bool:
    """Whether the operation declares a request body (only then is the body validated)."""
    operation = spec.get("paths", {}).get(template, {}).get(method.lower(), {})
    return "requestBody" in operation
