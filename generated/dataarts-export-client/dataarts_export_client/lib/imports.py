"""Importing an Excel workbook: ``start_import``, ``wait_for_import`` and ``import_file``, sync and async.

The same machinery as the export side: requests built by the generated
operations (``ImportModels``, ``ImportCatalogs``, ``ImportResult``), one
deadline for the whole call, the loops of :mod:`.io_loops`, and the
decisions of :mod:`.import_decisions` (a start retried only when nothing
was started; an outcome that says what failed).

``action`` picks the call: ``start-import`` (subjects) is ``ImportCatalogs``,
the ten actions of :class:`~..models.import_action.ImportAction` are
``ImportModels``. ``skip_exist=True`` is sent in both spellings Huawei
publishes, ``skip-exist`` (API Explorer, SDK) and ``skip_exist`` (the API
reference pages' examples), so existing objects are kept whichever the
service reads.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx

from ..api.import_ import import_catalogs, import_models, import_result
from ..client import AuthenticatedClient, Client
from ..models.excel_upload import ExcelUpload
from ..models.import_action import ImportAction
from ..models.import_catalogs_action_id import ImportCatalogsActionId
from ..types import UNSET, File
from .backoff import DEFAULT_POLICY, RetryPolicy
from .environment import check_target
from .errors import ConfigurationError
from .import_decisions import ImportPoller, ImportStarter
from .io_loops import async_drive_poll, async_drive_start, drive_poll, drive_start
from .results import ImportOutcome, ProgressCallback

__all__ = [
    "ACTIONS",
    "DEFAULT_LANGUAGE",
    "MAX_UPLOAD_BYTES",
    "async_import_file",
    "async_start_import",
    "async_wait_for_import",
    "import_file",
    "start_import",
    "wait_for_import",
]

ACTIONS = (*(action.value for action in ImportAction), *(action.value for action in ImportCatalogsActionId))
"""Every ``action`` the spec documents (the ten of ``ImportModels``, then ``ImportCatalogs``' ``start-import``)."""
MAX_UPLOAD_BYTES = 4 * 1024 * 1024
"""The file must be smaller than this: "under 4 MB" (API Explorer and SDK agree), read as 4 MiB."""
DEFAULT_LANGUAGE = "en-us"
"""``X-Language`` of ``ImportModels``: the official SDK's default (it says the import APIs require the header)."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""The media type the upload's ``file`` part is sent with, whatever the file is called."""

Source = str | os.PathLike[str] | bytes  # pragma: no mutate (equivalent: a type alias, for type checkers)
"""A workbook: a path to it, or its bytes."""


def _content(file: Source) -> tuple[bytes, str]:
    """The workbook's bytes and the file name to send; refuses (before any request) what cannot be sent."""
    if isinstance(file, bytes):
        content, name = file, "workbook.xlsx"
    else:
        path = Path(file)
        try:
            size = path.stat().st_size
            if size >= MAX_UPLOAD_BYTES:
                raise ConfigurationError(
                    f"{path.name} has {size} bytes; DataArts Studio imports files under 4 MB ({MAX_UPLOAD_BYTES} bytes)"
                )
            content, name = path.read_bytes(), path.name
        except OSError as error:
            raise ConfigurationError(f"cannot read {path}: {error.strerror or type(error).__name__}") from None
    if len(content) >= MAX_UPLOAD_BYTES:
        raise ConfigurationError(f"the workbook has {len(content)} bytes; DataArts Studio imports files under 4 MB")
    return content, name


def start_request(
    project_id: str,
    workspace: str,
    *,
    action: str,
    file: Source,
    skip_exist: bool = False,
    model_id: str | None = None,
    directory_id: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[str, dict[str, Any]]:
    """The operation and ``httpx`` request arguments of starting an import, from the generated operations.

    Raises :class:`~.errors.ConfigurationError` first for a project ID or
    workspace no request can carry (see :func:`~.environment.check_target`).
    """
    check_target(project_id, workspace)
    content, name = _content(file)
    body = ExcelUpload(file=File(payload=BytesIO(content), file_name=name, mime_type=XLSX))
    if action in ImportCatalogsActionId._value2member_map_:
        operation = "ImportCatalogs"
        request = import_catalogs.request_kwargs(
            project_id, body=body, action_id=ImportCatalogsActionId(action), skip_exist=skip_exist, workspace=workspace
        )
    elif action in ImportAction._value2member_map_:
        if action == ImportAction.IMPORT_RELATION and not model_id:
            raise ConfigurationError("action import_relation needs model_id: the relational model to import into")
        operation = "ImportModels"
        request = import_models.request_kwargs(
            project_id,
            body=body,
            action_id=ImportAction(action),
            model_id=model_id or UNSET,
            directory_id=directory_id or UNSET,
            skip_exist=skip_exist,
            x_language=language,
            workspace=workspace,
        )
    else:
        raise ConfigurationError(f"unknown import action {action!r}; the documented ones are {', '.join(ACTIONS)}")
    if skip_exist:
        request["url"] = str(httpx.URL(request["url"]).copy_add_param("skip_exist", "true"))
    return operation, request


def result_request(project_id: str, workspace: str, uuid: str) -> dict[str, Any]:
    """The ``httpx`` request arguments of one ``ImportResult`` poll, from the generated operation (checked first)."""
    check_target(project_id, workspace)
    return import_result.request_kwargs(project_id, uuid=uuid, workspace=workspace)


def start_import(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    action: str,
    file: Source,
    timeout: float,
    skip_exist: bool = False,
    model_id: str | None = None,
    directory_id: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> str:
    """Upload ``file`` (a path, or the workbook's bytes) and start importing it as ``action``; return the uuid.

    Retried only on a 429 or a connection that could not be made: any other
    failure may have started the import and is raised at once (a second
    import would overwrite the first's outcome). ``model_id`` is required
    with ``import_relation``; ``directory_id`` is for code tables and data
    standards. Raises :class:`~.errors.ConfigurationError` (before sending)
    for an unknown action, a missing ``model_id`` or a file of 4 MB or more.
    """
    operation, request = start_request(
        project_id,
        workspace,
        action=action,
        file=file,
        skip_exist=skip_exist,
        model_id=model_id,
        directory_id=directory_id,
        language=language,
    )
    starter = ImportStarter(operation=operation, timeout=timeout, policy=policy, clock=clock)
    return drive_start(client, starter, request, sleep)


async def async_start_import(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    action: str,
    file: Source,
    timeout: float,
    skip_exist: bool = False,
    model_id: str | None = None,
    directory_id: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> str:
    """The async twin of :func:`start_import`."""
    operation, request = start_request(
        project_id,
        workspace,
        action=action,
        file=file,
        skip_exist=skip_exist,
        model_id=model_id,
        directory_id=directory_id,
        language=language,
    )
    starter = ImportStarter(operation=operation, timeout=timeout, policy=policy, clock=clock)
    return await async_drive_start(client, starter, request, sleep)


def _outcome(_response: httpx.Response | None, outcome: ImportOutcome) -> ImportOutcome:
    return outcome


async def _async_outcome(_response: httpx.Response | None, outcome: ImportOutcome) -> ImportOutcome:
    return outcome


def wait_for_import(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> ImportOutcome:
    """Wait until import ``uuid`` has ended; return its :class:`~.results.ImportOutcome` when every row succeeded.

    Polls ``ImportResult`` as ``wait_for_export`` polls an export (growing
    intervals, retries of 429, 5xx and connection errors, ``on_progress``
    with an :class:`~.results.ImportProgress` after every status answer).

    Raises:
        ImportFailed: the service reports ``fail`` (``.outcome`` has every row and message).
        ImportPartiallyFailed: ``success``, but some rows failed (an ``ImportFailed`` too).
        ImportTimeout: the deadline passed first; waiting again with the same uuid resumes.
        ApiError, NetworkError, UnexpectedResponse: as ``wait_for_export``.
    """
    poller = ImportPoller(uuid=uuid, timeout=timeout, policy=policy, clock=clock, on_progress=on_progress)
    return drive_poll(client, poller, result_request(project_id, workspace, uuid), sleep, _outcome)


async def async_wait_for_import(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    uuid: str,
    timeout: float,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> ImportOutcome:
    """The async twin of :func:`wait_for_import`."""
    poller = ImportPoller(uuid=uuid, timeout=timeout, policy=policy, clock=clock, on_progress=on_progress)
    return await async_drive_poll(client, poller, result_request(project_id, workspace, uuid), sleep, _async_outcome)


def import_file(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    action: str,
    file: Source,
    timeout: float,
    skip_exist: bool = False,
    model_id: str | None = None,
    directory_id: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> ImportOutcome:
    """Start importing ``file`` and wait for the outcome, within one ``timeout``; see :func:`start_import`
    and :func:`wait_for_import` for the details and errors."""
    started = clock()
    uuid = start_import(
        client,
        project_id=project_id,
        workspace=workspace,
        action=action,
        file=file,
        timeout=timeout,
        skip_exist=skip_exist,
        model_id=model_id,
        directory_id=directory_id,
        language=language,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )
    return wait_for_import(
        client,
        project_id=project_id,
        workspace=workspace,
        uuid=uuid,
        timeout=timeout - (clock() - started),
        on_progress=on_progress,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )


async def async_import_file(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    action: str,
    file: Source,
    timeout: float,
    skip_exist: bool = False,
    model_id: str | None = None,
    directory_id: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    on_progress: ProgressCallback | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> ImportOutcome:
    """The async twin of :func:`import_file`."""
    started = clock()
    uuid = await async_start_import(
        client,
        project_id=project_id,
        workspace=workspace,
        action=action,
        file=file,
        timeout=timeout,
        skip_exist=skip_exist,
        model_id=model_id,
        directory_id=directory_id,
        language=language,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )
    return await async_wait_for_import(
        client,
        project_id=project_id,
        workspace=workspace,
        uuid=uuid,
        timeout=timeout - (clock() - started),
        on_progress=on_progress,
        policy=policy,
        clock=clock,
        sleep=sleep,
    )
