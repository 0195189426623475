"""Test doubles for the client helpers: a scripted ``httpx.MockTransport``, a fake clock, breaking streams.

Nothing here opens a socket or really sleeps: the scripted transport answers
from a list, and the fake clock advances when the helpers "sleep". Also the
settings a command-line test runs with, and the credentials the signing
tests sign with.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, NoReturn

import httpx
import pytest

from dataarts_emulator import DEMO_PROJECT_ID, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.lib import RetryPolicy
from dataarts_export_client.lib.environment import (
    AK_ENV,
    ENDPOINT_ENV,
    PROJECT_ID_ENVS,
    REGION_ENVS,
    SECURITY_TOKEN_ENV,
    SK_ENV,
    TOKEN_ENV,
    WORKSPACE_ENV,
)

BASE_URL = "http://127.0.0.1:9"
PROJECT_ID = "0833a5737480d53b2f25c010dc1a7b88"
WORKSPACE = "2ceb3c2b4b2d4b1c9d5a0a8b6a0c1e3f"
UUID = "fd653968-864b-45f6-9842-2b125d2dbfb7"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_UTF8 = "application/json;charset=UTF-8"

Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]

SCRIPTED_POLICY = RetryPolicy(jitter="none", retry_interval=0.5, max_retries=3, max_download_attempts=3)
"""No jitter and small budgets: scripted answers and the fake clock give exact sleeps."""

FAST_POLICY = RetryPolicy(poll_interval=0.05, max_poll_interval=0.2, retry_interval=0.01, max_retry_interval=0.05)
"""Short intervals for tests against a real emulator, which runs on real time."""

AK = "HPUAEXAMPLEAK0000000"
SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SIGNED_AT = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
"""An access key pair and a fixed signing time, for requests whose signature a test compares."""

SETTINGS_ENVS = (
    ENDPOINT_ENV,
    *REGION_ENVS,
    TOKEN_ENV,
    AK_ENV,
    SK_ENV,
    SECURITY_TOKEN_ENV,
    *PROJECT_ID_ENVS,
    WORKSPACE_ENV,
)
"""Every environment variable a setting of the client or the command line is read from (``lib.environment``)."""


def settings_only(
    monkeypatch: pytest.MonkeyPatch,
    endpoint: str,
    *,
    token: str = DEMO_TOKEN,
    project_id: str = DEMO_PROJECT_ID,
    workspace: str = DEMO_WORKSPACE,
) -> None:
    """An environment set up as a user sets it (endpoint, token, project and workspace: the emulator's demo
    tenant unless told otherwise) and holding no other setting, whatever the machine running the tests has."""
    for name in SETTINGS_ENVS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(ENDPOINT_ENV, endpoint)
    monkeypatch.setenv(TOKEN_ENV, token)
    monkeypatch.setenv(PROJECT_ID_ENVS[0], project_id)
    monkeypatch.setenv(WORKSPACE_ENV, workspace)


def failing(code: int) -> Callable[..., NoReturn]:
    """A stand-in for a system call that fails with ``code`` (``EACCES``: permission denied, ``EPERM``...)."""

    def fail(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise OSError(code, os.strerror(code))

    return fail


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class Script:
    """Answers requests from a list of responses, exceptions or handlers, in order; records every request."""

    def __init__(self, *steps: Step, repeat_last: bool = False) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.repeat_last = repeat_last

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.steps:
            raise AssertionError(f"unexpected extra request {request.method} {request.url}")
        step = self.steps[0] if self.repeat_last and len(self.steps) == 1 else self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return _fresh(step)
        return step(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def _fresh(response: httpx.Response) -> httpx.Response:
    """A copy of a prepared response, so that a repeated step can be streamed again."""
    stream = response.stream
    if isinstance(stream, BreakingStream):
        return httpx.Response(response.status_code, headers=response.headers, stream=stream.again())
    return httpx.Response(response.status_code, headers=response.headers, content=response.read())


def status(state: str = "importing", rate: str | None = "37", group: dict[str, Any] | None = None) -> httpx.Response:
    """A JSON status answer as the service sends it."""
    data: dict[str, Any] = {"status": state, "group": group}
    if rate is not None:
        data["rate"] = rate
    return httpx.Response(
        200, headers={"Content-Type": JSON_UTF8, "X-Request-Id": "req-status"}, content=json.dumps({"data": data})
    )


def workbook(
    body: bytes = b"PK\x03\x04 fake workbook",
    *,
    name: str | None = "dataarts-export.xlsx",
    disposition: str | None = None,
    content_type: str = XLSX,
    length: int | None = None,
) -> httpx.Response:
    """The file answer; ``length`` overrides the announced Content-Length."""
    headers = {"Content-Type": content_type, "X-Request-Id": "req-file"}
    if disposition is not None:
        headers["Content-Disposition"] = disposition
    elif name is not None:
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    headers["Content-Length"] = str(len(body) if length is None else length)
    return httpx.Response(200, headers=headers, content=body)


def error(
    status_code: int,
    *,
    code: str = "EMU.0404",
    msg: str = "The export task does not exist.",
    request_id: str | None = "req-err",
    retry_after: str | None = None,
) -> httpx.Response:
    """Huawei's JSON error answer."""
    headers = {"Content-Type": "application/json"}
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return httpx.Response(
        status_code, headers=headers, content=json.dumps({"error_code": code, "error_msg": msg, "data": {}})
    )


class BreakingStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that yields ``chunks`` and then fails with ``exc`` (a connection dropped mid-body)."""

    def __init__(self, chunks: list[bytes], exc: Exception) -> None:
        self.chunks = chunks
        self.exc = exc

    def again(self) -> BreakingStream:
        return BreakingStream(self.chunks, self.exc)

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise self.exc

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        raise self.exc


def breaking_workbook(exc: Exception, *, announced: int = 100) -> httpx.Response:
    """A file answer whose connection breaks after the first chunk."""
    headers = {"Content-Type": XLSX, "Content-Length": str(announced), "Content-Disposition": "attachment"}
    return httpx.Response(200, headers=headers, stream=BreakingStream([b"PK\x03\x04partial"], exc))


def client_for(script: Script, **kwargs: Any) -> Client:
    """A generated ``Client`` whose sync and async pools answer from ``script``."""
    transport = script.transport()
    return Client(BASE_URL, httpx_args={"transport": transport}, **kwargs)


def token_client_for(script: Script, token: str) -> AuthenticatedClient:
    """A generated ``AuthenticatedClient`` with Huawei's token header, answering from ``script``."""
    return AuthenticatedClient(
        BASE_URL,
        token=token,
        prefix="",
        auth_header_name="X-Auth-Token",
        httpx_args={"transport": script.transport()},
    )
