"""Request validation compiled once from ``openapi.yaml`` (see :mod:`dataarts_emulator.spec` for which file).

The emulator has no hand-written list of parameters or body rules. At
start-up each operation's parameters and request body are read from the spec
and their schemas compiled with jsonschema-rs (a ``$ref`` into the spec
resolves through a registry holding the whole document); a request then
costs a dictionary lookup and a compiled check per value. A spec that uses a
parameter feature this module does not implement (non-primitive schemas,
``content``, cookies) fails at start-up, never silently per request.

Security is deliberately *not* validated here — :mod:`dataarts_emulator.auth`
decides 401 and 403 itself, before and after this step — so validation only
ever raises :class:`InvalidRequest` (400). Messages follow openapi-core's
wording, which the emulator used before: ``Missing required header parameter:
workspace``, ``invalid query parameter 'uuid': …``, ``invalid request body:
ids/0: …``; the reason after the colon is jsonschema-rs's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from dataarts_export_client.lib.redaction import clip
from dataarts_export_client.types import is_json_media_type, media_type_matches, parse_media_type

from .exceptions import InvalidRequest
from .routing import HTTP_METHODS
from .spec import follow_refs

SPEC_URI = "urn:dataarts-emulator:openapi"
_MAX_MESSAGE = 2000  # bounds messages that echo client input (the spec caps error_msg at 10240)
_MAX_REASON = 300
MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects accepted in a request body (the emulator's own bound; the service
documents none). The spec's bodies nest two deep. Without a bound of its own, how deep a body may go would
depend on the interpreter (``json.loads`` stops at the recursion limit through Python 3.12, goes far deeper
on 3.13) and on jsonschema-rs, which cannot report errors about a document nested some 255 deep."""
_TOO_DEEP = f"invalid request body: JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)"
_LOCATIONS = ("path", "query", "header")


def boolean(raw: str) -> bool:
    """A boolean query or header value: ``true`` or ``false``, as OpenAPI's simple style writes them."""
    if raw not in ("true", "false"):
        raise ValueError(raw)
    return raw == "true"


_CASTS: dict[str, Callable[[str], Any] | None] = {"string": None, "integer": int, "number": float, "boolean": boolean}


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


class _SpecDocument:
    """The spec as a JSON document: follows local ``$ref`` s and compiles schemas at their location."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = spec
        self._registry = jsonschema_rs.Registry([(SPEC_URI, dict(spec))], draft=jsonschema_rs.Draft202012)

    def resolve(self, node: Any, pointer: str) -> tuple[Any, str]:
        """``node`` (found at ``pointer``) with its ``$ref`` chain followed; returns the target and its pointer."""
        return follow_refs(self.spec, node, pointer)

    def validator(self, pointer: str) -> jsonschema_rs.Validator:
        """The schema at ``pointer``, compiled; its own ``$ref`` s resolve within the spec."""
        fragment = quote(pointer, safe="/~")  # a URI fragment: "{" and "}" of path templates percent-encoded
        return jsonschema_rs.Draft202012Validator({"$ref": f"{SPEC_URI}#{fragment}"}, registry=self._registry)


@dataclass(frozen=True)
class _Parameter:
    name: str
    key: str  # how the request's values are looked up: header names in lower case
    location: str
    required: bool
    allow_empty: bool
    cast: Callable[[str], Any] | None  # None for strings, which are checked as sent
    schema: jsonschema_rs.Validator


@dataclass(frozen=True)
class _Body:
    required: bool
    media_types: tuple[str, ...]
    schemas: Mapping[str, jsonschema_rs.Validator]


@dataclass(frozen=True)
class _Operation:
    parameters: tuple[_Parameter, ...]
    body: _Body | None


def _compile_parameter(document: _SpecDocument, raw: Any, pointer: str) -> _Parameter:
    param, pointer = document.resolve(raw, pointer)
    name, location = str(param.get("name")), str(param.get("in"))
    schema, schema_pointer = document.resolve(param.get("schema", {}), pointer + "/schema")
    kind = schema.get("type", "string") if isinstance(schema, Mapping) else None
    if location not in _LOCATIONS or "content" in param or kind not in _CASTS:
        raise NotImplementedError(f"parameter {name!r} in {location}: only string or number path/query/header ones")
    return _Parameter(
        name,
        name.lower() if location == "header" else name,
        location,
        bool(param.get("required", location == "path")),
        bool(param.get("allowEmptyValue", False)),
        _CASTS[kind],
        document.validator(schema_pointer),
    )


def _compile_operation(document: _SpecDocument, template: str, method: str) -> _Operation:
    item_pointer = _pointer("paths", template)
    operation_pointer = item_pointer + _pointer(method)
    item = document.spec["paths"][template]
    operation = item[method]
    parameters: dict[tuple[str, str], _Parameter] = {}
    # Operation parameters first, then the path item's: an operation may override one (openapi-core's order).
    sources = [(operation, operation_pointer), (item, item_pointer)]
    for owner, owner_pointer in sources:
        for index, raw in enumerate(owner.get("parameters", ())):
            compiled = _compile_parameter(document, raw, f"{owner_pointer}/parameters/{index}")
            parameters.setdefault((compiled.name, compiled.location), compiled)
    body = None
    if "requestBody" in operation:
        request_body, body_pointer = document.resolve(operation["requestBody"], operation_pointer + "/requestBody")
        content = request_body.get("content", {})
        schemas = {
            media_type: document.validator(f"{body_pointer}/content{_pointer(media_type)}/schema")
            for media_type, entry in content.items()
            if "schema" in entry
        }
        body = _Body(bool(request_body.get("required", False)), tuple(content), schemas)
    return _Operation(tuple(parameters.values()), body)


def _details(errors: Iterator[jsonschema_rs.ValidationError]) -> str:
    described = []
    for error in errors:
        where = "/".join(str(part) for part in error.instance_path)
        reason = clip(error.message, _MAX_REASON)
        described.append(f"{where}: {reason}" if where else reason)
    return ", ".join(described)


class RequestValidator:
    """Validates each operation's parameters and body against its compiled schemas, security excluded."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        document = _SpecDocument(spec)
        self._operations = {
            (template, method.upper()): _compile_operation(document, template, method)
            for template, item in spec.get("paths", {}).items()
            for method in item
            if method in HTTP_METHODS
        }

    def validate(
        self,
        *,
        template: str,
        method: str,
        path_params: Mapping[str, str],
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes,
        content_type: str | None,
    ) -> Any:
        """The request's JSON body (None when it has none); raise :class:`InvalidRequest` naming every problem.

        ``headers`` are keyed by lower-case name; ``query`` holds each parameter's last value.
        """
        operation = self._operations[(template, method)]
        values = {"path": path_params, "query": query, "header": headers}
        problems = [
            problem
            for parameter in operation.parameters
            if (problem := _check_parameter(parameter, values[parameter.location])) is not None
        ]
        document = None
        if operation.body is not None:
            media_type = parse_media_type(content_type)
            if body and is_json_media_type(media_type):
                document = parse_json_text(body)
            problem = _check_body(operation.body, body, document, media_type, content_type)
            if problem is not None:
                problems.append(problem)
        if problems:
            raise InvalidRequest(clip("; ".join(problems), _MAX_MESSAGE))
        return document


