"""Shared pieces of the contract suite: tenant, schemathesis config, engine runs and ASGI mutations.

The suite loads ``openapi.yaml`` with the project's ``schemathesis.toml``
(minus the CLI hooks module: auth is registered per schema here) and points it
at the emulator's ASGI app in-process, at a broken variant of it (mutation
tests), or at a live server.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.specs.openapi.schemas import OpenApiSchema

from dataarts_emulator import AccessKey, EmulatorSettings, Tenant, create_app
from tools.contract.auth import install_on_schema
from tools.contract.config import PHASES, SPEC, project_seed, project_settings
from tools.contract.credentials import Credentials

# In-process tenant: test values, not secrets (nothing outside this process accepts them). The seed is the project's.
PROJECT_ID = "0833a5737480d53b2f25c010dc1a7b88"
WORKSPACE = "2ceb3c2b4b2d4b1c9d5a0a8b6a0c1e3f"
TOKEN = "contract-suite-token-0001"
AK = "CONTRACTSUITEAK00001"
SK = "contract-suite-secret-key-0001"
AKSK_CREDENTIALS = Credentials(PROJECT_ID, WORKSPACE, ak=AK, sk=SK)
TOKEN_CREDENTIALS = Credentials(PROJECT_ID, WORKSPACE, token=TOKEN)
SEED = project_seed()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def emulator_settings(**overrides: Any) -> EmulatorSettings:
    """The suite's tenant, short exports and a fixed seed; ``overrides`` replace any setting."""
    tenant = Tenant(PROJECT_ID, (WORKSPACE,), tokens=(TOKEN,), access_keys=(AccessKey(AK, SK),), name="contract")
    values: dict[str, Any] = {"tenants": (tenant,), "export_seconds": 0.5, "fail_ratio": 0.25, "seed": SEED}
    values.update(overrides)
    return EmulatorSettings(**values)


def emulator_app(**overrides: Any) -> ASGIApp:
    app: ASGIApp = create_app(emulator_settings(**overrides))
    return app


def project_config(
    *,
    max_examples: int,
    phases: tuple[str, ...] | None = None,
    base_url: str = "http://testserver",
    extra: dict[str, Any] | None = None,
) -> SchemathesisConfig:
    """``schemathesis.toml`` (its seed included) without its hooks module, bounded and on one worker."""
    data = project_settings()
    data.pop("hooks", None)
    data["base-url"] = base_url
    data["workers"] = 1
    data.setdefault("generation", {})["max-examples"] = max_examples
    data["generation"]["deterministic"] = True
    if phases is not None:
        for name in PHASES:
            data.setdefault("phases", {}).setdefault(name, {})["enabled"] = name in phases
    for key, value in (extra or {}).items():
        data[key] = value
    return SchemathesisConfig.from_dict(data)


def load_schema(
    config: SchemathesisConfig,
    credentials: Credentials,
    *,
    app: ASGIApp | None = None,
    operation_id: str | None = None,
) -> OpenApiSchema:
    """The spec under ``config``, authenticated as ``credentials``, optionally wired to an ASGI ``app``."""
    schema = schemathesis.openapi.from_path(SPEC, config=config)
    if operation_id is not None:
        narrowed = schema.include(operation_id=operation_id)
        assert isinstance(narrowed, OpenApiSchema)
        schema = narrowed
    if app is not None:
        schema.app = app
    install_on_schema(schema, credentials)
    return schema


@dataclass
class EngineResult:
    """What one engine run found: failing check names, answers seen, phase outcomes, errors."""

    failures: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    answered: Counter[tuple[str, int]] = field(default_factory=Counter)
    """(the last segment of the request's path, the answer's status): which operation answered what."""
    phases: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def run_engine(schema: OpenApiSchema) -> EngineResult:
    """Run every enabled phase through schemathesis's engine (what the CLI does) and collect the outcome."""
    result = EngineResult()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for interaction in event.recorder.interactions.values():
                if interaction.response is not None:
                    result.statuses[interaction.response.status_code] += 1
                    last_segment = urlsplit(interaction.request.uri).path.rsplit("/", 1)[-1]
                    result.answered[last_segment, interaction.response.status_code] += 1
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status.value == "failure":
                        result.failures[check.name] += 1
                        if check.failure_info is not None:
                            result.messages.append(f"{check.name}: {check.failure_info.failure.title}")
        elif isinstance(event, events.PhaseFinished):
            result.phases[str(event.phase.name.value)] = str(event.status.value)
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            result.errors.append(repr(event))
    return result


# --------------------------------------------------------------------------- ASGI mutations


@dataclass
class Answer:
    """A buffered response a mutation may rewrite."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: str) -> str:
        wanted = name.lower().encode("latin-1")
        return next((value.decode("latin-1") for key, value in self.headers if key.lower() == wanted), "")

    def set_header(self, name: str, value: str) -> None:
        wanted = name.lower().encode("latin-1")
        self.headers = [(k, v) for k, v in self.headers if k.lower() != wanted]
        self.headers.append((wanted, value.encode("latin-1")))

    def json(self) -> Any:
        return json.loads(self.body) if "json" in self.header("content-type") else None

    def set_json(self, payload: Any) -> None:
        self.body = json.dumps(payload).encode("utf-8")
        self.set_header("content-length", str(len(self.body)))


Rewrite = Callable[[Scope, Answer], None]


def rewrite_answers(app: ASGIApp, rewrite: Rewrite) -> ASGIApp:
    """Wrap ``app``: buffer each HTTP answer, let ``rewrite`` change it in place, then send it."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        answer = Answer(0, [], b"")

        async def buffer(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status = int(message["status"])
                answer.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                answer.body += message.get("body", b"")
                if not message.get("more_body", False):
                    rewrite(scope, answer)
                    await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
                    await send({"type": "http.response.body", "body": answer.body})

        await app(scope, receive, buffer)

    return wrapped


def with_request_headers(app: ASGIApp, change: Callable[[Scope], None]) -> ASGIApp:
    """Wrap ``app``: let ``change`` edit the request scope (e.g. its headers) before the app sees it."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = dict(scope)
            scope["headers"] = list(scope.get("headers", []))
            change(scope)
        await app(scope, receive, send)

    return wrapped


def query(scope: Scope) -> dict[str, list[str]]:
    return parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)


def is_result_call(scope: Scope) -> bool:
    return str(scope.get("path", "")).endswith("/design/export-result") and scope.get("method") == "GET"
