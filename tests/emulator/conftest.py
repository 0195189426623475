"""Fixtures of the emulator suite; the helpers behind them live in :mod:`support`.

``api`` and ``make_client`` talk to ``create_app`` in process
(httpx.ASGITransport) through :class:`SpecCheckingTransport`, so every answer
of every HTTP test is checked against the spec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from dataarts_emulator import EmulatorApp, EmulatorSettings, create_app

from .support import ClientFactory, FakeClock, SpecCheckingTransport


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings() -> EmulatorSettings:
    """Deterministic settings; tests override with ``dataclasses.replace``."""
    return EmulatorSettings(export_seconds=10.0, seed=7)


@pytest.fixture
async def make_client(clock: FakeClock) -> AsyncIterator[ClientFactory]:
    """Builds spec-checked clients for an app made from given settings (and the test's clock)."""
    clients: list[httpx.AsyncClient] = []

    def factory(
        settings: EmulatorSettings | None = None, *, allow_5xx: bool = False, app: EmulatorApp | None = None, **kw: Any
    ) -> httpx.AsyncClient:
        target = app or create_app(settings or EmulatorSettings(export_seconds=10.0, seed=7), clock=clock)
        transport = SpecCheckingTransport(httpx.ASGITransport(app=target), allow_5xx=allow_5xx)
        client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000", **kw)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
async def api(make_client: ClientFactory, settings: EmulatorSettings) -> httpx.AsyncClient:
    """A spec-checked client of an emulator with the ``settings`` fixture and the ``clock`` fixture."""
    return make_client(settings)
