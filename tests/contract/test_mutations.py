"""The contract tests bite: each deliberately broken emulator is caught by the expected check.

Every mutation wraps the real emulator's ASGI app in a small middleware (the
emulator itself is untouched), runs a small, seeded schemathesis run over
the phases and operation it concerns, and asserts that the named check
reports it. A baseline run of the same shape on the unbroken emulator must
report nothing, so a catch is the mutation's doing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from .contract_support import (
    AKSK_CREDENTIALS,
    TOKEN,
    Answer,
    ASGIApp,
    Scope,
    emulator_app,
    is_result_call,
    load_schema,
    project_config,
    query,
    rewrite_answers,
    run_engine,
    with_request_headers,
)

pytestmark = pytest.mark.slow

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def undeclared_status(scope: Scope, answer: Answer) -> None:
    """An unknown export answered 404 (the spec declares 400, the emulator's EMU.0404, and no 404 at all)."""
    body = answer.json()
    if (
        is_result_call(scope)
        and answer.status == 400
        and isinstance(body, dict)
        and body.get("error_code") == "EMU.0404"
    ):
        answer.status = 404


def missing_required_field(scope: Scope, answer: Answer) -> None:
    """``data.status`` left out of the progress answer."""
    body = answer.json()
    if is_result_call(scope) and answer.status == 200 and isinstance(body, dict):
        body.get("data", {}).pop("status", None)
        answer.set_json(body)


def wrong_enum_value(scope: Scope, answer: Answer) -> None:
    """``status: "done"``, a value ExportState does not list."""
    body = answer.json()
    if is_result_call(scope) and answer.status == 200 and isinstance(body, dict) and "data" in body:
        body["data"]["status"] = "done"
        answer.set_json(body)


def server_error_on_input(scope: Scope, answer: Answer) -> None:
    """A uuid that is not a canonical UUID crashes the server (500) instead of giving 400."""
    uuids = query(scope).get("uuid", [])
    if is_result_call(scope) and answer.status == 400 and uuids and not UUID.match(uuids[0]):
        answer.status = 500


def wrong_content_type(scope: Scope, answer: Answer) -> None:
    """JSON answers labelled ``text/html``."""
    if "json" in answer.header("content-type"):
        answer.set_header("content-type", "text/html; charset=utf-8")


def ignore_auth(scope: Scope) -> None:
    """Requests without credentials get the tenant's token slipped in: the server accepts anyone."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    names = {name.lower() for name, _ in headers}
    if not ({b"x-auth-token", b"authorization"} & names) or _has_invalid_credentials(headers):
        scope["headers"] = [
            (name, value) for name, value in headers if name.lower() not in (b"x-auth-token", b"authorization")
        ] + [(b"x-auth-token", TOKEN.encode())]


def _has_invalid_credentials(headers: list[tuple[bytes, bytes]]) -> bool:
    values = {name.lower(): value for name, value in headers}
    token = values.get(b"x-auth-token")
    authorization = values.get(b"authorization")
    if token is not None:
        return token != TOKEN.encode()
    return authorization is not None and not authorization.startswith(b"SDK-HMAC-SHA256 Access=")


@dataclass(frozen=True)
class Mutation:
    name: str
    wrap: Callable[[ASGIApp], ASGIApp]
    check: str
    phases: tuple[str, ...]
    operation_id: str | None
    max_examples: int = 10


MUTATIONS = [
    Mutation(
        "undeclared-status-404",
        lambda app: rewrite_answers(app, undeclared_status),
        "status_code_conformance",
        ("examples", "coverage"),
        "ExportDesignResult",
    ),
    Mutation(
        "missing-data-status",
        lambda app: rewrite_answers(app, missing_required_field),
        "response_schema_conformance",
        ("stateful",),
        None,
    ),
    Mutation(
        "status-done",
        lambda app: rewrite_answers(app, wrong_enum_value),
        "response_schema_conformance",
        ("stateful",),
        None,
    ),
    Mutation(
        "500-on-odd-uuid",
        lambda app: rewrite_answers(app, server_error_on_input),
        "not_a_server_error",
        ("examples", "coverage"),
        "ExportDesignResult",
    ),
    Mutation(
        "json-as-text-html",
        lambda app: rewrite_answers(app, wrong_content_type),
        "content_type_conformance",
        ("examples",),
        "ExportDesignModels",
    ),
    Mutation(
        "auth-ignored",
        lambda app: with_request_headers(app, ignore_auth),
        "ignored_auth",
        ("examples",),
        "ExportDesignModels",
    ),
]


@pytest.mark.parametrize(
    ("phases", "operation_id"),
    sorted({(m.phases, m.operation_id) for m in MUTATIONS}, key=str),
    ids=lambda value: ",".join(value) if isinstance(value, tuple) else str(value),
)
def test_unbroken_emulator_passes_the_same_runs(phases: tuple[str, ...], operation_id: str | None) -> None:
    run = run_engine(
        load_schema(
            project_config(max_examples=10, phases=phases),
            AKSK_CREDENTIALS,
            app=emulator_app(),
            operation_id=operation_id,
        )
    )
    assert not run.failures, run.messages
    assert not run.errors, run.errors


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_mutation_is_caught_by_the_expected_check(mutation: Mutation) -> None:
    run = run_engine(
        load_schema(
            project_config(max_examples=mutation.max_examples, phases=mutation.phases),
            AKSK_CREDENTIALS,
            app=mutation.wrap(emulator_app()),
            operation_id=mutation.operation_id,
        )
    )
    assert run.failures[mutation.check] > 0, f"{mutation.name}: {mutation.check} did not fire; got {dict(run.failures)}"
