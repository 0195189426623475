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
from ..types import request_id_of
from .answers import (
    api_error_from_answer,
    is_proxy_page,
    parse_export_uuid,
    parse_import_status,
    proxy_page_error,
    unexpected_answer,
)
from .backoff import RETRYABLE_STATUS_CODES, RetryPolicy
from .deadline import Deadline, Wait
from .decisions import NOTHING_SENT_ERRORS, NOTHING_STARTED_STATUS_CODES, Retrier, transport_failure
from .errors import DownloadError, ImportFailed, ImportPartiallyFailed, ImportTimeout, UnexpectedResponse
from .log import logger
from .pacing import PollPacer
from .results import ImportOutcome, ImportProgress, ImportRow, ProgressCallback, progress_percent
from .transport_errors import diagnose

__all__ = ["MAX_RESULT_BYTES", "MAY_HAVE_STARTED", "RESULT_OPERATION", "ImportPoller", "ImportStarter", "read_outcome"]

RESULT_OPERATION = "ImportResult"
MAX_RESULT_BYTES = 16 << 20
"""Upper bound of an ``ImportResult`` answer: a row group per imported row, under 3,000 rows, each about half a
kilobyte in Huawei's documented example (its ``logs`` longer when a row failed); a status answer's 1 MiB holds
only some 2,000 of them."""
MAY_HAVE_STARTED = "the import may have started: check the workspace before sending it again"
"""Said of every failure of a start that is not retried: nothing proves the service did not start it."""


class ImportStarter:
    """Decisions of ``POST .../action`` (``ImportModels`` or ``ImportCatalogs``): retried only when nothing started.

    Whatever ``policy.retry_start`` says: that knob weighs a duplicate export
    job against a lost run, and a duplicate import is not harmless.
    """

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
        self._retrier = Retrier(policy, rng)

    def after_answer(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | str:
        """The new import's uuid, or a :class:`Wait` after a 429; raises otherwise."""
        if is_proxy_page(status_code, headers):
            reason = f"an HTML page instead of the API's answer (a proxy?); {MAY_HAVE_STARTED}"
            raise unexpected_answer(reason, status_code, headers, body)
        if status_code == 200:
            uuid = parse_export_uuid(status_code, headers, body)
            logger.debug("import %s started", uuid)
            return uuid
        error = api_error_from_answer(status_code, headers, body, operation=self.operation)
        if status_code not in NOTHING_STARTED_STATUS_CODES or self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        reason = self._retrier.reason(f"HTTP {status_code} starting the import")
        return self.deadline.wait(delay, reason, cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Retry a connection that could not be made; any other failure in transit may have started the import.

        Failures another attempt cannot cure (see :mod:`.transport_errors`)
        all happen before the request is sent, and are raised as they are.
        """
        diagnosis = diagnose(exc)
        nothing_sent = diagnosis.permanent or isinstance(exc, NOTHING_SENT_ERRORS)
        if not nothing_sent or diagnosis.permanent or self._retrier.exhausted():
            error = transport_failure(f"POST {self.operation}", exc, diagnosis, self._retrier.failures)
            raise (error if nothing_sent else type(error)(f"{error}; {MAY_HAVE_STARTED}")) from exc
        reason = self._retrier.reason(f"{diagnosis.what} starting the import")
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

    body_limit = MAX_RESULT_BYTES

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
        self._retrier = Retrier(policy, rng)

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
            page = proxy_page_error(status_code, headers, body)
            return self._retry(page, "an HTML page instead of the API's answer")
        if status_code != 200:
            error = api_error_from_answer(status_code, headers, body, operation=RESULT_OPERATION)
            if status_code not in RETRYABLE_STATUS_CODES:
                raise error
            return self._retry(error, f"HTTP {status_code}", headers, now)
        self._retrier.reset()
        data = parse_import_status(status_code, headers, body)
        group = data.group if isinstance(data.group, BatchOperation) else None
        rate = data.rate if isinstance(data.rate, str) else None
        percent = progress_percent(data.status, rate)
        self.deadline.last_rate = rate
        logger.debug("import %s: status %s, rate %s", self.uuid, data.status.value, rate)
        if self._on_progress is not None:
            self._on_progress(ImportProgress(self.uuid, data.status, rate, percent, self.deadline.elapsed))
        if data.status not in (ExportState.SUCCESS, ExportState.FAIL):  # importing, or a state unknown to this client
            pace = self._pacer.next_delay(self.deadline.elapsed, percent)
            return self.deadline.wait(pace.seconds, pace.reason)
        outcome = read_outcome(self.uuid, data.status, group, self.deadline.elapsed, request_id_of(headers))
        if data.status is ExportState.FAIL:
            raise ImportFailed(outcome)
        if _incomplete(outcome):
            raise ImportPartiallyFailed(outcome)
        return outcome

    def _retry(
        self, error: Exception, what: str, headers: Mapping[str, str] | None = None, now: datetime | None = None
    ) -> Wait:
        """Wait before asking again (``Retry-After`` when ``headers`` send one), or raise ``error`` past the budget."""
        if self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        return self.deadline.wait(delay, self._retrier.reason(what), cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """The GET is idempotent: retry within budget, unless another attempt cannot succeed."""
        diagnosis = diagnose(exc)
        if diagnosis.permanent or self._retrier.exhausted():
            request = f"GET process-import for {self.uuid}"
            raise transport_failure(request, exc, diagnosis, self._retrier.failures) from exc
        return self.deadline.wait(self._retrier.delay(None), self._retrier.reason(diagnosis.what), cause=exc)
