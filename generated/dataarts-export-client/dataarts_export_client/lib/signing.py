"""Huawei Cloud AK/SK request signing (``SDK-HMAC-SHA256``).

The algorithm mirrors ``huaweicloudsdkcore.signer.Signer`` byte for byte, so a
request signed here verifies wherever the official SDK's requests verify. The
pure functions (canonical request, string to sign, signature) are public
because a server needs exactly the same steps to verify a signature: the
emulator imports them rather than keeping a second copy of the algorithm.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote

import httpx

from .errors import ConfigurationError
from .redaction import mask_access_key
from .transport_security import refuse_clear_text_credentials

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
CONTENT_HASH_HEADER = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_BODY_HASH = hashlib.sha256(b"").hexdigest()

# Headers that proxies and transports may add, drop or rewrite: signing them
# would make a correct signature fail in transit.
UNSIGNED_HEADERS = frozenset(
    {"authorization", "connection", "content-length", "accept-encoding", "transfer-encoding", "keep-alive", "te"}
)

_AUTHORIZATION_RE = re.compile(
    rf"^{ALGORITHM} Access=(?P<access>[^,\s]+), SignedHeaders=(?P<signed>[^,\s]+), Signature=(?P<signature>[0-9a-f]+)$"
)


def _encode(value: str) -> str:
    """URL-encode as the SDK does: everything but unreserved characters and ``~``."""
    return quote(value, safe="~")  # pragma: no mutate (equivalent: letters are never quoted, "XX~XX" is "~")


@functools.lru_cache(maxsize=256)
def canonical_uri(path: str) -> str:
    """Each segment of the (decoded) path URL-encoded, always ending in ``/``.

    Remembered for the last 256 paths seen: a client signs the same path (a poll's) again and again.
    """
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Decoded query pairs, sorted by name then value, URL-encoded and joined by ``&``."""
    return "&".join(f"{_encode(name)}={_encode(value)}" for name, value in sorted(pairs))


def signed_header_names(headers: Iterable[str]) -> list[str]:
    """Lower-cased names of the headers to sign, sorted; names with ``_`` are never signed (SDK rule)."""
    names = {name.lower() for name in headers}
    return sorted(name for name in names if "_" not in name and name not in UNSIGNED_HEADERS)


def is_unsigned_payload_type(content_type: str | None) -> bool:
    """Whether the SDK leaves a body of this ``Content-Type`` unhashed (anything but JSON and BSON).

    The SDK decides this on the ``Content-Type`` alone, with or without a body,
    and then sends ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` (a signed header).
    """
    return bool(content_type) and not str(content_type).startswith(("application/json", "application/bson"))


def payload_hash(body: bytes, content_type: str | None, content_sha256: str | None = None) -> str:
    """The body hash of the canonical request, as the SDK computes it.

    An empty body always hashes as the empty string. Otherwise a declared
    ``X-Sdk-Content-Sha256`` value (``content_sha256``) is taken as is, which
    is how the SDK and the gateway skip hashing large or non-JSON bodies;
    without one, non-JSON bodies are ``UNSIGNED-PAYLOAD`` and JSON bodies are
    hashed.
    """
    if not body:
        return EMPTY_BODY_HASH
    if content_sha256:
        return content_sha256
    if is_unsigned_payload_type(content_type):
        return UNSIGNED_PAYLOAD
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body_hash: str,
) -> str:
    """The canonical request: method, URI, query, headers, signed names and body hash, one per line.

    ``headers`` must be keyed by lower-case name and hold every name of
    ``signed_headers``; values are trimmed as the SDK trims them.
    """
    header_lines = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            header_lines,
            ";".join(signed_headers),
            body_hash,
        ]
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    """The algorithm, the ``X-Sdk-Date`` value and the hex SHA-256 of the canonical request."""
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, to_sign: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the secret key."""
    return hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def authorization_header(access_key: str, signed_headers: Sequence[str], signature_hex: str) -> str:
    """The ``Authorization`` header value."""
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed_headers)}, Signature={signature_hex}"


def parse_authorization(value: str) -> tuple[str, list[str], str] | None:
    """Split an ``Authorization`` value into (access key, signed header names, signature), or None."""
    match = _AUTHORIZATION_RE.match(value.strip())
    if match is None:
        return None
    return match["access"], match["signed"].split(";"), match["signature"]


def format_sdk_date(moment: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC (:data:`DATE_FORMAT`, written out: ``strftime`` costs three times as much)."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}{utc.month:02d}{utc.day:02d}T{utc.hour:02d}{utc.minute:02d}{utc.second:02d}Z"


def _utc_now() -> datetime:
    return datetime.now(UTC)  # pragma: no mutate (equivalent: format_sdk_date reads a naive now() as local time)


def _query_pairs(url: httpx.URL) -> list[tuple[str, str]]:
    """The decoded query pairs, as ``url.params`` decodes them (without building a ``QueryParams``)."""
    query = url.query.decode("ascii")  # pragma: no mutate (equivalent: codec names ignore case)
    return parse_qsl(query, keep_blank_values=True)


def combined_headers(raw: Iterable[tuple[bytes, bytes]], encoding: str) -> dict[str, str]:
    """Header lines as the signature covers them: by lower-case name, a repeated name's values joined by ``, ``.

    The signer and the verifier both read headers through this one function.
    The official signer takes one value per name (a dict), so a header sent
    on several lines is signed as its values joined in order by ``, ``: the
    one value RFC 9110 (section 5.3) says the lines are equivalent to, and
    what ``httpx.Headers.get`` returns for them. ``raw`` are the lines as
    sent (``httpx.Headers.raw``, or an ASGI scope's ``headers``), decoded
    with ``encoding``. For ``httpx.Headers`` this is what
    ``{name.lower(): value for name, value in headers.items()}`` gives,
    decoding once: ``httpx.Headers`` works out its text encoding anew for
    every item it returns.
    """
    merged: dict[str, str] = {}
    for raw_name, raw_value in raw:
        name, value = raw_name.lower().decode(encoding), raw_value.decode(encoding)
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


class AkSkAuth(httpx.Auth):
    """``httpx.Auth`` signing each request with a Huawei Cloud AK/SK pair.

    Pass it as ``auth=`` to ``httpx.Client`` or to the generated ``Client``
    (``httpx_args={"auth": AkSkAuth(...)}``). ``project_id`` adds the
    ``X-Project-Id`` header that multi-project AK/SK calls need;
    ``security_token`` adds ``X-Security-Token`` for temporary credentials.
    The secret key and the security token never appear in ``repr``.

    A request to a plain ``http://`` url beyond this machine raises
    :class:`~.errors.InsecureTransportError` instead of being signed and sent,
    unless ``allow_insecure_http`` is true (see :mod:`.transport_security`).
    """

    requires_request_body = True

    def __init__(
        self,
        ak: str,
        sk: str,
        *,
        project_id: str | None = None,
        security_token: str | None = None,
        clock: Callable[[], datetime] | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        if not ak or not sk:
            raise ConfigurationError("AkSkAuth needs a non-empty access key and secret key")
        self.ak = ak
        self._sk = sk
        self.project_id = project_id
        self._security_token = security_token
        self._clock = clock or _utc_now
        self.allow_insecure_http = allow_insecure_http

    def __repr__(self) -> str:
        token = ", security_token=***" if self._security_token else ""
        return f"AkSkAuth(ak={mask_access_key(self.ak)!r}, sk=***, project_id={self.project_id!r}{token})"

    def sign(self, request: httpx.Request) -> None:
        """Sign ``request`` in place, exactly as the official SDK signs the same request.

        Adds ``X-Project-Id`` (the credentials' project wins over a header
        already set, as in the SDK, because the AK/SK is scoped to it),
        ``X-Security-Token``, ``X-Sdk-Date`` (unless set),
        ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` for non-JSON content types (over a declared hash)
        and ``Authorization``. The query string is rewritten to its canonical
        form (sorted, ``%20`` for spaces) so that the bytes on the wire are
        the bytes that were signed: ``httpx`` encodes spaces as ``+``, which a
        verifier reading RFC 3986 would canonicalise as ``%2B``.
        """
        # Read and extended as a plain dict: every lookup in httpx.Headers scans and decodes all of them.
        headers = combined_headers(request.headers.raw, request.headers.encoding)
        added: dict[str, str] = {}
        if self.project_id:
            added["X-Project-Id"] = self.project_id
        if self._security_token:
            added["X-Security-Token"] = self._security_token
        sdk_date = headers.get(DATE_HEADER.lower())
        if sdk_date is None:
            sdk_date = added[DATE_HEADER] = format_sdk_date(self._clock())
        content_type = headers.get("content-type")
        if is_unsigned_payload_type(content_type):  # replacing any declared hash, as the SDK does
            added[CONTENT_HASH_HEADER] = UNSIGNED_PAYLOAD
        for name, value in added.items():
            request.headers[name] = value  # httpx's update() builds a Headers object and pops each name first
            headers[name.lower()] = value
        body, declared = request.content, headers.get(CONTENT_HASH_HEADER.lower())
        body_hash = payload_hash(body, content_type, declared)  # pragma: no mutate (equivalent: non-JSON is declared)
        names = signed_header_names(headers)
        pairs = _query_pairs(request.url)
        query = canonical_query(pairs)
        wire_query = query.encode("ascii")  # pragma: no mutate (equivalent: codec names ignore case)
        if request.url.query != wire_query:
            request.url = request.url.copy_with(query=wire_query or None)
        wire = request.url.raw_path.decode("ascii")  # pragma: no mutate (equivalent: codec names ignore case)
        raw_path = wire.split("?", 1)[0]  # pragma: no mutate (equivalent: the canonical query holds no "?")
        canonical = canonical_request(request.method, raw_path, pairs, headers, names, body_hash)
        request.headers["Authorization"] = authorization_header(
            self.ak, names, signature(self._sk, string_to_sign(canonical, sdk_date))
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        refuse_clear_text_credentials(request.url, "AK/SK signatures", allow_insecure_http=self.allow_insecure_http)
        self.sign(request)
        yield request
