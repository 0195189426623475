"""Reading the service's answers, shared by the sync and async helpers (no I/O here).

``GET export-result`` answers 200 in two shapes: the JSON status object while
the export runs (or after it failed), and the Excel file itself once it has
succeeded. The two are told apart by ``Content-Type`` alone, before any of
the body is read, so that a file is never pulled into memory by mistake.

Error answers come in the three shapes Huawei's sources show (docs/fidelity.md,
F-ERR-1 to F-ERR-3): ``{"error_code", "error_msg", "data"}`` of the DataArts
API reference, DataArts Architecture's ``{"errors": [{"error_code",
"error_msg"}]}``, and the API gateway's ``{"error_code", "error_msg",
"request_id"}``; the code, message and request id of each end up in
:class:`~.errors.ApiError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..api.export import export_design_result
from ..models.export_models_result import ExportModelsResult
from ..models.export_result import ExportResult
from ..models.export_status import ExportStatus
from ..models.import_result import ImportResult
from ..types import is_json_media_type, media_type_matches, parse_media_type, request_id_of
from .errors import ApiError, UnexpectedResponse, api_error_for

__all__ = [
    "FILE_MEDIA_TYPES",
    "MAX_JSON_BYTES",
    "BodyCollector",
    "api_error_from_answer",
    "content_length",
    "is_file_answer",
    "is_proxy_page",
    "parse_export_status",
    "parse_export_uuid",
    "parse_import_status",
    "proxy_page_error",
    "unexpected_answer",
]

FILE_MEDIA_TYPES = export_design_result.FILE_MEDIA_TYPES["200"]
"""Media types of the file answer, as the spec declares them (read from the generated operation)."""

MAX_JSON_BYTES = 1 << 20
"""Upper bound of a status or error body; anything bigger is not what the spec describes."""


def is_file_answer(status_code: int, headers: Mapping[str, str], *, partial: bool = False) -> bool:
    """Whether this answer is the finished export's file (decided before reading the body).

    With ``partial`` (a download that may have asked for a range), a 206 is the file too.
    """
    return status_code in ((200, 206) if partial else (200,)) and media_type_matches(
        parse_media_type(headers.get("content-type")), FILE_MEDIA_TYPES
    )


_HTML_MEDIA_TYPES = ("text/html", "application/xhtml+xml")


def is_proxy_page(status_code: int, headers: Mapping[str, str]) -> bool:
    """Whether a 200 answer is an HTML page: not the API's answer but a proxy's, a captive portal's or a gateway's.

    The API answers JSON or the workbook, never HTML; such a page usually
    means something between client and service answered in its stead for a
    moment, which is worth a bounded number of retries (then it is raised as
    :class:`UnexpectedResponse`).
    """
    return status_code == 200 and media_type_matches(parse_media_type(headers.get("content-type")), _HTML_MEDIA_TYPES)


def proxy_page_error(status_code: int, headers: Mapping[str, str], body: bytes) -> UnexpectedResponse:
    """The :class:`UnexpectedResponse` of an HTML page answered in the API's stead."""
    return unexpected_answer("an HTML page instead of the API's answer (a proxy?)", status_code, headers, body)


def content_length(headers: Mapping[str, str]) -> int | None:
    """The announced ``Content-Length``, or ``None`` when absent or malformed."""
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def unexpected_answer(
    reason: str, status_code: int, headers: Mapping[str, str], body: bytes | None = None
) -> UnexpectedResponse:
    """:class:`UnexpectedResponse` for an answer, with its ``Content-Type``, request id and body (if read)."""
    return UnexpectedResponse(
        reason,
        status_code=status_code,
        content_type=headers.get("content-type"),
        content=body,
        request_id=request_id_of(headers),
    )


