"""The embedded emulator a default run tests: a subprocess on a free port, credentials made up for the run."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_WORKSPACE
from dataarts_emulator.settings import ENV_PREFIX, declared
from dataarts_emulator.testing import serve_process

from .config import ROOT
from .credentials import Credentials

# Short exports and some failures, so polls see every state (importing, fail, success + workbook).
EMULATOR_FLAGS = ("--export-seconds", "1", "--fail-ratio", "0.25", "--log-level", "warning")


def fresh_credentials(method: str) -> Credentials:
    """Credentials made up for one run: nothing to leak, nothing reused."""
    if method == "token":
        return Credentials(DEMO_PROJECT_ID, DEMO_WORKSPACE, token="contract-" + secrets.token_urlsafe(24))
    return Credentials(
        DEMO_PROJECT_ID,
        DEMO_WORKSPACE,
        ak="CONTRACT" + secrets.token_hex(6).upper(),
        sk=secrets.token_urlsafe(30),
    )


@contextmanager
def embedded_emulator(credentials: Credentials, *, seed: int, log: Path, flags: Sequence[str] = ()) -> Iterator[str]:
    """Run ``python -m dataarts_emulator`` for ``credentials`` on a free port; yield its base URL.

    ``flags`` are more of the emulator's own (``--fault-rate 0.3``), after :data:`EMULATOR_FLAGS`.
    """
    args = ["--project-id", credentials.project_id, "--workspace", credentials.workspace, "--seed", str(seed)]
    # No emulator setting of the caller's shell leaks in: the run depends on the seed alone.
    env = {name: value for name, value in os.environ.items() if not name.startswith(ENV_PREFIX)}
    # Credentials go through the environment, not argv (which `ps` shows), named as the emulator names them.
    variables = {item.name: item.env for item in declared()}
    values = {"token": credentials.token, "ak": credentials.ak, "sk": credentials.sk}
    env.update({variables[name]: value for name, value in values.items() if value})
    log.parent.mkdir(parents=True, exist_ok=True)
    with (
        log.open("wb") as log_file,
        serve_process([*args, *EMULATOR_FLAGS, *flags], env=env, cwd=ROOT, stderr=log_file) as (base_url, _process),
    ):
        yield base_url
