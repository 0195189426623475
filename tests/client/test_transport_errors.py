"""Failures in transit say what happened, where and what to do; those another attempt cannot cure are not retried.

The chains are httpx's own: ``httpx.ConnectError`` from ``httpcore.ConnectError``
from the socket's ``OSError`` or ``ssl.SSLError``. Where a real failure can be
had on 127.0.0.1 (a plain-HTTP server asked for TLS, a header value httpx
refuses, a refused connection) it is real; an untrusted certificate and a
name that does not resolve are built as httpx chains them (no certificate
tooling, no DNS traffic).
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import FrozenInstanceError

import httpcore
import httpx
import pytest

from dataarts_export_client.lib import (
    ConfigurationError,
    DataArtsError,
    NetworkError,
    RetryPolicy,
    token_client,
    wait_for_export,
)
from dataarts_export_client.lib.decisions import ExportPoller, ExportStarter
from dataarts_export_client.lib.transport_errors import Diagnosis, diagnose, request_url

from .client_fakes import PROJECT_ID, UUID, WORKSPACE

POLICY = RetryPolicy(jitter="none", retry_interval=0.01, max_retry_interval=0.01, max_retries=3)
TOKEN = "MIIE-token-value-for-tests"


def chained(error: httpx.TransportError, cause: BaseException) -> httpx.TransportError:
    """``error`` raised from httpcore's error raised from ``cause``, as httpx chains them."""
    try:
        try:
            raise cause
        except BaseException as low:
            raise httpcore.ConnectError(str(low)) from low
    except httpcore.ConnectError as middle:
        error.__cause__ = middle
    return error


def certificate_error(
    verify_message: str | None = "self-signed certificate", reason: str | None = "CERTIFICATE_VERIFY_FAILED"
) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    error.verify_message = verify_message  # type: ignore[assignment]  # None at run time too; typeshed says str
    error.reason = reason  # type: ignore[assignment]
    return error


def tls_error(reason: str | None) -> ssl.SSLError:
    error = ssl.SSLError(1, f"[SSL: {reason}]")
    error.reason = reason  # type: ignore[assignment]  # None at run time too; typeshed says str
    return error


# What OpenSSL reports when the other side does not speak TLS at all (a plain-HTTP service behind https://):
# its answer read as a TLS record (WRONG_VERSION_NUMBER; RECORD_LAYER_FAILURE from OpenSSL 3.2, PACKET_LENGTH_TOO_LONG
# for the length a plain-text answer makes), or a request in clear (HTTP_REQUEST).
NOT_TLS_REASONS = ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG")


def certificate_diagnosis(detail: str) -> Diagnosis:
    return Diagnosis(
        f"the server's TLS certificate was not accepted ({detail})",
        "check the endpoint's host name, or the certificates this machine trusts (SSL_CERT_FILE)",
        permanent=True,
    )


def handshake_diagnosis(detail: str) -> Diagnosis:
    return Diagnosis(
        f"the TLS handshake failed ({detail})",
        "the server and this client share no TLS version or cipher; check the endpoint",
        permanent=True,
    )


