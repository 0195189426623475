"""The tenant the contract tests act as, from the environment the client and CLI read too.

Variable names come from :mod:`dataarts_export_client.lib.environment`, where
they are defined once: ``HUAWEICLOUD_SDK_AK``/``_SK`` (+ ``_SECURITY_TOKEN``)
for AK/SK or ``DATAARTS_TOKEN`` for an IAM token, with ``DATAARTS_PROJECT_ID``
(or ``HUAWEICLOUD_SDK_PROJECT_ID``) and ``DATAARTS_WORKSPACE``. Secrets never
appear in a ``repr`` or a message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from dataarts_export_client.lib.environment import (
    AK_ENV,
    PROJECT_ID_ENVS,
    SECURITY_TOKEN_ENV,
    SK_ENV,
    TOKEN_ENV,
    WORKSPACE_ENV,
)

CREDENTIAL_VARS = (AK_ENV, SK_ENV, SECURITY_TOKEN_ENV, TOKEN_ENV, *PROJECT_ID_ENVS, WORKSPACE_ENV)
_PROJECT_ID_NAMES = f"{PROJECT_ID_ENVS[0]} (or {', '.join(PROJECT_ID_ENVS[1:])})"
# What to set, for messages: names only, never values.
CREDENTIALS_HELP = (
    f"{AK_ENV} and {SK_ENV} (optionally {SECURITY_TOKEN_ENV}), or {TOKEN_ENV}; "
    f"plus {_PROJECT_ID_NAMES} and {WORKSPACE_ENV}"
)


class CredentialsError(RuntimeError):
    """Credentials are missing or incomplete; the message names the variables to set (never their values)."""


@dataclass(frozen=True)
class Credentials:
    """The tenant the contract tests act as. ``token`` or ``ak``+``sk`` authenticate."""

    project_id: str
    workspace: str
    token: str | None = field(default=None, repr=False)
    ak: str | None = None
    sk: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.project_id or not self.workspace:
            raise CredentialsError("a project id and a workspace are needed")
        if not self.token and not (self.ak and self.sk):
            raise CredentialsError("an IAM token or an AK/SK pair is needed")

    @property
    def method(self) -> str:
        """``aksk`` when an AK/SK pair is set (it wins), else ``token``."""
        return "aksk" if self.ak and self.sk else "token"

    def secrets(self) -> tuple[str, ...]:
        """Every secret value, for leak checks: they must never appear in output or reports."""
        return tuple(value for value in (self.token, self.sk, self.security_token) if value)

    def as_env(self) -> dict[str, str]:
        """The environment variables :func:`credentials_from_env` reads back into these credentials."""
        env = {PROJECT_ID_ENVS[0]: self.project_id, WORKSPACE_ENV: self.workspace}
        if self.ak and self.sk:
            env[AK_ENV], env[SK_ENV] = self.ak, self.sk
            if self.security_token:
                env[SECURITY_TOKEN_ENV] = self.security_token
        if self.token:
            env[TOKEN_ENV] = self.token
        return env


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials from the environment; ``None`` when none are set, :class:`CredentialsError` when incomplete."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    ak, sk, token = get(AK_ENV), get(SK_ENV), get(TOKEN_ENV)
    project_id = next((value for value in map(get, PROJECT_ID_ENVS) if value), None)
    workspace = get(WORKSPACE_ENV)
    if not any((ak, sk, token, project_id, workspace)):
        return None
    missing: list[str] = []
    if bool(ak) != bool(sk):
        missing.append(SK_ENV if ak else AK_ENV)
    if not token and not (ak and sk) and not missing:
        missing.append(f"{TOKEN_ENV} (or {AK_ENV} and {SK_ENV})")
    if not project_id:
        missing.append(_PROJECT_ID_NAMES)
    if not workspace:
        missing.append(WORKSPACE_ENV)
    if missing or project_id is None or workspace is None:
        raise CredentialsError("incomplete credentials: set " + ", ".join(missing))
    return Credentials(
        project_id=project_id,
        workspace=workspace,
        token=token,
        ak=ak,
        sk=sk,
        security_token=get(SECURITY_TOKEN_ENV),
    )
