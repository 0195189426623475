"""Seeded fault injection: 5xx, 429, latency and truncated downloads; never on /healthz."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from dataarts_emulator import EmulatorSettings
from dataarts_emulator.faults import FaultInjector
from dataarts_emulator.harness import RunningEmulator

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS, ClientFactory


async def statuses(api: httpx.AsyncClient, count: int) -> list[int]:
    return [(await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={})).status_code for _ in range(count)]


@pytest.mark.fact("F-ERR-8", "F-ERR-3", "F-EMU-8", "F-EMU-9")
async def test_fault_rate_one_answers_5xx_with_error_bodies(make_client: ClientFactory) -> None:
    api = make_client(EmulatorSettings(fault_rate=1.0, seed=1), allow_5xx=True)
    answers = [await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={}) for _ in range(30)]
    bodies = {answer.status_code: answer.json() for answer in answers}
    assert set(bodies) == {500, 502, 503}
    assert bodies[500] == {"error_code": "EMU.F500", "error_msg": "Internal server error (injected fault).", "data": {}}
    assert (bodies[502]["error_code"], bodies[502]["error_msg"]) == ("APIG.0202", "Backend unavailable.")
    assert "request_id" in bodies[502], "the gateway's shape"
    assert bodies[503]["error_code"] == "EMU.F503"
    assert (await api.get("/healthz")).status_code == 200


@pytest.mark.fact("F-LIMIT-1", "F-LIMIT-2", "F-LIMIT-3")
async def test_throttling_answers_429_with_retry_after_worded_as_the_gateway(make_client: ClientFactory) -> None:
    api = make_client(EmulatorSettings(throttle_rate=1.0, seed=1, retry_after_seconds=3))
    response = await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=TOKEN_HEADERS)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.json() == {
        "error_code": "APIG.0308",
        "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:240,time:1 minute",
        "request_id": response.headers["x-request-id"],
    }
    started = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={})
    assert started.json()["error_msg"].endswith("ratelimit,limit:120,time:1 minute")


async def test_faults_come_first_even_without_credentials(make_client: ClientFactory) -> None:
    api = make_client(EmulatorSettings(throttle_rate=1.0))
    assert (await api.post(EXPORT_MODEL, json={})).status_code == 429


async def test_same_seed_same_faults(make_client: ClientFactory) -> None:
    settings = EmulatorSettings(fault_rate=0.3, throttle_rate=0.2, seed=42)
    first = await statuses(make_client(settings, allow_5xx=True), 40)
    second = await statuses(make_client(settings, allow_5xx=True), 40)
    assert first == second
    counts = Counter(first)
    assert counts[200]
    assert counts[429]
    assert counts[500] + counts[502] + counts[503]
    other = await statuses(
        make_client(EmulatorSettings(fault_rate=0.3, throttle_rate=0.2, seed=43), allow_5xx=True), 40
    )
    assert other != first


async def test_latency_is_added(make_client: ClientFactory) -> None:
    api = make_client(EmulatorSettings(latency_ms=60))
    started = time.perf_counter()
    await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={})
    assert time.perf_counter() - started >= 0.06
    started = time.perf_counter()
    await api.get("/healthz")
    assert time.perf_counter() - started < 0.06


def test_truncate_decisions_are_seeded_and_bounded() -> None:
    def cuts(seed: int) -> list[int | None]:
        injector = FaultInjector(EmulatorSettings(truncate_rate=0.5, seed=seed))
        return [injector.plan_delivery(1000).cut for _ in range(20)]

    assert cuts(9) == cuts(9)
    assert cuts(9) != cuts(10)
    assert None in cuts(9)
    injector = FaultInjector(EmulatorSettings(truncate_rate=1.0, seed=1))
    assert all(1 <= (injector.plan_delivery(100).cut or 0) < 100 for _ in range(50))
    assert FaultInjector(EmulatorSettings(truncate_rate=0.0)).plan_delivery(100).plain
    assert FaultInjector(EmulatorSettings(truncate_rate=1.0)).plan_delivery(1).plain


@pytest.mark.dataarts_emulator(export_seconds=0, truncate_rate=1.0, seed=5)
def test_truncated_download_is_seen_as_incomplete_by_the_client(dataarts_emulator: RunningEmulator) -> None:
    with httpx.Client(base_url=dataarts_emulator.base_url, timeout=10) as client:
        started = client.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={"ids": ["1", "2"]})
        uuid = started.json()["data"]["uuid"]
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(EXPORT_RESULT, params={"uuid": uuid}, headers=TOKEN_HEADERS)
        # The emulator stays healthy afterwards.
        assert client.get("/healthz").status_code == 200
