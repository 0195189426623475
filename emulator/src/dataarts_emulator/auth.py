"""Authentication (401) and tenant authorisation (403), as Huawei's API gateway does them.

Two ways in: an IAM token in ``X-Auth-Token``, or an ``SDK-HMAC-SHA256``
signature. The signature is verified by rebuilding the canonical request from
what was received, with the very functions the client signs with
(:mod:`dataarts_export_client.lib.signing`), so the emulator can never accept a
signature the real algorithm would reject, nor the other way round.

Authentication answers "who is this?" (401 when nobody); :class:`Authorizer`
answers "may they touch this project and workspace?": 403 when not, except
for a workspace that does not exist at all, which DataArts Architecture
answers ``400 DLG.0818`` (docs/fidelity.md F-WS-1). Which workspaces exist is
modelled per project across tenants: every workspace that some configured
tenant of the project lists (F-WS-2). The HTTP layer runs them with request
validation in between.

The 401 messages follow those Huawei documents for ``APIG.0301`` (F-AUTH-*);
where no document words a cause, the message is the emulator's own.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dataarts_export_client.lib.redaction import mask_access_key
from dataarts_export_client.lib.signing import (
    ALGORITHM,
    CONTENT_HASH_HEADER,
    DATE_FORMAT,
    DATE_HEADER,
    EMPTY_BODY_HASH,
    UNSIGNED_PAYLOAD,
    canonical_request,
    parse_authorization,
    signature,
    string_to_sign,
)

from .exceptions import Forbidden, Unauthorized, WorkspaceNotFound
from .models import Clock
from .settings import AccessKey, EmulatorSettings, Tenant


@dataclass(frozen=True)
class ReceivedRequest:
    """What authentication needs of a request, independent of any web framework.

    ``raw_path`` is the path as sent (percent-encoding kept), ``query`` the
    decoded pairs in order, ``headers`` keyed by lower-case name with values
    decoded as UTF-8 (the SDK signs the text, then sends its UTF-8 bytes).
    """

    method: str
    raw_path: str
    query: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the tenant and how it proved itself."""

    tenant: Tenant
    method: str  # "token" or "aksk"
    access_key: str | None = None


def _as_bytes(text: str) -> bytes:
    return text.encode(errors="surrogateescape")  # UTF-8, keeping undecodable header bytes comparable


@dataclass
class _Lockout:
    failures: int = 0
    locked_until: float = 0.0


