"""The sans-I/O decisions fed directly (lib.decisions): seeded jitter, Retry-After dates, the deadline's edge.

The helpers' suites drive these classes through the request loops with
answers that a fake transport makes up; a few promises of the classes
themselves are only visible here: a caller's seeded generator makes every
delay reproducible, a ``Retry-After`` date is measured from the ``now``
given, headers may be any mapping keyed in lower case, a 416 only means
"start over" when bytes were saved, and a download retry never sleeps past
the deadline.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest

from dataarts_export_client.lib import ApiError, DownloadError, ExportTimeout, NetworkError, RetryPolicy
from dataarts_export_client.lib.decisions import ExportPoller, ExportProbe, ExportStarter, Wait
from dataarts_export_client.lib.errors import UnexpectedResponse
from dataarts_export_client.models import ExportState

from .client_fakes import UUID, XLSX

JITTERED = RetryPolicy(jitter="full", retry_interval=0.5, max_retries=5, max_download_attempts=5)
NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
IN_30_SECONDS = "Mon, 06 May 2024 07:08:39 GMT"
ERROR_BODY = json.dumps({"error_code": "APIG.0201", "error_msg": "busy", "data": {}}).encode()
JSON = {"content-type": "application/json"}


def status_body(state: str, rate: str | None = None, group: dict[str, object] | None = None) -> bytes:
    data: dict[str, object] = {"status": state}
    if rate is not None:
        data["rate"] = rate
    if group is not None:
        data["group"] = group
    return json.dumps({"data": data}).encode()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def poller(seed: int | None = None, *, file_expected: bool = False, timeout: float = 600.0) -> ExportPoller:
    rng = None if seed is None else random.Random(seed)
    return ExportPoller(
        uuid=UUID, timeout=timeout, policy=JITTERED, clock=Clock(), file_expected=file_expected, rng=rng
    )


def delays(decide: ExportPoller | ExportStarter) -> list[float]:
    """Five retry delays, then (for a poller) five poll delays and four download retry delays."""
    waits: list[Wait] = []
    for _ in range(5):
        waits.append(decide.after_transport_error(httpx.ConnectError("refused")))
    if isinstance(decide, ExportPoller):
        for _ in range(5):
            polled = decide.after_body(200, JSON, status_body("importing"))
            assert isinstance(polled, Wait)
            waits.append(polled)
        for _ in range(4):
            waits.append(decide.after_download_error(DownloadError(UUID, "reset")))
    return [wait.seconds for wait in waits]


def test_a_seeded_generator_makes_every_delay_reproducible() -> None:
    """Retry, poll and download delays all draw from the caller's generator (no other source of jitter)."""
    assert delays(poller(7, file_expected=True)) == delays(poller(7, file_expected=True))
    assert delays(poller(7, file_expected=True)) != delays(poller(8, file_expected=True))
    starters = [ExportStarter(timeout=600.0, policy=JITTERED, clock=Clock(), rng=random.Random(3)) for _ in range(2)]
    assert delays(starters[0]) == delays(starters[1])


def test_retry_after_dates_are_measured_from_the_now_given() -> None:
    headers = {**JSON, "retry-after": IN_30_SECONDS}
    assert poller().after_body(503, headers, ERROR_BODY, now=NOW) == Wait(30.0, "HTTP 503, retry 1 of 5")
    assert ExportProbe(poller()).after_body(503, headers, ERROR_BODY, now=NOW) == Wait(30.0, "HTTP 503, retry 1 of 5")
    starter = ExportStarter(timeout=600.0, policy=JITTERED, clock=Clock())
    assert starter.after_answer(503, headers, ERROR_BODY, now=NOW) == Wait(
        30.0, "HTTP 503 starting the export, retry 1 of 5"
    )


