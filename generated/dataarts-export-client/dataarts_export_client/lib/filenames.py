"""File names from ``Content-Disposition``, made safe to use as a local file name.

The name in a download answer is chosen by the server; used as is it could
climb out of the target directory (``../../etc/passwd``), name an absolute
path, hide the file (``.bashrc``), pass for another kind of file
(``Makefile``, ``run.sh``), smuggle control characters into logs and
terminals, or exceed the file system's limit. :func:`safe_file_name` keeps
only a harmless base name ending in ``.xlsx`` and falls back to
``<uuid>.xlsx``.

File systems count a name's length in bytes (255 on most), so every cut
here is made in bytes of the name's file-system encoding, at a character
boundary: a name of 60 emoji is 240 bytes, not 60.
"""

from __future__ import annotations

import os
import re
import unicodedata

__all__ = ["MAX_NAME_BYTES", "WORKBOOK_SUFFIX", "clip_name", "numbered_name", "safe_file_name"]

MAX_NAME_BYTES = 255
"""Most file systems' limit on one name."""
WORKBOOK_SUFFIX = ".xlsx"

_DROPPED = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories dropped from a name: controls, format characters, lone surrogates, line and paragraph breaks."""
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$", re.IGNORECASE)


def clip_name(text: str, limit: int) -> str:
    """The longest start of ``text`` whose file-system encoding fits in ``limit`` bytes (whole characters only)."""
    size = 0
    for index, char in enumerate(text):
        size += len(os.fsencode(char))
        if size > limit:
            return text[:index]
    return text


def _split_suffix(name: str) -> tuple[str, str]:
    """``name`` as stem and extension, the extension kept only when short (``.xlsx``, not a long dotted tail)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 16:
        return name, ""
    return stem, f".{suffix}"


def _truncate(name: str, limit: int) -> str:
    """Cut ``name`` to at most ``limit`` bytes, keeping a short extension."""
    stem, suffix = _split_suffix(name)
    return clip_name(stem, limit - len(os.fsencode(suffix))) + suffix


def numbered_name(name: str, number: int) -> str:
    """``name`` itself for 0, else ``stem (number).ext``, the stem cut so that it fits in 255 bytes.

    The number goes before the extension, as browsers number a download
    whose name is taken, so the file still opens as a workbook.
    """
    if number == 0:
        return name
    stem, suffix = _split_suffix(name)
    tail = f" ({number}){suffix}"
    return clip_name(stem, MAX_NAME_BYTES - len(os.fsencode(tail))) + tail


def safe_file_name(candidate: str | None, *, fallback: str) -> str:
    """A file name safe to create inside a chosen directory, ending in ``.xlsx``.

    Keeps the last path component only (``/`` and ``\\`` both separate), drops
    control and format characters, lone surrogates, surrounding spaces and leading dots,
    trailing dots and spaces (which Windows strips), appends ``.xlsx`` unless
    the name ends so (in any case), prefixes Windows device names with ``_``
    and cuts the result to 255 bytes, keeping the suffix. When nothing usable
    is left, ``fallback`` (sanitised the same way, e.g. ``<uuid>.xlsx``) is
    used; if even that is unusable, ``export.xlsx``.
    """
    for raw in (candidate, fallback):
        if not raw:
            continue
        name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
        name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED)
        name = name.strip().lstrip(".").rstrip(". ").strip()
        if not name:
            continue
        if not name.lower().endswith(WORKBOOK_SUFFIX):
            name += WORKBOOK_SUFFIX
        if _WINDOWS_RESERVED.match(name):
            name = f"_{name}"
        return _truncate(name, MAX_NAME_BYTES)
    return "export" + WORKBOOK_SUFFIX