class Authenticator:
    """Checks tokens and AK/SK signatures against the settings' tenants.

    More than ``lockout_failures`` consecutive failures of one access key lock
    it for ``lockout_seconds`` (0 failures disables locking). Only configured
    access keys are tracked, so the bookkeeping never grows with what callers send.
    """

    def __init__(self, settings: EmulatorSettings, clock: Clock) -> None:
        tenants = settings.tenants
        self._tokens: list[tuple[bytes, Tenant]] = [
            (_as_bytes(token), tenant) for tenant in tenants for token in tenant.tokens
        ]
        self._keys: dict[str, tuple[AccessKey, Tenant]] = {
            key.ak: (key, tenant) for tenant in tenants for key in tenant.access_keys
        }
        self._clock = clock
        self._window = settings.date_window_seconds
        self._max_failures = settings.lockout_failures
        self._lockout_seconds = settings.lockout_seconds
        self._lockouts: dict[str, _Lockout] = {}
        self._lock = threading.Lock()

    def authenticate(self, request: ReceivedRequest) -> Principal:
        """The caller, or :class:`Unauthorized` saying why not (an unknown AK masked)."""
        token = request.headers.get("x-auth-token")
        if token is not None:
            return self._authenticate_token(token)
        authorization = request.headers.get("authorization")
        if authorization is not None:
            return self._authenticate_signature(request, authorization)
        raise Unauthorized("x-auth-token not found")

    def _authenticate_token(self, token: str) -> Principal:
        presented = _as_bytes(token.strip())
        found: Tenant | None = None
        # Compare against every token, found or not, so timing says nothing about which matched.
        for known, tenant in self._tokens:
            if hmac.compare_digest(presented, known) and found is None:
                found = tenant
        if found is None:
            raise Unauthorized("decrypt token fail")
        return Principal(found, "token")

    def _authenticate_signature(self, request: ReceivedRequest, authorization: str) -> Principal:
        parsed = parse_authorization(authorization)
        if parsed is None:
            raise Unauthorized(f"Authorization is not a valid {ALGORITHM} header")
        access_key, signed_headers, presented = parsed
        entry = self._keys.get(access_key)
        if entry is None:
            raise Unauthorized(f"Get secretKey failed,ak:{mask_access_key(access_key)},err:ak not exist")
        key, tenant = entry
        now = self._clock()
        with self._lock:
            lockout = self._lockouts.setdefault(access_key, _Lockout())
            if self._max_failures and lockout.locked_until > now:
                raise Unauthorized("AK access failed to reach the limit,forbidden")
        try:
            self._verify(request, key, signed_headers, presented, now)
        except Unauthorized:
            with self._lock:
                lockout.failures += 1
                if self._max_failures and lockout.failures > self._max_failures:
                    lockout.locked_until = now + self._lockout_seconds
                    lockout.failures = 0
            raise
        with self._lock:
            lockout.failures = 0
        return Principal(tenant, "aksk", access_key)

    def _verify(
        self, request: ReceivedRequest, key: AccessKey, signed_headers: list[str], presented: str, now: float
    ) -> None:
        sdk_date = request.headers.get(DATE_HEADER.lower())
        if sdk_date is None:
            raise Unauthorized(f"{DATE_HEADER} not found")
        try:
            signed_at = datetime.strptime(sdk_date.strip(), DATE_FORMAT).replace(tzinfo=UTC).timestamp()
        except ValueError:
            raise Unauthorized(f"{DATE_HEADER} is not in the format YYYYMMDDTHHMMSSZ") from None
        if abs(now - signed_at) > self._window:
            raise Unauthorized("verify aksk signature fail, signature expired")
        if key.security_token is not None:
            sent = request.headers.get("x-security-token")
            if sent is None or not hmac.compare_digest(_as_bytes(sent.strip()), _as_bytes(key.security_token)):
                raise Unauthorized("verify security token fail")
        elif "x-security-token" in request.headers:
            raise Unauthorized("security token sent with a permanent access key")
        missing = [name for name in signed_headers if name not in request.headers]
        if missing:
            raise Unauthorized("verify aksk signature fail, signed headers do not match the request")
        canonical = canonical_request(
            request.method,
            request.raw_path,
            request.query,
            request.headers,
            signed_headers,
            received_body_hash(request.body, request.headers),
        )
        expected = signature(key.sk, string_to_sign(canonical, sdk_date.strip()))
        if not hmac.compare_digest(_as_bytes(presented), _as_bytes(expected)):
            raise Unauthorized("verify aksk signature fail")


def received_body_hash(body: bytes, headers: Mapping[str, str]) -> str:
    """The body hash the SDK signed: empty-body hash, ``UNSIGNED-PAYLOAD`` when declared, else SHA-256."""
    if not body:
        return EMPTY_BODY_HASH
    declared = headers.get(CONTENT_HASH_HEADER.lower())
    if declared is not None and declared.strip() == UNSIGNED_PAYLOAD:
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(body).hexdigest()


class Authorizer:
    """Grants a caller its own project and workspaces; tells a workspace not granted from one that does not exist.

    A workspace exists in a project when some tenant of that project lists
    it: another tenant's workspace is refused 403, a workspace no tenant has
    is answered ``400 DLG.0818``, as the live service answers it.
    """

    def __init__(self, tenants: Sequence[Tenant]) -> None:
        workspaces: dict[str, set[str]] = {}
        for tenant in tenants:
            workspaces.setdefault(tenant.project_id, set()).update(tenant.workspaces)
        self._workspaces = {project: frozenset(names) for project, names in workspaces.items()}

    def authorize(self, principal: Principal, project_id: str, workspace: str, x_project_id: str | None) -> None:
        """Raise :class:`Forbidden` or :class:`WorkspaceNotFound` unless the caller's tenant owns both.

        The project is checked first, so a caller learns nothing about the workspaces of a project not theirs.
        """
        tenant = principal.tenant
        if project_id != tenant.project_id or (x_project_id is not None and x_project_id != tenant.project_id):
            raise Forbidden("The credentials do not grant access to this project.")
        if workspace not in self._workspaces[project_id]:
            raise WorkspaceNotFound
        if workspace not in tenant.workspaces:
            raise Forbidden("No permission to access this workspace.")
