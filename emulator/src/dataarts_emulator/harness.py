"""An emulator a test drives: its address and credentials, its clock, and what it received.

:class:`RunningEmulator` is what the pytest plugin's ``dataarts_emulator``
fixture hands a test (:mod:`dataarts_emulator.pytest_plugin`); it is usable
without pytest too (:func:`running_emulator`). Three parts, each small:

* :class:`ControlledClock` — real time plus an offset the test adds to, so
  exports run on their own and ``advance(seconds)`` jumps an export to
  ``success`` or past its TTL without sleeping;
* :class:`RequestRecorder` — ASGI middleware keeping a :class:`RecordedRequest`
  (method, path, query, headers, status) of every request, credentials masked
  on the way in, so nothing a test prints or asserts on can leak one;
* :class:`Switchboard` — one server whose app is swapped per test: each test
  gets a fresh emulator (own state, settings and clock) for the price of
  building an app, without starting a server.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dataarts_export_client import AuthenticatedClient, Client
from dataarts_export_client.lib.environment import token_client
from dataarts_export_client.lib.redaction import MASK, mask_access_key, redact
from dataarts_export_client.lib.signing import AkSkAuth

from .app import EmulatorApp, create_app
from .settings import EmulatorSettings
from .testing import serve_app
from .workbook import layout_for

__all__ = [
    "ControlledClock",
    "RecordedRequest",
    "RequestRecorder",
    "RunningEmulator",
    "Switchboard",
    "mask_headers",
    "running_emulator",
]

_C = TypeVar("_C", AuthenticatedClient, Client)
_SECRET_HEADERS = frozenset({"x-auth-token", "x-security-token", "cookie"})
_ACCESS_RE = re.compile(r"(Access=)([^,\s]+)")
_SIGNATURE_RE = re.compile(r"(Signature=)([^,\s]+)")


class ControlledClock:
    """Seconds since the epoch: real time plus what :meth:`advance` added. Thread-safe."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` (never back: exports and retention only move forward)."""
        if seconds < 0:
            raise ValueError(f"time only moves forward; got {seconds}")
        with self._lock:
            self._offset += seconds

    def datetime(self) -> datetime:
        """The clock's time as an aware UTC datetime (what request signing reads)."""
        return datetime.fromtimestamp(self(), UTC)


def mask_headers(headers: Iterable[tuple[str, str]], secrets: Iterable[str] = ()) -> dict[str, str]:
    """Headers with lower-case names and no credential values left.

    Token headers become ``***``; an AK/SK ``Authorization`` keeps its shape
    with the access key shortened and the signature hidden; any other scheme
    keeps only its name. Every value is then cleared of ``secrets`` (the
    configured tokens and secret keys), should one travel elsewhere.
    """
    known = tuple(secrets)
    masked: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.lower()
        value = MASK if name in _SECRET_HEADERS else raw_value
        if name == "authorization":
            value = _mask_authorization(raw_value)
        masked[name] = redact(value, known)
    return masked


def _mask_authorization(value: str) -> str:
    if "Signature=" in value:
        value = _ACCESS_RE.sub(lambda match: match[1] + mask_access_key(match[2]), value)
        return _SIGNATURE_RE.sub(lambda match: match[1] + MASK, value)
    scheme = value.split(" ", 1)[0] if " " in value else ""
    return f"{scheme} {MASK}".strip()


@dataclass(frozen=True)
class RecordedRequest:
    """One request the emulator received, credentials masked; ``status`` is its answer's (None if none was sent)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int | None


class RequestRecorder:
    """ASGI middleware: appends a :class:`RecordedRequest` to ``requests`` for every HTTP request but ``/healthz``."""

    def __init__(self, app: ASGIApp, secrets: Iterable[str] = ()) -> None:
        self.app = app
        self.requests: list[RecordedRequest] = []
        self._secrets = tuple(secrets)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] == "/healthz":
            await self.app(scope, receive, send)
            return
        answered = False

        async def send_recording(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                # Recorded before the answer leaves, so a test that has its answer also has the record.
                answered = True
                self.requests.append(self._record(scope, message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            if not answered:  # e.g. an injected connection reset
                self.requests.append(self._record(scope, None))

    def _record(self, scope: Scope, status: int | None) -> RecordedRequest:
        query = scope.get("query_string", b"").decode("latin-1")
        return RecordedRequest(
            method=scope["method"],
            path=scope.get("raw_path", scope["path"].encode()).decode("latin-1").split("?", 1)[0],
            query={name: redact(value, self._secrets) for name, value in parse_qsl(query, keep_blank_values=True)},
            headers=mask_headers(
                ((name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]), self._secrets
            ),
            status=status,
        )


class Switchboard:
    """An ASGI app that forwards every request to the app installed last: one server, a fresh emulator per test."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    @contextmanager
    def installed(self, app: ASGIApp) -> Iterator[None]:
        """Route requests to ``app`` until the block ends, then back to the app before it."""
        previous, self.app = self.app, app
        try:
            yield
        finally:
            self.app = previous


def _secrets(settings: EmulatorSettings) -> list[str]:
    found: list[str] = []
    for tenant in settings.tenants:
        found += tenant.tokens
        for key in tenant.access_keys:
            found += [key.sk, *([key.security_token] if key.security_token else [])]
    return found


