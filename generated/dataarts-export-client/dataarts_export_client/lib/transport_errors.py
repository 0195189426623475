"""What a failure in transit means to the user: what happened, what to do about it, and whether retrying can help.

``httpx`` raises ``ConnectError`` for a refused connection, an unknown host
and a failed TLS handshake alike; the cause is in the exception's chain
(``__cause__`` / ``__context__``: httpcore's error, then the ``OSError`` or
``ssl.SSLError`` of the socket). :func:`diagnose` reads that chain once, so
that the retry decisions (:mod:`.decisions`) and the messages say the same
thing: "connection refused: is the service running at that address?",
never just ``ConnectError``.

Some failures cannot succeed on another attempt, and are not retried: a
certificate that is not trusted, a TLS handshake that fails for a reason
other than a broken connection (no common TLS version, or a server that does
not speak TLS at all, the classic ``https://`` endpoint of a plain-HTTP
service), a request httpx refuses to send (a header value with a line
break) and a URL scheme httpx does not speak.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

__all__ = ["Diagnosis", "diagnose", "request_url"]

# An SSL error that only says the connection ended during the handshake: the network's doing, worth retrying.
_BROKEN_TLS = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError)
# What OpenSSL says when the other side did not answer in TLS at all.
_NOT_TLS_REASONS = frozenset({"WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"})


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """``what`` happened and what to do (``advice``); ``permanent`` when another attempt cannot succeed."""

    what: str
    advice: str
    permanent: bool = False

    def __str__(self) -> str:
        return f"{self.what}; {self.advice}"


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and what caused it, following ``__cause__`` then ``__context__`` (each exception once)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def request_url(error: httpx.TransportError) -> str | None:
    """The URL the failed request went to, without user name or password; ``None`` when httpx did not record it."""
    try:
        url = error.request.url
    except RuntimeError:  # raised by httpx when the error carries no request
        return None
    return str(url.copy_with(userinfo=b""))  # pragma: no mutate (equivalent: httpx reads userinfo=None as empty)


def _tls_diagnosis(error: ssl.SSLError) -> Diagnosis:
    if isinstance(error, ssl.SSLCertVerificationError):
        detail = error.verify_message or error.reason or "not trusted"
        return Diagnosis(
            f"the server's TLS certificate was not accepted ({detail})",
            "check the endpoint's host name, or the certificates this machine trusts (SSL_CERT_FILE)",
            permanent=True,
        )
    reason = str(error.reason or "")
    if reason in _NOT_TLS_REASONS:
        return Diagnosis(
            f"the server did not answer in TLS ({reason})",
            "is the endpoint http:// rather than https://? Use the scheme the service speaks",
            permanent=True,
        )
    return Diagnosis(
        f"the TLS handshake failed ({reason or type(error).__name__})",
        "the server and this client share no TLS version or cipher; check the endpoint",
        permanent=True,
    )


def diagnose(error: httpx.TransportError) -> Diagnosis:  # noqa: PLR0911 - one return per kind of failure
    """What ``error`` means for the user, read from its chain of causes."""
    if isinstance(error, httpx.LocalProtocolError):
        return Diagnosis(
            "the request could not be sent: a header value holds a line break or another character HTTP forbids",
            "check the headers given to the client",
            permanent=True,
        )
    if isinstance(error, httpx.UnsupportedProtocol):
        return Diagnosis("the URL is not http:// or https://", "check the endpoint", permanent=True)
    causes = list(_chain(error))
    tls = next((cause for cause in causes if isinstance(cause, ssl.SSLError)), None)
    if tls is not None and not isinstance(tls, _BROKEN_TLS):
        return _tls_diagnosis(tls)
    if any(isinstance(cause, socket.gaierror) for cause in causes):
        return Diagnosis("the host name could not be resolved", "check the endpoint or the region, and DNS")
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return Diagnosis("connection refused", "is the service running at that address and port? Check the endpoint")
    if isinstance(error, httpx.ConnectTimeout):
        return Diagnosis(
            "no connection within the timeout", "is the host reachable from here? A firewall or a proxy may drop it"
        )
    if isinstance(error, httpx.TimeoutException):
        return Diagnosis("no answer within the timeout", "the service is slow or the network loses packets")
    if isinstance(error, httpx.ProxyError):
        return Diagnosis("the proxy failed or refused the request", "check HTTPS_PROXY / HTTP_PROXY")
    if isinstance(error, httpx.ConnectError):
        return Diagnosis("could not connect", "check the endpoint and the network")
    return Diagnosis(f"the connection broke ({type(error).__name__})", "the network or the service dropped it")
