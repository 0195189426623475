"""``dataarts-export import``, ``import-result`` and ``copy``: a workbook into a workspace, or an export moved.

Thin calls of :func:`~..imports.import_file` and
:func:`~..imports.wait_for_import` and, for ``copy``,
:func:`~..start.start_export` and :func:`~..download.download_export` first,
into a temporary directory that is removed whatever happens (an error, a
signal). The outcome is printed as JSON on stdout whether the import
succeeded or not; a failed or partial import then exits 1, its failed rows
on stderr too, so that a script reading stdout alone still sees
``"failed"`` and a script reading the exit code never takes it for success.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...client import AuthenticatedClient, Client
from ..download import download_export
from ..environment import Settings, client_for, resolve_settings
from ..errors import DataArtsError, ImportFailed
from ..imports import import_file, wait_for_import
from ..results import ImportOutcome
from ..start import start_export
from .outcomes import EXIT_OK, UsageError
from .parser import COPY_TARGET

if TYPE_CHECKING:
    from .commands import Context

__all__ = [
    "DOCUMENTED_ACTIONS",
    "ImportTarget",
    "action_for",
    "cmd_copy",
    "cmd_import",
    "cmd_import_result",
    "copy_target",
    "outcome_document",
]

DOCUMENTED_ACTIONS: Mapping[str, str] = {
    "import_bizcatalog": "import_bizcatalog",
    "import_bizmetric": "import_bizmetric",
    "codeTable": "import_codetable",
    "dataStandard": "import_datastandard",
}
"""Export ``type`` -> import ``action-id``, where Huawei's definitions name the same objects on both sides.

``import_bizcatalog`` and ``import_bizmetric`` are the same identifier in
``ExportParam.type`` ("export process architecture", "export business
metrics") and in ``ImportModels``' ``action-id``; ``codeTable`` and
``dataStandard`` name the objects (码表 code tables, 数据标准 data standards)
that ``import_codetable`` and ``import_datastandard`` import. Every other
type (``ER``, ``DIM``, ``TABLE_MODEL``, the ``Directory_*`` ones) has no
documented counterpart: ``copy`` asks for ``--action`` instead of guessing
(docs/fidelity.md, F-IMPORT-17).
"""


@dataclass(frozen=True, slots=True)
class ImportTarget:
    """Where an import goes: the client that sends it, the project and the workspace."""

    client: AuthenticatedClient | Client
    project_id: str
    workspace: str


def copy_target(
    args: argparse.Namespace,
    source: Settings,
    client: AuthenticatedClient | Client,
    environ: Mapping[str, str],
) -> ImportTarget:
    """Where ``copy`` imports: the ``--to-*`` options, the export's endpoint and project for those not given.

    Checked with the export's settings, before anything is sent (a bad
    ``--to-region`` is a usage error, not a failure after the export ran).
    The export's ``client`` is reused when endpoint and project are the same.
    """
    moved = args.to_endpoint or args.to_region
    target = resolve_settings(
        endpoint=args.to_endpoint if moved else source.endpoint,
        region=args.to_region,
        project_id=args.to_project_id or source.project_id,
        workspace=args.to_workspace,
        environ=environ,
        spelling=COPY_TARGET,
        target=True,
    )
    # With target=True, resolve_settings has refused a missing project ID or workspace.
    project_id, workspace = target.project_id or "", target.workspace or ""
    if (target.endpoint, target.project_id) == (source.endpoint, source.project_id):
        return ImportTarget(client, project_id, workspace)
    return ImportTarget(client_for(target, allow_insecure_http=args.allow_insecure_http), project_id, workspace)


def action_for(export_type: str | None, action: str | None) -> str:
    """``--action``, else the documented counterpart of ``--type``; a usage error saying which is missing."""
    if action:
        return action
    found = DOCUMENTED_ACTIONS.get(export_type or "")
    if found is None:
        raise UsageError(
            f"which import action reads an export of type {export_type or '(none)'} is not documented: "
            f"give --action (one of the import actions, e.g. import_relation for ER tables)"
        )
    return found


def outcome_document(outcome: ImportOutcome) -> dict[str, Any]:
    """The import's outcome as the JSON ``import`` and ``copy`` print: counts, failed rows, the IDs to export."""
    return {
        "uuid": outcome.uuid,
        "status": outcome.status.value,
        "total": outcome.total,
        "success": outcome.success,
        "failed": outcome.failed,
        "failed_rows": [
            {"name": row.name, "object_id": row.object_id, "message": row.message} for row in outcome.failed_rows
        ],
        "object_ids": outcome.object_ids,
        "elapsed": round(outcome.elapsed, 3),
        "request_id": outcome.request_id,
    }


