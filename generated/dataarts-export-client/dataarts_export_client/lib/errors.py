"""Typed errors of the hand-written helpers.

Every error the package raises on purpose, generated or hand-written, derives
from :class:`DataArtsError`, so callers can catch the whole family in one
place; each carries the fields a caller needs to act (status code, Huawei
error code, request id for support, the export's uuid) as attributes rather
than only in the message. Messages never contain credentials: they are built
from the answer's status, error code, error message and request id only,
never from request headers.

The root :class:`DataArtsError` and :class:`UnexpectedResponse` are defined
in the generated ``dataarts_export_client.errors`` (from
``overrides/templates/errors.py.jinja``) and re-exported here, not the other
way round: generated modules raise them and must not import this hand-written
package, whose ``__init__`` imports the generated client and operations.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ClassVar

from ..errors import DataArtsError, UnexpectedResponse
from .redaction import clip
from .results import parse_rate

if TYPE_CHECKING:
    from ..models.batch_operation import BatchOperation
    from .results import ImportOutcome

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "DataArtsError",
    "DestinationError",
    "DownloadError",
    "ExportFailed",
    "ExportTimeout",
    "ImportFailed",
    "ImportPartiallyFailed",
    "ImportTimeout",
    "InsecureTransportError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "ServerError",
    "ThrottledError",
    "TruncatedDownload",
    "UnexpectedResponse",
    "api_error_for",
]

# Error messages of a gateway can be long (up to 10240 characters): keep
# ``str(error)`` readable and put the full text in ``error_msg``.
_MESSAGE_LIMIT = 500


class ConfigurationError(DataArtsError, ValueError):
    """A client or setting cannot be built: no usable endpoint or credentials, conflicting ones, a bad policy.

    Also a ``ValueError``, which these were before. The message names the
    arguments and environment variables involved, never their values.
    ``problems`` holds each problem found (settings are checked all at once,
    so there may be several); the message is them, one per line.
    """

    def __init__(self, *problems: str) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class ApiError(DataArtsError):
    """The service answered with an HTTP error (4xx or 5xx) that retrying did not cure.

    ``error_code`` and ``error_msg`` come from Huawei's JSON error body, in
    any of its three shapes (``{"error_code": "APIG.0301", "error_msg": "..."}``
    at the top level, or DataArts Architecture's ``{"errors": [{"error_code":
    "DLG.0818", ...}]}``; docs/fidelity.md) and are ``None`` when the body has
    none; ``request_id`` comes from the ``X-Request-Id`` header (or the body's
    ``request_id``) and is what Huawei support asks for.
    """

    def __init__(
        self,
        status_code: int,
        *,
        error_code: str | None = None,
        error_msg: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.operation = operation
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [f"HTTP {self.status_code}"]
        if self.operation:
            parts.append(f"from {self.operation}")
        if self.error_code:
            parts.append(f"[{self.error_code}]")
        text = " ".join(parts)
        if self.error_msg:
            text += f": {clip(self.error_msg, _MESSAGE_LIMIT)}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, error_code={self.error_code!r}, "
            f"request_id={self.request_id!r})"
        )


class BadRequestError(ApiError):
    """HTTP 400: the request is invalid, or names what does not exist, e.g. ``DLG.0818`` (no such workspace)."""


class AuthenticationError(ApiError):
    """HTTP 401: the token or the AK/SK signature was refused (``APIG.0301``)."""


class PermissionDeniedError(ApiError):
    """HTTP 403: the credentials do not grant access to this project or workspace."""


class NotFoundError(ApiError):
    """HTTP 404: wrong endpoint or path (the API itself answers 400 for an unknown uuid)."""


class ThrottledError(ApiError):
    """HTTP 429 that persisted through the retries (gateway throttling or too many exports)."""


class ServerError(ApiError):
    """HTTP 5xx that persisted through the retries, or that is not worth retrying."""


_ERROR_CLASSES: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: ThrottledError,
}


def api_error_for(
    status_code: int,
    *,
    error_code: str | None = None,
    error_msg: str | None = None,
    request_id: str | None = None,
    operation: str | None = None,
) -> ApiError:
    """The most specific :class:`ApiError` subclass for ``status_code``."""
    cls = _ERROR_CLASSES.get(status_code, ServerError if status_code >= 500 else ApiError)
    return cls(status_code, error_code=error_code, error_msg=error_msg, request_id=request_id, operation=operation)


class NetworkError(DataArtsError):
    """Connecting to or talking with the service kept failing (``httpx.TransportError``) through the retries.

    The last transport error is chained as ``__cause__``.
    """


class ExportFailed(DataArtsError):
    """The service reports ``status: fail`` for the export.

    ``group`` is the ``BatchOperation`` detail the service sent with the
    failure (``None`` when it sent none); its ``logs`` and ``remark`` usually
    say why.
    """

    def __init__(self, uuid: str, *, group: BatchOperation | None, rate: str | None = None) -> None:
        self.uuid = uuid
        self.group = group
        self.rate = rate
        super().__init__(f"export {uuid} failed")


class ExportTimeout(DataArtsError, TimeoutError):
    """The export did not finish before the deadline.

    ``last_rate`` is the last progress the service reported (``None`` if it
    never reported one), ``elapsed`` the seconds waited and ``timeout`` the
    deadline that was given. The export may still finish: waiting again with
    the same uuid resumes. ``uuid`` is ``None`` when the deadline passed
    while the export was still being started.
    """

    noun: ClassVar[str] = "export"
    """What did not finish, as the message (and the deadline's log) names it."""
    unfinished: ClassVar[str] = "not ready"

    def __init__(self, uuid: str | None, *, timeout: float, elapsed: float, last_rate: str | None) -> None:
        self.uuid = uuid
        self.timeout = timeout
        self.elapsed = elapsed
        self.last_rate = last_rate
        rate = f", last reported progress {_shown_rate(last_rate)}" if last_rate is not None else ""
        what = f"{self.noun} {uuid} {self.unfinished}" if uuid else f"{self.noun} not started"
        super().__init__(f"{what} after {elapsed:.1f}s (timeout {timeout:g}s{rate})")


_RATE_LIMIT = 32
"""Characters of a ``rate`` that is no number shown in a timeout's message (the service's text, clipped)."""


def _shown_rate(rate: str) -> str:
    """``rate`` as a percentage, read on the scale it was written in (``"0.01"`` is 1 %, ``"37"`` 37 %); as
    written, quoted, when it is no number: the user compares it with the progress lines, which say percent."""
    percent = parse_rate(rate)
    return f"{percent:g}%" if percent is not None else repr(clip(rate, _RATE_LIMIT))


class ImportTimeout(ExportTimeout):
    """The import did not finish before the deadline; waiting again with the same ``uuid`` resumes.

    An :class:`ExportTimeout` too (the same fields, the same deadline
    machinery). ``uuid`` is ``None`` when the deadline passed while the
    import was being started: a start is retried only after answers that
    prove nothing was started, so then no import was.
    """

    noun: ClassVar[str] = "import"
    unfinished: ClassVar[str] = "not finished"


class ImportFailed(DataArtsError):
    """The service reports the import as ``fail``: nothing (or not all) was imported.

    ``outcome`` (:class:`~.results.ImportOutcome`) holds the counts and every
    row, ``outcome.failed_rows`` the ones that failed with their messages.
    """

    def __init__(self, outcome: ImportOutcome, what: str = "failed") -> None:
        self.outcome = outcome
        self.uuid = outcome.uuid
        counts = f": {outcome.failed} of {outcome.total} rows failed" if outcome.total is not None else ""
        super().__init__(f"import {outcome.uuid} {what}{counts}")


class ImportPartiallyFailed(ImportFailed):
    """The service reports ``success`` but some rows failed; the others were imported.

    Raised rather than returned, so a partial import is never mistaken for a
    whole one; ``outcome`` has what was imported and what was not.
    """

    def __init__(self, outcome: ImportOutcome) -> None:
        super().__init__(outcome, "partly failed")


class DownloadError(DataArtsError):
    """Transferring the Excel file failed (the connection broke) through the retries.

    No file is left behind: neither the destination nor a temporary file.
    The last transport error, if any, is chained as ``__cause__``.
    """

    def __init__(self, uuid: str, reason: str) -> None:
        self.uuid = uuid
        self.reason = reason
        super().__init__(f"download of export {uuid} failed: {reason}")


class TruncatedDownload(DownloadError):
    """The file came up short of (or past) its full length, from ``Content-Range`` or ``Content-Length``, every time.

    ``expected`` is the full length, ``received`` the bytes saved when the last attempt ended.
    """

    def __init__(self, uuid: str, *, expected: int, received: int) -> None:
        self.expected = expected
        self.received = received
        super().__init__(uuid, f"received {received} of {expected} bytes announced by Content-Length")


class DestinationError(DataArtsError, OSError):
    """The downloaded file cannot be written where it was asked to go: permission denied, no space left, ...

    Also a destination refused on principle: a missing directory, a block
    device, a terminal, a file that may not be replaced. Not retried
    (another attempt would meet the same disk). No temporary file is left,
    and a file already at the destination is unchanged. Also an ``OSError``
    with the failure's ``errno``, ``strerror`` and ``filename`` (the
    destination, ``-`` for a file object); the original error is
    ``__cause__``. ``uuid`` names the export when one was started (``None``
    when the destination was refused before starting it), so that its
    workbook can be downloaded without exporting again.
    """

    def __init__(self, path: str | os.PathLike[str], cause: OSError, *, uuid: str | None = None) -> None:
        super().__init__(cause.errno, cause.strerror or type(cause).__name__, os.fspath(path))
        self.uuid = uuid

    def __str__(self) -> str:
        text = f"cannot write {self.filename}: {self.strerror}"
        if self.uuid is not None:
            text += f"; export {self.uuid} is not lost: download it again with its uuid"
        return text


class InsecureTransportError(ConfigurationError):
    """A credential (IAM token or AK/SK signature) would be sent in clear text over ``http://``.

    Refused unless the endpoint is a loopback address (an emulator on this
    machine) or the caller opted in with ``allow_insecure_http=True``
    (``--allow-insecure-http`` on the command line).
    """
