"""The schemathesis side of authentication, shared by the CLI hooks and the pytest suite.

:class:`DataArtsAuthProvider` is the auth provider (``get``/``set``): ``set``
pins ``project_id`` and ``workspace`` to the tenant's values unless that part
of the case was generated negative, so positive cases reach the operation's
logic while negative cases still vary (and are rejected on) those
parameters. The credentials themselves are attached at send time by the
:func:`before_call` hook, as a :class:`~.signer.RequestSigner`.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.auths import GLOBAL_AUTH_STORAGE
from schemathesis.core.parameters import ParameterLocation

from .ast_lock import serialise_ast_parsing
from .config import SPEC
from .credentials import Credentials
from .signer import PROJECT_HEADER, RequestSigner
from .uploads import send_real_workbooks
from .workbook import binary_media_types, describe_workbook

_WORKSPACE_HEADER = "workspace"
_PROJECT_PARAMETER = "project_id"


def _is_negative_at(case: Any, location: str) -> bool:
    meta = getattr(case, "meta", None)
    if meta is None:
        return False
    return bool(meta.is_negative_at(ParameterLocation(location)))


def pin_tenant(case: Any, credentials: Credentials) -> None:
    """Set ``project_id`` and ``workspace`` to the tenant's, except where the case was generated negative.

    Only parameters the operation declares are touched, and containers are
    reassigned (not mutated) so schemathesis re-validates the changed part.
    """
    operation = case.operation
    if not _is_negative_at(case, "path") and any(p.name == _PROJECT_PARAMETER for p in operation.path_parameters):
        case.path_parameters = {**(case.path_parameters or {}), _PROJECT_PARAMETER: credentials.project_id}
    if not _is_negative_at(case, "header"):
        declared = {p.name.lower() for p in operation.headers}
        headers = case.headers
        if _WORKSPACE_HEADER in declared:
            headers[_WORKSPACE_HEADER] = credentials.workspace
        if PROJECT_HEADER.lower() in declared and PROJECT_HEADER in headers:
            # An optional header the case chose to send must name the same project.
            headers[PROJECT_HEADER] = credentials.project_id
        case.headers = headers


class DataArtsAuthProvider:
    """Schemathesis auth provider (``get``/``set``) for a fixed tenant.

    ``set`` pins the tenant's ``project_id``/``workspace``; schemathesis then
    marks the case as carrying explicit credentials. The credentials
    themselves are added at send time by :func:`before_call` (the signer goes
    to ``requests`` as ``auth=``), never stored on the case: a case rendered
    as a reproduction command therefore shows no credentials at all, and
    probes schemathesis derives from a case (``ignored_auth``) go without.
    Bind credentials with :func:`provider_class`.
    """

    credentials: Credentials

    def __init__(self) -> None:
        self.signer = RequestSigner(self.credentials)

    def get(self, case: Any, context: Any) -> RequestSigner:
        return self.signer

    def set(self, case: Any, data: RequestSigner, context: Any) -> None:
        pin_tenant(case, self.credentials)


def provider_class(credentials: Credentials) -> type[DataArtsAuthProvider]:
    """A provider class bound to ``credentials`` (schemathesis instantiates providers itself)."""
    return type("DataArtsAuth", (DataArtsAuthProvider,), {"credentials": credentials})


def _find_provider(case: Any) -> DataArtsAuthProvider | None:
    """The provider registered for the case's schema (pytest) or globally (CLI hooks), unwrapped."""
    for storage in (case.operation.schema.auth, GLOBAL_AUTH_STORAGE):
        for registered in storage.providers:
            provider = registered
            while not isinstance(provider, DataArtsAuthProvider) and hasattr(provider, "provider"):
                provider = provider.provider
            if isinstance(provider, DataArtsAuthProvider):
                return provider
    return None


def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """Global ``before_call`` hook: hand the signer to the transport for cases the provider authenticated."""
    if not getattr(case, "_has_explicit_auth", False):
        return  # e.g. a negative case that drops the credentials on purpose
    provider = _find_provider(case)
    if provider is not None:
        kwargs["auth"] = provider.signer


_installed = False


def install_global_hooks() -> None:
    """Register the ``before_call`` hooks (credentials, real workbooks) and the workbook deserializer once.

    Also serialises ``ast.parse`` (see :mod:`.ast_lock`): every process that runs the contract installs these.
    """
    global _installed  # noqa: PLW0603 - process-wide, registered once
    if _installed:
        return
    serialise_ast_parsing()
    schemathesis.hook("before_call")(send_real_workbooks)
    schemathesis.hook("before_call")(before_call)
    schemathesis.deserializer(*binary_media_types(SPEC))(describe_workbook)
    _installed = True


def install_globally(credentials: Credentials) -> None:
    """Authenticate every case of every schema (the CLI) as the tenant of ``credentials``."""
    install_global_hooks()
    schemathesis.auth(refresh_interval=None)(provider_class(credentials))


def install_on_schema(schema: Any, credentials: Credentials) -> None:
    """Authenticate every case of ``schema`` (pytest integration) as the tenant of ``credentials``."""
    install_global_hooks()
    schema.auth(refresh_interval=None)(provider_class(credentials))
