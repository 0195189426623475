"""ExportStarter, without I/O: which failures of the starting POST are retried, with and without retry_start."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from dataarts_export_client.lib import ExportTimeout, NetworkError, ServerError, ThrottledError
from dataarts_export_client.lib.decisions import ExportStarter, Wait

from .client_fakes import SCRIPTED_POLICY, UUID

ERROR_BODY = json.dumps({"error_code": "APIG.0202", "error_msg": "backend unavailable", "data": {}}).encode()
JSON = {"content-type": "application/json"}


def starter(*, retry_start: bool = True, now: list[float] | None = None) -> ExportStarter:
    clock = now or [0.0]
    policy = replace(SCRIPTED_POLICY, retry_start=retry_start)
    return ExportStarter(timeout=60.0, policy=policy, clock=lambda: clock[0])


def test_a_200_gives_the_uuid() -> None:
    body = json.dumps({"data": {"uuid": UUID}}).encode()
    assert starter().after_answer(200, JSON, body) == UUID


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_gateway_failures_are_retried_by_default(status: int) -> None:
    assert isinstance(starter().after_answer(status, JSON, ERROR_BODY), Wait)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_without_retry_start_a_5xx_is_raised_at_once(status: int) -> None:
    with pytest.raises(ServerError):
        starter(retry_start=False).after_answer(status, JSON, ERROR_BODY)


def test_without_retry_start_a_429_is_still_retried() -> None:
    assert isinstance(starter(retry_start=False).after_answer(429, JSON, ERROR_BODY), Wait)


def test_retry_after_is_honoured_for_a_5xx_too() -> None:
    step = starter().after_answer(503, {**JSON, "retry-after": "7"}, ERROR_BODY)
    assert step == Wait(7.0, "HTTP 503 starting the export, retry 1 of 3")


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("no answer"),
        httpx.ReadError("connection reset"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("closed"),
        httpx.PoolTimeout("busy"),
    ],
)
def test_failures_in_transit_are_retried_by_default(exc: httpx.TransportError) -> None:
    assert isinstance(starter().after_transport_error(exc), Wait)


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("no answer"), httpx.ReadError("reset"), httpx.RemoteProtocolError("closed")]
)
def test_without_retry_start_only_a_failure_to_connect_is_retried(exc: httpx.TransportError) -> None:
    with pytest.raises(NetworkError):
        starter(retry_start=False).after_transport_error(exc)
    assert isinstance(starter(retry_start=False).after_transport_error(httpx.ConnectError("refused")), Wait)


def test_an_unsupported_protocol_is_not_retried() -> None:
    with pytest.raises(NetworkError):
        starter().after_transport_error(httpx.UnsupportedProtocol("ftp://"))


def test_the_retry_budget_is_bounded() -> None:
    decide = starter()
    for _ in range(SCRIPTED_POLICY.max_retries):
        assert isinstance(decide.after_answer(429, JSON, ERROR_BODY), Wait)
    with pytest.raises(ThrottledError):
        decide.after_answer(429, JSON, ERROR_BODY)


def test_past_the_deadline_the_start_times_out_without_a_uuid() -> None:
    now = [0.0]
    decide = starter(now=now)
    now[0] = 60.0
    with pytest.raises(ExportTimeout) as caught:
        decide.after_answer(502, JSON, ERROR_BODY)
    assert caught.value.uuid is None
    assert isinstance(caught.value.__cause__, ServerError)
