"""What the helpers report back: progress while an export runs, and its readiness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    "import_percent",
    "parse_rate",
]


def parse_rate(rate: str | None) -> float | None:
    """The service's ``rate`` string (``"37"``, sometimes ``"37.5"`` or ``"37%"``) as a number, or ``None``."""
    if rate is None:
        return None
    try:
        return float(rate.strip().rstrip("%"))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """One progress report, passed to ``on_progress`` after every status answer.

    ``rate`` is the service's string as sent (``None`` if absent), ``percent``
    its numeric reading; ``elapsed`` counts seconds since waiting started.
    When the file answer arrives a last report with status ``success`` and
    ``percent`` 100 is made.
    """

    uuid: str
    status: ExportState
    rate: str | None
    percent: float | None
    elapsed: float


ProgressCallback = Callable[[ExportProgress], object]
"""Called with an :class:`ExportProgress` after every status answer."""


@dataclass(frozen=True, slots=True)
class ImportProgress(ExportProgress):
    """One progress report of an import (same fields as an export's; the CLI tells the two apart by type)."""


def import_percent(rate: str | None) -> float | None:
    """An import's ``rate`` as a percentage: ``"0.00"`` to ``"1.00"`` is a fraction (Huawei's documented
    ImportResult answer ends at ``"1.00"``), anything above 1 or without a decimal point already a percentage."""
    value = parse_rate(rate)
    if value is None or rate is None:
        return None
    return value * 100 if "." in rate and value <= 1 else value


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
    ``Content-Disposition`` after sanitising (``None`` when the service said
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
