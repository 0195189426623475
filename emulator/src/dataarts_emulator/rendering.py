"""Rendering: the JSON, error and workbook answers exactly as the spec describes them.

:func:`error_response` is the one place an :class:`~dataarts_emulator.exceptions.EmulatorError`
becomes an HTTP answer. Every error carries ``error_code``, ``error_msg`` and ``data`` (an object);
JSON answers use ``application/json;charset=UTF-8`` as DataArts Studio does.
``X-Request-Id`` is added by :func:`stamp_request_id` where the app sends
every answer, so no code path can forget it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .exceptions import EmulatorError
from .xlsx import CONTENT_TYPE as WORKBOOK_CONTENT_TYPE

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"
REQUEST_ID_HEADER_RAW = b"x-request-id"
# Built once: json.dumps with options builds a new encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON answer; text that cannot be UTF-8 (lone surrogates from input) becomes ``?``."""
    body = _JSON.encode(payload).encode("utf-8", "replace")
    return Response(body, status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


def error_response(error: EmulatorError) -> Response:
    """The spec's ``ErrorResponse`` for ``error``: ``error_code``, ``error_msg`` and an empty ``data`` object."""
    payload = {"error_code": error.error_code, "error_msg": error.message, "data": {}}
    return json_response(payload, error.status, error.headers)


def status_response(state: str, rate: int, group: Mapping[str, Any] | None) -> Response:
    """``DsExportResultVO``: the export's state while no file is returned."""
    return json_response({"data": {"status": state, "group": group, "rate": str(rate)}})


def content_disposition(filename: str) -> str:
    """``attachment`` with both ``filename`` (ASCII) and ``filename*`` (RFC 5987) forms."""
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class TruncatedResponse(Response):
    """Declares the full ``Content-Length`` but sends only ``cut`` bytes, then hangs up.

    Returning without the final body message makes the server close the
    connection, which is what a dropped download looks like to a client.
    """

    def __init__(self, content: bytes, cut: int, headers: Mapping[str, str], media_type: str) -> None:
        super().__init__(content, headers=dict(headers), media_type=media_type)
        self.cut = cut

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[: self.cut], "more_body": True})


def workbook_response(content: bytes, filename: str, cut: int | None = None) -> Response:
    """The Excel file; with ``cut`` the body stops after that many bytes (injected fault)."""
    headers = {"Content-Disposition": content_disposition(filename)}
    if cut is not None:
        return TruncatedResponse(content, cut, headers, WORKBOOK_CONTENT_TYPE)
    return Response(content, headers=headers, media_type=WORKBOOK_CONTENT_TYPE)


def stamp_request_id(response: Response) -> None:
    """Give the answer a fresh ``X-Request-Id`` (32 hex digits, like the service's)."""
    response.raw_headers.append((REQUEST_ID_HEADER_RAW, secrets.token_hex(16).encode("ascii")))
