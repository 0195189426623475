"""Credentials and request signing for the contract tests (schemathesis CLI and pytest alike).

Three pieces, shared by ``tools/contract_hooks.py`` (the CLI hooks module named
in ``schemathesis.toml``), ``tools/contract.py`` and ``tests/contract``:

* :class:`Credentials` and :func:`credentials_from_env`: the tenant to test
  as, read from ``HUAWEICLOUD_SDK_AK``/``_SK``/``_PROJECT_ID``/``_SECURITY_TOKEN``
  (AK/SK) or ``DATAARTS_TOKEN`` (IAM token), with ``DATAARTS_PROJECT_ID`` and
  ``DATAARTS_WORKSPACE``.
* :class:`RequestSigner`: a ``requests`` auth callable. ``requests`` calls it
  on the *final* prepared request (method, URL with query, every header,
  serialized body), so an AK/SK signature covers exactly what goes on the
  wire; it signs with the project's own :class:`AkSkAuth`.
* :class:`DataArtsAuthProvider`: the schemathesis auth provider (``get``/
  ``set``). ``set`` pins ``project_id`` and ``workspace`` to the tenant's
  values unless that part of the case was generated negative, then attaches
  the signer, so positive cases reach the operation's logic while negative
  cases still vary (and are rejected on) those parameters.

Secrets never appear in ``repr`` or messages.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import schemathesis
from schemathesis.auths import GLOBAL_AUTH_STORAGE
from schemathesis.core.parameters import ParameterLocation

from dataarts_export_client.lib.cli import PROJECT_ID_ENVS, WORKSPACE_ENV
from dataarts_export_client.lib.environment import AK_ENV, SECURITY_TOKEN_ENV, SK_ENV, TOKEN_ENV
from dataarts_export_client.lib.signing import AkSkAuth

# The variables the client's ``client_from_env`` and ``dataarts-export`` read, named once in the client.
AK_VAR, SK_VAR, SECURITY_TOKEN_VAR, TOKEN_VAR = AK_ENV, SK_ENV, SECURITY_TOKEN_ENV, TOKEN_ENV
PROJECT_VAR, SDK_PROJECT_VAR = PROJECT_ID_ENVS
WORKSPACE_VAR = WORKSPACE_ENV
CREDENTIAL_VARS = (AK_VAR, SK_VAR, SDK_PROJECT_VAR, SECURITY_TOKEN_VAR, TOKEN_VAR, PROJECT_VAR, WORKSPACE_VAR)

# Headers whose values the signer copies back onto the outgoing request.
_AUTH_HEADERS = ("authorization", "x-sdk-date", "x-security-token", "x-sdk-content-sha256")
_TOKEN_HEADER = "X-Auth-Token"  # noqa: S105 - a header name
_PROJECT_HEADER = "X-Project-Id"
_WORKSPACE_HEADER = "workspace"
_PROJECT_PARAMETER = "project_id"


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
        env = {PROJECT_VAR: self.project_id, WORKSPACE_VAR: self.workspace}
        if self.ak and self.sk:
            env[AK_VAR], env[SK_VAR] = self.ak, self.sk
            if self.security_token:
                env[SECURITY_TOKEN_VAR] = self.security_token
        if self.token:
            env[TOKEN_VAR] = self.token
        return env


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials from the environment; ``None`` when none are set, :class:`CredentialsError` when incomplete."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    ak, sk, token = get(AK_VAR), get(SK_VAR), get(TOKEN_VAR)
    project_id = get(PROJECT_VAR) or get(SDK_PROJECT_VAR)
    workspace = get(WORKSPACE_VAR)
    if not any((ak, sk, token, project_id, workspace)):
        return None
    missing: list[str] = []
    if bool(ak) != bool(sk):
        missing.append(SK_VAR if ak else AK_VAR)
    if not token and not (ak and sk) and not missing:
        missing.append(f"{TOKEN_VAR} (or {AK_VAR} and {SK_VAR})")
    if not project_id:
        missing.append(f"{PROJECT_VAR} (or {SDK_PROJECT_VAR})")
    if not workspace:
        missing.append(WORKSPACE_VAR)
    if missing:
        raise CredentialsError("incomplete credentials: set " + ", ".join(missing))
    assert project_id is not None  # noqa: S101 - narrowed by the checks above
    assert workspace is not None  # noqa: S101
    return Credentials(
        project_id=project_id,
        workspace=workspace,
        token=token,
        ak=ak,
        sk=sk,
        security_token=get(SECURITY_TOKEN_VAR),
    )


class PreparedRequestLike(Protocol):
    """The part of ``requests.PreparedRequest`` the signer uses."""

    method: str | None
    url: str | None
    headers: MutableMapping[str, str]
    body: bytes | str | None


def _is_signable(name: str, value: str) -> bool:
    """Printable ASCII only: a value whose bytes may differ in transit (latin-1 vs UTF-8) is left unsigned."""
    return value.isascii() and value.isprintable() and name.isascii() and name.isprintable()


class RequestSigner:
    """``requests`` auth callable: sets ``X-Auth-Token`` or an ``SDK-HMAC-SHA256`` signature.

    Signing happens on the prepared request, after schemathesis and
    ``requests`` have set the query, headers and body, so the signature covers
    the request as sent. Headers whose values are not printable ASCII (only
    negative test cases produce them) are left out of ``SignedHeaders``:
    servers verify only the headers named there, so such a case is judged on
    its data rather than bounced on an unverifiable signature.
    """

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials
        self._aksk: AkSkAuth | None = None
        if credentials.method == "aksk":
            assert credentials.ak is not None  # noqa: S101 - method says so
            assert credentials.sk is not None  # noqa: S101
            # X-Project-Id is added here, not by AkSkAuth, so a fuzzed value in the case is kept as sent.
            self._aksk = AkSkAuth(credentials.ak, credentials.sk, security_token=credentials.security_token)

    def __repr__(self) -> str:
        return f"RequestSigner(method={self._credentials.method!r}, project_id={self._credentials.project_id!r})"

    def __call__(self, request: PreparedRequestLike) -> PreparedRequestLike:
        if self._aksk is None:
            assert self._credentials.token is not None  # noqa: S101 - token method
            request.headers[_TOKEN_HEADER] = self._credentials.token
            return request
        if _PROJECT_HEADER not in request.headers:
            # Multi-project AK/SK calls name the project (what the official SDK always sends).
            request.headers[_PROJECT_HEADER] = self._credentials.project_id
        body = request.body
        content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        url = httpx.URL(request.url or "")
        headers = [(name, value) for name, value in request.headers.items() if _is_signable(name, value)]
        if not any(name.lower() == "host" for name, _ in headers):
            # Sign the Host the transport will send, and send exactly that one.
            host = url.netloc.decode("ascii")
            headers.append(("Host", host))
            request.headers["Host"] = host
        signable = httpx.Request(request.method or "GET", url, headers=headers, content=content)
        # httpx adds Content-Length for the body; it is never signed (proxies may rewrite it).
        self._aksk.sign(signable)
        for name in _AUTH_HEADERS:
            value = signable.headers.get(name)
            if value is not None:
                request.headers[name] = value
        return request


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
        if _PROJECT_HEADER.lower() in declared and _PROJECT_HEADER in headers:
            # An optional header the case chose to send must name the same project.
            headers[_PROJECT_HEADER] = credentials.project_id
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


def _workbook(context: Any, response: Any) -> str:
    """Deserializer for the Excel answer: the body must be an OOXML package (a ZIP holding ``[Content_Types].xml``).

    Returns a short description (a string, as ``format: binary`` wants) so
    ``response_schema_conformance`` validates it; a body that is no workbook
    (e.g. cut short in transit) raises, which schemathesis reports.
    """
    content: bytes = response.content
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as error:
        raise ValueError(f"the body is not an Excel workbook ({len(content)} bytes): {error}") from None
    if "[Content_Types].xml" not in names:
        raise ValueError("the body is a ZIP archive but not an Office Open XML package")
    return f"<Excel workbook, {len(content)} bytes>"


WORKBOOK_MEDIA_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream")
_installed = False


def install_global_hooks() -> None:
    """Register the ``before_call`` hook and the workbook deserializer once per process."""
    global _installed  # noqa: PLW0603 - process-wide, registered once
    if _installed:
        return
    schemathesis.hook("before_call")(before_call)
    schemathesis.deserializer(*WORKBOOK_MEDIA_TYPES)(_workbook)
    _installed = True


def install_on_schema(schema: Any, credentials: Credentials) -> None:
    """Authenticate every case of ``schema`` (pytest integration) as the tenant of ``credentials``."""
    install_global_hooks()
    schema.auth(refresh_interval=None)(provider_class(credentials))
