"""The decisions of starting, waiting for and downloading an export: sans-I/O, shared by sync and async.

These state machines do no I/O: a loop of :mod:`.io_loops` sends the request,
feeds each answer or failure in, and gets back either a :class:`Wait` (sleep
that long, then ask again), a result, or an exception to raise. Keeping every
decision here is what makes the sync and async helpers behave identically,
and lets the tests check the decisions without sockets or real sleeping.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol, TypeVar

import httpx

from ..models.batch_operation import BatchOperation
from ..models.export_state import ExportState
from ..types import content_disposition_file_name, request_id_of
from .answers import (
    MAX_JSON_BYTES,
    api_error_from_answer,
    is_file_answer,
    is_proxy_page,
    parse_export_status,
    parse_export_uuid,
    proxy_page_error,
)
from .backoff import RETRYABLE_STATUS_CODES, RetryPolicy, parse_retry_after
from .deadline import Deadline, Wait
from .errors import ConfigurationError, DataArtsError, DownloadError, ExportFailed, NetworkError
from .filenames import safe_file_name
from .log import logger
from .pacing import PollPacer
from .results import ExportProgress, ExportReady, ExportSnapshot, ProgressCallback, progress_percent
from .resume import Transfer, full_length
from .transport_errors import Diagnosis, diagnose, request_url

__all__ = [
    "NOTHING_SENT_ERRORS",
    "NOTHING_STARTED_STATUS_CODES",
    "ExportPoller",
    "ExportProbe",
    "ExportStarter",
    "Poller",
    "Retrier",
    "Starter",
    "Wait",
    "transport_failure",
]

POLL_OPERATION = "ExportDesignResult"
START_OPERATION = "ExportDesignModels"
NOTHING_STARTED_STATUS_CODES = frozenset({429})
"""Answers that prove the start was refused before it created a job (the gateway's throttling)."""
NOTHING_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout)
"""Failures in transit that prove the request never left (nothing can have been started)."""
_TRANSIENT_TRANSPORT_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
"""Failures in transit worth another attempt: connect, read and write errors, timeouts, a connection cut mid-answer."""
KNOWN_STATES = frozenset(ExportState)
"""The states the spec documents. Any other (a newer service's, say ``queued``) is taken as "still running":
only ``success`` (or the file) and ``fail`` end a wait."""


_R_co = TypeVar("_R_co", covariant=True)


def transport_failure(request: str, exc: httpx.TransportError, diagnosis: Diagnosis, attempts: int) -> DataArtsError:
    """The error that ends a call after ``attempts`` failed in transit: what happened, where, and what to do.

    A request httpx refused to send (a header value with a line break) is a
    :class:`~.errors.ConfigurationError`; anything else a
    :class:`~.errors.NetworkError`. ``request`` names the call
    (``GET export-result for <uuid>``); the URL is the one the request went
    to, without user name or password.
    """
    url = request_url(exc)
    where = f" at {url}" if url else ""
    if isinstance(exc, httpx.LocalProtocolError):
        return ConfigurationError(f"{request}{where}: {diagnosis}")
    if diagnosis.permanent:
        return NetworkError(f"{request} failed{where}: {diagnosis} (not retried: another attempt cannot succeed)")
    if attempts > 1:
        return NetworkError(f"{request} kept failing{where} after {attempts} attempts: {diagnosis}")
    return NetworkError(f"{request} failed{where}: {diagnosis}")


class Poller(Protocol[_R_co]):
    """What the polling loop (``io_loops.drive_poll``) asks of the decisions: each step is a :class:`Wait` or a result.

    :class:`ExportPoller` results in :class:`~.results.ExportReady` (wait until
    the export is ready), :class:`ExportProbe` in
    :class:`~.results.ExportSnapshot` (one status reading); both drive the
    same I/O loop.
    """

    deadline: Deadline
    """The call's overall deadline, which the loop also enforces on each request and between body chunks."""
    body_limit: int
    """The most bytes of a non-file answer the loop reads before refusing it as not what the spec describes."""

    def request_headers(self) -> Mapping[str, str]:
        """Headers to add to the next request (``Range`` when resuming a download)."""

    def is_file(self, status_code: int, headers: Mapping[str, str]) -> bool:
        """Whether the answer is the file (decided on the headers alone)."""

    def file_ready(self, headers: Mapping[str, str]) -> _R_co:
        """The result when the service answered with the file."""

    def after_body(self, status_code: int, headers: Mapping[str, str], body: bytes) -> Wait | _R_co:
        """Decide after a non-file answer whose small body has been read."""

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Decide after the request failed in transit."""

    def after_download_error(self, error: DownloadError) -> Wait:
        """Decide after the file handler's transfer failed."""


