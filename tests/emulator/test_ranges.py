"""Single byte ranges of the workbook (RFC 9110): 206, 416, If-Range, and what is ignored."""

from __future__ import annotations

import httpx
import pytest

from dataarts_emulator import EmulatorSettings, create_app
from dataarts_emulator.exceptions import RangeNotSatisfiable
from dataarts_emulator.harness import RunningEmulator
from dataarts_emulator.models import ExportRequest
from dataarts_emulator.ranges import ByteRange, etag_of, select_range
from dataarts_emulator.workbook import build_workbook

from .support import EXPORT_MODEL, EXPORT_RESULT, TOKEN_HEADERS, ClientFactory, read_raw

TAG = '"0123456789abcdef0123456789abcdef"'
BODY = {"ids": ["1224641525420683264", "1224641525420683265"], "type": "TABLE_MODEL", "asyn": False}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-", ByteRange(0, 99, 100)),
        ("bytes=10-", ByteRange(10, 99, 100)),
        ("bytes=10-19", ByteRange(10, 19, 100)),
        ("bytes=99-99", ByteRange(99, 99, 100)),
        ("bytes=90-1000", ByteRange(90, 99, 100)),
        ("bytes=-10", ByteRange(90, 99, 100)),
        ("bytes=-1000", ByteRange(0, 99, 100)),
        ("BYTES = 5 - 6", ByteRange(5, 6, 100)),
        ("bytes=0-" + "9" * 5000, ByteRange(0, 99, 100)),
    ],
)
def test_a_single_satisfiable_range_is_selected(header: str, expected: ByteRange) -> None:
    assert select_range(header, None, TAG, 100) == expected
    assert select_range(header, TAG, TAG, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=100-200", "bytes=-0", "bytes=" + "9" * 5000 + "-"])
def test_an_unsatisfiable_range_is_416_with_the_length(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable) as raised:
        select_range(header, None, TAG, 100)
    assert raised.value.status == 416
    assert raised.value.headers == {"Content-Range": "bytes */100"}


@pytest.mark.parametrize(
    "header", [None, "", "bytes=", "bytes=-", "bytes=5-4", "bytes=0-1,5-6", "items=0-5", "bytes=a-b", "bytes 0-5"]
)
def test_absent_malformed_multiple_or_foreign_ranges_give_the_whole_file(header: str | None) -> None:
    assert select_range(header, None, TAG, 100) is None


@pytest.mark.parametrize("if_range", ['"another"', "W/" + TAG, "Mon, 30 Nov 2026 01:00:00 GMT", TAG.strip('"'), ""])
def test_an_if_range_that_does_not_match_gives_the_whole_file(if_range: str) -> None:
    assert select_range("bytes=10-", if_range, TAG, 100) is None
    assert select_range("bytes=1000-", if_range, TAG, 100) is None  # not even a 416: the file changed


def test_the_etag_is_strong_and_a_hash_of_the_bytes() -> None:
    first = build_workbook(ExportRequest(type="TABLE_MODEL", ids=("1",)))
    assert etag_of(first) == etag_of(bytes(first))
    assert etag_of(first) != etag_of(build_workbook(ExportRequest(type="TABLE_MODEL", ids=("2",))))
    assert etag_of(first).startswith('"')
    assert not etag_of(first).startswith("W/")


async def finished_uuid(api: httpx.AsyncClient) -> str:
    started = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=BODY)
    return str(started.json()["data"]["uuid"])


async def fetch(api: httpx.AsyncClient, uuid: str, **headers: str) -> httpx.Response:
    return await api.get(EXPORT_RESULT, params={"uuid": uuid}, headers={**TOKEN_HEADERS, **headers})


async def test_the_workbook_carries_its_etag_and_accepts_ranges(api: httpx.AsyncClient) -> None:
    whole = await fetch(api, await finished_uuid(api))
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["etag"] == etag_of(whole.content)
    assert whole.content == build_workbook(ExportRequest.from_body(BODY))


async def test_a_range_is_answered_206_with_its_slice(api: httpx.AsyncClient) -> None:
    uuid = await finished_uuid(api)
    whole = await fetch(api, uuid)
    size, tag = len(whole.content), whole.headers["etag"]
    for header, first, last in [("bytes=100-", 100, size - 1), ("bytes=5-9", 5, 9), ("bytes=-7", size - 7, size - 1)]:
        part = await fetch(api, uuid, Range=header, **{"If-Range": tag})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert part.headers["content-length"] == str(last - first + 1)
        assert part.headers["etag"] == tag
        assert part.content == whole.content[first : last + 1]


@pytest.mark.fact("F-PARAM-6", "F-EMU-5")
async def test_a_range_past_the_end_is_416(api: httpx.AsyncClient) -> None:
    uuid = await finished_uuid(api)
    size = len((await fetch(api, uuid)).content)
    refused = await fetch(api, uuid, Range=f"bytes={size}-")
    assert refused.status_code == 416
    assert refused.headers["content-range"] == f"bytes */{size}"
    assert refused.json() == {
        "error_code": "EMU.0416",
        "error_msg": f"The requested range is not satisfiable: the file has {size} bytes.",
        "data": {},
    }


async def test_a_stale_if_range_gets_the_whole_file(api: httpx.AsyncClient) -> None:
    uuid = await finished_uuid(api)
    whole = await fetch(api, uuid)
    answer = await fetch(api, uuid, Range="bytes=100-", **{"If-Range": '"not-this-file"'})
    assert answer.status_code == 200
    assert answer.content == whole.content


async def test_a_range_on_a_running_export_is_ignored(api: httpx.AsyncClient) -> None:
    started = await api.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json={**BODY, "asyn": True})
    answer = await fetch(api, started.json()["data"]["uuid"], Range="bytes=5-")
    assert answer.status_code == 200
    assert answer.json()["data"]["status"] == "importing"


async def test_equal_requests_get_equal_etags_in_separate_emulators(make_client: ClientFactory) -> None:
    tags = set()
    for seed in (1, 2):
        api = make_client(app=create_app(EmulatorSettings(seed=seed)))
        tags.add((await fetch(api, await finished_uuid(api))).headers["etag"])
    assert len(tags) == 1


@pytest.mark.dataarts_emulator(export_seconds=0, truncate_rate=1.0, seed=5)
def test_the_truncation_fault_cuts_ranged_answers_too(dataarts_emulator: RunningEmulator) -> None:
    whole = build_workbook(ExportRequest.from_body(BODY))
    with httpx.Client(base_url=dataarts_emulator.base_url, timeout=10) as client:
        uuid = client.post(EXPORT_MODEL, headers=TOKEN_HEADERS, json=BODY).json()["data"]["uuid"]
        headers = {**TOKEN_HEADERS, "Range": "bytes=1000-", "If-Range": etag_of(whole)}
        with client.stream("GET", EXPORT_RESULT, params={"uuid": uuid}, headers=headers) as answer:
            assert answer.status_code == 206
            assert answer.headers["content-length"] == str(len(whole) - 1000)
            received, error = read_raw(answer)
        assert isinstance(error, httpx.RemoteProtocolError)
        assert 0 < len(received) < len(whole) - 1000
        assert received == whole[1000 : 1000 + len(received)]
        for _ in range(5):  # the cut falls inside the range asked for, however short it is
            with client.stream(
                "GET", EXPORT_RESULT, params={"uuid": uuid}, headers={**headers, "Range": "bytes=-50"}
            ) as tail:
                received, error = read_raw(tail)
            assert isinstance(error, httpx.RemoteProtocolError)
            assert 0 < len(received) < 50
