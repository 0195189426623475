"""Schemathesis CLI hooks: authenticate every request as the tenant named by the environment.

``schemathesis.toml`` names this module (``hooks = "tools.contract.hooks"``);
schemathesis imports a dotted hooks name with the working directory on
``sys.path``, so plain ``schemathesis run openapi.yaml --url URL`` from the
repository root signs its requests too. Credentials come from the
environment (see :mod:`.credentials`). It also registers the workbook
deserializer, so the binary answer is checked as an Excel file.

The hooks act only inside the schemathesis CLI: the pytest suite loads the
same schema with its own configuration and registers auth per schema, and
any other Python process that happens to discover ``schemathesis.toml`` is
left alone. Under the CLI, missing credentials stop the run with a message
naming the variables to set.
"""

from __future__ import annotations

import sys

from .auth import install_globally
from .credentials import CREDENTIALS_HELP, CredentialsError, credentials_from_env


def register() -> None:
    """Install the auth provider and hooks for the credentials in the environment."""
    credentials = credentials_from_env()
    if credentials is None:
        raise CredentialsError(f"no credentials: set {CREDENTIALS_HELP}")
    install_globally(credentials)


# `schemathesis run --help` loads this module too: help needs no credentials.
if "schemathesis.cli" in sys.modules and not {"--help", "-h"} & set(sys.argv):
    register()
