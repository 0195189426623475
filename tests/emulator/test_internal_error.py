"""The emulator never disguises its own failure: a crash answers 500 ``EMU.0500``, is logged, and fails the suite.

The in-process test shows the answer and the log record; the mutation test
runs pytest on a scratch test whose handler raises, and shows that the
watch of the emulator's pytest plugin (:mod:`dataarts_emulator.pytest_plugin`,
active in every test) turns that test red unless it carries the
``emulator_internal_error`` marker.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dataarts_emulator import EmulatorSettings
from dataarts_emulator.app import LOGGER_NAME
from dataarts_emulator.responses import HANDLERS, Call

from .support import EXPORT_RESULT, TOKEN_HEADERS, ClientFactory

ROOT = Path(__file__).resolve().parents[2]


async def _broken_handler(backend: object, call: Call) -> None:
    raise RuntimeError("deliberate bug in a handler")


@pytest.mark.fact("F-EMU-7")
@pytest.mark.emulator_internal_error
async def test_a_crash_answers_500_emu_0500_and_logs_the_traceback(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(HANDLERS, "ExportDesignResult", _broken_handler)
    api = make_client(EmulatorSettings(), allow_5xx=True)
    with caplog.at_level(logging.ERROR, logger=LOGGER_NAME):
        response = await api.get(EXPORT_RESULT, params={"uuid": "x"}, headers=TOKEN_HEADERS)
    assert response.status_code == 500
    assert response.json()["error_code"] == "EMU.0500"
    assert "deliberate bug" not in response.text, "the traceback goes to the log, not to the caller"
    (record,) = [r for r in caplog.records if r.name == LOGGER_NAME]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert "deliberate bug in a handler" in caplog.text


SCRATCH_TEST = """
import httpx
import pytest

from dataarts_emulator import create_app
from dataarts_emulator.responses import HANDLERS
from tests.emulator.support import EXPORT_RESULT, TOKEN_HEADERS

MUTATE = {mutate}


async def broken(backend, call):
    raise RuntimeError("deliberate bug in a handler")


async def poll(monkeypatch):
    if MUTATE:
        monkeypatch.setitem(HANDLERS, "ExportDesignResult", broken)
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        return await client.get(EXPORT_RESULT, params={{"uuid": "x"}}, headers=TOKEN_HEADERS)


async def test_passes_on_its_own(monkeypatch):
    # Its own assertion holds whether the emulator crashed or not: only the watch can fail it.
    assert (await poll(monkeypatch)).status_code in {{400, 500}}


@pytest.mark.emulator_internal_error
async def test_opted_out(monkeypatch):
    assert (await poll(monkeypatch)).status_code in {{400, 500}}
"""


def run_scratch(tmp_path: Path, *, mutate: bool) -> subprocess.CompletedProcess[str]:
    """pytest on the scratch test, with the repository's settings and conftest (the watch comes with the plugin)."""
    scratch = tmp_path / "test_scratch_crash.py"
    scratch.write_text(textwrap.dedent(SCRATCH_TEST.format(mutate=mutate)), encoding="utf-8")
    options = ["-p", "tests.conftest", "-p", "no:cacheprovider", "-q", "-c", str(ROOT / "pyproject.toml")]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *options, "--rootdir", str(ROOT), str(scratch)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_a_crash_in_a_handler_turns_the_test_red(tmp_path: Path) -> None:
    healthy = run_scratch(tmp_path, mutate=False)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "2 passed" in healthy.stdout

    crashed = run_scratch(tmp_path, mutate=True)
    output = crashed.stdout + crashed.stderr
    assert crashed.returncode == 1, output
    assert "2 passed, 1 error" in output, "only the watch fails the test, at its teardown"
    assert "ERROR at teardown of test_passes_on_its_own" in output
    assert "the emulator answered 500 EMU.0500" in output
    assert "deliberate bug in a handler" in output, "the failure shows the emulator's traceback"
