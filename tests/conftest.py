"""Suite-wide fixtures and isolation.

Importing Huawei's official SDK writes ``$HOME/.huaweicloud/application_id``;
the suite points ``HOME`` at a private temporary directory before anything
imports it, so tests never touch the real home directory.

Every test also watches the emulator's logger: when an emulator in this
process (in-process app or ``serve()`` thread) hits its internal-error path
(an unexpected exception, answered 500 ``EMU.0500``), the test fails, even if
its own assertions passed. Tests that provoke that path on purpose carry
``@pytest.mark.emulator_internal_error``.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dataarts_emulator.app import LOGGER_NAME
from dataarts_emulator.exceptions import InternalError

_HOME = tempfile.mkdtemp(prefix="dataarts-tests-home-")
os.environ["HOME"] = _HOME

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top directory."""
    return ROOT


@pytest.fixture(scope="session")
def spec_path() -> Path:
    """The hand-written spec, the single source of truth."""
    return ROOT / "openapi.yaml"


class _InternalErrorWatch(logging.Handler):
    """Keeps the emulator's internal-error records (those tagged with ``InternalError.error_code``)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "error_code", None) == InternalError.error_code:
            self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_emulator_internal_error(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when an emulator crashed while it ran (see the module docstring)."""
    watch = _InternalErrorWatch()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(watch)
    try:
        yield
    finally:
        logger.removeHandler(watch)
    if watch.records and request.node.get_closest_marker("emulator_internal_error") is None:
        first = watch.records[0]
        pytest.fail(
            f"the emulator answered {InternalError.status} {InternalError.error_code} {len(watch.records)} time(s): "
            f"{first.getMessage()}\n{logging.Formatter().formatException(first.exc_info) if first.exc_info else ''}",
            pytrace=False,
        )
