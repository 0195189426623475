"""Stateful local emulator of DataArts Studio's Excel export API.

Public interface (kept stable for the client and contract suites):

- :func:`create_app` — the ASGI app (an :class:`EmulatorApp`) for given :class:`EmulatorSettings`;
- :class:`EmulatorSettings`, :class:`Tenant`, :class:`AccessKey` — configuration;
- :func:`dataarts_emulator.testing.serve` — run it on a free local port in a thread.
"""

from .app import EmulatorApp, create_app
from .settings import (
    DEMO_AK,
    DEMO_PROJECT_ID,
    DEMO_SK,
    DEMO_TENANT,
    DEMO_TOKEN,
    DEMO_WORKSPACE,
    AccessKey,
    EmulatorSettings,
    Tenant,
)

__all__ = [
    "DEMO_AK",
    "DEMO_PROJECT_ID",
    "DEMO_SK",
    "DEMO_TENANT",
    "DEMO_TOKEN",
    "DEMO_WORKSPACE",
    "AccessKey",
    "EmulatorApp",
    "EmulatorSettings",
    "Tenant",
    "create_app",
]
