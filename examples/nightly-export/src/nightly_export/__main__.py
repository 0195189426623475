"""``nightly-export --ids ids.txt --root /data/exports``: tonight's export, for cron.

Endpoint, credentials, project and workspace come from the environment, as
for ``dataarts-export`` (``DATAARTS_ENDPOINT`` or ``DATAARTS_REGION``,
``DATAARTS_TOKEN`` or ``HUAWEICLOUD_SDK_AK``/``_SK``, ``DATAARTS_PROJECT_ID``,
``DATAARTS_WORKSPACE``). Prints the workbook's path; exits 1 with one line
on stderr when the export cannot be made.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from dataarts_export_client.lib import DataArtsError, client_from_env

from . import nightly_export, read_ids


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nightly-export", description=__doc__)
    parser.add_argument("--ids", type=Path, required=True, help="file of table model ids, one per line")
    parser.add_argument("--root", type=Path, required=True, help="folder that receives one dated folder per night")
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="the night to export (default: today)")
    args = parser.parse_args(argv)
    try:
        path = nightly_export(
            client_from_env(),
            project_id=os.environ["DATAARTS_PROJECT_ID"],
            workspace=os.environ["DATAARTS_WORKSPACE"],
            ids=read_ids(args.ids),
            root=args.root,
            day=args.date or date.today(),
        )
    except (DataArtsError, KeyError, OSError, ValueError) as error:
        print(f"nightly-export: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
