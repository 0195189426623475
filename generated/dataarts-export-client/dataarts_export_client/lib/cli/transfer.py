"""``dataarts-export import`` and ``copy``: a workbook into a workspace, or an export carried to another one.

Thin calls of :func:`~..imports.import_file` and, for ``copy``,
:func:`~..start.start_export` and :func:`~..download.download_export`
first, into a temporary directory that is removed whatever happens. The outcome is printed as JSON on stdout whether
the import succeeded or not; a failed or partial import then exits 1, its
failed rows on stderr too.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..download import download_export
from ..environment import client_from_env
from ..errors import ImportFailed
from ..imports import import_file
from ..results import ImportOutcome
from ..start import start_export
from .outcomes import EXIT_OK, UsageError
from .output import print_json

__all__ = ["DOCUMENTED_ACTIONS", "action_for", "cmd_copy", "cmd_import", "outcome_document"]

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
documented counterpart: ``copy`` asks for ``--action`` instead of guessing.
"""


def action_for(export_type: str | None, action: str | None) -> str:
    """``--action``, else the documented counterpart of ``--type``; a usage error saying which is missing."""
    if action:
        return action
    found = DOCUMENTED_ACTIONS.get(export_type or "")
    if found is None:
        raise UsageError(
            f"which import action reads an export of type {export_type or '(none)'} is not documented: "
            f"pass --action (one of the import actions, e.g. import_relation for ER tables)"
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


def _import(
    args: argparse.Namespace, ctx: Any, client: Any, workspace: str, project_id: str, file: Path
) -> tuple[dict[str, Any], ImportFailed | None]:
    """Import ``file``: the outcome's document, and the failure to raise once it is printed (``None`` if none)."""
    try:
        outcome = import_file(
            client,
            project_id=project_id,
            workspace=workspace,
            action=args.action_,
            file=file,
            timeout=args.timeout,
            skip_exist=args.skip_exist,
            model_id=args.to_model_id,
            directory_id=args.to_directory_id,
            on_progress=ctx.progress,
            policy=ctx.policy,
        )
    except ImportFailed as failure:
        return outcome_document(failure.outcome), failure
    return outcome_document(outcome), None


def _finish(ctx: Any, document: dict[str, Any], failure: ImportFailed | None) -> int:
    print_json(ctx.out, document)
    if failure is not None:
        raise failure
    return EXIT_OK


def cmd_import(args: argparse.Namespace, ctx: Any) -> int:
    """``import FILE --action A``: upload, wait, print the outcome."""
    if not args.file.is_file():
        raise UsageError(f"FILE: {args.file} is not a file")
    document, failure = _import(args, ctx, ctx.client, ctx.workspace, ctx.project_id, args.file)
    return _finish(ctx, document, failure)


def cmd_copy(args: argparse.Namespace, ctx: Any, body: Any, environ: Mapping[str, str]) -> int:
    """``copy``: export with ``body`` into a temporary directory, then import that workbook into the target.

    Prints ``{"export": {"uuid", "file_name", "bytes"}, "import": {...}}``: both halves.
    """
    args.action_ = action_for(args.type_, args.action_)
    target_project = args.to_project_id or ctx.project_id
    target = ctx.client
    if args.to_region or args.to_endpoint or args.to_project_id:
        target = client_from_env(
            endpoint=args.to_endpoint,
            region=args.to_region,
            project_id=target_project,
            environ=environ,
            allow_insecure_http=args.allow_insecure_http,
        )
    uuid = start_export(ctx.client, **ctx.target(), body=body, timeout=args.timeout)
    with tempfile.TemporaryDirectory(prefix="dataarts-copy-") as scratch:
        path = download_export(
            ctx.client, **ctx.target(), uuid=uuid, dest=Path(scratch), timeout=args.timeout, on_progress=ctx.progress
        )
        exported = {"uuid": uuid, "file_name": path.name, "bytes": path.stat().st_size}
        document, failure = _import(args, ctx, target, args.to_workspace, target_project, path)
    return _finish(ctx, {"export": exported, "import": document}, failure)