_Documented = tuple[dict[str, Any], ImportFailed | None]


def _documented(run: Callable[[], ImportOutcome]) -> _Documented:
    """``run()``'s outcome as its document, and the failure to raise once it is printed (``None`` if none)."""
    try:
        outcome = run()
    except ImportFailed as failure:
        return outcome_document(failure.outcome), failure
    return outcome_document(outcome), None


def _import(args: argparse.Namespace, ctx: Context, target: ImportTarget, file: Path, action: str) -> _Documented:
    """Import ``file`` as ``action`` into ``target`` with the options of ``args``."""
    ctx.progress.begin("import")
    return _documented(
        lambda: import_file(
            target.client,
            project_id=target.project_id,
            workspace=target.workspace,
            action=action,
            file=file,
            timeout=args.timeout,
            skip_exist=args.skip_exist,
            model_id=args.to_model_id,
            directory_id=args.to_directory_id,
            on_progress=ctx.progress,
            policy=ctx.policy,
        )
    )


def _finish(ctx: Context, document: dict[str, Any], failure: ImportFailed | None) -> int:
    """Print ``document``; then raise ``failure``, so that a failed or partial import exits 1 with its rows."""
    ctx.emit(ctx.sanitise.json(document))
    if failure is not None:
        raise failure
    return EXIT_OK


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    """``import FILE --action A``: upload, wait, print the outcome."""
    here = ImportTarget(ctx.client, ctx.project_id, ctx.workspace)
    document, failure = _import(args, ctx, here, args.file, args.action_)
    return _finish(ctx, document, failure)


def cmd_import_result(args: argparse.Namespace, ctx: Context) -> int:
    """``import-result --uuid U``: wait for an import started earlier, print its outcome."""
    ctx.progress.begin("import")
    document, failure = _documented(
        lambda: wait_for_import(
            ctx.client, **ctx.target(), uuid=args.uuid, timeout=args.timeout, on_progress=ctx.progress
        )
    )
    return _finish(ctx, document, failure)


def cmd_copy(args: argparse.Namespace, ctx: Context, body: Any) -> int:
    """``copy``: export with ``body`` into a temporary directory, then import that workbook into the target.

    Prints ``{"export": {"uuid", "file_name", "bytes"}, "import": {...}}``: both halves; when the
    import half ends in another error than a failed import (refused, timed out), ``"import"`` is
    ``null`` and the error follows on stderr.
    """
    action = action_for(args.type_, args.action_)
    target = ctx.copy_to or ImportTarget(ctx.client, ctx.project_id, ctx.workspace)
    ctx.progress.begin("export")
    uuid = start_export(ctx.client, **ctx.target(), body=body, timeout=args.timeout)
    with tempfile.TemporaryDirectory(prefix="dataarts-copy-") as scratch:
        path = download_export(
            ctx.client, **ctx.target(), uuid=uuid, dest=scratch, timeout=args.timeout, on_progress=ctx.progress
        )
        exported = {"uuid": uuid, "file_name": path.name, "bytes": path.stat().st_size}
        try:
            document, failure = _import(args, ctx, target, path, action)
        except DataArtsError:
            ctx.emit(ctx.sanitise.json({"export": exported, "import": None}))  # the half that was done
            raise
    return _finish(ctx, {"export": exported, "import": document}, failure)
