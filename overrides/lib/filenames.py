"""File names from ``Content-Disposition``, made safe to use as a local file name.

The name in a download answer is chosen by the server; used as is it could
climb out of the target directory (``../../etc/passwd``), name an absolute
path, hide the file (``.bashrc``), smuggle control characters into logs and
terminals, or exceed the file system's limit. :func:`safe_file_name` keeps
only a harmless base name and falls back to ``<uuid>.xlsx``.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["safe_file_name"]

# Most file systems limit a name to 255 bytes.
MAX_NAME_BYTES = 255
DEFAULT_SUFFIX = ".xlsx"

_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$", re.IGNORECASE)


def _truncate(name: str, limit: int) -> str:
    """Cut ``name`` to at most ``limit`` UTF-8 bytes, keeping a short extension."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 16:
        stem, suffix = name, ""
    suffix = f".{suffix}" if suffix else ""
    budget = limit - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return cut + suffix


def safe_file_name(candidate: str | None, *, fallback: str) -> str:
    """A file name safe to create inside a chosen directory.

    Keeps the last path component only (``/`` and ``\\`` both separate), drops
    control and format characters, surrounding spaces and leading dots,
    trailing dots and spaces (which Windows strips), prefixes Windows device
    names with ``_`` and cuts the result to 255 UTF-8 bytes. When nothing
    usable is left, ``fallback`` (itself sanitised, e.g. ``<uuid>.xlsx``) is
    returned; if even that is unusable, ``export.xlsx``.
    """
    for raw in (candidate, fallback):
        if not raw:
            continue
        name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
        name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
        name = name.strip().lstrip(".").rstrip(". ").strip()
        if not name:
            continue
        if _WINDOWS_RESERVED.match(name):
            name = f"_{name}"
        return _truncate(name, MAX_NAME_BYTES)
    return "export" + DEFAULT_SUFFIX
