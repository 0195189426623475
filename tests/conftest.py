"""Suite-wide fixtures and isolation.

Importing Huawei's official SDK writes ``$HOME/.huaweicloud/application_id``;
:mod:`tests.hygiene` points ``HOME`` (and ``TMPDIR``) at a private temporary
folder when the session starts, before any test module imports it, so tests
never touch the real home directory; at the end it fails the session if a
test left a temporary file, a process or a listening socket behind, and
removes the folder.

Emulators come from the emulator's pytest plugin (``dataarts_emulator``,
``dataarts_client``, ...; :mod:`dataarts_emulator.pytest_plugin`), which also
watches every test: when an emulator in this process (in-process app or
server thread) hits its internal-error path (an unexpected exception,
answered 500 ``EMU.0500``), the test fails, even if its own assertions
passed. Tests that provoke that path on purpose carry
``@pytest.mark.emulator_internal_error``.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

pytest_plugins = ("tests.hygiene",)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top directory."""
    return ROOT


@pytest.fixture(scope="session")
def spec_path() -> Path:
    """The hand-written spec, the single source of truth."""
    return ROOT / "openapi.yaml"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failing test that pins facts of docs/fidelity.md (``@pytest.mark.fact``) names them in its report."""
    report: pytest.TestReport = yield
    facts = [fact for marker in item.iter_markers("fact") for fact in marker.args]
    if report.failed and facts:
        named = ", ".join(dict.fromkeys(facts))
        report.sections.append(("fidelity facts", f"this test pins {named} of docs/fidelity.md, which it now breaks"))
    return report
