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
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

import httpx

from ..models.batch_operation import BatchOperation
from ..models.export_state import ExportState
from ..types import content_disposition_file_name, request_id_of
from .answers import (
    api_error_from_answer,
    content_length,
    is_file_answer,
    parse_export_status,
    parse_export_uuid,
)
from .backoff import RETRYABLE_STATUS_CODES, RetryPolicy, parse_retry_after
from .errors import DownloadError, ExportFailed, ExportTimeout, NetworkError, TruncatedDownload
from .filenames import safe_file_name
from .log import logger
from .pacing import PollPacer
from .results import ExportProgress, ExportReady, ExportSnapshot, ProgressCallback, parse_rate

__all__ = ["ExportPoller", "ExportProbe", "ExportStarter", "Poller", "Wait"]

POLL_OPERATION = "ExportDesignResult"
START_OPERATION = "ExportDesignModels"


@dataclass(frozen=True, slots=True)
class Wait:
    """Sleep ``seconds``, then send the request again."""

    seconds: float
    reason: str


_R_co = TypeVar("_R_co", covariant=True)


class Poller(Protocol[_R_co]):
    """What the polling loop (``io_loops.drive_poll``) asks of the decisions: each step is a :class:`Wait` or a result.

    :class:`ExportPoller` results in :class:`~.results.ExportReady` (wait until
    the export is ready), :class:`ExportProbe` in
    :class:`~.results.ExportSnapshot` (one status reading); both drive the
    same I/O loop.
    """

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


class _Deadline:
    """Overall deadline on a monotonic clock, and the last progress reported before it (for the timeout error)."""

    def __init__(self, uuid: str | None, timeout: float, clock: Callable[[], float]) -> None:
        self.uuid = uuid
        self.timeout = timeout
        self.clock = clock
        self.started = clock()
        self.last_rate: str | None = None

    @property
    def elapsed(self) -> float:
        return self.clock() - self.started

    def wait(self, seconds: float, reason: str, *, cause: BaseException | None = None) -> Wait:
        """A :class:`Wait` clipped to the deadline, or :class:`ExportTimeout` when it has passed.

        Clipping (rather than refusing a wait that would overrun) gives one
        last attempt exactly at the deadline.
        """
        remaining = self.timeout - self.elapsed
        if remaining <= 0:
            raise ExportTimeout(
                self.uuid, timeout=self.timeout, elapsed=self.elapsed, last_rate=self.last_rate
            ) from cause
        delay = max(0.0, min(seconds, remaining))
        logger.debug("export %s: %s; next attempt in %.2fs", self.uuid or "(starting)", reason, delay)
        return Wait(delay, reason)