class Starter(Protocol):
    """What the start loop (``io_loops.drive_start``) asks of the decisions: a uuid, a :class:`Wait`, or a raise.

    :class:`ExportStarter` starts exports; ``import_decisions.ImportStarter`` imports.
    """

    deadline: Deadline

    def after_answer(self, status_code: int, headers: Mapping[str, str], body: bytes) -> Wait | str:
        """Decide after an answer whose (small) body has been read."""

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Decide after the request failed in transit."""


class Retrier:
    """Counts consecutive retryable failures and draws their delays (the export and the import decisions')."""

    def __init__(self, policy: RetryPolicy, rng: random.Random | None) -> None:
        self._policy = policy
        self._backoff = policy.retry_backoff(rng)
        self.failures = 0

    def reset(self) -> None:
        self.failures = 0
        self._backoff.reset()

    def exhausted(self) -> bool:
        """Record one more failure; ``True`` when the retry budget is spent."""
        self.failures += 1
        return self.failures > self._policy.max_retries

    def reason(self, what: str) -> str:
        """``<what>, retry <n> of <max>``: why the next attempt is made, and how many more there may be."""
        return f"{what}, retry {self.failures} of {self._policy.max_retries}"

    def delay(self, headers: Mapping[str, str] | None, now: datetime | None = None) -> float:
        """``Retry-After`` when the answer sent one (bounded by the policy), else the backoff."""
        backoff = self._backoff.next_delay()
        if headers is not None:
            retry_after = parse_retry_after(headers.get("retry-after"), now=now)
            if retry_after is not None:
                return min(retry_after, self._policy.max_retry_after)
        return backoff


class ExportPoller:
    """Decisions of polling ``GET export-result`` for one export until it is ready.

    ``file_expected`` is ``True`` for downloads: a JSON ``success`` then means
    "ask again, the file comes next" instead of "ready".
    """

    body_limit = MAX_JSON_BYTES

    def __init__(
        self,
        *,
        uuid: str,
        timeout: float,
        policy: RetryPolicy,
        clock: Callable[[], float],
        on_progress: ProgressCallback | None = None,
        file_expected: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self.uuid = uuid
        self.deadline = Deadline(uuid, timeout, clock)
        self._policy = policy
        self._on_progress = on_progress
        self._file_expected = file_expected
        self._pacer = PollPacer(policy, rng)
        self._retrier = Retrier(policy, rng)
        self._download_attempts = 0
        self._retry_backoff = policy.retry_backoff(rng)
        self.transfer = Transfer(uuid) if file_expected else None
        """What has been saved of the file so far (downloads only), which decides ``Range`` and appending."""
        self._unknown_states: set[str] = set()

    @property
    def elapsed(self) -> float:
        """Seconds since polling started."""
        return self.deadline.elapsed

    def _report(self, status: ExportState, rate: str | None, percent: float | None) -> None:
        if status is not ExportState.SUCCESS or rate is not None:
            self.deadline.last_rate = rate
        logger.debug("export %s: status %s, rate %s", self.uuid, status.value, rate)
        if self._on_progress is not None:
            self._on_progress(ExportProgress(self.uuid, status, rate, percent, self.elapsed))

    def request_headers(self) -> Mapping[str, str]:
        """``Range``/``If-Range`` when a download can continue saved bytes, else nothing."""
        return self.transfer.request_headers() if self.transfer is not None else {}

    def is_file(self, status_code: int, headers: Mapping[str, str]) -> bool:
        """Whether the answer is the file (then call :meth:`file_ready`, else read the body).

        A 206 is the file too, when this poller downloads (it may have asked for a range).
        """
        return is_file_answer(status_code, headers, partial=self.transfer is not None)

    def file_ready(self, headers: Mapping[str, str]) -> ExportReady:
        """The export is ready: describe the file answer (``content_length``: the whole file's) and report 100 %."""
        self._retrier.reset()
        self._report(ExportState.SUCCESS, None, 100.0)
        disposition = headers.get("content-disposition")  # pragma: no mutate (equivalent: httpx headers ignore case)
        name = content_disposition_file_name(disposition)
        return ExportReady(
            uuid=self.uuid,
            elapsed=self.elapsed,
            file_name=safe_file_name(name, fallback=f"{self.uuid}.xlsx") if name else None,
            content_type=headers.get("content-type"),  # pragma: no mutate (equivalent: httpx headers ignore case)
            content_length=full_length(headers),
            request_id=request_id_of(headers),
        )

    def after_body(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | ExportReady:
        """Decide after a non-file answer whose (small) body has been read."""
        if status_code == 416 and self.transfer is not None and self.transfer.saved > 0:
            self.transfer.drop()  # the saved bytes cannot be continued: ask for the whole file at once
            return self.deadline.wait(0.0, "range not satisfiable, downloading the whole file again")
        if is_proxy_page(status_code, headers):
            return self.after_proxy_page(status_code, headers, body)
        if status_code != 200:
            return self.after_error(status_code, headers, body, now=now)
        snapshot = self.observe(status_code, headers, body)
        if snapshot.status is ExportState.FAIL:
            raise ExportFailed(self.uuid, group=snapshot.group, rate=snapshot.rate)
        if snapshot.status is ExportState.SUCCESS and not self._file_expected:
            return ExportReady(uuid=self.uuid, elapsed=self.elapsed, request_id=snapshot.request_id)
        if snapshot.status is not ExportState.SUCCESS:  # importing, or a state this client does not know
            pace = self._pacer.next_delay(self.elapsed, snapshot.percent)
            return self.deadline.wait(pace.seconds, pace.reason)
        pace = self._pacer.next_delay(self.elapsed, None)  # pragma: no mutate (equivalent: no percentage, no clock)
        return self.deadline.wait(pace.seconds, "file not served yet")

    def observe(self, status_code: int, headers: Mapping[str, str], body: bytes) -> ExportSnapshot:
        """Read a 200 JSON status answer: reset the retry budget, log, report progress; return what it says.

        Shared by polling (which then decides to wait, finish or raise) and by
        :class:`ExportProbe` (which returns it as is), so both read a status
        answer the same way.
        """
        status = parse_export_status(status_code, headers, body)
        self._warn_unknown(status.status)
        self._retrier.reset()
        rate = status.rate if isinstance(status.rate, str) else None
        percent = progress_percent(status.status, rate)
        self._report(status.status, rate, percent)
        group = status.group if isinstance(status.group, BatchOperation) else None
        return ExportSnapshot(
            uuid=self.uuid,
            status=status.status,
            rate=rate,
            percent=percent,
            group=group,
            request_id=request_id_of(headers),
        )

    def _warn_unknown(self, state: ExportState) -> None:
        """Log a state the spec does not document once per export, at WARNING: the service has grown."""
        if not state.is_known and state.value not in self._unknown_states:
            self._unknown_states.add(state.value)
            logger.warning(
                "export %s: unknown status %r (this client knows %s); treated as still running",
                self.uuid,
                state.value,
                ", ".join(sorted(KNOWN_STATES)),
            )

    def after_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait:
        """Decide after an HTTP error answer: retry a transient one (429, 5xx) within budget, else raise it."""
        error = api_error_from_answer(status_code, headers, body, operation=POLL_OPERATION)
        if status_code not in RETRYABLE_STATUS_CODES or self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        return self.deadline.wait(delay, self._retrier.reason(f"HTTP {status_code}"), cause=error)

    def after_proxy_page(self, status_code: int, headers: Mapping[str, str], body: bytes) -> Wait:
        """Retry an HTML page answered in the API's stead like a 5xx, within budget; then raise it as unexpected."""
        error = proxy_page_error(status_code, headers, body)
        if self._retrier.exhausted():
            raise error
        reason = self._retrier.reason("an HTML page instead of the API's answer")
        return self.deadline.wait(self._retrier.delay(None), reason, cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Decide after the request failed in transit: the GET is idempotent, so retry within budget.

        Not a failure another attempt cannot cure (see :mod:`.transport_errors`):
        an untrusted certificate, a failed TLS handshake, a request httpx refuses to send.
        """
        diagnosis = diagnose(exc)
        if diagnosis.permanent or self._retrier.exhausted():
            request = f"GET export-result for {self.uuid}"
            raise transport_failure(request, exc, diagnosis, self._retrier.failures) from exc
        return self.deadline.wait(self._retrier.delay(None), self._retrier.reason(diagnosis.what), cause=exc)

    def after_download_error(self, error: DownloadError) -> Wait:
        """Decide after a broken or short file transfer: fetch it (or the rest of it) again, or raise.

        An attempt that saved more of the file than it started with does not
        count against ``policy.max_download_attempts``: it will be resumed.
        Past the deadline, :class:`~.errors.ExportTimeout` is raised (from ``error``).
        """
        if self.transfer is None or not self.transfer.progressed():
            self._download_attempts += 1
            if self._download_attempts >= self._policy.max_download_attempts:
                raise error
        if self.deadline.remaining <= 0:
            raise self.deadline.expired() from error
        delay = min(self._retry_backoff.next_delay(), self.deadline.remaining)
        logger.info("export %s: %s; next download attempt in %.2fs", self.uuid, error.reason, delay)
        return Wait(delay, error.reason)


class ExportProbe:
    """Decisions of a single status check (``poll_export_status``).

    Transient failures (connection errors, 429, 5xx) are retried exactly as
    :class:`ExportPoller` retries them, because the probe delegates to one;
    but the first status answer ends the check whatever it says, and a
    ``fail`` status is returned as a value rather than raised, since "it
    failed" is an ordinary answer to "how is it going?". ``poller`` is the
    :class:`ExportPoller` of the export to check, whose retries it uses.
    """

    body_limit = MAX_JSON_BYTES

    def __init__(self, poller: ExportPoller) -> None:
        self.uuid = poller.uuid
        self.deadline = poller.deadline
        self._poller = poller

    def request_headers(self) -> Mapping[str, str]:
        """A probe never asks for a range."""
        return {}

    def is_file(self, status_code: int, headers: Mapping[str, str]) -> bool:
        """Whether the answer is the file, which means the export has succeeded."""
        return self._poller.is_file(status_code, headers)

    def file_ready(self, headers: Mapping[str, str]) -> ExportSnapshot:
        """The export has succeeded and the service offers its file (not read here)."""
        ready = self._poller.file_ready(headers)
        return ExportSnapshot(
            uuid=self.uuid,
            status=ExportState.SUCCESS,
            rate=None,
            percent=100.0,
            request_id=ready.request_id,
            ready=ready,
        )

    def after_body(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | ExportSnapshot:
        """The status answer as it is, or the poller's decision about an error answer or a proxy's page."""
        if is_proxy_page(status_code, headers):
            return self._poller.after_proxy_page(status_code, headers, body)
        if status_code != 200:
            return self._poller.after_error(status_code, headers, body, now=now)
        return self._poller.observe(status_code, headers, body)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Retry a failed GET within budget, as the poller does."""
        return self._poller.after_transport_error(exc)

    def after_download_error(self, error: DownloadError) -> Wait:
        """A probe never downloads; should a file handler fail anyway, the error is not retried."""
        raise error


class ExportStarter:
    """Decisions of ``POST export-model``, which starts an export and is not idempotent.

    With ``policy.retry_start`` (the default) the start is retried like a
    poll: a 429, 500, 502, 503 or 504, a connection error or a timeout. A
    duplicate start costs the service one extra temporary export job, while
    giving up costs the caller the whole run. Without it, only failures that
    prove the request was not processed are retried: a 429 (the gateway
    refused it) and a failure to connect (nothing was sent), so one call
    never starts two exports.
    """

    def __init__(
        self, *, timeout: float, policy: RetryPolicy, clock: Callable[[], float], rng: random.Random | None = None
    ) -> None:
        self.deadline = Deadline(None, timeout, clock)
        self._retrier = Retrier(policy, rng)
        self._retry_all = policy.retry_start

    def after_answer(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | str:
        """The new export's uuid, or a :class:`Wait` before trying again; raises otherwise."""
        if self._retry_all and is_proxy_page(status_code, headers):
            page = proxy_page_error(status_code, headers, body)
            if self._retrier.exhausted():
                raise page
            reason = self._retrier.reason("an HTML page instead of the API's answer")
            return self.deadline.wait(self._retrier.delay(None), reason, cause=page)
        if status_code == 200:
            uuid = parse_export_uuid(status_code, headers, body)
            logger.debug("export %s started", uuid)
            return uuid
        error = api_error_from_answer(status_code, headers, body, operation=START_OPERATION)
        retryable = RETRYABLE_STATUS_CODES if self._retry_all else NOTHING_STARTED_STATUS_CODES
        if status_code not in retryable or self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        reason = self._retrier.reason(f"HTTP {status_code} starting the export")
        return self.deadline.wait(delay, reason, cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Retry a failure in transit within budget (only a failure to connect without ``retry_start``).

        Never one another attempt cannot cure (see :mod:`.transport_errors`).
        """
        diagnosis = diagnose(exc)
        retryable = _TRANSIENT_TRANSPORT_ERRORS if self._retry_all else NOTHING_SENT_ERRORS
        if diagnosis.permanent or not isinstance(exc, retryable) or self._retrier.exhausted():
            raise transport_failure("POST export-model", exc, diagnosis, self._retrier.failures) from exc
        reason = self._retrier.reason(f"{diagnosis.what} starting the export")
        return self.deadline.wait(self._retrier.delay(None), reason, cause=exc)
