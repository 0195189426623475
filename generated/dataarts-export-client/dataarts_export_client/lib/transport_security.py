"""No credential in clear text by accident: refuse to send one over ``http://`` beyond this machine.

An IAM token in ``X-Auth-Token`` is a bearer credential, valid for 24 hours
for anyone who reads it; an AK/SK signature exposes the access key and the
request. Over plain ``http://`` both cross the network readable by every hop.
The clients built here (:func:`~.environment.token_client`,
:func:`~.environment.client_from_env`) and :class:`~.signing.AkSkAuth`, on
each request it signs, therefore refuse an ``http://`` endpoint unless it is
a loopback address (an emulator on this machine, the
emulator's own ``http://127.0.0.1`` default) or the caller opted in with
``allow_insecure_http=True`` (``--allow-insecure-http`` on the command line),
for a proxy or test rig that really is plain HTTP.

What keeps a credential from following a redirect (or any request) to
another host or to ``http://`` is the generated client's own guard:
:func:`dataarts_export_client.client.may_carry_credentials`, applied to
every request its httpx clients send.
"""

from __future__ import annotations

import ipaddress

import httpx

from .errors import InsecureTransportError

__all__ = ["is_loopback_host", "refuse_clear_text_credentials"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an IP address, IPv6 with or without brackets) is this machine's loopback."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refuse_clear_text_credentials(base_url: str | httpx.URL, credential: str, *, allow_insecure_http: bool) -> None:
    """Raise :class:`InsecureTransportError` when ``credential`` would travel over ``http://`` off this machine.

    ``credential`` names what would be sent ("an IAM token", "AK/SK
    signatures"), for the message; the message never contains a value.
    """
    url = httpx.URL(base_url)
    if url.scheme != "http" or allow_insecure_http or is_loopback_host(url.host):
        return
    raise InsecureTransportError(
        f"refusing to send {credential} in clear text over http:// to {url.host}: use https://, "
        "or pass allow_insecure_http=True (--allow-insecure-http) if this plain-HTTP endpoint is really meant"
    )
