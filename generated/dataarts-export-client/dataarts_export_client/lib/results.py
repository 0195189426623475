"""What the helpers report back: progress while an export runs, and its readiness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models.batch_operation import BatchOperation
from ..models.export_state import ExportState

__all__ = ["ExportProgress", "ExportReady", "ExportSnapshot", "ProgressCallback", "parse_rate"]


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