def _check_parameter(parameter: _Parameter, values: Mapping[str, str]) -> str | None:
    raw = values.get(parameter.key)
    if raw is None:
        return f"Missing required {parameter.location} parameter: {parameter.name}" if parameter.required else None
    label = f"invalid {parameter.location} parameter '{parameter.name}'"
    if parameter.location == "query" and raw == "" and not parameter.allow_empty:
        return f"{label}: Value of {parameter.name} query parameter cannot be empty"
    value: Any = raw
    if parameter.cast is not None:
        try:
            value = parameter.cast(raw)
        except ValueError:
            return f"{label}: {clip(repr(raw), _MAX_REASON)} is not a valid {parameter.cast.__name__}"
    if parameter.schema.is_valid(value):
        return None
    return f"{label}: {_details(parameter.schema.iter_errors(value))}"


def _check_body(
    body_spec: _Body, body: bytes, document: Any, media_type: str | None, content_type: str | None
) -> str | None:
    if not body:
        return "Missing required request body" if body_spec.required else None
    declared = next((entry for entry in body_spec.media_types if media_type_matches(media_type, [entry])), None)
    if declared is None:
        shown = (content_type or "application/octet-stream").lower()
        return (
            f"invalid request body: Content for the following mimetype not found: {shown}. "
            f"Valid mimetypes: {list(body_spec.media_types)}"
        )
    schema = body_spec.schemas.get(declared)
    if schema is None or not is_json_media_type(declared) or schema.is_valid(document):
        return None
    return f"invalid request body: {_details(schema.iter_errors(document))}"


def _refuse_constant(name: str) -> Any:
    """``json.loads`` reads ``NaN``, ``Infinity`` and ``-Infinity``, which RFC 8259 does not have: refuse them."""
    raise ValueError(f"{name} is not a JSON number")


def parse_json_text(body: bytes) -> Any:
    """The JSON document in ``body``; :class:`InvalidRequest` when it is not UTF-8 JSON text (RFC 8259).

    Decoding and nesting get their own clear messages: a parser's raw errors
    on such bodies are unprintable bytes or a RecursionError.
    """
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise InvalidRequest("invalid request body: JSON must be UTF-8 text") from None
    except RecursionError:
        raise InvalidRequest(_TOO_DEEP) from None
    except ValueError as error:
        raise InvalidRequest(clip(f"invalid request body: not JSON ({error})", _MAX_MESSAGE)) from None
    if _nested_deeper_than(document, MAX_JSON_DEPTH):
        raise InvalidRequest(_TOO_DEEP)
    return document


def _nested_deeper_than(document: Any, limit: int) -> bool:
    """Whether arrays and objects in ``document`` nest more than ``limit`` levels (iteratively: no recursion)."""
    containers: list[tuple[Any, int]] = [(document, 1)]
    while containers:
        value, depth = containers.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        containers.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
