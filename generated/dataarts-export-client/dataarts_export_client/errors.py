"""Contains shared errors types that can be raised from API functions"""

# How many bytes of an unexpected body error messages show (repr-escaped, so binary stays readable).
PREVIEW_BYTES = 64


class UnexpectedStatus(Exception):
    """Raised by api functions when the response status an undocumented status and Client.raise_on_unexpected_status is True"""

    def __init__(self, status_code: int, content: bytes):
        self.status_code = status_code
        self.content = content

        super().__init__(
            f"Unexpected status code: {status_code}\n\nResponse content:\n{content.decode(errors='ignore')}"
        )


class UnexpectedContent(Exception):
    """A documented status came with a body the client cannot read as the spec describes it.

    Base class of UnexpectedContentType and InvalidJSONBody, so callers can catch both at once.
    The message names the status, the Content-Type and the first PREVIEW_BYTES bytes of the body.
    """

    def __init__(self, status_code: int, content_type: str | None, content: bytes, problem: str):
        self.status_code = status_code
        self.content_type = content_type
        self.content = content

        shown_type = repr(content_type) if content_type is not None else "(no Content-Type header)"
        super().__init__(
            f"{problem} for status {status_code}: Content-Type {shown_type}; "
            f"first {PREVIEW_BYTES} bytes of the body: {content[:PREVIEW_BYTES]!r}"
        )


class UnexpectedContentType(UnexpectedContent):
    """The response's Content-Type is not one the spec declares for its status (or is missing where several are)."""

    def __init__(self, status_code: int, content_type: str | None, content: bytes):
        super().__init__(status_code, content_type, content, "Unexpected content type")


class InvalidJSONBody(UnexpectedContent, ValueError):
    """A JSON response whose body does not decode as JSON.

    Also a ValueError, like the json.JSONDecodeError it replaces, so existing `except ValueError` keeps working.
    """

    def __init__(self, status_code: int, content_type: str | None, content: bytes, reason: str):
        self.reason = reason
        super().__init__(status_code, content_type, content, f"Invalid JSON body ({reason})")


__all__ = ["InvalidJSONBody", "UnexpectedContent", "UnexpectedContentType", "UnexpectedStatus"]
