"""Settings from arguments and environment variables, checked in one place, and the client they make.

:func:`client_from_env` configures the client the way Huawei's official SDK
is configured (the same ``HUAWEICLOUD_SDK_*`` variables), so that scripts,
notebooks and CI jobs need no code of their own for it; the command line
reads its settings through the same :func:`resolve_settings`.

Resolution, first match wins:

* endpoint: ``endpoint`` argument, else the ``region`` argument, else
  ``DATAARTS_ENDPOINT``, else the region of ``DATAARTS_REGION`` or
  ``HUAWEICLOUD_SDK_REGION`` (an argument wins over every variable); a
  region becomes its endpoint through :func:`endpoint_for_region`;
* credentials: a ``token`` argument; else AK/SK when either half is given,
  each half from its argument or ``HUAWEICLOUD_SDK_AK`` /
  ``HUAWEICLOUD_SDK_SK`` (both halves required); else ``DATAARTS_TOKEN``;
* ``project_id`` and ``security_token`` (AK/SK only): argument, then
  ``HUAWEICLOUD_SDK_PROJECT_ID`` / ``HUAWEICLOUD_SDK_SECURITY_TOKEN``.

Empty values count as absent. Every value is checked before any client is
built, and every problem is reported at once in one
:class:`~.errors.ConfigurationError` that names the setting (argument,
option or variable) and never its value: a missing setting; a token, key or
ID with whitespace or a control character at an end (a ``\\r`` left by a file
edited on Windows) or any character that is not visible ASCII, which no
HTTP header can carry as it is; an endpoint that is not an ``http(s)`` URL;
a region that is not a region ID. An ``http://`` endpoint that is not a
loopback address is refused unless ``allow_insecure_http=True`` (see
:mod:`.transport_security`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..client import AuthenticatedClient, Client
from .errors import ConfigurationError
from .signing import AkSkAuth
from .transport_security import refuse_clear_text_credentials

__all__ = [
    "AK_ENV",
    "ARGUMENTS",
    "ENDPOINT_ENV",
    "PROJECT_ID_ENV",
    "PROJECT_ID_ENVS",
    "REGION_ENVS",
    "SECURITY_TOKEN_ENV",
    "SK_ENV",
    "TOKEN_ENV",
    "WORKSPACE_ENV",
    "Settings",
    "Spelling",
    "check_target",
    "client_for",
    "client_from_env",
    "endpoint_for_region",
    "resolve_settings",
    "token_client",
]

# The environment variables of the client, the CLI and the contract runner: named here and
# nowhere else, so that the three read the same variables and their help names the same ones.
ENDPOINT_ENV = "DATAARTS_ENDPOINT"
REGION_ENVS = ("DATAARTS_REGION", "HUAWEICLOUD_SDK_REGION")
TOKEN_ENV = "DATAARTS_TOKEN"  # noqa: S105 (a variable name, not a secret)
AK_ENV = "HUAWEICLOUD_SDK_AK"
SK_ENV = "HUAWEICLOUD_SDK_SK"
PROJECT_ID_ENV = "HUAWEICLOUD_SDK_PROJECT_ID"
SECURITY_TOKEN_ENV = "HUAWEICLOUD_SDK_SECURITY_TOKEN"  # noqa: S105 (a variable name)
PROJECT_ID_ENVS = ("DATAARTS_PROJECT_ID", PROJECT_ID_ENV)
"""Where the CLI and the contract runner read the project ID, first set wins (the helpers take it as an argument)."""
WORKSPACE_ENV = "DATAARTS_WORKSPACE"
"""The DataArts Studio workspace ID of a call (the CLI and the contract runner)."""
SECRET_ENVS = (TOKEN_ENV, AK_ENV, SK_ENV, SECURITY_TOKEN_ENV)
"""Variables holding credentials: their values are scrubbed from anything printed."""

ENDPOINT_TEMPLATE = "https://dayu.{region}.myhuaweicloud.com"
"""A region's endpoint as the official SDK's ``DataArtsStudioRegion`` writes it (docs/fidelity.md F-REGION-1)."""
REGION_ENDPOINTS = {"eu-west-101": "https://dayu.eu-west-101.myhuaweicloud.eu"}
"""Regions whose endpoint is not the template's: EU-Dublin is served on the EU site's own domain, as its
endpoints page lists it, where the SDK writes ``.com`` (docs/fidelity.md F-REGION-2)."""
# Region IDs look like cn-north-4, ap-southeast-1, la-south-2; refusing
# anything else keeps a stray value from turning into some other host name.
_REGION_RE = re.compile(r"[a-z]{2,}(?:-[a-z]+)+-[0-9]+")  # whole value (fullmatch): "$" would let a final "\n" by
_TOKEN_HEADER = "X-Auth-Token"  # noqa: S105 (a header name)


def token_client(
    base_url: str, token: str, *, allow_insecure_http: bool = False, **client_kwargs: Any
) -> AuthenticatedClient:
    """The generated ``AuthenticatedClient`` set up for Huawei IAM tokens: ``X-Auth-Token: <token>``, no prefix.

    Spelled out once here because the generated defaults (``Authorization:
    Bearer <token>``) are what every other API wants and this one refuses.
    Raises :class:`~.errors.InsecureTransportError` for an ``http://``
    endpoint off this machine unless ``allow_insecure_http`` is true.
    """
    if not token:
        raise ConfigurationError("token auth needs a non-empty token")
    refuse_clear_text_credentials(base_url, "an IAM token", allow_insecure_http=allow_insecure_http)
    return AuthenticatedClient(base_url, token=token, prefix="", auth_header_name=_TOKEN_HEADER, **client_kwargs)


def endpoint_for_region(region: str) -> str:
    """The DataArts Studio endpoint of a Huawei Cloud region, e.g. ``cn-north-4``.

    The official SDK's endpoint for each of its regions, except ``eu-west-101``,
    which is ``https://dayu.eu-west-101.myhuaweicloud.eu`` (see :data:`REGION_ENDPOINTS`).
    A region the SDK does not list yet gets the SDK's pattern.
    """
    if not _REGION_RE.fullmatch(region):
        raise ConfigurationError(f"not a Huawei Cloud region ID: {region!r} (expected e.g. 'cn-north-4')")
    return REGION_ENDPOINTS.get(region) or ENDPOINT_TEMPLATE.format(region=region)


@dataclass(frozen=True, slots=True)
class Spelling:
    """How the person reading a configuration error gives each setting directly, in their own words.

    ``direct`` maps a setting to its keyword argument (``token=``) or its
    command-line option (``--workspace``); a setting it leaves out is read
    from the environment only (the command line's credentials). ``verb``
    introduces them: "pass" an argument, "give" an option.
    """

    verb: str
    direct: Mapping[str, str]


_SETTINGS = ("endpoint", "region", "token", "ak", "sk", "security_token", "project_id", "workspace")
ARGUMENTS = Spelling("pass", {name: f"{name}=" for name in _SETTINGS})
"""The library's words: keyword arguments of :func:`client_from_env` and the helpers."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Checked settings: an endpoint URL, an IAM token or an AK/SK pair, and (for the CLI) the project and workspace.

    Credentials never appear in ``repr``.
    """

    endpoint: str
    token: str | None = field(default=None, repr=False)
    ak: str | None = field(default=None, repr=False)
    sk: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    project_id: str | None = None
    workspace: str | None = None


_VISIBLE_ASCII = re.compile(r"[!-~]+")
_EDGE_PROBLEM = (
    "has whitespace or a control character at its start or end (a line ending from a file edited on Windows?); "
    "remove it"
)


def _stray(character: str) -> bool:
    return character.isspace() or not character.isprintable()


def _text_problem(value: str, kind: str) -> str | None:
    """Why ``value`` cannot go into a header or a URL path as it is (``None`` when it can): visible ASCII only.

    ``kind`` says what the setting is, for the message ("tokens and keys", "IDs").
    """
    if _VISIBLE_ASCII.fullmatch(value):
        return None
    if not value:
        return "is empty"
    if _stray(value[0]) or _stray(value[-1]):
        return _EDGE_PROBLEM
    return f"holds a character that is not visible ASCII ({kind} are printable ASCII)"


def _endpoint_problem(value: str) -> str | None:
    """Why ``value`` is not a usable endpoint URL (``None`` when it is)."""
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        return "holds whitespace or a control character"
    if not value.lower().startswith(("https://", "http://")):
        return "must be an http:// or https:// URL"
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL:
        return "is not a valid URL"
    return None if url.host else "must be an http:// or https:// URL"


class _Resolver:
    """Reads settings from arguments and the environment, collecting every problem on the way."""

    def __init__(self, environ: Mapping[str, str], spelling: Spelling) -> None:
        self.environ = environ
        self.spelling = spelling
        self.problems: list[str] = []

    def pick(self, setting: str, value: str | None, envs: tuple[str, ...]) -> tuple[str | None, str]:
        """``value`` (if not empty), else the first non-empty variable of ``envs``; and where it came from."""
        if value:
            return value, self.spelling.direct.get(setting, f"{setting}=")
        for name in envs:
            if self.environ.get(name):
                return self.environ[name], name
        return None, ""

    def how(self, *settings: str, envs: str) -> str:
        """``pass endpoint= or region=, or set X or Y`` in the spelling's words; ``set X or Y`` with no direct way."""
        direct = [self.spelling.direct[name] for name in settings if name in self.spelling.direct]
        if not direct:
            return f"set {envs}"
        return f"{self.spelling.verb} {' or '.join(direct)}{',' if len(direct) > 1 else ''} or set {envs}"

    def check(self, source: str, problem: str | None) -> None:
        if problem is not None:
            self.problems.append(f"{source} {problem}")

    def secret(self, setting: str, value: str | None, envs: tuple[str, ...]) -> str | None:
        chosen, source = self.pick(setting, value, envs)
        if chosen is not None:
            self.check(source, _text_problem(chosen, "tokens and keys"))
        return chosen


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def _resolve_endpoint(resolver: _Resolver, endpoint: str | None, region: str | None) -> str:
    """The endpoint URL: given directly (``endpoint``, then ``region``), else from the environment in that order."""
    chosen, source = resolver.pick("endpoint", endpoint, () if region else (ENDPOINT_ENV,))
    if chosen is not None:
        resolver.check(source, _endpoint_problem(chosen))
        return chosen.rstrip("/")
    chosen, source = resolver.pick("region", region, REGION_ENVS)
    if chosen is None:
        envs = _names((ENDPOINT_ENV, *REGION_ENVS))
        resolver.problems.append(f"no endpoint: {resolver.how('endpoint', 'region', envs=envs)}")
        return ""
    if not _REGION_RE.fullmatch(chosen):
        resolver.problems.append(f"{source} is not a Huawei Cloud region ID (e.g. cn-north-4)")
        return ""
    return endpoint_for_region(chosen)


def resolve_settings(
    *,
    endpoint: str | None = None,
    region: str | None = None,
    token: str | None = None,
    ak: str | None = None,
    sk: str | None = None,
    security_token: str | None = None,
    project_id: str | None = None,
    workspace: str | None = None,
    environ: Mapping[str, str] | None = None,
    spelling: Spelling = ARGUMENTS,
    target: bool = False,
) -> Settings:
    """The checked settings, from arguments falling back to environment variables (see the module docs).

    With ``target`` (the command line), the project ID (``DATAARTS_PROJECT_ID``
    or ``HUAWEICLOUD_SDK_PROJECT_ID``) and the workspace
    (``DATAARTS_WORKSPACE``) of the calls are required too; without it the
    project ID is the AK/SK's (``HUAWEICLOUD_SDK_PROJECT_ID``) and optional.
    ``spelling`` names the settings in the messages as the reader gives them.

    Raises:
        ConfigurationError: every problem found, one per ``problems`` entry.
    """
    env = os.environ if environ is None else environ
    resolver = _Resolver(env, spelling)
    base_url = _resolve_endpoint(resolver, endpoint, region)
    chosen_token = chosen_ak = chosen_sk = chosen_security_token = None
    if token:
        if ak or sk:
            resolver.problems.append("pass either token= or ak=/sk=, not both")
        chosen_token = resolver.secret("token", token, ())
    elif resolver.pick("ak", ak, (AK_ENV,))[0] or resolver.pick("sk", sk, (SK_ENV,))[0]:
        chosen_ak = resolver.secret("ak", ak, (AK_ENV,))
        chosen_sk = resolver.secret("sk", sk, (SK_ENV,))
        if not (chosen_ak and chosen_sk):
            half, setting, name = ("secret key", "sk", SK_ENV) if chosen_ak else ("access key", "ak", AK_ENV)
            resolver.problems.append(
                f"AK/SK auth needs both halves; the {half} is missing ({resolver.how(setting, envs=name)})"
            )
        chosen_security_token = resolver.secret("security_token", security_token, (SECURITY_TOKEN_ENV,))
    else:
        chosen_token = resolver.secret("token", None, (TOKEN_ENV,))
        if chosen_token is None:
            envs = f"{TOKEN_ENV}, or {AK_ENV} and {SK_ENV}"
            how = (
                f"{spelling.verb} token= or ak= and sk=, or set {envs}" if "token" in spelling.direct else f"set {envs}"
            )
            resolver.problems.append(f"no credentials: {how}")
    chosen_project, source = resolver.pick("project_id", project_id, PROJECT_ID_ENVS if target else (PROJECT_ID_ENV,))
    if chosen_project is not None:
        resolver.check(source, _text_problem(chosen_project, "IDs"))
    elif target:
        resolver.problems.append(f"no project ID: {resolver.how('project_id', envs=_names(PROJECT_ID_ENVS))}")
    chosen_workspace, source = resolver.pick("workspace", workspace, (WORKSPACE_ENV,) if target else ())
    if chosen_workspace is not None:
        resolver.check(source, _text_problem(chosen_workspace, "IDs"))
    elif target:
        resolver.problems.append(f"no workspace: {resolver.how('workspace', envs=WORKSPACE_ENV)}")
    if resolver.problems:
        raise ConfigurationError(*resolver.problems)
    return Settings(
        base_url,
        token=chosen_token,
        ak=chosen_ak,
        sk=chosen_sk,
        security_token=chosen_security_token,
        project_id=chosen_project,
        workspace=chosen_workspace,
    )


def check_target(project_id: str, workspace: str) -> None:
    """Raise :class:`~.errors.ConfigurationError` for a project ID or workspace no request can carry as it is.

    The helpers call it before sending anything: a workspace that is not
    ASCII would fail in httpx's header encoding, a line break in it would be
    refused by the HTTP layer (and retried as if the network had failed).
    """
    problems = [
        f"{setting} {problem}"
        for setting, value in (("project_id=", project_id), ("workspace=", workspace))
        if (problem := _text_problem(value, "IDs")) is not None
    ]
    if problems:
        raise ConfigurationError(*problems)


def client_for(
    settings: Settings, *, allow_insecure_http: bool = False, **client_kwargs: Any
) -> AuthenticatedClient | Client:
    """The client of checked ``settings``: a token client (see :func:`token_client`), or one signing with AK/SK.

    Raises:
        ConfigurationError: an ``auth`` in ``httpx_args`` for AK/SK (the client sets its own).
        InsecureTransportError: an ``http://`` endpoint off this machine without ``allow_insecure_http=True``.
    """
    if settings.ak and settings.sk:
        httpx_args = dict(client_kwargs.pop("httpx_args", None) or {})
        if "auth" in httpx_args:
            raise ConfigurationError("client_from_env sets the auth itself: do not pass httpx_args['auth']")
        refuse_clear_text_credentials(settings.endpoint, "AK/SK signatures", allow_insecure_http=allow_insecure_http)
        httpx_args["auth"] = AkSkAuth(
            settings.ak,
            settings.sk,
            project_id=settings.project_id,
            security_token=settings.security_token,
            allow_insecure_http=allow_insecure_http,
        )
        return Client(settings.endpoint, httpx_args=httpx_args, **client_kwargs)
    return token_client(
        settings.endpoint, settings.token or "", allow_insecure_http=allow_insecure_http, **client_kwargs
    )


def client_from_env(
    *,
    endpoint: str | None = None,
    region: str | None = None,
    token: str | None = None,
    ak: str | None = None,
    sk: str | None = None,
    project_id: str | None = None,
    security_token: str | None = None,
    environ: Mapping[str, str] | None = None,
    allow_insecure_http: bool = False,
    **client_kwargs: Any,
) -> AuthenticatedClient | Client:
    """A ready client from arguments, falling back to environment variables (see the module docs).

    Returns the generated ``AuthenticatedClient`` for token auth (see
    :func:`token_client`), or the generated ``Client``
    signing every request with :class:`~.signing.AkSkAuth` for AK/SK.
    ``environ`` replaces ``os.environ`` (for tests and sandboxes);
    ``client_kwargs`` go to the client (``timeout``, ``headers``,
    ``httpx_args``, ...). ``allow_insecure_http`` lets credentials go over
    ``http://`` to a host that is not this machine (refused by default).

    Raises:
        ConfigurationError: every problem with the settings at once (no
            endpoint, no credentials, only one half of an AK/SK pair, a token
            together with an AK/SK, a value with whitespace at an end or a
            character that is not visible ASCII, an endpoint that is not an
            http(s) URL, an unknown region), or an ``auth`` in ``httpx_args``.
            The message names arguments and variables, never values.
        InsecureTransportError: an ``http://`` endpoint off this machine
            without ``allow_insecure_http=True``.
    """
    settings = resolve_settings(
        endpoint=endpoint,
        region=region,
        token=token,
        ak=ak,
        sk=sk,
        project_id=project_id,
        security_token=security_token,
        environ=environ,
    )
    return client_for(settings, allow_insecure_http=allow_insecure_http, **client_kwargs)
