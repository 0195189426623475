"""Contains shared errors types that can be raised from API functions"""

# How many bytes of an unexpected body error messages show (repr-escaped, so binary stays readable).
PREVIEW_BYTES = 64


class DataArtsError(Exception):
    """Root of every error the dataarts_export_client package raises on purpose, generated or hand-written.

    `except DataArtsError` catches them all: UnexpectedStatus and UnexpectedResponse from the generated
    operations, and the helpers' errors (dataarts_export_client.lib.errors), which derive from it.
    """


class UnexpectedStatus(DataArtsError):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


class UnexpectedResponse(DataArtsError):
    """A documented status came with a body the client cannot read as the spec describes it.

    Seen when a proxy answers instead of the service (an HTML page), or when the body does not match
    the spec. Not worth retrying: repeating the call would not change it. `reason` says what is wrong;
    `content` holds the body when it was read (None when it was not, e.g. when it was too large to
    read), and the message shows its first PREVIEW_BYTES bytes, repr-escaped. `request_id` is the
    answer's X-Request-Id, which Huawei support asks for.
    """

    def __init__(
        self,
        reason: str,
        *,
        status_code: int,
        content_type: str | None,
        content: bytes | None = None,
        request_id: str | None = None,
    ):
        self.reason = reason
        self.status_code = status_code
        self.content_type = content_type
        self.content = content
        self.request_id = request_id

        shown_type = repr(content_type) if content_type is not None else "(no Content-Type header)"
        message = f"{reason} for status {status_code}: Content-Type {shown_type}"
        if content is not None:
            message += f"; first {PREVIEW_BYTES} bytes of the body: {content[:PREVIEW_BYTES]!r}"
        if request_id:
            message += f" (request id {request_id})"
        super().__init__(message)


class UnexpectedContentType(UnexpectedResponse):
    """The response's Content-Type is not one the spec declares for its status (or is missing where several are)."""

    def __init__(self, status_code: int, content_type: str | None, content: bytes, *, request_id: str | None = None):
        super().__init__(
            "Unexpected content type",
            status_code=status_code,
            content_type=content_type,
            content=content,
            request_id=request_id,
        )


class InvalidJSONBody(UnexpectedResponse, ValueError):
    """A JSON response whose body does not decode as JSON; `decode_error` is the decoder's message.

    Also a ValueError, like the json.JSONDecodeError it replaces, so existing `except ValueError` keeps working.
    """

    def __init__(
        self,
        status_code: int,
        content_type: str | None,
        content: bytes,
        decode_error: str,
        *,
        request_id: str | None = None,
    ):
        self.decode_error = decode_error
        super().__init__(
            f"Invalid JSON body ({decode_error})",
            status_code=status_code,
            content_type=content_type,
            content=content,
            request_id=request_id,
        )


__all__ = [
    "PREVIEW_BYTES",
    "DataArtsError",
    "InvalidJSONBody",
    "UnexpectedContentType",
    "UnexpectedResponse",
    "UnexpectedStatus",
]
