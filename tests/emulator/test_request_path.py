"""The emulator's per-request shortcuts give exactly what the general code gives.

The query fast path, the remembered route matches and the skipped body read
exist for speed only (see ``make bench``); these tests pin that they change
no answer. The ASGI app's own ``lifespan`` and WebSocket handling are here too.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataarts_emulator import DEMO_PROJECT_ID, create_app
from dataarts_emulator.exceptions import InvalidRequest
from dataarts_emulator.incoming import Incoming, _query_pairs
from dataarts_emulator.rendering import json_response, status_response
from dataarts_emulator.routing import _CACHED_PATHS, SpecRouter
from dataarts_emulator.spec import load_spec

QUERY_TEXT = st.text(alphabet=st.sampled_from("ab=&%+2F;é ~x0"), max_size=30)


@given(QUERY_TEXT)
def test_the_query_fast_path_decodes_as_parse_qsl_does(query: str) -> None:
    assert _query_pairs(query) == parse_qsl(query, keep_blank_values=True)


@pytest.mark.parametrize("query", ["uuid=abc", "a=1&&b", "=x", "a=b=c", "flag", "", "uuid=a&uuid=b"])
def test_plain_queries_split_as_parse_qsl_splits_them(query: str) -> None:
    assert _query_pairs(query) == parse_qsl(query, keep_blank_values=True)


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "query_string": b"", "headers": headers}


def test_utf8_header_values_are_re_decoded_for_authentication_and_ascii_ones_kept() -> None:
    mixed = Incoming.from_scope(_scope([(b"X-Name", "né".encode()), (b"workspace", b"w")]))
    assert mixed.headers["x-name"] == "né".encode().decode("latin-1")  # as HTTP carries it
    assert mixed.signed_view().headers == {"x-name": "né", "workspace": "w"}  # as the SDK signed it
    plain = Incoming.from_scope(_scope([(b"workspace", b"w")]))
    assert plain.signed_view().headers == {"workspace": "w"}


@pytest.mark.parametrize("state", ["importing", "success", "fail", "queued"])
@pytest.mark.parametrize("rate", [0, 7, 99, 100])
def test_a_remembered_status_body_is_the_body_rendered_afresh(state: str, rate: int) -> None:
    fresh = json_response({"data": {"status": state, "group": None, "rate": str(rate)}})
    for _ in range(2):
        answer = status_response(state, rate, None)
        assert (answer.body, answer.media_type, answer.status_code) == (fresh.body, fresh.media_type, 200)


def _path(n: int) -> str:
    return f"/v2/project-{n}/design/export-result"


def test_a_remembered_route_match_equals_a_fresh_one_and_the_memory_stays_bounded() -> None:
    router, fresh = SpecRouter(load_spec()), SpecRouter(load_spec())
    paths = [_path(n) for n in range(_CACHED_PATHS * 2)] + ["/v2/p%2Fq/design/export-model", "/nowhere"]
    for _ in range(2):  # the second pass reads what the first remembered (or what replaced it)
        for path in paths:
            searched = fresh._search(path)
            assert router.find(path) == (None if searched is None else (searched[0], dict(searched[1]))), path
    assert len(router._found) <= _CACHED_PATHS


def test_a_caller_changing_its_path_parameters_does_not_change_the_next_match() -> None:
    router = SpecRouter(load_spec())
    first = router.match("GET", f"/v2/{DEMO_PROJECT_ID}/design/export-result")
    first.path_params["project_id"] = "changed"
    again = router.match("GET", f"/v2/{DEMO_PROJECT_ID}/design/export-result")
    assert again.path_params == {"project_id": DEMO_PROJECT_ID}


def _incoming(headers: dict[str, str]) -> Incoming:
    return Incoming("POST", "/", {name.lower(): value for name, value in headers.items()}, [])


async def test_a_request_without_length_or_chunking_has_no_body_to_read() -> None:
    async def receive() -> dict[str, Any]:
        raise AssertionError("receive must not be called for a request that declares no body")

    incoming = _incoming({})
    await incoming.read_body(receive, 10)
    assert incoming.body == b""


@pytest.mark.parametrize("framing", [{"Content-Length": "5"}, {"Transfer-Encoding": "chunked"}])
async def test_a_declared_body_is_read_and_held_to_the_limit(framing: dict[str, str]) -> None:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"cde"},
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    incoming = _incoming(framing)
    await incoming.read_body(receive, 10)
    assert incoming.body == b"abcde"
    messages[:] = [{"type": "http.request", "body": b"x" * 11}]
    with pytest.raises(InvalidRequest, match="exceeds 10 bytes"):
        await _incoming(framing).read_body(receive, 10)


async def test_lifespan_start_up_and_shut_down_are_acknowledged() -> None:
    inbox = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return inbox.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await create_app()({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


async def test_a_websocket_handshake_is_refused() -> None:
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await create_app()({"type": "websocket", "path": "/"}, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008}]
