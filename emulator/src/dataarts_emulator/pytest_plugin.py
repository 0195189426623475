"""pytest plugin: test code that calls DataArts Studio against a local emulator, in one fixture.

Installed with the ``dataarts-emulator`` package (a ``pytest11`` entry
point), so a suite needs no conftest to use it:

* ``dataarts_emulator`` — a fresh emulator per test on a 127.0.0.1 port
  (:class:`~dataarts_emulator.harness.RunningEmulator`: ``base_url``,
  ``project_id``, ``workspace``, ``token``, ``ak``, ``sk``, ``env()``,
  ``advance(seconds)``, ``requests``). One server serves the whole session and
  each test gets a new app behind it, so fresh state costs about a
  millisecond, not a server start-up;
* ``@pytest.mark.dataarts_emulator(**settings)`` — that test's
  :class:`~dataarts_emulator.EmulatorSettings` fields (``fault_rate=0.2``,
  ``export_seconds=0``, ``tenants=(...)``), over the plugin's defaults
  :data:`DEFAULTS` (the emulator's own, but exports take 1 s and the seed is fixed);
* ``dataarts_emulator_session`` — one emulator with the defaults for the
  whole session, state kept across tests, for suites that only read;
* ``dataarts_client`` / ``dataarts_aksk_client`` — ready clients of
  ``dataarts_emulator`` (token, and AK/SK signed with the emulator's clock).

Every test is also watched for the emulator's own crash: when an emulator in
the test process answers 500 ``EMU.0500`` (a bug in the emulator, not an
injected fault), the test fails even if its assertions passed. A test that
provokes that on purpose carries ``@pytest.mark.emulator_internal_error``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator

import pytest

from dataarts_export_client import AuthenticatedClient, Client

from .app import LOGGER_NAME, create_app
from .exceptions import InternalError
from .harness import RunningEmulator, Switchboard, build, running_emulator
from .settings import ConfigError, EmulatorSettings
from .testing import serve_app

__all__ = ["DEFAULTS", "MARKER"]

MARKER = "dataarts_emulator"
CRASH_MARKER = "emulator_internal_error"
DEFAULTS = EmulatorSettings(export_seconds=1.0, seed=0)
"""The plugin's settings when a test gives none: quick exports and reproducible uuids, failures and faults."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(**settings): EmulatorSettings fields for this test's dataarts_emulator fixture"
    )
    config.addinivalue_line(
        "markers", f"{CRASH_MARKER}: the test provokes the emulator's internal error (500 EMU.0500) on purpose"
    )


def settings_for(node: pytest.Item) -> EmulatorSettings:
    """:data:`DEFAULTS` with the fields of the closest ``dataarts_emulator`` marker; a usage error names a bad one."""
    marker = node.get_closest_marker(MARKER)
    if marker is None:
        return DEFAULTS
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only (EmulatorSettings fields)")
    known = {item.name for item in dataclasses.fields(EmulatorSettings)}
    unknown = sorted(set(marker.kwargs) - known)
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: no such setting {unknown}; settings are {sorted(known)}")
    try:
        return dataclasses.replace(DEFAULTS, **marker.kwargs)
    except ConfigError as error:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {error}") from None


@pytest.fixture(scope="session")
def _dataarts_emulator_switchboard() -> Iterator[tuple[Switchboard, str]]:
    """The session's one server; each ``dataarts_emulator`` installs its own app behind it."""
    switchboard = Switchboard(create_app(DEFAULTS))
    with serve_app(switchboard) as base_url:
        yield switchboard, base_url


@pytest.fixture
def dataarts_emulator(
    request: pytest.FixtureRequest, _dataarts_emulator_switchboard: tuple[Switchboard, str]
) -> Iterator[RunningEmulator]:
    """A fresh emulator for this test, with the settings of its ``dataarts_emulator`` marker."""
    switchboard, base_url = _dataarts_emulator_switchboard
    emulator, recorder = build(settings_for(request.node), base_url)
    with switchboard.installed(recorder):
        try:
            yield emulator
        finally:
            emulator.close_clients()


@pytest.fixture(scope="session")
def dataarts_emulator_session() -> Iterator[RunningEmulator]:
    """One emulator with :data:`DEFAULTS` for the session: faster, but exports and requests stay between tests."""
    with running_emulator(DEFAULTS) as emulator:
        yield emulator


@pytest.fixture
def dataarts_client(dataarts_emulator: RunningEmulator) -> AuthenticatedClient:
    """A token client of ``dataarts_emulator`` (``X-Auth-Token``), for the generated operations and the helpers."""
    return dataarts_emulator.client()


@pytest.fixture
def dataarts_aksk_client(dataarts_emulator: RunningEmulator) -> Client:
    """An AK/SK-signing client of ``dataarts_emulator``."""
    return dataarts_emulator.aksk_client()


class _CrashWatch(logging.Handler):
    """Keeps the emulator's internal-error records (those tagged with ``InternalError.error_code``)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "error_code", None) == InternalError.error_code:
            self.records.append(record)


@pytest.fixture(autouse=True)
def _dataarts_emulator_crash_watch(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when an emulator in this process crashed while it ran (see the module docstring)."""
    watch = _CrashWatch()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(watch)
    try:
        yield
    finally:
        logger.removeHandler(watch)
    if watch.records and request.node.get_closest_marker(CRASH_MARKER) is None:
        first = watch.records[0]
        trace = logging.Formatter().formatException(first.exc_info) if first.exc_info else ""
        pytest.fail(
            f"the emulator answered {InternalError.status} {InternalError.error_code} {len(watch.records)} time(s): "
            f"{first.getMessage()}\n{trace}",
            pytrace=False,
        )
