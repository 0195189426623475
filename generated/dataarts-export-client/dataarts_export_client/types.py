"""Contains some shared types for properties, and the helpers generated endpoints use to read responses"""

import email.message
from collections.abc import Iterable, Mapping, MutableMapping
from http import HTTPStatus
from io import BytesIO
from typing import IO, Any, BinaryIO, Generic, Literal, TypeVar, cast

import httpx
from attrs import define

from . import errors


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()

# The types that `httpx.Client(files=)` can accept, copied from that library.
FileContent = IO[bytes] | bytes | str
FileTypes = (
    # (filename, file (or bytes), content_type)
    tuple[str | None, FileContent, str | None]
    # (filename, file (or bytes), content_type, headers)
    | tuple[str | None, FileContent, str | None, Mapping[str, str]]
)
RequestFiles = list[tuple[str, FileTypes]]


@define
class File:
    """Contains information for file uploads, and the files binary responses return"""

    payload: BinaryIO
    file_name: str | None = None
    mime_type: str | None = None

    def to_tuple(self) -> FileTypes:
        """Return a tuple representation that httpx will accept for multipart/form-data"""
        return self.file_name, self.payload, self.mime_type


T = TypeVar("T")


@define
class Response(Generic[T]):
    """A response from an endpoint"""

    status_code: HTTPStatus
    content: bytes
    headers: MutableMapping[str, str]
    parsed: T | None


def parse_media_type(content_type: str | None) -> str | None:
    """Return the bare media type of a Content-Type value, lower-cased, or None if there is none.

    Parameters such as `charset` are dropped and case is folded because neither changes which
    declared media type a body is (RFC 9110, section 8.3.1).
    """
    if content_type is None:
        return None
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type or None


def response_media_type(response: httpx.Response) -> str | None:
    """Return the bare, lower-cased media type of the response's Content-Type (None when it has none)."""
    return parse_media_type(response.headers.get("Content-Type"))


REQUEST_ID_HEADER = "X-Request-Id"
"""The header every answer of this API documents, carrying the id Huawei support asks for."""


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """Return an answer's X-Request-Id (httpx headers are case-insensitive), or None when it has none."""
    return headers.get(REQUEST_ID_HEADER) or None


def is_json_media_type(media_type: str | None) -> bool:
    """Tell whether a bare media type is JSON: `application/json` or any `+json` structured suffix (RFC 6839)."""
    if media_type is None:
        return False
    return media_type == "application/json" or media_type.partition("/")[2].endswith("+json")


def media_type_matches(media_type: str | None, declared: Iterable[str]) -> bool:
    """Tell whether a bare media type is one of the declared ones, whose ranges (`image/*`, `*/*`) match too."""
    if media_type is None:
        return False
    main_type = media_type.partition("/")[0]
    return any(pattern in (media_type, "*/*") or pattern == f"{main_type}/*" for pattern in declared)


def content_disposition_file_name(value: str | None) -> str | None:
    """Return the file name a Content-Disposition header value carries, or None.

    RFC 6266: `filename*` (RFC 8187 / RFC 2231 encoding, e.g. `UTF-8''na%C3%AFve.xlsx`) wins over
    `filename`, which is the fallback for old clients. The standard library's email parser does the
    parsing. The name is returned as sent, NOT sanitised: it is untrusted input, so callers that use
    it as a path must reduce it to a safe base name themselves. Garbage gives None rather than an error,
    since a missing name must never cost the caller the file itself.
    """
    if not value:
        return None
    message = email.message.Message()
    message["Content-Disposition"] = value
    plain_name: str | None = None
    extended_name: str | None = None
    # The first item is the disposition type. email.utils.decode_params moves RFC 2231 (`filename*`)
    # parameters after the plain ones and gives them as (charset, language, value) tuples, which
    # typeshed's `list[tuple[str, str]]` for get_params leaves out: hence the cast.
    params = cast(
        "list[tuple[str, str | tuple[str | None, str | None, str]]]",
        message.get_params(header="Content-Disposition", failobj=[]),
    )
    for key, param in params[1:]:
        if key.lower() != "filename":
            continue
        if isinstance(param, tuple):
            # email.utils.decode_params has percent-decoded the value to Latin-1 text; decode its
            # bytes strictly in the declared charset, so that an unknown charset or bytes that are
            # not that charset fall back to `filename` instead of a name full of U+FFFD.
            charset, _language, text = param
            try:
                extended_name = text.encode("latin-1").decode(charset or "us-ascii")
            except (UnicodeError, LookupError, ValueError):  # also a charset name with a NUL in it
                continue
        elif plain_name is None:
            plain_name = param
    return extended_name or plain_name or None


def response_file(response: httpx.Response) -> File:
    """Wrap a binary response body in a File, with its media type and the file name the server suggested."""
    return File(
        payload=BytesIO(response.content),
        file_name=content_disposition_file_name(response.headers.get("Content-Disposition")),
        mime_type=response_media_type(response),
    )


def response_json(response: httpx.Response) -> Any:
    """Decode a JSON response body, raising a typed error when the response is not JSON after all.

    A Content-Type naming another media type raises errors.UnexpectedContentType (a gateway's HTML error
    page, say); a missing Content-Type is read as JSON, leniently, because the caller only gets here when
    the spec says the body is JSON. A body that does not decode raises errors.InvalidJSONBody (see json_body).
    """
    content_type = response.headers.get("Content-Type")
    media_type = parse_media_type(content_type)
    if media_type is not None and not is_json_media_type(media_type):
        raise errors.UnexpectedContentType(
            response.status_code, content_type, response.content, request_id=request_id_of(response.headers)
        )
    return json_body(response)


def json_body(response: httpx.Response) -> Any:
    """Decode the body of a response whose Content-Type is already known to be JSON.

    A body that does not decode raises errors.InvalidJSONBody instead of json.JSONDecodeError. Endpoints
    that dispatched on the Content-Type call this directly rather than have response_json read it again.
    """
    try:
        return response.json()
    except ValueError as error:  # json.JSONDecodeError, or UnicodeDecodeError for bytes that are no UTF-8/16/32
        raise errors.InvalidJSONBody(
            response.status_code,
            response.headers.get("Content-Type"),
            response.content,
            str(error),
            request_id=request_id_of(response.headers),
        ) from error


def absolute_url(base_url: httpx.URL, url: str) -> str:
    """`url` (a path and query) joined to a client's base_url as httpx would join them.

    httpx parses a relative url, then the url it joins to its base_url again; an absolute url is parsed
    once. A base_url that is not absolute or carries user info, a query or a fragment is left to httpx.
    """
    if not base_url.is_absolute_url or base_url.query or base_url.fragment or base_url.userinfo:
        return url
    origin = f"{base_url.scheme}://{base_url.netloc.decode('ascii')}"
    return f"{origin}{base_url.raw_path.decode('ascii')}{url.lstrip('/')}"


def url_with_query(path: str, params: Mapping[str, Any]) -> str:
    """`path` with `params` encoded onto it by httpx.QueryParams, exactly as `params=` would encode them.

    httpx parses a request URL once more to merge `params=` into it; encoding the query here costs less
    than that parse, and the request sent is the same.
    """
    return f"{path}?{httpx.QueryParams(params)}" if params else path


__all__ = ["UNSET", "File", "FileTypes", "RequestFiles", "Response", "Unset"]
