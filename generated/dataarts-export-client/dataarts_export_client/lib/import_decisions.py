"""The decisions of starting and waiting for an import: sans-I/O, shared by the sync and async helpers.

Like :mod:`.decisions` for exports, these do no I/O: the loops of
:mod:`.io_loops` send each request and feed the answer in. Two differences
from an export:

* **the start is never retried where it may have started an import.** A
  second import of the same workbook is not free the way a second export
  job is: it updates every object again, or, with ``skip-exist``, reports
  them all as skipped, so the outcome of the first one is lost. Only
  failures that prove nothing was started are retried: a 429 (the gateway
  refused it) and a connection that could not be made. Any other failure is
  raised at once, saying that the import may have started.
* **waiting ends with the outcome**: the counts and every row of the
  ``group`` (:class:`~.results.ImportOutcome`), read without assuming any
  field is present. ``fail`` raises :class:`~.errors.ImportFailed`;
  ``success`` with rows that failed raises
  :class:`~.errors.ImportPartiallyFailed`; both carry the outcome.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime

import httpx

from ..models.batch_operation import BatchOperation
from ..models.export_state import ExportState
from ..models.import_result import ImportResult
from ..types import Unset, is_json_media_type, parse_media_type, request_id_of
from .answers import _json_object, _unexpected_answer, api_error_from_answer, is_proxy_page, parse_export_uuid
from .backoff import RETRYABLE_STATUS_CODES, RetryPolicy
from .deadline import Deadline, Wait
from .decisions import _NOTHING_SENT_ERRORS, _NOTHING_STARTED_STATUS_CODES, _Retrier
from .errors import DownloadError, ImportFailed, ImportPartiallyFailed, ImportTimeout, NetworkError, UnexpectedResponse
from .log import logger
from .pacing import PollPacer
from .results import ImportOutcome, ImportProgress, ImportRow, ProgressCallback, import_percent

__all__ = ["RESULT_OPERATION", "ImportPoller", "ImportStarter", "read_outcome"]

RESULT_OPERATION = "ImportResult"
_MAY_HAVE_STARTED = "the import may have started: check the workspace before sending it again"


class ImportStarter:
    """Decisions of ``POST .../action`` (``ImportModels`` or ``ImportCatalogs``): retried only when nothing started."""

    def __init__(
        self,
        *,
        operation: str,
        timeout: float,
        policy: RetryPolicy,
        clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        self.operation = operation
        self.deadline = Deadline(None, timeout, clock, ImportTimeout)
        self._retrier = _Retrier(policy, rng)

    def after_answer(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | str:
        """The new import's uuid, or a :class:`Wait` after a 429; raises otherwise."""
        if status_code == 200 and not is_proxy_page(status_code, headers):
            uuid = parse_export_uuid(status_code, headers, body)
            logger.debug("import %s started", uuid)
            return uuid
        if status_code == 200:
            raise _unexpected_answer(
                f"an HTML page instead of the API's answer; {_MAY_HAVE_STARTED}", 200, headers, body
            )
        error = api_error_from_answer(status_code, headers, body, operation=self.operation)
        if status_code not in _NOTHING_STARTED_STATUS_CODES or self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        reason = f"HTTP {status_code} starting the import, retry {self._retrier.failures}"
        return self.deadline.wait(delay, reason, cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Retry a connection that could not be made; any other failure may have started the import."""
        if not isinstance(exc, _NOTHING_SENT_ERRORS):
            raise NetworkError(f"{self.operation} failed: {type(exc).__name__}; {_MAY_HAVE_STARTED}") from exc
        if self._retrier.exhausted():
            raise NetworkError(f"{self.operation} failed: {type(exc).__name__}") from exc
        reason = f"{type(exc).__name__} starting the import, retry {self._retrier.failures}"
        return self.deadline.wait(self._retrier.delay(None), reason, cause=exc)


def _rows(group: BatchOperation | None) -> tuple[ImportRow, ...]:
    """Every group under ``group`` (depth first) as a row; the top group is the import itself, not a row."""
    found: list[ImportRow] = []
    pending = list(_children(group))
    while pending:
        child = pending.pop(0)
        found.append(
            ImportRow(
                name=_text(child.biz_name),
                object_id=_text(child.biz_id),
                status=_text(child.operation_status),
                remark=_text(child.remark),
                message=_text(child.logs),
            )
        )
        pending[:0] = _children(child)
    return tuple(found)


def _children(group: BatchOperation | None) -> list[BatchOperation]:
    groups = group.groups if group is not None else None
    return [child for child in groups if isinstance(child, BatchOperation)] if isinstance(groups, list) else []


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, str) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_outcome(
    uuid: str, status: ExportState, group: BatchOperation | None, elapsed: float, request_id: str | None
) -> ImportOutcome:
    """The :class:`ImportOutcome` of a finished import's status and group."""
    rows = _rows(group)
    failed = _count(group.failed) if group is not None else None
    return ImportOutcome(
        uuid=uuid,
        status=status,
        total=_count(group.total) if group is not None else None,
        success=_count(group.success) if group is not None else None,
        failed=failed,
        rows=rows,
        elapsed=elapsed,
        group=group,
        request_id=request_id,
    )


def _incomplete(outcome: ImportOutcome) -> bool:
    """Whether a ``success`` still left rows out: a failed count, a failed row, or a group marked FAILED."""
    group_failed = outcome.group is not None and outcome.group.operation_status == "FAILED"
    return bool(outcome.failed) or bool(outcome.failed_rows) or group_failed


class ImportPoller:
    """Decisions of polling ``GET process-import`` until the import ends (a :class:`~.decisions.Poller`)."""

    def __init__(
        self,
        *,
        uuid: str,
        timeout: float,
        policy: RetryPolicy,
        clock: Callable[[], float],
        on_progress: ProgressCallback | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.uuid = uuid
        self.deadline = Deadline(uuid, timeout, clock, ImportTimeout)
        self._on_progress = on_progress
        self._pacer = PollPacer(policy, rng)
        self._retrier = _Retrier(policy, rng)

    def request_headers(self) -> Mapping[str, str]:
        """An import result is never ranged."""
        return {}

    def is_file(self, status_code: int, headers: Mapping[str, str]) -> bool:
        """An import result is never a file: every answer is read as a (small) body."""
        return False

    def file_ready(self, headers: Mapping[str, str]) -> ImportOutcome:  # pragma: no mutate block (never called)
        raise UnexpectedResponse("an import result is never a file", status_code=200, content_type=None)

    def after_download_error(self, error: DownloadError) -> Wait:  # pragma: no mutate block (never called)
        raise error

    def after_body(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | ImportOutcome:
        """Wait while the import runs; its outcome once it ended well; raise when it did not."""
        if is_proxy_page(status_code, headers):
            page = _unexpected_answer("an HTML page instead of the API's answer (a proxy?)", status_code, headers, body)
            return self._retry(page, None, now, "an HTML page instead of the API's answer")
        if status_code != 200:
            error = api_error_from_answer(status_code, headers, body, operation=RESULT_OPERATION)
            if status_code not in RETRYABLE_STATUS_CODES:
                raise error
            return self._retry(error, headers, now, f"HTTP {status_code}")
        self._retrier.reset()
        status, group, rate = _parse_status(status_code, headers, body)
        percent = 100.0 if status is ExportState.SUCCESS else import_percent(rate)
        self.deadline.last_rate = rate
        if self._on_progress is not None:
            self._on_progress(ImportProgress(self.uuid, status, rate, percent, self.deadline.elapsed))
        if status not in (ExportState.SUCCESS, ExportState.FAIL):  # importing, or a state this client does not know
            pace = self._pacer.next_delay(self.deadline.elapsed, percent)
            return self.deadline.wait(pace.seconds, pace.reason)
        outcome = read_outcome(self.uuid, status, group, self.deadline.elapsed, request_id_of(headers))
        if status is ExportState.FAIL:
            raise ImportFailed(outcome)
        if _incomplete(outcome):
            raise ImportPartiallyFailed(outcome)
        return outcome

    def _retry(self, error: Exception, headers: Mapping[str, str] | None, now: datetime | None, what: str) -> Wait:
        if self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        return self.deadline.wait(delay, f"{what}, retry {self._retrier.failures}", cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """The GET is idempotent: retry within budget."""
        if self._retrier.exhausted():
            raise NetworkError(f"GET process-import for {self.uuid} kept failing: {type(exc).__name__}") from exc
        reason = f"{type(exc).__name__}, retry {self._retrier.failures}"
        return self.deadline.wait(self._retrier.delay(None), reason, cause=exc)


def _parse_status(
    status_code: int, headers: Mapping[str, str], body: bytes
) -> tuple[ExportState, BatchOperation | None, str | None]:
    """Status, group and rate of a 200 ``ImportResult`` answer, via the generated ``ImportResult`` model.

    Huawei's 2022 EU reference page shows the object without its ``data``
    wrapper; such an answer is read too.
    """
    if not is_json_media_type(parse_media_type(headers.get("content-type"))):
        raise _unexpected_answer("not the JSON import result", status_code, headers, body)
    document = _json_object(body)
    if document is not None and "data" not in document and "status" in document:
        document = {"data": document}
    try:
        if document is None:
            raise ValueError("not a JSON object")
        data = ImportResult.from_dict(document).data
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        reason = f"the JSON does not match the import result ({type(exc).__name__})"
        raise _unexpected_answer(reason, status_code, headers, body) from None
    group = data.group if isinstance(data.group, BatchOperation) else None
    rate = data.rate if isinstance(data.rate, str) and not isinstance(data.rate, Unset) else None
    return data.status, group, rate