def test_file_ready_describes_the_file_answer() -> None:
    headers = httpx.Headers(
        {
            "content-type": XLSX,
            "content-disposition": 'attachment; filename="models.xlsx"',
            "content-length": "42",
            "x-request-id": "req-file",
        }
    )
    ready = poller().file_ready(headers)
    assert (ready.uuid, ready.file_name, ready.content_type, ready.content_length, ready.request_id) == (
        UUID,
        "models.xlsx",
        XLSX,
        42,
        "req-file",
    )
    snapshot = ExportProbe(poller()).file_ready(headers)
    assert (snapshot.uuid, snapshot.status, snapshot.percent, snapshot.request_id) == (
        UUID,
        ExportState.SUCCESS,
        100.0,
        "req-file",
    )
    assert snapshot.ready == ready


def test_a_416_restarts_a_download_only_when_bytes_were_saved() -> None:
    """Without saved bytes a 416 is an error like any other 4xx; with some, the file is asked for whole."""
    refused = json.dumps({"error_code": "DLG.0416", "error_msg": "range", "data": {}}).encode()
    with pytest.raises(ApiError) as caught:
        poller(file_expected=True).after_body(416, JSON, refused)
    assert (caught.value.status_code, caught.value.error_code) == (416, "DLG.0416")
    with pytest.raises(ApiError):
        poller().after_body(416, JSON, refused)
    resuming = poller(file_expected=True)
    assert resuming.transfer is not None
    resuming.transfer.saved = 1
    assert resuming.after_body(416, JSON, refused) == Wait(
        0.0, "range not satisfiable, downloading the whole file again"
    )
    assert resuming.transfer.saved == 0


def test_a_download_retry_never_sleeps_past_the_deadline() -> None:
    clock = Clock()
    deciding = ExportPoller(uuid=UUID, timeout=10.0, policy=RetryPolicy(jitter="none"), clock=clock, file_expected=True)
    broken = DownloadError(UUID, "transfer interrupted (ReadError)")
    clock.now += 9.75
    assert deciding.after_download_error(broken) == Wait(0.25, "transfer interrupted (ReadError)")
    clock.now += 0.25
    with pytest.raises(ExportTimeout) as caught:
        deciding.after_download_error(broken)
    assert caught.value.__cause__ is broken
    assert (caught.value.uuid, caught.value.timeout) == (UUID, 10.0)


def test_a_probe_reports_a_failure_and_its_group_or_none() -> None:
    probe = ExportProbe(poller())
    headers = httpx.Headers({**JSON, "x-request-id": "req-1"})
    snapshot = probe.after_body(200, headers, status_body("fail", "40", {"failed": 2}))
    assert not isinstance(snapshot, Wait)
    assert (snapshot.uuid, snapshot.status, snapshot.rate, snapshot.request_id) == (
        UUID,
        ExportState.FAIL,
        "40",
        "req-1",
    )
    assert snapshot.group is not None
    assert snapshot.group.failed == 2
    bare = ExportProbe(poller()).after_body(200, JSON, status_body("fail"))
    assert not isinstance(bare, Wait)
    assert bare.group is None


def test_a_probe_retries_in_transit_like_the_poller_and_then_gives_up() -> None:
    probe = ExportProbe(poller())
    for _ in range(5):
        assert isinstance(probe.after_transport_error(httpx.ReadError("reset")), Wait)
    with pytest.raises(NetworkError) as caught:
        probe.after_transport_error(httpx.ReadError("reset"))
    assert str(caught.value) == (
        f"GET export-result for {UUID} kept failing after 6 attempts: "
        "the connection broke (ReadError); the network or the service dropped it"
    )


def test_a_start_answered_200_without_a_uuid_is_unexpected() -> None:
    starter = ExportStarter(timeout=600.0, policy=JITTERED, clock=Clock())
    with pytest.raises(UnexpectedResponse) as caught:
        starter.after_answer(200, JSON, json.dumps({"data": {}}).encode())
    assert caught.value.status_code == 200


def test_each_unknown_state_is_warned_about_once(caplog: pytest.LogCaptureFixture) -> None:
    deciding = poller()
    with caplog.at_level(logging.WARNING, logger="dataarts_export_client"):
        for state in ("queued", "queued", "paused", "queued", "paused"):
            assert isinstance(deciding.after_body(200, JSON, status_body(state, "10")), Wait)
    assert [record.getMessage().split("'")[1] for record in caplog.records] == ["queued", "paused"]


