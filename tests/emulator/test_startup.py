"""Starting the emulator: whose credentials it accepts, where it listens, and what it says first.

The published demo credentials are for trying the emulator out: a tenant
given credentials of its own must not accept them too. Listening beyond this
machine is allowed (a container needs it) but said plainly; a port already
in use is reported before anything else is printed.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
import uvicorn

from dataarts_emulator import DEMO_AK, DEMO_SK, DEMO_TOKEN, DEMO_WORKSPACE
from dataarts_emulator.__main__ import MODULE_PROG, _listen, listening_warning, main
from dataarts_emulator.config import options_from
from dataarts_export_client.lib.signing import AkSkAuth

from .support import EXPORT_MODEL, ClientFactory, FakeClock

BODY = {"ids": ["1"], "type": "TABLE_MODEL", "asyn": False}


@pytest.mark.parametrize(
    ("argv", "tokens", "keys"),
    [
        (["--token", "my-own-token-0001"], ("my-own-token-0001",), []),
        (["--ak", "MYOWNAK", "--sk", "my-own-secret-key"], (), [("MYOWNAK", "my-own-secret-key")]),
        (["--project-id", "p1"], (DEMO_TOKEN,), [(DEMO_AK, DEMO_SK)]),
    ],
    ids=["own-token", "own-aksk", "no-own-credentials"],
)
def test_the_demo_credentials_fill_in_only_for_a_tenant_without_credentials_of_its_own(
    argv: list[str], tokens: tuple[str, ...], keys: list[tuple[str, str]]
) -> None:
    (tenant,) = options_from(argv, {}).settings.tenants
    assert tenant.tokens == tokens
    assert [(key.ak, key.sk) for key in tenant.access_keys] == keys


def test_a_security_token_alone_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        options_from(["--security-token", "temporary-0001"], {})
    assert exited.value.code == 2
    assert "--security-token goes with --ak and --sk" in capsys.readouterr().err


@pytest.mark.parametrize("scheme", ["token", "aksk"])
async def test_a_tenant_with_its_own_token_refuses_the_demo_credentials(
    make_client: ClientFactory, clock: FakeClock, scheme: str
) -> None:
    settings = options_from(["--token", "my-own-token-0001"], {}).settings
    headers = {"workspace": DEMO_WORKSPACE}
    if scheme == "token":
        client = make_client(settings, headers={**headers, "X-Auth-Token": DEMO_TOKEN})
    else:
        client = make_client(settings, headers=headers, auth=AkSkAuth(DEMO_AK, DEMO_SK, clock=clock.datetime))
    answer = await client.post(EXPORT_MODEL, json=BODY)
    assert answer.status_code == 401
    mine = make_client(settings, headers={**headers, "X-Auth-Token": "my-own-token-0001"})
    assert (await mine.post(EXPORT_MODEL, json=BODY)).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_no_warning_on_this_machine(host: str) -> None:
    assert listening_warning(options_from(["--host", host], {})) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20"])  # noqa: S104 - the case under test
def test_listening_beyond_this_machine_is_said_plainly(host: str) -> None:
    warning = listening_warning(options_from(["--host", host], {}))
    assert warning is not None
    assert f"listening on {host}" in warning
    assert "reachable from other machines" in warning
    assert "plain HTTP" in warning
    assert "demo credentials" in warning, "the published credentials are accepted"
    own = listening_warning(options_from(["--host", host, "--token", "my-own-token-0001"], {}))
    assert own is not None
    assert "demo credentials" not in own


def test_the_warning_comes_before_the_banner_on_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process, with uvicorn's serving loop replaced: the socket is bound (never listening) and closed again."""
    served: list[socket.socket] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda _server, sockets: served.extend(sockets))
    main(["--host", "0.0.0.0", "--port", "0"], prog=MODULE_PROG)  # noqa: S104 - the case under test
    (sock,) = served
    port = sock.getsockname()[1]
    sock.close()
    captured = capsys.readouterr()
    assert captured.err.startswith("python -m dataarts_emulator: warning: listening on 0.0.0.0"), captured.err
    assert captured.out.startswith(f"DataArts Studio export emulator on http://0.0.0.0:{port} "), "the bound port"


def test_a_port_in_use_is_an_error_before_any_banner() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "dataarts_emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == "", "no banner for a server that never listened"
    assert result.stderr == (
        f"python -m dataarts_emulator: error: cannot listen on 127.0.0.1:{port}: address already in use "
        "(another emulator? choose another --port)\n"
    )


def test_connections_send_each_answer_at_once() -> None:
    """Accepted connections have TCP_NODELAY: without it a keep-alive client waits for the delayed ACK on every
    answer (~40 ms; asyncio sets the option only on sockets made with protocol IPPROTO_TCP)."""
    with _listen("127.0.0.1", 0) as listener:
        listener.listen(1)
        with socket.create_connection(listener.getsockname()[:2], timeout=5), listener.accept()[0] as accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