@dataclass
class RunningEmulator:
    """An emulator serving at ``base_url``, with the first tenant's ids and credentials at hand.

    ``project_id``, ``workspace``, ``token``, ``ak``, ``sk`` (and
    ``security_token``) come from the first tenant of ``settings``: its first
    workspace, first token and first access key (``None`` when it has none).
    ``requests`` lists what the emulator received, oldest first.
    """

    base_url: str
    settings: EmulatorSettings
    clock: ControlledClock
    recorder: RequestRecorder = field(repr=False)
    _clients: list[AuthenticatedClient | Client] = field(default_factory=list, repr=False)

    @property
    def project_id(self) -> str:
        return self.settings.tenants[0].project_id

    @property
    def workspace(self) -> str:
        return self.settings.tenants[0].workspaces[0]

    @property
    def token(self) -> str | None:
        tokens = self.settings.tenants[0].tokens
        return tokens[0] if tokens else None

    @property
    def ak(self) -> str | None:
        keys = self.settings.tenants[0].access_keys
        return keys[0].ak if keys else None

    @property
    def sk(self) -> str | None:
        keys = self.settings.tenants[0].access_keys
        return keys[0].sk if keys else None

    @property
    def security_token(self) -> str | None:
        keys = self.settings.tenants[0].access_keys
        return keys[0].security_token if keys else None

    @property
    def requests(self) -> list[RecordedRequest]:
        """What the emulator received so far (masked), oldest first; ``clear()`` it to start over."""
        return self.recorder.requests

    @property
    def app(self) -> EmulatorApp:
        """The emulator app behind the server (its state is ``app.backend``)."""
        app = self.recorder.app
        assert isinstance(app, EmulatorApp)  # noqa: S101 - built so by build()
        return app

    def columns(self, export_type: str) -> tuple[str, ...]:
        """The columns of ``export_type``'s sheet: the keys :meth:`seed` takes and :meth:`objects` gives."""
        return layout_for(export_type).columns

    def seed(self, export_type: str, objects: Iterable[Mapping[str, str]], *, workspace: str | None = None) -> None:
        """Give the workspace design objects, as exports of ``export_type`` show them and imports match them.

        Each object is a mapping of column name (:meth:`columns`) to text; the
        first column is its ID, missing columns are empty. Objects of types of
        one kind (``codeTable`` and ``Directory_CodeTable``, say) are the same objects.
        """
        layout = layout_for(export_type)
        rows = []
        for item in objects:
            unknown = set(item) - set(layout.columns)
            if unknown:
                raise ValueError(f"{export_type} has no columns {sorted(unknown)}; its columns are {layout.columns}")
            rows.append(tuple(str(item.get(column, "")) for column in layout.columns))
        self.app.backend.design.put(self.project_id, workspace or self.workspace, layout.kind, rows)

    def objects(self, export_type: str, *, workspace: str | None = None) -> list[dict[str, str]]:
        """The design objects of ``export_type``'s kind the workspace holds (seeded or imported), as mappings."""
        layout = layout_for(export_type)
        rows = self.app.backend.design.all_rows(self.project_id, workspace or self.workspace, layout.kind)
        return [dict(zip(layout.columns, row, strict=True)) for row in rows]

    def advance(self, seconds: float) -> None:
        """Move the emulator's time forward: exports progress, finish and expire as if ``seconds`` had passed."""
        self.clock.advance(seconds)

    def env(self) -> dict[str, str]:
        """The variables ``client_from_env`` and ``dataarts-export`` read, pointing at this emulator (token auth)."""
        if self.token is None:
            raise ValueError("the first tenant has no token")
        return {
            "DATAARTS_ENDPOINT": self.base_url,
            "DATAARTS_TOKEN": self.token,
            "DATAARTS_PROJECT_ID": self.project_id,
            "DATAARTS_WORKSPACE": self.workspace,
        }

    def client(self, **client_kwargs: Any) -> AuthenticatedClient:
        """A token-authenticated client of this emulator (closed when the emulator stops)."""
        if self.token is None:
            raise ValueError("the first tenant has no token: give it one, or use aksk_client()")
        return self._keep(token_client(self.base_url, self.token, **client_kwargs))

    def aksk_client(self, **client_kwargs: Any) -> Client:
        """An AK/SK-signing client of this emulator, signing with the emulator's clock so ``advance`` keeps it valid."""
        if self.ak is None or self.sk is None:
            raise ValueError("the first tenant has no access key")
        auth = AkSkAuth(
            self.ak, self.sk, project_id=self.project_id, security_token=self.security_token, clock=self.clock.datetime
        )
        httpx_args = {**client_kwargs.pop("httpx_args", {}), "auth": auth}
        return self._keep(Client(self.base_url, httpx_args=httpx_args, **client_kwargs))

    def _keep(self, client: _C) -> _C:
        self._clients.append(client)
        return client

    def close_clients(self) -> None:
        """Close the connections of every client made by :meth:`client` and :meth:`aksk_client`."""
        for client in self._clients:
            client.get_httpx_client().close()
        self._clients.clear()


def build(settings: EmulatorSettings, base_url: str = "") -> tuple[RunningEmulator, RequestRecorder]:
    """A fresh emulator app for ``settings`` with its own clock, wrapped in a recorder (not yet served)."""
    clock = ControlledClock()
    recorder = RequestRecorder(create_app(settings, clock=clock), _secrets(settings))
    return RunningEmulator(base_url, settings, clock, recorder), recorder


@contextmanager
def running_emulator(settings: EmulatorSettings | None = None) -> Iterator[RunningEmulator]:
    """Serve a fresh emulator on a free 127.0.0.1 port for the duration of the block (no pytest needed)."""
    emulator, recorder = build(settings or EmulatorSettings())
    with serve_app(recorder) as base_url:
        emulator.base_url = base_url
        try:
            yield emulator
        finally:
            emulator.close_clients()
