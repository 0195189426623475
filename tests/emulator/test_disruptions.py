"""Faults beyond error answers: connection resets, HTML proxy pages, stalled and trickled downloads.

Each is seeded (same seed, same sequence), is seen by a real HTTP client the
way a bad network looks (the socket tests use the pytest plugin's
``dataarts_emulator``, a real server), and is never reported as the
emulator's own crash: the suite's watchdog would fail any of
these tests if the emulator logged ``EMU.0500``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import httpx
import pytest

from dataarts_emulator import EmulatorSettings, create_app
from dataarts_emulator.delivery import DeliveredResponse
from dataarts_emulator.exceptions import ConnectionReset, InjectedDisruption, ProxyPage
from dataarts_emulator.faults import Delivery, FaultInjector
from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.workbook import build_workbook

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS, read_raw

BODY = {"ids": ["1", "2", "3"], "type": "TABLE_MODEL", "asyn": False}
WORKBOOK = build_workbook(ExportRequest.from_body(BODY))


def outcomes(settings: EmulatorSettings, count: int) -> list[str]:
    """What each of ``count`` requests meets, by exception name ('ok' for none)."""
    injector, seen = FaultInjector(settings), []
    for _ in range(count):
        try:
            injector.check_request(240)
            seen.append("ok")
        except Exception as error:
            seen.append(type(error).__name__)
    return seen


def test_request_faults_are_seeded_and_each_kind_occurs() -> None:
    settings = EmulatorSettings(fault_rate=0.2, throttle_rate=0.1, reset_rate=0.2, proxy_page_rate=0.1, seed=3)
    first = outcomes(settings, 200)
    assert first == outcomes(settings, 200)
    assert first != outcomes(EmulatorSettings(**{**settings.__dict__, "seed": 4}), 200)
    assert {"ok", "Throttled", "ConnectionReset", "ProxyPage"} <= set(first)
    assert {"InjectedInternalError", "InjectedBadGateway", "InjectedUnavailable"} & set(first)


def test_new_faults_left_off_keep_the_old_sequences() -> None:
    old = EmulatorSettings(fault_rate=0.3, throttle_rate=0.2, truncate_rate=0.5, seed=8)
    assert outcomes(old, 50) == outcomes(EmulatorSettings(**{**old.__dict__, "stall_rate": 0.0}), 50)
    assert "ConnectionReset" not in outcomes(old, 200)


def test_delivery_plans_are_seeded_and_bounded() -> None:
    settings = EmulatorSettings(truncate_rate=0.3, stall_rate=0.3, trickle_rate=0.3, stall_seconds=4, seed=11)
    injector, again = FaultInjector(settings), FaultInjector(settings)
    plans = [injector.plan_delivery(500) for _ in range(100)]
    assert plans == [again.plan_delivery(500) for _ in range(100)]
    assert any(p.cut for p in plans)
    assert any(p.stall_at for p in plans)
    assert any(p.bytes_per_second for p in plans)
    assert any(p.plain for p in plans)
    for plan in plans:
        assert plan.cut is None or 1 <= plan.cut < 500
        assert plan.stall_at is None or (1 <= plan.stall_at < 500 and plan.stall_seconds == 4)
        assert plan.bytes_per_second in (None, settings.trickle_bytes_per_second)


def test_the_settings_refuse_request_fault_rates_over_one() -> None:
    with pytest.raises(ValueError, match="must not exceed 1"):
        EmulatorSettings(fault_rate=0.5, reset_rate=0.3, proxy_page_rate=0.3)


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Return once ``condition()`` holds (the server runs in another thread); fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def start(client: httpx.Client) -> str:
    return str(client.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=BODY).json()["data"]["uuid"])


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.mark.dataarts_emulator(reset_rate=1.0, seed=1)
def test_a_reset_drops_the_connection_without_any_answer(dataarts_emulator: RunningEmulator) -> None:
    errors = _Errors()
    server_logger = logging.getLogger("uvicorn.error")  # where uvicorn reports a failed or unanswered request
    server_logger.addHandler(errors)
    try:
        with httpx.Client(base_url=dataarts_emulator.base_url) as client:
            for _ in range(3):
                with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                    client.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=BODY)
            # uvicorn would log an unanswered request in the same loop step that records it, so once all three
            # are recorded, the next answer (the server's loop ran again) comes after any such log.
            wait_for(lambda: len(dataarts_emulator.requests) == 3)
            assert client.get("/healthz").status_code == 200  # never faulted; the server is fine
    finally:
        server_logger.removeHandler(errors)
    # No 500 and no "Exception in ASGI application" / "returned without starting response".
    assert errors.messages == []
    assert [request.status for request in dataarts_emulator.requests] == [None] * 3  # received, never answered


def test_in_process_a_reset_reaches_the_caller_as_the_exception() -> None:
    async def call() -> None:
        app = create_app(EmulatorSettings(reset_rate=1.0))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator") as client:
            await client.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=BODY)

    with pytest.raises(ConnectionReset):
        asyncio.run(call())
    assert issubclass(ConnectionReset, InjectedDisruption)
    assert issubclass(ProxyPage, InjectedDisruption)


async def test_a_proxy_page_is_a_200_html_answer() -> None:
    app = create_app(EmulatorSettings(proxy_page_rate=1.0, seed=1))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator") as client:
        for answer in [
            await client.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=BODY),
            await client.get(EXPORT_RESULT, params={"uuid": "x"}, headers=TOKEN_HEADERS),
        ]:
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/html")
            assert answer.text.startswith("<!DOCTYPE html>")
        assert (await client.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.dataarts_emulator(stall_rate=1.0, stall_seconds=30, seed=2)
def test_a_stalled_download_outlasts_a_read_timeout_after_part_of_the_file(dataarts_emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=dataarts_emulator.base_url, timeout=5) as client:
        uuid = start(client)
        timeout = httpx.Timeout(5, read=0.5)
        with client.stream("GET", EXPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS, timeout=timeout) as a:
            assert a.headers["content-length"] == str(len(WORKBOOK))
            received, error = read_raw(a)
        assert isinstance(error, httpx.ReadTimeout)
        assert 0 < len(received) < len(WORKBOOK)
        assert received == WORKBOOK[: len(received)]


@pytest.mark.dataarts_emulator(stall_rate=1.0, stall_seconds=0.3, seed=2)
def test_a_stalled_download_completes_for_a_patient_client(dataarts_emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=dataarts_emulator.base_url, timeout=5) as client:
        answer = client.get(EXPORT_RESULT, params={"uuid": start(client)}, headers=TOKEN_HEADERS)
        assert answer.content == WORKBOOK


PACE = 4000.0


@pytest.mark.dataarts_emulator(trickle_rate=1.0, trickle_bytes_per_second=PACE, seed=2)
def test_a_trickled_download_arrives_slowly_in_many_pieces(dataarts_emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=dataarts_emulator.base_url, timeout=5) as client:
        uuid = start(client)
        pieces, began = [], time.monotonic()
        with client.stream("GET", EXPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS) as answer:
            pieces = list(answer.iter_raw())
        took = time.monotonic() - began
    assert b"".join(pieces) == WORKBOOK
    assert len(pieces) > 10
    assert took >= 0.8 * (len(WORKBOOK) - len(pieces[0])) / PACE  # a lower bound: the pauses are sleeps


class _Leaving:
    """ASGI ``receive``/``send`` of a client that leaves after the first body message."""

    def __init__(self) -> None:
        self.sent: list[MutableMapping[str, Any]] = []
        self.left = asyncio.Event()

    async def receive(self) -> MutableMapping[str, Any]:
        await self.left.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.sent.append(message)
        if message["type"] == "http.response.body":
            self.left.set()


@pytest.mark.parametrize(
    "delivery", [Delivery(stall_at=10, stall_seconds=600), Delivery(bytes_per_second=1.0)], ids=["stall", "trickle"]
)
async def test_a_slow_delivery_stops_when_the_client_leaves(delivery: Delivery) -> None:
    peer = _Leaving()
    response = DeliveredResponse(WORKBOOK, delivery, 200, {}, "application/octet-stream")
    await asyncio.wait_for(response({"type": "http"}, peer.receive, peer.send), timeout=10)
    bodies = [m for m in peer.sent if m["type"] == "http.response.body"]
    assert len(bodies) == 1
    assert bodies[0]["more_body"] is True
