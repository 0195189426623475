"""Resuming broken downloads with Range/If-Range: the sans-I/O decisions, then sync and async downloads.

The downloads run against :class:`~.range_fakes.RangeServer` on
``httpx.MockTransport``. The tests named ``..._bites`` are the mutation checks
of the issue: each breaks one guard of the client on purpose (a client that
ignores a changed ETag, one that appends a 200 body to the saved bytes, one
that counts progressing attempts against the limit) and shows that the
behaviour test of that guard then fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from dataarts_export_client.lib import DataArtsError, DownloadError, TruncatedDownload, decisions, resume
from dataarts_export_client.lib.resume import ContentRange, Start, Transfer, full_length, parse_content_range

from .client_fakes import BreakingStream
from .range_fakes import CONTENT, ETAG, MODES, RESUME_POLICY, RangeServer, assert_same_bytes, fetch

XLSX_HEADERS = {"content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def leftovers(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


# --- the decisions, without I/O ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bytes 100-199/200", ContentRange(100, 199, 200)),
        ("bytes 0-0/*", ContentRange(0, 0, None)),
        ("BYTES 5-9/10", ContentRange(5, 9, 10)),
        ("bytes 10-5/20", None),
        ("bytes 0-200/200", None),
        ("bytes */200", None),
        ("items 0-1/2", None),
        (None, None),
    ],
)
def test_content_range_is_parsed_strictly(value: str | None, expected: ContentRange | None) -> None:
    assert parse_content_range(value) == expected


def test_full_length_prefers_the_content_range_total() -> None:
    assert full_length({"content-range": "bytes 10-19/500", "content-length": "10"}) == 500
    assert full_length({"content-length": "42"}) == 42
    assert full_length({}) is None


def first_answer(transfer: Transfer, **headers: str) -> Start:
    return transfer.begin(200, {"content-length": str(len(CONTENT)), **headers})


def test_a_fresh_transfer_asks_for_the_whole_file() -> None:
    assert Transfer("u").request_headers() == {}


def test_after_a_cut_the_rest_is_asked_for_with_the_strong_etag() -> None:
    transfer = Transfer("u")
    assert first_answer(transfer, etag=ETAG, **{"last-modified": "Wed, 21 Oct 2015 07:28:00 GMT"}) is Start.OVER
    transfer.received(100)
    assert transfer.progressed()
    with pytest.raises(TruncatedDownload):
        transfer.finish(100)
    assert transfer.request_headers() == {"Range": "bytes=100-", "If-Range": ETAG}


def test_a_weak_etag_is_never_used_in_if_range() -> None:
    transfer = Transfer("u")
    first_answer(transfer, etag='W/"weak"', **{"last-modified": "Wed, 21 Oct 2015 07:28:00 GMT"})
    transfer.received(10)
    assert transfer.request_headers() == {"Range": "bytes=10-", "If-Range": "Wed, 21 Oct 2015 07:28:00 GMT"}


@pytest.mark.parametrize("headers", [{"etag": 'W/"weak"'}, {}])
def test_without_a_validator_nothing_is_resumed(headers: dict[str, str]) -> None:
    """A bare Range could be answered from another version of the file: the whole file is asked for again."""
    transfer = Transfer("u")
    first_answer(transfer, **headers)
    transfer.received(10)
    assert transfer.request_headers() == {}
    with pytest.raises(DownloadError, match="not asked for"):
        transfer.begin(206, partial(10, etag='"v2"'))


def partial(start: int, *, etag: str = ETAG, total: int = len(CONTENT)) -> dict[str, str]:
    return {"content-range": f"bytes {start}-{total - 1}/{total}", "etag": etag, "content-length": str(total - start)}


def test_a_206_continuing_the_saved_bytes_is_appended() -> None:
    transfer = Transfer("u")
    first_answer(transfer, etag=ETAG)
    transfer.received(100)
    assert transfer.begin(206, partial(100)) is Start.APPEND
    transfer.received(len(CONTENT) - 100)
    transfer.finish(len(CONTENT) - 100)
    assert transfer.resumed_bytes == 100


@pytest.mark.parametrize(
    "headers",
    [
        partial(50),  # starts elsewhere
        partial(100, etag='"v2"'),  # another version: a server that ignored If-Range
        partial(100, total=len(CONTENT) + 1),  # another length
        {"etag": ETAG},  # no Content-Range
    ],
)
def test_an_unusable_206_drops_the_saved_bytes(headers: dict[str, str]) -> None:
    transfer = Transfer("u")
    first_answer(transfer, etag=ETAG)
    transfer.received(100)
    with pytest.raises(DownloadError):
        transfer.begin(206, headers)
    assert transfer.saved == 0
    assert transfer.request_headers() == {}
    assert not transfer.progressed()


def test_a_206_never_asked_for_is_refused() -> None:
    with pytest.raises(DownloadError, match="not asked for"):
        Transfer("u").begin(206, partial(0))


def test_a_200_after_a_cut_starts_over_and_is_no_progress_when_it_breaks_at_the_same_place() -> None:
    transfer = Transfer("u")
    first_answer(transfer, etag=ETAG)
    transfer.received(100)
    assert first_answer(transfer, etag=ETAG) is Start.OVER
    assert transfer.saved == 0
    transfer.received(100)
    assert not transfer.progressed()


def test_more_bytes_than_the_file_drops_them() -> None:
    transfer = Transfer("u")
    transfer.begin(200, {"content-length": "10"})
    transfer.received(11)
    with pytest.raises(TruncatedDownload):
        transfer.finish(11)
    assert transfer.saved == 0


def test_a_content_coded_answer_is_checked_on_the_wire_and_never_resumed() -> None:
    transfer = Transfer("u")
    transfer.begin(200, {"content-length": "10", "content-encoding": "gzip", "etag": ETAG})
    transfer.received(40)
    transfer.finish(10)  # 10 bytes on the wire, 40 decoded: complete
    transfer.begin(200, {"content-length": "10", "content-encoding": "gzip", "etag": ETAG})
    transfer.received(20)
    with pytest.raises(TruncatedDownload):
        transfer.finish(5)
    assert transfer.request_headers() == {}


def test_the_poller_takes_a_416_as_start_over_without_an_error() -> None:
    poller = decisions.ExportPoller(uuid="u", timeout=60.0, policy=RESUME_POLICY, clock=lambda: 0.0, file_expected=True)
    assert poller.transfer is not None
    first_answer(poller.transfer, etag=ETAG)
    poller.transfer.received(100)
    step = poller.after_body(416, {"content-range": f"bytes */{len(CONTENT)}"}, b"")
    assert isinstance(step, decisions.Wait)
    assert step.seconds == 0.0
    assert poller.request_headers() == {}


def test_the_poller_sees_a_206_as_the_file_only_when_it_downloads() -> None:
    download = decisions.ExportPoller(
        uuid="u", timeout=1.0, policy=RESUME_POLICY, clock=lambda: 0.0, file_expected=True
    )
    wait = decisions.ExportPoller(uuid="u", timeout=1.0, policy=RESUME_POLICY, clock=lambda: 0.0)
    assert download.is_file(206, XLSX_HEADERS)
    assert not wait.is_file(206, XLSX_HEADERS)
    assert download.file_ready({**XLSX_HEADERS, **partial(100)}).content_length == len(CONTENT)


# --- downloads, sync and async ------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_cut_transfer_is_resumed_and_appended(tmp_path: Path, mode: str) -> None:
    server = RangeServer(cuts=[1000, 3000])
    path = fetch(mode, server, tmp_path / "x.xlsx")
    assert_same_bytes(path.read_bytes(), CONTENT)
    assert server.statuses == [200, 206, 206]
    assert server.asked == [(None, None), ("bytes=1000-", ETAG), ("bytes=4000-", ETAG)]
    assert leftovers(tmp_path) == ["x.xlsx"]


@pytest.mark.parametrize("mode", MODES)
def test_last_modified_is_the_validator_without_an_etag(tmp_path: Path, mode: str) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"
    server = RangeServer(etag=None, last_modified=stamp, cuts=[1000])
    assert_same_bytes(fetch(mode, server, tmp_path / "x.xlsx").read_bytes(), CONTENT)
    assert server.asked[1] == ("bytes=1000-", stamp)


@pytest.mark.parametrize("mode", MODES)
def test_progressing_attempts_do_not_count_against_the_limit(tmp_path: Path, mode: str) -> None:
    # Five cuts with max_download_attempts=2: every attempt saves more, so all are allowed.
    server = RangeServer(cuts=[500, 500, 500, 500, 500])
    assert_same_bytes(fetch(mode, server, tmp_path / "x.xlsx").read_bytes(), CONTENT)
    assert len(server.statuses) == 6


@pytest.mark.parametrize("mode", MODES)
def test_attempts_without_progress_are_bounded(tmp_path: Path, mode: str) -> None:
    server = RangeServer(cuts=[500, 0, 0, 0, 0])
    with pytest.raises(DownloadError):
        fetch(mode, server, tmp_path / "x.xlsx")
    assert len(server.statuses) == 1 + RESUME_POLICY.max_download_attempts
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("mode", MODES)
def test_a_server_ignoring_range_is_written_from_the_start(tmp_path: Path, mode: str) -> None:
    server = RangeServer(cuts=[1000], ignore_range=True)
    assert_same_bytes(fetch(mode, server, tmp_path / "x.xlsx").read_bytes(), CONTENT)
    assert server.statuses == [200, 200]


@pytest.mark.parametrize("mode", MODES)
def test_a_changed_file_is_downloaded_whole_not_spliced(tmp_path: Path, mode: str) -> None:
    server = RangeServer(cuts=[1000], change_after=1)
    assert_same_bytes(fetch(mode, server, tmp_path / "x.xlsx").read_bytes(), server.changed)
    assert server.statuses == [200, 200]  # If-Range named the old version: the whole new file


@pytest.mark.parametrize("mode", MODES)
def test_a_server_ignoring_if_range_is_caught_by_the_etag(tmp_path: Path, mode: str) -> None:
    server = RangeServer(cuts=[1000], change_after=1, ignore_if_range=True)
    path = fetch(mode, server, tmp_path / "x.xlsx")
    assert_same_bytes(path.read_bytes(), server.changed)
    assert server.statuses == [200, 206, 200]  # the 206 of another version is dropped, not appended


@pytest.mark.parametrize("mode", MODES)
def test_without_a_validator_a_cut_download_starts_over_rather_than_splicing(tmp_path: Path, mode: str) -> None:
    """The first answer has no ETag and no Last-Modified; by the next, the file changed (and has an ETag).

    A bare ``Range`` would be answered with a 206 of the new version, whose
    offsets match: appended, it would splice 400 bytes of one version to the
    rest of another.
    """
    old, new = CONTENT[:1024], CONTENT[1024:2048]
    asked: list[str | None] = []

    def server(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers.get("range"))
        headers = {**XLSX_HEADERS, "Content-Disposition": "attachment"}
        if len(asked) == 1:
            headers["Content-Length"] = str(len(old))
            cut = BreakingStream([old[:400]], httpx.RemoteProtocolError("peer closed connection"))
            return httpx.Response(200, headers=headers, stream=cut)
        headers["ETag"] = '"v2"'
        start = int(asked[-1].removeprefix("bytes=").rstrip("-")) if asked[-1] else 0
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(new) - 1}/{len(new)}"
        return httpx.Response(206 if start else 200, headers=headers, content=new[start:])

    path = fetch(mode, server, tmp_path / "x.xlsx")
    assert_same_bytes(path.read_bytes(), new)
    assert asked == [None, None]


@pytest.mark.parametrize("mode", MODES)
def test_a_416_starts_over_cleanly(tmp_path: Path, mode: str) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"  # the same date on both versions: only their lengths differ
    server = RangeServer(cuts=[1000], change_after=1, changed=CONTENT[:500], etag=None, last_modified=stamp)
    assert_same_bytes(fetch(mode, server, tmp_path / "x.xlsx").read_bytes(), CONTENT[:500])
    assert server.statuses == [200, 416, 200]


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_resume_keeps_an_existing_file_and_leaves_no_temporary(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(DownloadError):
        fetch(mode, RangeServer(cuts=[100, 0, 0, 0]), target)
    assert target.read_bytes() == b"previous"
    assert leftovers(tmp_path) == ["x.xlsx"]


# --- mutation checks: each guard, broken on purpose, is caught by its test ------------------------


def bites(test: Callable[[Path, str], None], tmp_path: Path) -> None:
    """``test`` fails against the mutated client (in both modes): a failed assertion or a download given up."""
    for mode in MODES:
        folder = tmp_path / test.__name__ / mode
        folder.mkdir(parents=True)
        with pytest.raises((AssertionError, DataArtsError)):
            test(folder, mode)


def test_ignoring_a_changed_etag_bites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resume, "_validator", lambda headers: None)  # If-Range never sent, ETag never compared
    bites(test_a_server_ignoring_if_range_is_caught_by_the_etag, tmp_path)


def test_resuming_without_a_validator_bites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def bare_range(self: Transfer) -> dict[str, str]:
        return {"Range": f"bytes={self.saved}-"} if self.saved else {}

    monkeypatch.setattr(Transfer, "request_headers", bare_range)
    bites(test_without_a_validator_a_cut_download_starts_over_rather_than_splicing, tmp_path)


def test_appending_a_200_to_the_saved_bytes_bites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = Transfer.begin

    def append_everything(self: Transfer, status_code: int, headers: httpx.Headers) -> Start:
        saved = self.saved
        original(self, status_code, headers)
        self.saved = saved
        return Start.APPEND

    monkeypatch.setattr(Transfer, "begin", append_everything)
    bites(test_a_server_ignoring_range_is_written_from_the_start, tmp_path)


def test_counting_progressing_attempts_bites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Transfer, "progressed", lambda self: False)
    bites(test_progressing_attempts_do_not_count_against_the_limit, tmp_path)
