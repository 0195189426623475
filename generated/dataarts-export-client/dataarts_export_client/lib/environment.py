"""Building a ready client from arguments and environment variables.

One function, :func:`client_from_env`, so that scripts, notebooks and CI jobs
configure the client the way Huawei's official SDK is configured (the same
``HUAWEICLOUD_SDK_*`` variables), and so that the choice between token and
AK/SK authentication is made in one place with one clear error when neither
is usable.

Resolution, first match wins:

* endpoint: ``endpoint`` argument, ``DATAARTS_ENDPOINT``, then the region
  (``region`` argument, ``DATAARTS_REGION``, ``HUAWEICLOUD_SDK_REGION``)
  through :func:`endpoint_for_region`;
* credentials: a ``token`` argument; else AK/SK when either half is given,
  each half from its argument or ``HUAWEICLOUD_SDK_AK`` /
  ``HUAWEICLOUD_SDK_SK`` (both halves required); else ``DATAARTS_TOKEN``;
* ``project_id`` and ``security_token`` (AK/SK only): argument, then
  ``HUAWEICLOUD_SDK_PROJECT_ID`` / ``HUAWEICLOUD_SDK_SECURITY_TOKEN``.

Empty values count as absent. An ``http://`` endpoint that is not a
loopback address is refused unless ``allow_insecure_http=True`` (see
:mod:`.transport_security`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from ..client import AuthenticatedClient, Client
from .errors import ConfigurationError
from .signing import AkSkAuth
from .transport_security import refuse_clear_text_credentials

__all__ = [
    "AK_ENV",
    "ENDPOINT_ENV",
    "PROJECT_ID_ENV",
    "PROJECT_ID_ENVS",
    "REGION_ENVS",
    "SECURITY_TOKEN_ENV",
    "SK_ENV",
    "TOKEN_ENV",
    "WORKSPACE_ENV",
    "client_from_env",
    "endpoint_for_region",
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
_REGION_RE = re.compile(r"^[a-z]{2,}(?:-[a-z]+)+-[0-9]+$")
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
    if not _REGION_RE.match(region):
        raise ConfigurationError(f"not a Huawei Cloud region ID: {region!r} (expected e.g. 'cn-north-4')")
    return REGION_ENDPOINTS.get(region) or ENDPOINT_TEMPLATE.format(region=region)


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value
    return None


def _endpoint(endpoint: str | None, region: str | None, environ: Mapping[str, str]) -> str:
    explicit = _first(endpoint, environ.get(ENDPOINT_ENV))
    if explicit:
        if not explicit.startswith(("https://", "http://")):
            raise ConfigurationError(f"the endpoint must be an http(s) URL (argument or {ENDPOINT_ENV})")
        return explicit.rstrip("/")
    chosen = _first(region, *(environ.get(name) for name in REGION_ENVS))
    if chosen is None:
        names = ", ".join((ENDPOINT_ENV, *REGION_ENVS))
        raise ConfigurationError(f"no endpoint: pass endpoint= or region=, or set one of {names}")
    return endpoint_for_region(chosen)


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
        ConfigurationError: no endpoint, no credentials, only one half of an
            AK/SK pair, a token together with an AK/SK, or an ``auth`` in
            ``httpx_args``. The message names variables, never values.
        InsecureTransportError: an ``http://`` endpoint off this machine
            without ``allow_insecure_http=True``.
    """
    env = os.environ if environ is None else environ
    base_url = _endpoint(endpoint, region, env)
    if token and (ak or sk):
        raise ConfigurationError("pass either token= or ak=/sk=, not both")
    resolved_ak = None if token else _first(ak, env.get(AK_ENV))
    resolved_sk = None if token else _first(sk, env.get(SK_ENV))
    if resolved_ak or resolved_sk:
        if not (resolved_ak and resolved_sk):
            missing = "secret key (sk= or " + SK_ENV + ")" if resolved_ak else "access key (ak= or " + AK_ENV + ")"
            raise ConfigurationError(f"AK/SK auth needs both halves; the {missing} is missing")
        httpx_args = dict(client_kwargs.pop("httpx_args", None) or {})
        if "auth" in httpx_args:
            raise ConfigurationError("client_from_env sets the auth itself: do not pass httpx_args['auth']")
        refuse_clear_text_credentials(base_url, "AK/SK signatures", allow_insecure_http=allow_insecure_http)
        httpx_args["auth"] = AkSkAuth(
            resolved_ak,
            resolved_sk,
            project_id=_first(project_id, env.get(PROJECT_ID_ENV)),
            security_token=_first(security_token, env.get(SECURITY_TOKEN_ENV)),
            allow_insecure_http=allow_insecure_http,
        )
        return Client(base_url, httpx_args=httpx_args, **client_kwargs)
    chosen_token = _first(token, env.get(TOKEN_ENV))
    if chosen_token:
        return token_client(base_url, chosen_token, allow_insecure_http=allow_insecure_http, **client_kwargs)
    raise ConfigurationError(
        f"no credentials: pass token= or ak= and sk=, or set {TOKEN_ENV}, or {AK_ENV} and {SK_ENV}"
    )
