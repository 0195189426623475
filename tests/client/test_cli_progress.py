"""``dataarts-export``'s progress: a live bar when stderr is a terminal, plain lines otherwise, nothing with --quiet.

The terminal is a fake one (a text stream that says it is a TTY), the
service is the emulator of the pytest plugin, and ``cli.main`` runs in
process as the console script runs it.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dataarts_emulator.harness import RunningEmulator
from dataarts_export_client.lib import cli
from dataarts_export_client.lib.cli.output import count_download_bytes

from .client_fakes import FAST_POLICY

EXPORT = ["export", "--type", "TABLE_MODEL", "--id", "1224641525420683264", "--id", "1224641525420683265"]
PLAIN_LINE = re.compile(r"^export [0-9a-f-]{36}: (importing|success)( \d+%)? after \d+\.\ds$")


class FakeTerminal(io.StringIO):
    """What a terminal looks like to the CLI: a text stream whose ``isatty()`` is true."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def environment(dataarts_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in dataarts_emulator.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)


def run(monkeypatch: pytest.MonkeyPatch, err: io.StringIO, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    code = cli.main(list(argv), policy=FAST_POLICY)
    return code, out.getvalue()


@pytest.mark.usefixtures("environment")
@pytest.mark.dataarts_emulator(export_seconds=0.3)
def test_at_a_terminal_export_shows_a_bar_with_the_rate_then_the_download(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    code, out = run(monkeypatch, terminal, *EXPORT)
    assert code == 0
    assert Path(out.strip()).exists(), "stdout still carries only the path"
    shown = terminal.getvalue()
    assert "\x1b[" in shown, "drawn with terminal control sequences"
    assert re.search(r"export [0-9a-f]{8} success", shown), shown
    assert "download" in shown
    size = Path(out.strip()).stat().st_size
    assert f"{size / 1000:.1f}/{size / 1000:.1f} kB" in shown, "the download's bytes of the whole file"
    assert not any(PLAIN_LINE.match(line) for line in shown.splitlines()), "no plain lines at a terminal"


@pytest.mark.usefixtures("environment")
def test_at_a_terminal_download_shows_the_bar_too(
    monkeypatch: pytest.MonkeyPatch, dataarts_emulator: RunningEmulator
) -> None:
    code, uuid = run(monkeypatch, io.StringIO(), "start", "--type", "TABLE_MODEL", "--id", "1")
    assert code == 0
    dataarts_emulator.advance(60)
    terminal = FakeTerminal()
    code, _ = run(monkeypatch, terminal, "download", "--uuid", uuid.strip(), "--dest", ".")
    assert code == 0
    assert "download" in terminal.getvalue()
    assert "kB" in terminal.getvalue()


@pytest.mark.usefixtures("environment")
@pytest.mark.dataarts_emulator(export_seconds=0.3)
def test_elsewhere_the_plain_lines_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    log = io.StringIO()
    code, _ = run(monkeypatch, log, *EXPORT)
    assert code == 0
    lines = log.getvalue().splitlines()
    assert lines, "one line per change"
    assert all(PLAIN_LINE.match(line) for line in lines), lines
    assert "\x1b" not in log.getvalue()
    assert "\r" not in log.getvalue()


@pytest.mark.usefixtures("environment")
@pytest.mark.parametrize("stream", [FakeTerminal, io.StringIO])
def test_quiet_is_silent_at_a_terminal_and_elsewhere(
    monkeypatch: pytest.MonkeyPatch, stream: type[io.StringIO]
) -> None:
    err = stream()
    code, out = run(monkeypatch, err, *EXPORT, "--quiet")
    assert code == 0
    assert out.strip()
    assert err.getvalue() == ""


class Chunks(httpx.SyncByteStream):
    """A body arriving in pieces, as over a socket (a ``content=`` body would be read at once)."""

    def __init__(self, *chunks: bytes) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks


def _file_answer(request: httpx.Request) -> httpx.Response:
    file = {"Content-Type": "application/octet-stream"}
    if request.url.path == "/json":
        status = b'{"data": {"status": "importing"}}'
        return httpx.Response(200, stream=Chunks(status), headers={"Content-Type": "application/json;charset=UTF-8"})
    if request.url.path == "/ranged":
        return httpx.Response(206, stream=Chunks(b"67", b"89"), headers={**file, "Content-Range": "bytes 6-9/10"})
    return httpx.Response(200, stream=Chunks(b"0123", b"456789"), headers={**file, "Content-Length": "10"})


@pytest.mark.parametrize(
    ("path", "reports"),
    [("/whole", [(4, 10), (10, 10)]), ("/ranged", [(8, 10), (10, 10)]), ("/json", [])],
    ids=["whole-file", "resumed-range-counts-from-its-offset", "json-is-not-a-download"],
)
def test_download_bytes_are_counted_from_the_file_answers_only(path: str, reports: list[tuple[int, int]]) -> None:
    seen: list[tuple[int, int | None]] = []
    hooks = {"response": [count_download_bytes(lambda received, total: seen.append((received, total)))]}
    with httpx.Client(transport=httpx.MockTransport(_file_answer), event_hooks=hooks) as client:
        client.get(f"http://service{path}")
    assert seen == reports


@pytest.mark.usefixtures("environment")
def test_a_command_that_fails_before_any_progress_leaves_the_terminal_untouched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATAARTS_TOKEN")
    terminal = FakeTerminal()
    code, _ = run(monkeypatch, terminal, *EXPORT)
    assert code == 2
    assert terminal.getvalue().startswith("dataarts-export: error:"), "no bar, no hidden cursor: only the error"
