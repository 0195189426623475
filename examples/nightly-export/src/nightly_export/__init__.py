"""Export a list of DataArts Studio table models each night into a dated folder.

What a data engineer's cron job does with the client library: one export
per night of the table models listed in a file, saved as
``<root>/<YYYY-MM-DD>/table-models.xlsx``. A rerun the same night (cron
retried, someone ran it by hand) finds the file and exports nothing; a
failed or interrupted export leaves no file, so the next run starts again.
Retries, polling and the atomic download are the library's
(:func:`dataarts_export_client.lib.export_to_file`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.lib import DEFAULT_POLICY, RetryPolicy, export_to_file
from dataarts_export_client.models import ExportParam

__all__ = ["FILE_NAME", "nightly_export", "read_ids"]

FILE_NAME = "table-models.xlsx"


def read_ids(path: Path) -> list[str]:
    """The table model ids of a file: one per line; blank lines and ``#`` comments ignored."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def nightly_export(
    client: AuthenticatedClient | Client,
    *,
    project_id: str,
    workspace: str,
    ids: Iterable[str],
    root: Path,
    day: date,
    timeout: float = 1800,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> Path:
    """Export ``ids`` as table models into ``root/<day>/table-models.xlsx``, unless that night's file exists."""
    wanted = list(ids)
    if not wanted:
        raise ValueError("no table model ids to export")
    folder = root / day.isoformat()
    target = folder / FILE_NAME
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    return export_to_file(
        client,
        project_id=project_id,
        workspace=workspace,
        body=ExportParam(type_="TABLE_MODEL", ids=wanted),
        dest=target,
        timeout=timeout,
        policy=policy,
    )
