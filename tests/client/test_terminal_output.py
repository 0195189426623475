"""Nothing from the service reaches the terminal uninterpreted: one sanitiser for stdout, stderr and the progress bar.

The service is a ``MockTransport`` behind the CLI's own client (``client_for``
wrapped to add it), so any status, rate, message, log, request id or file
name can be sent. hypothesis sends all sorts; no control character, escape
sequence or rich markup may come out. A terminal is a text stream that says it
is one (``FakeTerminal``).
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dataarts_export_client.lib import cli
from dataarts_export_client.lib.cli import commands
from dataarts_export_client.lib.cli.bar import ProgressBar
from dataarts_export_client.lib.cli.output import Sanitiser
from dataarts_export_client.lib.environment import client_for
from dataarts_export_client.lib.results import ExportProgress
from dataarts_export_client.models import ExportState

from .client_fakes import FAST_POLICY, JSON_UTF8, PROJECT_ID, UUID, WORKSPACE, XLSX, settings_only

TOKEN = "MIIE-token-value-for-the-terminal-tests"
HOSTILE = [
    "\x1b]0;owned\x07\x1b[2J",  # set the window title, clear the screen
    "[link=https://evil.example]click[/link]",  # rich markup: a clickable link
    "[/x]",  # rich markup: a closing tag without opening, MarkupError
    "\x9b2J",  # the 8-bit CSI
    "\u202eevil\u202c",  # right-to-left override
    "a\rb\nc\td\x7f\x00",
    "\ud800",  # a lone surrogate: cannot even be encoded
    f"echoed {TOKEN}",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.text(st.characters(), max_size=40))


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


Answer = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings_only(monkeypatch, "http://127.0.0.1:9", token=TOKEN, project_id=PROJECT_ID, workspace=WORKSPACE)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)


def service(monkeypatch: pytest.MonkeyPatch, *answers: Answer | httpx.Response | Exception) -> None:
    """The CLI's client answers from ``answers`` in order (the last one repeated)."""
    real = client_for
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, Exception):
            raise step
        return step(request) if callable(step) else step

    def with_service(settings: Any, **kwargs: Any) -> Any:
        kwargs["httpx_args"] = {**kwargs["httpx_args"], "transport": httpx.MockTransport(answer)}
        return real(settings, **kwargs)

    monkeypatch.setattr(commands, "client_for", with_service)


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], err: io.StringIO, out: io.StringIO | None = None) -> int:
    monkeypatch.setattr(sys, "stdout", out if out is not None else io.StringIO())
    monkeypatch.setattr(sys, "stderr", err)
    return cli.main(argv, policy=FAST_POLICY)


def status_answer(status: str, rate: str, text: str, request_id: str) -> httpx.Response:
    group = {"remark": text, "logs": text, "failed": 1, "total": 2, "groups": [{"biz_name": text, "logs": text}]}
    body = json.dumps({"data": {"status": status, "rate": rate, "group": group}}).encode()  # "\\ud800" escaped
    headers = [(b"Content-Type", JSON_UTF8.encode()), (b"X-Request-Id", request_id.encode("latin-1"))]
    return httpx.Response(200, content=body, headers=headers)


def workbook_answer(file_name: str) -> httpx.Response:
    disposition = f"attachment; filename*=UTF-8''{quote(file_name, safe='', errors='surrogatepass')}"
    return httpx.Response(
        200, content=b"PK\x03\x04", headers={"Content-Type": XLSX, "Content-Disposition": disposition}
    )


def started_answer(uuid: str) -> httpx.Response:
    body = json.dumps({"data": {"uuid": uuid}}).encode()
    return httpx.Response(200, content=body, headers={"Content-Type": JSON_UTF8})


def assert_plain(text: str) -> None:
    """Only printable characters and line ends: no control character, hence no escape sequence."""
    odd = {ch for ch in text if ch != "\n" and not ch.isprintable()}
    assert not odd, f"{sorted(map(repr, odd))} in {text!r}"
    assert TOKEN not in text


