"""``dataarts-emulator`` and ``python -m dataarts_emulator``: run the emulator with uvicorn, print how to call it."""

from __future__ import annotations

import gc
import shlex
import sys
from collections.abc import Sequence

import uvicorn

from .app import create_app
from .config import options_from
from .settings import DEMO_SK, DEMO_TOKEN, ServerOptions, Tenant

PUBLISHED_SECRETS = frozenset({DEMO_TOKEN, DEMO_SK})
"""The demo tenant's credentials, published in the README: the only secrets the banner shows."""


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


MODULE_PROG = "python -m dataarts_emulator"
"""How ``--help`` names the program when run as a module (argparse alone would say ``__main__.py``)."""


def main(argv: Sequence[str] | None = None, *, prog: str | None = None) -> None:
    """Parse flags and environment, print the banner, run uvicorn until interrupted.

    The ``dataarts-emulator`` console script calls this with no arguments: the
    flags come from ``sys.argv`` and ``--help`` names the script as it was run.
    """
    options = options_from(argv, prog=prog)
    app = create_app(options.settings)
    # The spec, its compiled schemas and the imports live as long as the process: keep them out of
    # the collector's sweeps, which would otherwise rescan them on every full collection.
    gc.freeze()
    print(banner(options), flush=True)
    uvicorn.run(app, host=options.host, port=options.port, log_level=options.log_level, lifespan="off")


if __name__ == "__main__":
    main(sys.argv[1:], prog=MODULE_PROG)
