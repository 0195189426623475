"""Keeping secrets and unbounded server text out of what people read.

One helper per job, shared by the client helpers, the CLI, the emulator and
the contract runner, so that an access key is masked by one rule everywhere
and a credential that leaks into text is replaced the same way everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import quote

MASK = "***"
ELLIPSIS = "…"

# Below this length a "secret" would mask ordinary words; real credentials are longer.
MIN_SECRET_LENGTH = 8


def mask_access_key(access_key: str) -> str:
    """The first four characters of a long access key, then ``…``: enough to recognise, too little to reuse.

    Keys of eight characters or fewer show nothing at all, since four of them
    would be half the key.
    """
    return (access_key[:4] if len(access_key) > 8 else "") + ELLIPSIS


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the last one an ellipsis when something was cut."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def secret_forms(value: str) -> set[str]:
    """The ways ``value`` is written in text: as is and trimmed, each also escaped as Python, JSON and URLs write it.

    A secret rarely leaks as itself: a traceback shows a dict's ``repr``
    (``'tok\\r'``), h11 refuses a header value with the ``repr`` of its bytes
    (``b'tok\\r'``), a log holds JSON (``"tok\\r"``, ``\\u00e9``), a URL its
    percent-encoding. The trimmed value counts too: it is what a caller that
    strips whitespace would have sent.
    """
    forms: set[str] = set()
    for text in {value, value.strip()}:
        forms |= {
            text,
            repr(text)[1:-1],
            ascii(text)[1:-1],
            repr(text.encode("utf-8", "surrogatepass"))[2:-1],
            json.dumps(text)[1:-1],
            json.dumps(text, ensure_ascii=False)[1:-1],
            quote(text, safe="", errors="surrogatepass"),
        }
    return forms


def redact(text: str, secrets: Iterable[str], replacement: str = MASK) -> str:
    """``text`` with every occurrence of each secret value, in any of its :func:`secret_forms`, replaced, longest first.

    Values shorter than :data:`MIN_SECRET_LENGTH` are ignored: replacing them
    would garble ordinary words without protecting anything real. Longest
    first, so that a secret containing another is replaced whole.
    """
    forms = {form for value in secrets for form in secret_forms(value)}
    for secret in sorted({form for form in forms if len(form) >= MIN_SECRET_LENGTH}, key=len, reverse=True):
        text = text.replace(secret, replacement)
    return text
