"""What the helpers report back: progress while an export or import runs, an export's readiness, an import's outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from ..models.batch_operation import BatchOperation
from ..models.export_state import ExportState

__all__ = [
    "ExportProgress",
    "ExportReady",
    "ExportSnapshot",
    "ImportOutcome",
    "ImportProgress",
    "ImportRow",
    "ProgressCallback",
    "parse_rate",
    "progress_percent",
]


def parse_rate(rate: str | None) -> float | None:
    """The service's ``rate`` string as a percentage (0-100), or ``None`` when absent or not a number.

    Huawei's documented answers write ``rate`` on two scales (docs/fidelity.md,
    F-RATE-1 and F-RATE-2): a percentage (``"0"``, the emulator's ``"37"``;
    ``"37.5"`` or ``"37%"`` read as written) and a fraction (``"1.00"``). The
    rule: a number written with a decimal point and no ``%`` that lies between
    0 and 1 is a fraction and is scaled to a percentage (``"0.50"`` is 50 %);
    every other number is a percentage already (``"1"`` is 1 %). A percentage
    below 1 written with a decimal point (``"0.5"`` meaning half a percent)
    is therefore read as 50 %: the price of reading the fraction scale that
    Huawei does document. NaN and infinities are not progress (``None``).
    """
    if rate is None:
        return None
    text = rate.strip()
    try:
        value = Decimal(text.removesuffix("%"))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if "." in text and not text.endswith("%") and 0 <= value <= 1:
        value *= 100
    return float(value)


def progress_percent(status: ExportState, rate: str | None) -> float | None:
    """How far an export is, 0-100: complete at ``success`` whatever ``rate`` says, else ``rate`` read.

    The status is the authority (docs/fidelity.md, F-RATE-3): ImportResult's
    documented answer reports ``success`` with ``rate`` ``"1.00"``, which on
    the percentage scale would read as 1 %.
    """
    if status is ExportState.SUCCESS:
        return 100.0
    return parse_rate(rate)


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """One progress report, passed to ``on_progress`` after every status answer.

    ``rate`` is the service's string as sent (``None`` if absent), ``percent``
    its numeric reading; ``elapsed`` counts seconds since waiting started.
    When the file answer arrives a last report with status ``success`` and
    ``percent`` 100 is made.
    """

    noun: ClassVar[str] = "export"
    """What is making progress, as progress lines and the bar name it."""

    uuid: str
    status: ExportState
    rate: str | None
    percent: float | None
    elapsed: float


ProgressCallback = Callable[[ExportProgress], object]
"""Called with an :class:`ExportProgress` after every status answer."""


@dataclass(frozen=True, slots=True)
class ImportProgress(ExportProgress):
    """One progress report of an import: an export's fields, but named an import where it is shown."""

    noun: ClassVar[str] = "import"


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row of an import, from a group of the result: what a later export needs, and what went wrong.

    ``name`` is the object's code or name (``biz_name``), ``object_id`` its ID
    in the target workspace (``biz_id``: pass these as an export's ``ids``;
    ``None`` when the service does not say, as Huawei's documented example
    does not), ``status`` ``SUCCESS`` or ``FAILED`` (``operation_status``),
    ``remark`` how it succeeded (``SKIP`` in Huawei's example; the emulator
    also says ``CREATE`` and ``UPDATE``), ``message`` the service's log for it.
    """

    name: str | None
    object_id: str | None
    status: str | None
    remark: str | None
    message: str | None

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """A finished import: the service's status, the counts and every row (``rows``), nothing assumed present.

    ``total``, ``success`` and ``failed`` are the group's counts (``None``
    when the service sent none); ``group`` is the whole ``BatchOperation``.
    :func:`~.imports.wait_for_import` returns it only when nothing failed;
    otherwise it travels in :class:`~.errors.ImportFailed` or
    :class:`~.errors.ImportPartiallyFailed`.
    """

    uuid: str
    status: ExportState
    total: int | None
    success: int | None
    failed: int | None
    rows: tuple[ImportRow, ...]
    elapsed: float
    group: BatchOperation | None = None
    request_id: str | None = None

    @property
    def failed_rows(self) -> tuple[ImportRow, ...]:
        """The rows that failed, with their messages."""
        return tuple(row for row in self.rows if row.failed)

    @property
    def object_ids(self) -> list[str]:
        """The IDs of the rows that succeeded, as an export of what was imported takes them."""
        return [row.object_id for row in self.rows if not row.failed and row.object_id]


@dataclass(frozen=True, slots=True)
class ExportReady:
    """The export has succeeded and its file can be downloaded.

    Returned by ``wait_for_export``. ``file_name`` is the server's name from
    ``Content-Disposition`` after sanitising (:func:`~.filenames.safe_file_name`:
    a base name ending in ``.xlsx``; ``None`` when the service said
    ``success`` in JSON, or sent no name); ``content_type``,
    ``content_length`` and ``request_id`` describe the file answer that was
    seen (and closed unread).
    """

    uuid: str
    elapsed: float
    file_name: str | None = None
    content_type: str | None = None
    content_length: int | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class ExportSnapshot:
    """One reading of an export's status, returned by ``poll_export_status``.

    ``status`` is ``importing``, ``fail`` or ``success``, or a state the spec
    does not document (``status.is_known`` is then false; a newer service's,
    taken as still running by the waiting helpers); a failed export is
    reported here, not raised, with the service's ``group`` detail (its
    ``logs`` and counts say why). ``rate`` is the service's string as sent
    and ``percent`` its numeric reading. When the service answered with the
    file itself, ``ready`` describes that answer (which was closed unread),
    ``status`` is ``success`` and ``percent`` 100.
    """

    uuid: str
    status: ExportState
    rate: str | None
    percent: float | None
    group: BatchOperation | None = None
    request_id: str | None = None
    ready: ExportReady | None = None