PAGE = b"<html><body>Please log in to the Wi-Fi</body></html>"
HTML = httpx.Headers({"content-type": "text/html", "x-request-id": "req-page"})
PAGE_REASON = "an HTML page instead of the API's answer, retry {} of 5"


def starter(policy: RetryPolicy = JITTERED) -> ExportStarter:
    return ExportStarter(timeout=600.0, policy=policy, clock=Clock())


@pytest.mark.parametrize("decide", ["poller", "probe", "starter"])
def test_an_html_page_is_retried_like_a_5xx_then_raised_with_what_it_was(decide: str) -> None:
    """A proxy's or captive portal's page in the API's stead: retried within budget, then an UnexpectedResponse."""
    choices: dict[str, ExportPoller | ExportProbe | ExportStarter] = {
        "poller": poller(),
        "probe": ExportProbe(poller()),
        "starter": starter(),
    }
    deciding = choices[decide]

    def answer() -> object:
        if isinstance(deciding, ExportStarter):
            return deciding.after_answer(200, HTML, PAGE)
        return deciding.after_body(200, HTML, PAGE)

    for retry in range(1, 6):
        step = answer()
        assert isinstance(step, Wait)
        assert step.reason == PAGE_REASON.format(retry)
    with pytest.raises(UnexpectedResponse) as caught:
        answer()
    page = caught.value
    assert (page.status_code, page.content_type, page.request_id, page.content) == (200, "text/html", "req-page", PAGE)


def test_a_timeout_while_html_pages_answer_is_raised_from_the_page() -> None:
    clock = Clock()
    deciding = ExportPoller(uuid=UUID, timeout=1.0, policy=JITTERED, clock=clock)
    clock.now += 1.0
    with pytest.raises(ExportTimeout) as caught:
        deciding.after_body(200, HTML, PAGE)
    assert isinstance(caught.value.__cause__, UnexpectedResponse)
    deciding_start = ExportStarter(timeout=1.0, policy=JITTERED, clock=clock)
    clock.now += 1.0
    with pytest.raises(ExportTimeout) as started:
        deciding_start.after_answer(200, HTML, PAGE)
    assert isinstance(started.value.__cause__, UnexpectedResponse)


def test_a_start_without_retry_start_raises_an_html_page_at_once() -> None:
    with pytest.raises(UnexpectedResponse):
        starter(replace(JITTERED, retry_start=False)).after_answer(200, HTML, PAGE)


def test_a_probe_reading_a_broken_status_names_the_answer() -> None:
    with pytest.raises(UnexpectedResponse) as caught:
        ExportProbe(poller()).after_body(200, JSON, b"[]")
    assert caught.value.status_code == 200


def test_a_json_success_ends_a_wait_with_the_time_it_took() -> None:
    clock = Clock()
    deciding = ExportPoller(uuid=UUID, timeout=600.0, policy=JITTERED, clock=clock)
    clock.now += 12.5
    ready = deciding.after_body(200, httpx.Headers({**JSON, "x-request-id": "req-ok"}), status_body("success", "100"))
    assert not isinstance(ready, Wait)
    assert (ready.uuid, ready.elapsed, ready.request_id, ready.file_name) == (UUID, 12.5, "req-ok", None)


def test_the_last_rate_is_the_last_reported_even_when_absent() -> None:
    """An importing answer without a rate means the timeout has no rate to report, not an older one."""
    clock = Clock()
    deciding = ExportPoller(uuid=UUID, timeout=10.0, policy=JITTERED, clock=clock)
    deciding.after_body(200, JSON, status_body("importing", "60"))
    deciding.after_body(200, JSON, status_body("importing"))
    clock.now += 10.0
    with pytest.raises(ExportTimeout) as caught:
        deciding.after_body(200, JSON, status_body("importing"))
    assert caught.value.last_rate is None
