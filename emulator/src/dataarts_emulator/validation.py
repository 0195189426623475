"""Request validation driven by ``openapi.yaml`` (see :mod:`dataarts_emulator.spec` for which file).

The emulator has no hand-written list of parameters or body rules: every
request is checked with openapi-core against the operation's parameters and
request body. Security is deliberately *not* validated here —
:mod:`dataarts_emulator.auth` decides 401 and 403 itself, before and after
this step — so validation only ever raises :class:`InvalidRequest` (400).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema_path import SchemaPath
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.validators import V31RequestBodyValidator, V31RequestParametersValidator
from starlette.datastructures import Headers, QueryParams

from dataarts_export_client.lib.redaction import clip
from dataarts_export_client.types import is_json_media_type, parse_media_type

from .exceptions import InvalidRequest

_MAX_MESSAGE = 2000  # bounds messages that echo client input (the spec caps error_msg at 10240)


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
        self._spec = spec

    def has_body(self, template: str, method: str) -> bool:
        """Whether the operation declares a request body (only then is the body validated)."""
        operation = self._spec.get("paths", {}).get(template, {}).get(method.lower(), {})
        return "requestBody" in operation

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
        """Raise :class:`InvalidRequest` listing every problem the spec finds."""
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
        if has_body_schema and body and is_json_media_type(parse_media_type(request.content_type)):
            check_json_text(body)
        if has_body_schema:
            problems += [describe(error) for error in self._body.iter_errors(request)]
        if problems:
            raise InvalidRequest(clip("; ".join(problems), _MAX_MESSAGE))


def check_json_text(body: bytes) -> None:
    """Reject a JSON body that is not UTF-8 JSON text (RFC 8259) with a clear message.

    openapi-core would fail on such bodies too, but with errors that cannot
    even be printed (non-UTF-8 bytes) or a RecursionError (deep nesting).
    """
    try:
        json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidRequest("invalid request body: JSON must be UTF-8 text") from None
    except RecursionError:
        raise InvalidRequest("invalid request body: JSON nested too deeply") from None
    except ValueError as error:
        raise InvalidRequest(clip(f"invalid request body: not JSON ({error})", _MAX_MESSAGE)) from None


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