CASES: dict[str, tuple[httpx.TransportError, Diagnosis]] = {
    "refused": (
        chained(httpx.ConnectError("[Errno 111]"), ConnectionRefusedError(111, "Connection refused")),
        Diagnosis("connection refused", "is the service running at that address and port? Check the endpoint"),
    ),
    "dns": (
        chained(httpx.ConnectError("[Errno -2]"), socket.gaierror(-2, "Name or service not known")),
        Diagnosis("the host name could not be resolved", "check the endpoint or the region, and DNS"),
    ),
    "certificate": (
        chained(httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED]"), certificate_error()),
        certificate_diagnosis("self-signed certificate"),
    ),
    "certificate-without-message": (
        chained(httpx.ConnectError("verify"), certificate_error(None)),
        certificate_diagnosis("CERTIFICATE_VERIFY_FAILED"),
    ),
    "certificate-without-anything": (
        chained(httpx.ConnectError("verify"), certificate_error(None, None)),
        certificate_diagnosis("not trusted"),
    ),
    **{
        f"not-tls-{reason}": (
            chained(httpx.ConnectError(f"[SSL: {reason}]"), tls_error(reason)),
            Diagnosis(
                f"the server did not answer in TLS ({reason})",
                "is the endpoint http:// rather than https://? Use the scheme the service speaks",
                permanent=True,
            ),
        )
        for reason in NOT_TLS_REASONS
    },
    "tls-version": (
        chained(httpx.ConnectError("alert"), tls_error("TLSV1_ALERT_PROTOCOL_VERSION")),
        handshake_diagnosis("TLSV1_ALERT_PROTOCOL_VERSION"),
    ),
    "tls-unnamed": (chained(httpx.ConnectError("?"), tls_error(None)), handshake_diagnosis("SSLError")),
    "header": (
        httpx.LocalProtocolError("Illegal header value"),
        Diagnosis(
            "the request could not be sent: a header value holds a line break or another character HTTP forbids",
            "check the headers given to the client",
            permanent=True,
        ),
    ),
    "tls-cut-short": (
        chained(httpx.ConnectError("EOF"), ssl.SSLEOFError(8, "EOF occurred in violation of protocol")),
        Diagnosis("could not connect", "check the endpoint and the network"),
    ),
    "connect-timeout": (
        httpx.ConnectTimeout("timed out"),
        Diagnosis(
            "no connection within the timeout", "is the host reachable from here? A firewall or a proxy may drop it"
        ),
    ),
    "read-timeout": (
        httpx.ReadTimeout("timed out"),
        Diagnosis("no answer within the timeout", "the service is slow or the network loses packets"),
    ),
    "proxy": (
        httpx.ProxyError("407"),
        Diagnosis("the proxy failed or refused the request", "check HTTPS_PROXY / HTTP_PROXY"),
    ),
    "scheme": (
        httpx.UnsupportedProtocol("ftp"),
        Diagnosis("the URL is not http:// or https://", "check the endpoint", permanent=True),
    ),
    "cut": (
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        Diagnosis("the connection broke (RemoteProtocolError)", "the network or the service dropped it"),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_failure_is_told_apart(case: str) -> None:
    error, expected = CASES[case]
    assert diagnose(error) == expected


# The failures another attempt cannot cure, and only they, are not retried: a certificate this machine does not
# trust, a TLS handshake that fails for another reason than a broken connection (no common version, a server that
# does not speak TLS), a request httpx refuses to send and a scheme it does not speak.
NOT_RETRIED = frozenset(
    {
        "certificate",
        "certificate-without-message",
        "certificate-without-anything",
        *(f"not-tls-{reason}" for reason in NOT_TLS_REASONS),
        "tls-version",
        "tls-unnamed",
        "header",
        "scheme",
    }
)


@pytest.mark.parametrize("case", CASES)
def test_exactly_the_failures_another_attempt_cannot_cure_are_not_retried(case: str) -> None:
    """A refused connection, a name that does not resolve, a timeout, a proxy, a connection or handshake cut short:
    a poll is retried. ``Diagnosis.permanent`` says which, as a bool: a plain diagnosis is not permanent."""
    error, _ = CASES[case]
    permanent = case in NOT_RETRIED
    assert diagnose(error).permanent is permanent
    poller = ExportPoller(uuid=UUID, timeout=60, policy=RetryPolicy(max_retries=1), clock=lambda: 0.0)
    if permanent:
        with pytest.raises(DataArtsError):
            poller.after_transport_error(error)
    else:
        assert poller.after_transport_error(error).reason == f"{diagnose(error).what}, retry 1 of 1"


def test_a_diagnosis_is_an_immutable_value() -> None:
    """Equal by its contents (and a plain one equal to one said not permanent), hashable, frozen and slotted."""
    diagnosis = Diagnosis("connection refused", "check the endpoint")
    assert diagnosis == Diagnosis("connection refused", "check the endpoint", permanent=False)
    assert diagnosis != Diagnosis("connection refused", "check the endpoint", permanent=True)
    assert len({diagnosis, Diagnosis("connection refused", "check the endpoint")}) == 1
    with pytest.raises(FrozenInstanceError):
        diagnosis.permanent = True  # type: ignore[misc]
    assert not hasattr(diagnosis, "__dict__")


def test_a_chain_of_causes_that_loops_is_read_once() -> None:
    first, second = httpx.ConnectError("a"), httpcore.ConnectError("b")
    first.__cause__, second.__context__ = second, first
    assert diagnose(first) == Diagnosis("could not connect", "check the endpoint and the network")


def test_the_url_is_shown_without_user_name_or_password() -> None:
    error = httpx.ConnectError("refused", request=httpx.Request("GET", "https://me:pass@dayu.example.com/v2/x?uuid=1"))
    assert request_url(error) == "https://dayu.example.com/v2/x?uuid=1"
    assert request_url(httpx.ConnectError("refused")) is None


class Listener:
    """A TCP server on 127.0.0.1 that answers any first bytes with a plain-HTTP 400 (no TLS); records what came."""

    def __init__(self, port: int, received: list[bytes], idle: threading.Event) -> None:
        self.port, self.received, self._idle = port, received, idle

    def settled(self) -> list[bytes]:
        """What came, once every connection made so far has been accepted and read."""
        self._idle.clear()
        assert self._idle.wait(timeout=5)
        return self.received


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.05)
    received: list[bytes] = []
    stop, idle = threading.Event(), threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                idle.set()  # nothing was waiting to be accepted
                continue
            with connection:
                received.append(connection.recv(4096))
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield Listener(server.getsockname()[1], received, idle)
    stop.set()
    thread.join(timeout=5)
    server.close()


def test_https_to_a_plain_http_service_is_not_retried_and_says_so(listener: Listener) -> None:
    port = listener.port
    client = token_client(f"https://127.0.0.1:{port}", TOKEN)
    with pytest.raises(NetworkError) as caught:
        wait_for_export(client, project_id=PROJECT_ID, workspace=WORKSPACE, uuid=UUID, timeout=30, policy=POLICY)
    assert len(listener.settled()) == 1, "one attempt: another cannot succeed"
    message = str(caught.value)
    assert message.startswith(f"GET export-result for {UUID} failed at https://127.0.0.1:{port}/v2/")
    assert "the server did not answer in TLS" in message
    assert "is the endpoint http:// rather than https://?" in message
    assert message.endswith("(not retried: another attempt cannot succeed)")


def test_a_header_value_httpx_refuses_to_send_is_a_configuration_error_not_retried(listener: Listener) -> None:
    client = token_client(f"http://127.0.0.1:{listener.port}", TOKEN, headers={"X-Trace": "a\r\nInjected: 1"})
    with pytest.raises(ConfigurationError) as caught:
        wait_for_export(client, project_id=PROJECT_ID, workspace=WORKSPACE, uuid=UUID, timeout=30, policy=POLICY)
    assert listener.settled() == [b""], "one connection, closed with nothing sent, and no other attempt"
    assert "a header value holds a line break or another character HTTP forbids" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_an_untrusted_certificate_is_not_retried() -> None:
    attempts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise chained(httpx.ConnectError("certificate verify failed", request=request), certificate_error())

    client = token_client("https://dayu.example.com", TOKEN, httpx_args={"transport": httpx.MockTransport(refuse)})
    with pytest.raises(NetworkError) as caught:
        wait_for_export(client, project_id=PROJECT_ID, workspace=WORKSPACE, uuid=UUID, timeout=30, policy=POLICY)
    assert len(attempts) == 1
    assert "the server's TLS certificate was not accepted (self-signed certificate)" in str(caught.value)


REFUSED = CASES["refused"][0]


@pytest.mark.parametrize(
    ("retries", "message"),
    [
        (0, "failed: connection refused"),
        (1, "kept failing after 2 attempts: connection refused"),
    ],
)
def test_the_message_counts_the_attempts_when_there_were_several(retries: int, message: str) -> None:
    policy = RetryPolicy(max_retries=retries)
    poller = ExportPoller(uuid=UUID, timeout=60, policy=policy, clock=lambda: 0.0)
    starter = ExportStarter(timeout=60, policy=policy, clock=lambda: 0.0)
    for _ in range(retries):
        poller.after_transport_error(REFUSED)
        starter.after_transport_error(REFUSED)
    with pytest.raises(NetworkError) as polled:
        poller.after_transport_error(REFUSED)
    with pytest.raises(NetworkError) as started:
        starter.after_transport_error(REFUSED)
    advice = "; is the service running at that address and port? Check the endpoint"
    assert str(polled.value) == f"GET export-result for {UUID} {message}{advice}"
    assert str(started.value) == f"POST export-model {message}{advice}"
