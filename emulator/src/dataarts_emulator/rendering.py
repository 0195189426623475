"""Rendering: the JSON, error and workbook answers exactly as the spec describes them.

:func:`error_response` is the one place an :class:`~dataarts_emulator.exceptions.EmulatorError`
becomes an HTTP answer, in the body shape its type declares (``service``,
``architecture`` or ``gateway``, see :data:`~dataarts_emulator.exceptions.Shape`).
JSON answers use ``application/json;charset=UTF-8`` as DataArts Studio does.
Each request gets its id from :func:`new_request_id` before it is answered:
:func:`stamp_request_id` adds it as ``X-Request-Id`` where the app sends every
answer, so no code path can forget it, and the gateway's bodies carry the
same id as ``request_id``.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from .delivery import DeliveredResponse
from .exceptions import EmulatorError
from .faults import PLAIN, Delivery
from .ranges import ByteRange
from .xlsx import CONTENT_TYPE as WORKBOOK_CONTENT_TYPE

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"
REQUEST_ID_HEADER_RAW = b"x-request-id"
# Request ids only have to be unique, not unguessable: a PRNG seeded from the OS is a tenth of
# the cost of secrets.token_hex, and it is its own instance, so it never touches the fault seed.
_REQUEST_IDS = random.Random()  # noqa: S311 - unique ids, not secrets
# Built once: json.dumps with options builds a new encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON answer; text that cannot be UTF-8 (lone surrogates from input) becomes ``?``."""
    body = _JSON.encode(payload).encode("utf-8", "replace")
    return Response(body, status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


def error_response(error: EmulatorError, request_id: str) -> Response:
    """The spec's ``ErrorResponse`` for ``error``, in the shape of its type; ``request_id`` is the answer's id."""
    payload: dict[str, Any]
    if error.shape == "architecture":
        payload = {"errors": [{"error_code": error.error_code, "error_msg": error.message}]}
    elif error.shape == "gateway":
        payload = {"error_code": error.error_code, "error_msg": error.message, "request_id": request_id}
    else:
        payload = {"error_code": error.error_code, "error_msg": error.message, "data": {}}
    return json_response(payload, error.status, error.headers)


def status_response(state: str, rate: int, group: Mapping[str, Any] | None) -> Response:
    """``DsExportResultVO``: the export's state while no file is returned."""
    if group is None:
        return Response(_running_status_body(state, rate), media_type=JSON_CONTENT_TYPE)
    return json_response({"data": {"status": state, "group": group, "rate": str(rate)}})


@functools.lru_cache(maxsize=512)
def _running_status_body(state: str, rate: int) -> bytes:
    """The status body without a ``group``: a few hundred (state, rate) pairs, asked for on every poll."""
    return bytes(json_response({"data": {"status": state, "group": None, "rate": str(rate)}}).body)


def content_disposition(filename: str) -> str:
    """``attachment`` with both ``filename`` (ASCII) and ``filename*`` (RFC 5987) forms."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def workbook_response(
    content: bytes, filename: str, etag: str, part: ByteRange | None = None, delivery: Delivery = PLAIN
) -> Response:
    """The Excel file (200), or the ``part`` of it (206), with its ``ETag``; sent as ``delivery`` says."""
    headers = {"Content-Disposition": content_disposition(filename), "ETag": etag, "Accept-Ranges": "bytes"}
    status, body = 200, content
    if part is not None:
        status, body = 206, content[part.first : part.last + 1]
        headers["Content-Range"] = part.content_range()
    if delivery.plain:
        return Response(body, status_code=status, headers=headers, media_type=WORKBOOK_CONTENT_TYPE)
    return DeliveredResponse(body, delivery, status, headers, WORKBOOK_CONTENT_TYPE)


PROXY_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Network notice</title></head>"
    b"<body><h1>Please log in to continue</h1><p>This page was served by a proxy, "
    b"not by the API (injected fault).</p></body></html>\n"
)


def proxy_page_response() -> Response:
    """``200 text/html``: what a captive portal or a misrouted proxy answers in place of the API."""
    return Response(PROXY_PAGE, media_type="text/html; charset=utf-8")


def new_request_id() -> str:
    """A fresh request id: 32 hex digits, like the service's."""
    return f"{_REQUEST_IDS.getrandbits(128):032x}"


def stamp_request_id(response: Response, request_id: str) -> None:
    """Give the answer its ``X-Request-Id``."""
    response.raw_headers.append((REQUEST_ID_HEADER_RAW, request_id.encode("ascii")))
