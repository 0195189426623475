"""What the checks read of one request, decoded once from the ASGI scope.

Routing, validation, authentication and the handlers all read the same
:class:`Incoming`: the raw path, the headers as a dictionary and the query as
decoded pairs, built once per request instead of once per reader. Header
values are Latin-1 text as HTTP and Starlette have them; authentication sees
them re-decoded as UTF-8 where they are, because the SDK signs header text and
sends its UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.types import Receive, Scope

from dataarts_export_client.lib.signing import combined_headers

from .auth import ReceivedRequest
from .exceptions import EmulatorError, InvalidRequest


def _utf8(text: str) -> str:
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return text


def _query_pairs(query: str) -> list[tuple[str, str]]:
    """The decoded ``name=value`` pairs of a query string, blank values kept, as :func:`parse_qsl` gives them.

    Most queries (a poll's ``uuid=...``) hold nothing to decode, and splitting
    them directly is several times cheaper than the general parser.
    """
    if "%" in query or "+" in query:
        return parse_qsl(query, keep_blank_values=True)
    return [(name, value) for name, _, value in (field.partition("=") for field in query.split("&") if field)]


def _too_large(limit: int) -> InvalidRequest:
    return InvalidRequest(f"the request body exceeds {limit} bytes")


@dataclass
class Incoming:
    """One request: method, raw path, headers, query pairs and body.

    Headers are keyed by lower-case name; a header sent on several lines is
    one value, its lines' values joined by ``, `` (RFC 9110, section 5.3), as
    :func:`~dataarts_export_client.lib.signing.combined_headers` gives them to
    the signer and the verifier alike.
    """

    method: str
    raw_path: str
    headers: dict[str, str]
    query: list[tuple[str, str]]
    body: bytes = field(default=b"", repr=False)
    ascii_values: bool = field(default=False, repr=False)  # every header value ASCII: nothing to re-decode

    @classmethod
    def from_scope(cls, scope: Scope) -> Incoming:
        """The request line and headers of ``scope`` (the body is read later, once its size may be checked)."""
        raw = scope.get("raw_path")
        raw_path = raw.decode("latin-1").split("?", 1)[0] if isinstance(raw, bytes) else quote(scope["path"])
        lines = scope["headers"]
        headers = combined_headers(lines, "latin-1")
        ascii_values = all(value.isascii() for _, value in lines)
        query = _query_pairs(scope.get("query_string", b"").decode("latin-1"))
        return cls(scope["method"], raw_path, headers, query, ascii_values=ascii_values)

    @cached_property
    def query_last(self) -> Mapping[str, str]:
        """Each query parameter's last value (a repeated parameter is checked by the handler)."""
        return dict(self.query)

    def query_values(self, name: str) -> list[str]:
        """Every value of query parameter ``name``, in order."""
        return [value for key, value in self.query if key == name]

    def signed_view(self) -> ReceivedRequest:
        """The request as authentication checks it (header values re-decoded as UTF-8 where they are)."""
        headers = self.headers if self.ascii_values else {name: _utf8(value) for name, value in self.headers.items()}
        return ReceivedRequest(self.method, self.raw_path, self.query, headers, self.body)

    async def read_body(
        self, receive: Receive, limit: int, too_large: Callable[[int], EmulatorError] = _too_large
    ) -> None:
        """Read the body into :attr:`body`; ``too_large(limit)`` past ``limit`` bytes, or when the client left.

        A request with neither ``Content-Length`` nor ``Transfer-Encoding`` has no body (RFC 9112,
        section 6.3), so nothing is read: a status poll costs no trip through the server's receive.
        """
        declared = self.headers.get("content-length")
        if declared is None and "transfer-encoding" not in self.headers:
            return
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        chunks, size = [], 0
        while True:
            message: Any = await receive()
            if message["type"] == "http.disconnect":
                raise InvalidRequest("the client closed the connection before the body ended")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        self.body = b"".join(chunks)