class _Retrier:
    """Counts consecutive retryable failures and draws their delays."""

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
        self._deadline = _Deadline(uuid, timeout, clock)
        self._policy = policy
        self._on_progress = on_progress
        self._file_expected = file_expected
        self._pacer = PollPacer(policy, rng)
        self._retrier = _Retrier(policy, rng)
        self._download_attempts = 0
        self._retry_backoff = policy.retry_backoff(rng)

    @property
    def elapsed(self) -> float:
        """Seconds since polling started."""
        return self._deadline.elapsed

    def _report(self, status: ExportState, rate: str | None, percent: float | None) -> None:
        if status is not ExportState.SUCCESS or rate is not None:
            self._deadline.last_rate = rate
        logger.debug("export %s: status %s, rate %s", self.uuid, status.value, rate)
        if self._on_progress is not None:
            self._on_progress(ExportProgress(self.uuid, status, rate, percent, self.elapsed))

    def is_file(self, status_code: int, headers: Mapping[str, str]) -> bool:
        """Whether the answer is the file (then call :meth:`file_ready`, else read the body)."""
        return is_file_answer(status_code, headers)

    def file_ready(self, headers: Mapping[str, str]) -> ExportReady:
        """The export is ready: describe the file answer and report 100 %."""
        self._retrier.reset()
        self._report(ExportState.SUCCESS, None, 100.0)
        name = content_disposition_file_name(headers.get("content-disposition"))
        return ExportReady(
            uuid=self.uuid,
            elapsed=self.elapsed,
            file_name=safe_file_name(name, fallback=f"{self.uuid}.xlsx") if name else None,
            content_type=headers.get("content-type"),
            content_length=content_length(headers),
            request_id=request_id_of(headers),
        )

    def after_body(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | ExportReady:
        """Decide after a non-file answer whose (small) body has been read."""
        if status_code != 200:
            return self.after_error(status_code, headers, body, now=now)
        snapshot = self.observe(status_code, headers, body)
        if snapshot.status is ExportState.FAIL:
            raise ExportFailed(self.uuid, group=snapshot.group, rate=snapshot.rate)
        if snapshot.status is ExportState.SUCCESS and not self._file_expected:
            return ExportReady(uuid=self.uuid, elapsed=self.elapsed, request_id=snapshot.request_id)
        if snapshot.status is ExportState.IMPORTING:
            pace = self._pacer.next_delay(self.elapsed, snapshot.percent)
            return self._deadline.wait(pace.seconds, pace.reason)
        return self._deadline.wait(self._pacer.next_delay(self.elapsed, None).seconds, "file not served yet")

    def observe(self, status_code: int, headers: Mapping[str, str], body: bytes) -> ExportSnapshot:
        """Read a 200 JSON status answer: reset the retry budget, log, report progress; return what it says.

        Shared by polling (which then decides to wait, finish or raise) and by
        :class:`ExportProbe` (which returns it as is), so both read a status
        answer the same way.
        """
        status = parse_export_status(status_code, headers, body)
        self._retrier.reset()
        rate = status.rate if isinstance(status.rate, str) else None
        percent = parse_rate(rate)
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

    def after_error(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait:
        """Decide after an HTTP error answer: retry a transient one (429, 5xx) within budget, else raise it."""
        error = api_error_from_answer(status_code, headers, body, operation=POLL_OPERATION)
        if status_code not in RETRYABLE_STATUS_CODES or self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        return self._deadline.wait(delay, f"HTTP {status_code}, retry {self._retrier.failures}", cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Decide after the request failed in transit (the GET is idempotent: retry within budget)."""
        if self._retrier.exhausted():
            raise NetworkError(f"GET export-result for {self.uuid} kept failing: {type(exc).__name__}") from exc
        reason = f"{type(exc).__name__}, retry {self._retrier.failures}"
        return self._deadline.wait(self._retrier.delay(None), reason, cause=exc)

    def after_download_error(self, error: DownloadError) -> Wait:
        """Decide after a broken or short file transfer: fetch it again within budget, else raise ``error``."""
        self._download_attempts += 1
        if self._download_attempts >= self._policy.max_download_attempts:
            raise error
        remaining = self._deadline.timeout - self.elapsed
        if remaining <= 0:
            raise error
        delay = min(self._retry_backoff.next_delay(), remaining)
        logger.debug(
            "export %s: %s; download attempt %d in %.2fs", self.uuid, error.reason, self._download_attempts + 1, delay
        )
        return Wait(delay, error.reason)

    def check_transfer(self, ready: ExportReady, received: int) -> None:
        """Raise :class:`TruncatedDownload` when ``received`` bytes differ from ``Content-Length``.

        ``received`` must count bytes as they came over the wire (before any
        content decoding), which is what ``Content-Length`` counts.
        """
        if ready.content_length is not None and received != ready.content_length:
            raise TruncatedDownload(self.uuid, expected=ready.content_length, received=received)


class ExportProbe:
    """Decisions of a single status check (``poll_export_status``).

    Transient failures (connection errors, 429, 5xx) are retried exactly as
    :class:`ExportPoller` retries them, because the probe delegates to one;
    but the first status answer ends the check whatever it says, and a
    ``fail`` status is returned as a value rather than raised, since "it
    failed" is an ordinary answer to "how is it going?". ``poller`` is the
    :class:`ExportPoller` of the export to check, whose retries it uses.
    """

    def __init__(self, poller: ExportPoller) -> None:
        self.uuid = poller.uuid
        self._poller = poller

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
        """The status answer as it is, or the poller's decision about an error answer."""
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

    Only failures that prove the request was not processed are retried: a
    429 (the gateway refused it) and a failure to connect (nothing was sent).
    Anything else is raised, so one call never starts two exports.
    """

    def __init__(
        self, *, timeout: float, policy: RetryPolicy, clock: Callable[[], float], rng: random.Random | None = None
    ) -> None:
        self._deadline = _Deadline(None, timeout, clock)
        self._retrier = _Retrier(policy, rng)

    @property
    def elapsed(self) -> float:
        """Seconds since starting began."""
        return self._deadline.elapsed

    def after_answer(
        self, status_code: int, headers: Mapping[str, str], body: bytes, *, now: datetime | None = None
    ) -> Wait | str:
        """The new export's uuid, or a :class:`Wait` before trying again; raises otherwise."""
        if status_code == 200:
            uuid = parse_export_uuid(status_code, headers, body)
            logger.debug("export %s started", uuid)
            return uuid
        error = api_error_from_answer(status_code, headers, body, operation=START_OPERATION)
        if status_code != 429 or self._retrier.exhausted():
            raise error
        delay = self._retrier.delay(headers, now)
        return self._deadline.wait(delay, f"HTTP 429 starting the export, retry {self._retrier.failures}", cause=error)

    def after_transport_error(self, exc: httpx.TransportError) -> Wait:
        """Retry only when the connection could not be made; anything later may have started an export."""
        if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout) or self._retrier.exhausted():
            raise NetworkError(f"POST export-model failed: {type(exc).__name__}") from exc
        reason = f"{type(exc).__name__} starting the export, retry {self._retrier.failures}"
        return self._deadline.wait(self._retrier.delay(None), reason, cause=exc)