class BodyCollector:
    """Collects a small body chunk by chunk, refusing to grow beyond ``limit`` bytes.

    Status and error bodies are a few hundred bytes; a huge one means the
    answer is not what it claims, and reading it whole would defeat the
    constant-memory promise of the helpers.
    """

    def __init__(self, status_code: int, headers: Mapping[str, str], limit: int = MAX_JSON_BYTES) -> None:
        self._status_code = status_code
        self._headers = headers
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        """Add ``chunk``; raises :class:`UnexpectedResponse` past the limit."""
        self._size += len(chunk)
        if self._size > self._limit:
            raise unexpected_answer(f"body larger than {self._limit} bytes", self._status_code, self._headers)
        self._chunks.append(chunk)

    @property
    def data(self) -> bytes:
        """Everything fed so far."""
        return b"".join(self._chunks)


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def api_error_from_answer(
    status_code: int, headers: Mapping[str, str], body: bytes, *, operation: str | None = None
) -> ApiError:
    """The typed error for an HTTP error answer, with Huawei's error code, message and request id.

    The code and message are read from the top level (the API reference's
    and the gateway's shapes) or, failing that, from the first of
    DataArts Architecture's ``errors`` (which Huawei's Terraform provider
    reads as ``errors[0].error_code``); the request id from ``X-Request-Id``
    or, failing that, the gateway's ``request_id`` in the body.

    Bodies that are not Huawei's JSON (a gateway's HTML page, say) still give
    an error with the status and request id; their text is not copied into
    the error, since it is neither structured nor guaranteed to be harmless.
    """
    document = _json_object(body) or {}
    errors = document.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    return api_error_for(
        status_code,
        error_code=_text(document.get("error_code")) or _text(first.get("error_code")),
        error_msg=_text(document.get("error_msg")) or _text(first.get("error_msg")),
        request_id=request_id_of(headers) or _text(document.get("request_id")),
        operation=operation,
    )


def _parse_status(
    status_code: int,
    headers: Mapping[str, str],
    body: bytes,
    answer: type[ExportResult] | type[ImportResult],
    what: str,
    not_json: str,
) -> ExportStatus:
    """The status object of a 200 JSON answer via the generated ``answer`` model, or the unwrapped one."""
    if not is_json_media_type(parse_media_type(headers.get("content-type"))):
        raise unexpected_answer(not_json, status_code, headers, body)
    document = _json_object(body)
    if document is None:
        raise unexpected_answer("the body is not a JSON object", status_code, headers, body)
    try:
        if "data" not in document and "status" in document:
            return ExportStatus.from_dict(document)
        return answer.from_dict(document).data
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        reason = f"the JSON does not match {what} ({type(exc).__name__})"
        raise unexpected_answer(reason, status_code, headers, body) from None


def parse_export_status(status_code: int, headers: Mapping[str, str], body: bytes) -> ExportStatus:
    """The export's status from a 200 JSON answer, via the generated ``ExportResult`` model.

    A body without the ``data`` wrapper but with a ``status`` (the shape of
    Huawei's 2022 EU API reference, docs/fidelity.md F-RESULT-7) is read as
    the status object itself, via the generated ``ExportStatus``: the spec
    stays strict about the wrapper every current source shows, the client
    tolerates the older page.
    """
    not_json = "neither the JSON status object nor an Excel file"
    return _parse_status(status_code, headers, body, ExportResult, "the status object", not_json)


def parse_import_status(status_code: int, headers: Mapping[str, str], body: bytes) -> ExportStatus:
    """An import's status from a 200 ``ImportResult`` answer, via the generated ``ImportResult`` model.

    Its ``data`` is the object an export's status answers (Huawei's
    ``DsProcessImportResultVO``); the 2022 EU page's unwrapped shape is read
    as :func:`parse_export_status` reads it.
    """
    return _parse_status(status_code, headers, body, ImportResult, "the import result", "not the JSON import result")


def parse_export_uuid(status_code: int, headers: Mapping[str, str], body: bytes) -> str:
    """The new export's uuid from a 200 ``export-model`` answer, via the generated ``ExportModelsResult``."""
    document = _json_object(body)
    try:
        if document is None:
            raise ValueError("not a JSON object")
        uuid = ExportModelsResult.from_dict(document).data.uuid
        if not isinstance(uuid, str) or not uuid:
            raise ValueError("empty uuid")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        reason = f"the export-model answer carries no uuid ({type(exc).__name__})"
        raise unexpected_answer(reason, status_code, headers, body) from None
    return uuid
