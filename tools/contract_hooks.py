"""Schemathesis CLI hooks: authenticate every request as the tenant named by the environment.

``schemathesis.toml`` names this file (``hooks = "tools/contract_hooks.py"``),
so plain ``schemathesis run openapi.yaml --url URL`` from the repository root
signs its requests too. Credentials come from the environment (see
``tools/contract_auth.py``): ``HUAWEICLOUD_SDK_AK``/``_SK`` (+ ``_SECURITY_TOKEN``)
or ``DATAARTS_TOKEN``, with ``DATAARTS_PROJECT_ID`` (or
``HUAWEICLOUD_SDK_PROJECT_ID``) and ``DATAARTS_WORKSPACE``. It also registers
the workbook deserializer, so the binary answer is checked as an Excel file.

The hooks act only inside the schemathesis CLI: the pytest suite loads the
same schema with its own configuration and registers auth per schema, and
any other Python process that happens to discover ``schemathesis.toml`` is
left alone. Under the CLI, missing credentials stop the run with a message
naming the variables to set.
"""

from __future__ import annotations

import sys
from pathlib import Path

import schemathesis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contract_auth import CredentialsError, credentials_from_env, install_global_hooks, provider_class


def _register() -> None:
    credentials = credentials_from_env()
    if credentials is None:
        raise CredentialsError(
            "no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or DATAARTS_TOKEN), "
            "DATAARTS_PROJECT_ID (or HUAWEICLOUD_SDK_PROJECT_ID) and DATAARTS_WORKSPACE"
        )
    install_global_hooks()
    schemathesis.auth(refresh_interval=None)(provider_class(credentials))


# `schemathesis run --help` loads this file too: help needs no credentials.
if "schemathesis.cli" in sys.modules and not {"--help", "-h"} & set(sys.argv):
    _register()