LATIN_1 = st.text(st.characters(max_codepoint=255), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(status=HOSTILE[0], rate=HOSTILE[1], text=HOSTILE[6], request_id="\x1b[2J", message=HOSTILE[2])
@given(status=TEXT, rate=TEXT, text=TEXT, request_id=LATIN_1, message=TEXT)
def test_status_wait_and_errors_print_nothing_but_plain_text(
    monkeypatch: pytest.MonkeyPatch, status: str, rate: str, text: str, request_id: str, message: str
) -> None:
    """``status`` (JSON on stdout, a failure's logs on stderr), ``wait`` (progress lines), an API error, ``-v``."""
    body = json.dumps({"error_code": message, "error_msg": message}).encode()
    headers = [(b"Content-Type", JSON_UTF8.encode()), (b"X-Request-Id", request_id.encode("latin-1"))]
    error = httpx.Response(400, content=body, headers=headers)
    for argv, answers in (
        (["status", "--uuid", UUID], [status_answer(status, rate, text, request_id)]),
        (["status", "--uuid", UUID], [status_answer("fail", rate, text, request_id)]),
        (["-v", "wait", "--uuid", UUID, "--timeout", "5"], [status_answer(status, rate, text, request_id), error]),
    ):
        service(monkeypatch, *answers)
        out, err = io.StringIO(), io.StringIO()
        run(monkeypatch, argv, err, out)
        assert_plain(out.getvalue())
        assert_plain(err.getvalue())
        if argv[0] == "status" and out.getvalue():
            json.loads(out.getvalue())  # still one JSON document


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(status=HOSTILE[1], file_name="[/x].xlsx", uuid=HOSTILE[0])
@given(status=TEXT, file_name=TEXT, uuid=TEXT)
def test_start_and_export_print_nothing_but_plain_text(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, status: str, file_name: str, uuid: str
) -> None:
    """``start`` prints the service's uuid, ``export`` the path of a file the service named."""
    service(monkeypatch, started_answer(uuid or "u"), status_answer(status, "50", "", "r"), workbook_answer(file_name))
    for argv in (["start"], ["export", "--dest", str(tmp_path)]):
        out, err = io.StringIO(), io.StringIO()
        run(monkeypatch, argv, err, out)
        assert_plain(out.getvalue())
        assert_plain(err.getvalue())
    for saved in tmp_path.iterdir():
        saved.unlink()


@settings(max_examples=100, deadline=None)
@example(status=HOSTILE[0] + HOSTILE[1] + HOSTILE[2], note=HOSTILE[1])
@given(status=TEXT, note=TEXT)
def test_the_progress_bar_shows_server_text_as_text(status: str, note: str) -> None:
    """What rich renders: no control character and no markup taken as such (the text shows as it was)."""
    screen = io.StringIO()  # not a terminal: rich draws the last state once, with no cursor movement of its own
    sanitise = Sanitiser({"DATAARTS_TOKEN": TOKEN})
    bar = ProgressBar(screen, sanitise)
    bar(ExportProgress(UUID, ExportState(status), "50", 50.0, 1.0))
    bar.note(note)
    bar.transfer(10, 20)
    bar.close()
    shown = screen.getvalue()
    assert_plain(shown)
    if len(sanitise(status)) <= 40:
        assert f"export {UUID[:8]} {sanitise(status)}".rstrip() in shown
    assert sanitise(note) in shown


def test_at_a_terminal_a_hostile_status_is_neither_obeyed_nor_read_as_markup(monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = "\x1b]0;owned\x07\x1b[2J[link=https://evil.example]click[/link][/x]"
    service(monkeypatch, started_answer(UUID), status_answer(hostile, "40", "", "r"), workbook_answer("a.xlsx"))
    terminal = FakeTerminal()
    assert run(monkeypatch, ["export"], terminal) == 0, terminal.getvalue()
    shown = terminal.getvalue()
    for sequence in ("\x1b]", "\x07", "\x1b[2J"):
        assert sequence not in shown
    assert "[link=https://evil.example]click[/link][/x]" in shown


RICH_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def test_at_a_terminal_the_saved_path_is_printed_after_the_bar_s_last_redraw(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout and stderr are the same terminal: the bar stops first, so its last redraw cannot overwrite the path."""
    service(monkeypatch, started_answer(UUID), status_answer("importing", "40", "", "r"), workbook_answer("a.xlsx"))
    terminal = FakeTerminal()
    assert run(monkeypatch, ["export"], terminal, terminal) == 0
    shown = terminal.getvalue()
    path = f"{Path.cwd() / 'a.xlsx'}\n"
    assert shown.endswith(path), repr(shown[-200:])
    assert not RICH_CONTROL.search(shown[shown.index(path) :]), "nothing drawn after the path"


def retried(monkeypatch: pytest.MonkeyPatch) -> None:
    service(monkeypatch, httpx.ConnectError("refused"), status_answer("importing", "40", "", "r"))


def test_at_a_terminal_each_retry_is_shown_as_it_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    retried(monkeypatch)
    terminal = FakeTerminal()
    assert run(monkeypatch, ["status", "--uuid", UUID], terminal) == 0
    lines = [line for line in terminal.getvalue().splitlines() if "retry" in line]
    assert len(lines) == 1, lines
    assert re.fullmatch(
        rf"dataarts-export: export {UUID}: could not connect, retry 1 of 5; next attempt in 0\.0\ds", lines[0]
    )


def test_in_a_log_retries_show_only_with_verbose(monkeypatch: pytest.MonkeyPatch) -> None:
    retried(monkeypatch)
    log = io.StringIO()
    assert run(monkeypatch, ["status", "--uuid", UUID], log) == 0
    assert "retry" not in log.getvalue()
    retried(monkeypatch)
    log = io.StringIO()
    assert run(monkeypatch, ["-v", "status", "--uuid", UUID], log) == 0
    assert re.search(r" INFO dataarts_export_client: export \S+: could not connect, retry 1 of 5", log.getvalue())


def test_quiet_shows_no_retries_even_at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    retried(monkeypatch)
    terminal = FakeTerminal()
    assert run(monkeypatch, ["-q", "status", "--uuid", UUID], terminal) == 0
    assert terminal.getvalue() == ""


def test_json_keeps_the_data_and_escapes_what_is_not_printable() -> None:
    document = {"status": "a\x1b[2Jb\u202e\ud800", "name": "中文 [bold]"}
    line = Sanitiser({}).json(document)
    assert line == '{"status": "a\\u001b[2Jb\\u202e\\ud800", "name": "中文 [bold]"}'
    assert json.loads(line) == document


def test_a_path_keeps_its_spaces_and_escapes_what_is_not_printable() -> None:
    assert Sanitiser({}).path(Path("/data/my  dir/a\x1bb.xlsx")) == "/data/my  dir/a\\x1bb.xlsx"
