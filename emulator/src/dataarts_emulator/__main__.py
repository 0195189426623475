"""``dataarts-emulator`` and ``python -m dataarts_emulator``: run the emulator with uvicorn, print how to call it.

The socket is bound before anything is printed, so a port already in use is
one error line and no banner of a server that never listened; ``--port 0``
gets a free port, which the banner names. Listening on an address other than
loopback is allowed (a container needs ``0.0.0.0``) but warned about on
stderr: the emulator speaks plain HTTP and may accept the published demo
credentials. Messages and ``--help`` name the program as it was run.
"""

from __future__ import annotations

import dataclasses
import errno
import gc
import os
import shlex
import socket
import sys
from collections.abc import Sequence

import uvicorn

from dataarts_export_client.lib.transport_security import is_loopback_host

from .app import create_app
from .config import options_from
from .settings import DEMO_AK, DEMO_SK, DEMO_TOKEN, ServerOptions, Tenant

PUBLISHED_SECRETS = frozenset({DEMO_TOKEN, DEMO_SK})
"""The demo tenant's credentials, published in the docs: the only secrets the banner shows."""


def _shown(secret: str) -> str:
    """A demo credential as is; any other secret hidden, so logs of a configured emulator leak nothing."""
    return secret if secret in PUBLISHED_SECRETS else "*** (as configured)"


def banner(options: ServerOptions) -> str:
    """Start-up text: where it listens, the tenants, and a ready-to-paste call for the first one.

    Demo credentials are printed so a newcomer can call the emulator at once;
    configured tokens and secret keys are not, since start-up output ends up in logs.
    """
    base = f"http://{options.host}:{options.port}"
    settings = options.settings
    lines = [f"DataArts Studio export emulator on {base} (health: {base}/healthz)"]
    for tenant in settings.tenants:
        lines.append(f"  tenant {tenant.name}: project_id={tenant.project_id} workspaces={','.join(tenant.workspaces)}")
        lines += [f"    token: {_shown(token)}" for token in tenant.tokens]
        lines += [f"    AK/SK: {key.ak} / {_shown(key.sk)}" for key in tenant.access_keys]
    lines.append(
        f"  export_seconds={settings.export_seconds} fault_rate={settings.fault_rate} "
        f"throttle_rate={settings.throttle_rate} truncate_rate={settings.truncate_rate} "
        f"latency_ms={settings.latency_ms} seed={settings.seed}"
    )
    extra = ("reset_rate", "proxy_page_rate", "stall_rate", "trickle_rate")
    if any(getattr(settings, name) for name in extra):
        lines.append("  " + " ".join(f"{name}={getattr(settings, name)}" for name in extra))
    example = _example(base, next((t for t in settings.tenants if t.tokens), None))
    if example:
        lines += ["", "Try it:", *example]
    return "\n".join(lines)


def _example(base: str, tenant: Tenant | None) -> list[str]:
    if tenant is None:
        return []
    prefix = f"{base}/v2/{tenant.project_id}/design"
    shown_token = tenant.tokens[0]
    token = (
        shlex.quote(f"X-Auth-Token: {shown_token}") if shown_token in PUBLISHED_SECRETS else '"X-Auth-Token: $TOKEN"'
    )

    workspace = shlex.quote(f"workspace: {tenant.workspaces[0]}")
    auth = f"-H {token} -H {workspace}"
    body = shlex.quote('{"ids": ["1224641525420683264"], "type": "TABLE_MODEL", "asyn": true}')
    return [
        f"  curl -s -X POST {prefix}/export-model {auth} -H 'Content-Type: application/json;charset=UTF-8' -d {body}",
        f"  curl -s '{prefix}/export-result?uuid=<uuid from above>' {auth} -o export.xlsx",
    ]


def listening_warning(options: ServerOptions) -> str | None:
    """What to say when ``options.host`` is not this machine's loopback (``None`` when it is)."""
    if is_loopback_host(options.host):
        return None
    demo = any(
        DEMO_TOKEN in tenant.tokens or any(key.ak == DEMO_AK for key in tenant.access_keys)
        for tenant in options.settings.tenants
    )
    accepts = ", and it accepts the published demo credentials" if demo else ""
    return (
        f"listening on {options.host}, reachable from other machines: the emulator speaks plain HTTP "
        f"(credentials cross the network readable){accepts}; use --host 127.0.0.1 unless that is meant"
    )


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for uvicorn to serve on (bound as uvicorn would bind it).

    Its connections send each answer at once (``TCP_NODELAY``, which they inherit). asyncio
    sets it only on sockets whose protocol number says TCP, and a socket made with the default
    protocol 0 does not: a keep-alive client then waited ~40 ms per answer for the delayed ACK
    (the emulator fell from 5,000 to 360 polls a second in ``make bench``).
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _listen_error(prog: str, host: str, port: int, error: OSError) -> str:
    hint = " (another emulator? choose another --port)" if error.errno == errno.EADDRINUSE else ""
    reason = (error.strerror or str(error)).lower()
    return f"{prog}: error: cannot listen on {host}:{port}: {reason}{hint}"


MODULE_PROG = "python -m dataarts_emulator"
"""How the program is named when run as a module (argparse alone would say ``__main__.py``)."""


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> None:
    """Parse flags and environment, bind, print the banner, run uvicorn until interrupted.

    The ``dataarts-emulator`` console script calls this with no arguments: the
    flags come from ``sys.argv`` and messages name the script as it was run.
    """
    name = prog or os.path.basename(sys.argv[0])
    options = options_from(argv, prog=prog)
    try:
        sock = _listen(options.host, options.port)
    except OSError as error:
        print(_listen_error(name, options.host, options.port, error), file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    options = dataclasses.replace(options, port=sock.getsockname()[1])
    app = create_app(options.settings)
    # The spec, its compiled schemas and the imports live as long as the process: keep them out of
    # the collector's sweeps, which would otherwise rescan them on every full collection.
    gc.freeze()
    warning = listening_warning(options)
    if warning is not None:
        print(f"{name}: warning: {warning}", file=sys.stderr, flush=True)
    print(banner(options), flush=True)
    config = uvicorn.Config(app, log_level=options.log_level, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1:], prog=MODULE_PROG)
