"""The generated request builds its url itself: the same request as httpx's ``params=`` and base_url give.

``request_kwargs`` encodes the query with ``types.url_with_query`` and the
generated calls join the url to the client's base_url with
``types.absolute_url`` (so httpx parses each url once, see ``make bench``).
These tests pin that the request on the wire is the one httpx would build.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataarts_export_client import Client
from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.types import absolute_url, url_with_query

BASE_URL = "http://127.0.0.1:8000/base/"
PATH = "/v2/a%2Fb/design/export-result"
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
VALUE = st.one_of(TEXT, st.integers(), st.booleans(), st.floats(allow_nan=False), st.lists(TEXT, max_size=3))


_CLIENT = httpx.Client(base_url=BASE_URL)  # only builds requests, never sends one


def _sent_url(**request: Any) -> httpx.URL:
    return _CLIENT.build_request("GET", **request).url


@given(st.dictionaries(TEXT, VALUE, max_size=4))
def test_the_query_in_the_url_is_the_query_params_would_send(params: dict[str, Any]) -> None:
    assert _sent_url(url=url_with_query(PATH, params)) == _sent_url(url=PATH, params=params)


def test_no_parameters_add_no_question_mark() -> None:
    assert url_with_query(PATH, {}) == PATH


@given(project_id=TEXT, uuid=TEXT)
def test_the_generated_request_is_the_one_params_would_build(project_id: str, uuid: str) -> None:
    kwargs = export_design_result.request_kwargs(project_id, uuid=uuid, workspace="w")
    path = kwargs["url"].split("?", 1)[0]
    assert "params" not in kwargs
    assert _sent_url(url=kwargs["url"]) == _sent_url(url=path, params={"uuid": uuid})


BASE_URLS = [
    "http://127.0.0.1:8000",
    "http://127.0.0.1:8000/base/",
    "https://dayu.example.com/prefix%20x",
    "http://[::1]:9/a/b",
    "",
    "http://127.0.0.1:8000/base?q=1",
    "http://user:pw@127.0.0.1:8000/",
]
URLS = st.builds(
    lambda path, query: path + ("?" + query if query else ""),
    st.text(alphabet="/ab%2Fé~ ", max_size=12).map(lambda text: "/v2/" + text),  # as request_kwargs makes them
    st.text(alphabet="a=&b+%20é", max_size=8),
)


_CLIENTS = {base_url: httpx.Client(base_url=base_url) for base_url in BASE_URLS}  # build requests, send none


@pytest.mark.parametrize("base_url", BASE_URLS)
@given(url=URLS)
def test_a_url_joined_to_the_base_url_is_the_url_httpx_would_join(base_url: str, url: str) -> None:
    client = _CLIENTS[base_url]
    joined = client.build_request("GET", absolute_url(client.base_url, url))
    assert joined.url == client.build_request("GET", url).url


def test_the_generated_call_sends_to_the_joined_url() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    transport = httpx.MockTransport(answer)
    client = Client("http://127.0.0.1:8000/base/", httpx_args={"transport": transport})
    export_design_result.sync_detailed("p 1", client=client, uuid="a b", workspace="w")
    assert str(sent[0].url) == "http://127.0.0.1:8000/base/v2/p%201/design/export-result?uuid=a+b"
