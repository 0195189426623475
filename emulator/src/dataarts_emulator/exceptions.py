"""Every answer other than success, one type per kind (moto's ``exceptions.py`` pattern).

Models, authentication, validation and fault injection raise these; the HTTP
layer renders them in exactly one place (:func:`dataarts_emulator.rendering.error_response`).
Each type declares its HTTP status, ``error_code`` and body shape in its class
line, so each code is written once, here; the docs' table of answers and
the fidelity ledger (``docs/fidelity.md``) are checked against
:func:`error_types` by tests.

The codes are either Huawei's, as its sources document them (the API
gateway's ``APIG.*``, DataArts Architecture's ``DLG.0818``), or the
emulator's own, all of which start with ``EMU.`` so that nobody mistakes one
for a code of the live service: where no source says what the service
answers, the emulator does not put words in its mouth.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal

Shape = Literal["service", "architecture", "gateway"]
"""The body of an error answer (docs/fidelity.md, F-ERR-1 to F-ERR-3):

* ``service``: ``{"error_code", "error_msg", "data": {}}``, as the DataArts API reference documents error bodies;
* ``architecture``: ``{"errors": [{"error_code", "error_msg"}]}``, DataArts Architecture's own, as Huawei's
  Terraform provider reads it;
* ``gateway``: ``{"error_code", "error_msg", "request_id"}``, Huawei's API gateway's (``APIG.*``).
"""


class EmulatorError(Exception):
    """An error answer: ``status``, ``error_code``, the message as ``error_msg``, its body ``shape``, extra headers."""

    status: ClassVar[int]
    error_code: ClassVar[str]
    default_message: ClassVar[str]
    shape: ClassVar[Shape]

    def __init_subclass__(
        cls, *, status: int, error_code: str, message: str = "", shape: Shape = "service", **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        cls.status, cls.error_code, cls.default_message, cls.shape = status, error_code, message, shape

    def __init__(self, message: str | None = None, headers: Mapping[str, str] | None = None) -> None:
        self.message = self.default_message if message is None else message
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)


class RouteNotFound(
    EmulatorError,
    status=404,
    error_code="APIG.0101",
    message="The API does not exist or has not been published in the environment.",
    shape="gateway",
):
    """No spec path matches (the API gateway's answer, worded as its error-code table)."""


class MethodNotAllowed(EmulatorError, status=405, error_code="EMU.0405"):
    """A spec path, but not with this method; ``Allow`` lists the right ones.

    The emulator's own answer: Huawei's gateway answers an undeclared method
    ``404 APIG.0101`` ("The API does not exist."); the emulator answers 405
    with ``Allow``, as HTTP (RFC 9110) and the contract's checks expect.
    """

    def __init__(self, method: str, allowed: str) -> None:
        super().__init__(f"Method {method} is not allowed on this path; allowed: {allowed}.", {"Allow": allowed})


class InvalidRequest(EmulatorError, status=400, error_code="EMU.0400"):
    """Input the spec (or the body size limit) rejects; the message names what is wrong (the emulator's own code)."""


class Unauthorized(EmulatorError, status=401, error_code="APIG.0301", shape="gateway"):
    """Missing or bad credentials, worded as Huawei's API gateway does."""

    def __init__(self, reason: str) -> None:
        super().__init__("Incorrect IAM authentication information: " + reason)


class Forbidden(EmulatorError, status=403, error_code="EMU.0403"):
    """Valid credentials that do not cover the project, or a workspace that exists but is not theirs (own code)."""


class WorkspaceNotFound(
    EmulatorError, status=400, error_code="DLG.0818", message="The workspace does not exist.", shape="architecture"
):
    """A workspace that no tenant of the project has: DataArts Architecture's ``400 DLG.0818``."""


class ExportNotFound(EmulatorError, status=400, error_code="EMU.0404", message="The export task does not exist."):
    """No such export in this project and workspace (unknown and foreign uuids alike; the emulator's own code)."""


class ImportNotFound(EmulatorError, status=400, error_code="EMU.0420", message="The import task does not exist."):
    """No such import in this project and workspace (the emulator's own code: Huawei documents none)."""


class ObjectsNotFound(EmulatorError, status=400, error_code="EMU.0410"):
    """A strict workspace holds none of some exported ids (the emulator's own code; the live answer is undocumented)."""


class UploadMissing(EmulatorError, status=400, error_code="EMU.0421"):
    """An import call without a ``multipart/form-data`` field ``file``."""


class UploadMalformed(EmulatorError, status=400, error_code="EMU.0422"):
    """A ``multipart/form-data`` body that cannot be read, or with more than one ``file``."""


class HostileFileName(EmulatorError, status=400, error_code="EMU.0423"):
    """The uploaded file's name is a path, holds control characters, or is too long."""


class UploadTooLarge(EmulatorError, status=400, error_code="EMU.0424"):
    """The uploaded file is not under 4 MB (or the form around it is far larger)."""


class NotAWorkbook(EmulatorError, status=400, error_code="EMU.0425"):
    """The upload is no ``.xlsx`` workbook: not a zip, a part missing, broken XML, an impossible cell."""


class WorkbookTooLarge(EmulatorError, status=400, error_code="EMU.0426"):
    """The workbook declares, or inflates to, more than the emulator reads (a zip bomb)."""


class UnsafeWorkbookXml(EmulatorError, status=400, error_code="EMU.0427"):
    """A part of the workbook declares a DTD, entities or external references (XML entity tricks)."""


class TooManyRows(EmulatorError, status=400, error_code="EMU.0428"):
    """The sheet has 3,000 data rows or more."""


class LayoutMismatch(EmulatorError, status=400, error_code="EMU.0430"):
    """The first sheet's header row is not the layout of the import's action."""


class WorkspaceFull(EmulatorError, status=400, error_code="EMU.0431"):
    """The import would make the workspace hold more objects of one kind than ``max_objects``."""


class RangeNotSatisfiable(EmulatorError, status=416, error_code="EMU.0416"):
    """A ``Range`` that starts past the workbook's end; ``Content-Range: bytes */length`` gives the length."""

    def __init__(self, length: int) -> None:
        super().__init__(
            f"The requested range is not satisfiable: the file has {length} bytes.",
            {"Content-Range": f"bytes */{length}"},
        )
        self.length = length


class StoreFull(EmulatorError, status=429, error_code="EMU.0429"):
    """The job store holds ``max_jobs`` exports; ``retry_after`` seconds until one expires (own code)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many exports are stored; retry later.", {"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class Throttled(EmulatorError, status=429, error_code="APIG.0308", shape="gateway"):
    """The gateway's flow control: ``limit`` requests a minute per user were reached (injected, or counted).

    Worded as Huawei documents ``APIG.0308``; ``Retry-After`` is the emulator's addition.
    """

    def __init__(self, retry_after: int, limit: int) -> None:
        super().__init__(
            f"The throttling threshold has been reached: policy user over ratelimit,limit:{limit},time:1 minute",
            {"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after
        self.limit = limit


class InjectedInternalError(
    EmulatorError, status=500, error_code="EMU.F500", message="Internal server error (injected fault)."
):
    """Injected fault: the service's own 500 (the live service's code for it is not documented)."""


class InjectedBadGateway(
    EmulatorError, status=502, error_code="APIG.0202", message="Backend unavailable.", shape="gateway"
):
    """Injected fault: the gateway cannot reach the service, worded as its error-code table."""


class InjectedUnavailable(
    EmulatorError, status=503, error_code="EMU.F503", message="Service temporarily unavailable (injected fault)."
):
    """Injected fault: the service is briefly unavailable (the live service's code for it is not documented)."""


class InternalError(
    EmulatorError,
    status=500,
    error_code="EMU.0500",
    message="The emulator failed while handling this request (a bug in the emulator); see its log.",
):
    """The emulator itself failed: a bug, never a verdict on the input.

    Its own code, distinct from the injected ``EMU.F500``, so that neither a
    client nor the test suite can mistake a crash for a fault it asked for.
    """


class InjectedDisruption(Exception):
    """An injected fault that is no error answer, acted out by the HTTP layer (never rendered as JSON).

    Deliberately not an :class:`EmulatorError`: these have no ``error_code``,
    and the app must neither render them as an error body nor log them as
    its own crash (``EMU.0500``).
    """


class ConnectionReset(InjectedDisruption):
    """Injected fault: the connection is reset before any answer (as a dying load balancer does)."""


class ProxyPage(InjectedDisruption):
    """Injected fault: ``200`` with an HTML page, as a captive portal or misrouted proxy answers."""


INJECTED_SERVER_ERRORS: tuple[type[EmulatorError], ...] = (
    InjectedInternalError,
    InjectedBadGateway,
    InjectedUnavailable,
)


def error_types() -> Iterator[type[EmulatorError]]:
    """Every answer type, in the order above."""
    pending = list(EmulatorError.__subclasses__())
    while pending:
        kind = pending.pop(0)
        yield kind
        pending[:0] = kind.__subclasses__()
