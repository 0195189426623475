"""Downloading an export's Excel file, and the one-call ``export_to_file`` (start, then download).

The file answer is streamed chunk by chunk (``iter_bytes``) into an
:class:`~.atomic_file.AtomicFileWriter`, so memory stays constant whatever
the workbook's size and the destination only ever holds a complete file
(or, for a FIFO, a character device or a file object, straight through:
:mod:`.destination` has the rules of where a file goes and what it may
replace, checked before anything is asked of the service).
The temporary file lives for the whole download: a transfer cut short is
resumed with ``Range`` and the rest appended (decisions:
:class:`~.resume.Transfer`), or written again from the start when the server
sends the whole file. The result is checked against the file's full length;
failures without progress are retried a bounded number of times, then
raised as :class:`~.errors.DownloadError` / :class:`~.errors.TruncatedDownload`.
The deadline is checked between chunks, so a body that trickles in cannot
outlast ``timeout``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from ..client import AuthenticatedClient, Client
from ..models.export_param import ExportParam
from .backoff import DEFAULT_POLICY, RetryPolicy
from .decisions import ExportPoller
from .destination import Destination, Writer, check_destination, open_destination
from .errors import DestinationError, DownloadError, UnexpectedResponse
from .io_loops import async_drive_poll, drive_poll, poll_request
from .log import logger
from .results import ExportReady, ProgressCallback
from .resume import Start, Transfer
from .start import async_start_export, start_export

__all__ = ["async_download_export", "async_export_to_file", "download_export", "export_to_file"]


def _file_answer(response: httpx.Response | None) -> httpx.Response:
    """The file answer a download ends with: its poller never ends on a JSON answer, so ``None`` never comes."""
    if response is None:  # pragma: no mutate block (unreachable: a download ends only with the file answer)
        raise UnexpectedResponse("the export is ready but no file was served", status_code=200, content_type=None)
    return response


def _transfer_failed(uuid: str, exc: httpx.TransportError) -> DownloadError:
    return DownloadError(uuid, f"transfer interrupted ({type(exc).__name__})")


class _Saving:
    """The temporary file of one download, kept across attempts so that a resumed answer is appended to it.

    The sync and async downloads differ only in how they iterate the body;
    everything done with each chunk and at the end of an answer is here.
    """

    def __init__(self, dest: Destination, overwrite: bool | None, poller: ExportPoller) -> None:
        self._dest = dest
        self._overwrite = overwrite
        self._poller = poller
        self._transfer: Transfer = poller.transfer or Transfer(poller.uuid)  # pragma: no mutate (unreachable fallback)
        self._writer: Writer | None = None

    def begin(self, response: httpx.Response, ready: ExportReady) -> Writer:
        """Take a file answer: append it to the saved bytes, or start the file over; return the file to feed."""
        start = self._transfer.begin(response.status_code, response.headers)
        if self._writer is None:
            self._writer = open_destination(
                self._dest, server_name=ready.file_name, uuid=ready.uuid, overwrite=self._overwrite
            )
        if start is Start.OVER:
            self._writer.truncate()
        elif self._transfer.saved:
            logger.debug("export %s: resuming at byte %d", ready.uuid, self._transfer.saved)
        return self._writer

    def feed(self, writer: Writer, chunk: bytes) -> None:
        """Save ``chunk``, then check the deadline (a trickling body must not outlast it)."""
        writer.write(chunk)
        self._transfer.received(len(chunk))
        self._poller.deadline.check()

    def finish(self, response: httpx.Response) -> None:
        """The answer's body ended: check the file is whole (raises to resume or retry).

        ``Content-Length`` counts the bytes on the wire, which httpx counts too:
        they are the bytes saved, unless a content coding (gzip) was decoded.
        """
        self._transfer.finish(response.num_bytes_downloaded)

    def discard(self) -> None:
        """Remove the temporary file unless it was committed (any error, Ctrl-C included)."""
        if self._writer is not None:
            self._writer.close()


def _save(response: httpx.Response | None, ready: ExportReady, saving: _Saving) -> Path:
    response = _file_answer(response)
    writer = saving.begin(response, ready)
    try:
        for chunk in response.iter_bytes():
            saving.feed(writer, chunk)
    except httpx.TransportError as exc:
        raise _transfer_failed(ready.uuid, exc) from exc
    saving.finish(response)
    path = writer.commit()
    logger.debug("export %s: saved %d bytes", ready.uuid, writer.written)
    return path


async def _async_save(response: httpx.Response | None, ready: ExportReady, saving: _Saving) -> Path:
    response = _file_answer(response)
    writer = saving.begin(response, ready)
    try:
        async for chunk in response.aiter_bytes():
            saving.feed(writer, chunk)
    except httpx.TransportError as exc:
        raise _transfer_failed(ready.uuid, exc) from exc
    saving.finish(response)
    # fsync and rename can block for a while: keep them off the event loop.
    path = await asyncio.to_thread(writer.commit)
    logger.debug("export %s: saved %d bytes", ready.uuid, writer.written)
    return path


def download_export(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    dest: Destination,
    overwrite: bool | None = None,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> Path:
    """Wait for export ``uuid`` like ``wait_for_export``, then stream its file to ``dest``; return the path.

    ``dest`` is a file path; or an existing directory, in which the server's
    file name (sanitised: base name only, no control characters, no leading
    dots, ending in ``.xlsx``) or else ``<uuid>.xlsx`` is used; or a FIFO, a
    character device or a writable binary file object, written straight
    through (a file object is left open and ``Path("-")`` returned). A file
    the caller named is replaced only by a complete download, and not at all
    with ``overwrite=False``; a name the server chose never replaces a file:
    the first free ``name (N).xlsx`` is taken, unless ``overwrite=True``.
    :mod:`.destination` has every rule. A transfer cut short is resumed
    (``Range``). ``timeout`` bounds the whole call, transfers included: past
    it, :class:`~.errors.ExportTimeout` is raised and no file is left behind.

    Raises what ``wait_for_export`` raises, plus :class:`~.errors.DownloadError`
    (:class:`~.errors.TruncatedDownload` for a short body) once
    ``policy.max_download_attempts`` transfers failed without progress, and
    :class:`~.errors.DestinationError` (also an ``OSError``, its ``uuid``
    set) when the destination cannot be written: checked first, before
    anything is asked of the service.
    """
    poller = ExportPoller(
        uuid=uuid, timeout=timeout, policy=policy, clock=clock, on_progress=on_progress, file_expected=True
    )
    saving = _Saving(dest, overwrite, poller)
    try:
        check_destination(dest, overwrite=overwrite)
        return drive_poll(
            client, poller, poll_request(project_id, workspace, uuid), sleep, lambda r, ready: _save(r, ready, saving)
        )
    except DestinationError as error:
        error.uuid = uuid
        raise
    finally:
        saving.discard()


async def async_download_export(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    dest: Destination,
    overwrite: bool | None = None,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Path:
    """The async twin of :func:`download_export` (uses ``client.get_async_httpx_client()``)."""
    poller = ExportPoller(
        uuid=uuid, timeout=timeout, policy=policy, clock=clock, on_progress=on_progress, file_expected=True
    )
    saving = _Saving(dest, overwrite, poller)

    async def save(response: httpx.Response | None, ready: ExportReady) -> Path:
        return await _async_save(response, ready, saving)

    try:
        check_destination(dest, overwrite=overwrite)
        return await async_drive_poll(client, poller, poll_request(project_id, workspace, uuid), sleep, save)
    except DestinationError as error:
        error.uuid = uuid
        raise
    finally:
        saving.discard()


def export_to_file(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    body: ExportParam,
    dest: Destination,
    overwrite: bool | None = None,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> Path:
    """Start an export of ``body``, wait for it and stream its file to ``dest``; return the path.

    ``timeout`` bounds the whole call, starting included. ``dest`` is checked
    before the export is started: a :class:`~.errors.DestinationError` then
    has no ``uuid``, as no export was started. See :func:`start_export` and
    :func:`download_export` for the details and errors.
    """
    check_destination(dest, overwrite=overwrite)
    started = clock()
    uuid = start_export(
        client,
        project_id=project_id,
        workspace=workspace,
        body=body,
        timeout=timeout,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )
    return download_export(
        client,
        project_id=project_id,
        workspace=workspace,
        uuid=uuid,
        dest=dest,
        overwrite=overwrite,
        timeout=timeout - (clock() - started),
        on_progress=on_progress,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )


async def async_export_to_file(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    body: ExportParam,
    dest: Destination,
    overwrite: bool | None = None,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Path:
    """The async twin of :func:`export_to_file`."""
    check_destination(dest, overwrite=overwrite)
    started = clock()
    uuid = await async_start_export(
        client,
        project_id=project_id,
        workspace=workspace,
        body=body,
        timeout=timeout,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )
    return await async_download_export(
        client,
        project_id=project_id,
        workspace=workspace,
        uuid=uuid,
        dest=dest,
        overwrite=overwrite,
        timeout=timeout - (clock() - started),
        on_progress=on_progress,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )
