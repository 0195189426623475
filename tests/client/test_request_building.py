"""The generated request carries its query in the url: the same request as httpx's ``params=`` would send.

``request_kwargs`` encodes the query with ``types.url_with_query`` (so httpx
parses each url once, see ``make bench``). These tests pin that the request on
the wire is the one ``params=`` gives, for any values httpx accepts.
"""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import given
from hypothesis import strategies as st

from dataarts_export_client.api.export import export_design_result
from dataarts_export_client.types import url_with_query

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
