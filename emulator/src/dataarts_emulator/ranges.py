"""Single byte ranges of the workbook (RFC 9110 section 14), decided without any HTTP framework.

A client whose download broke asks for the rest with ``Range: bytes=N-`` and,
to be sure the rest belongs to the same file, ``If-Range`` with the strong
``ETag`` it was given. The emulator answers as RFC 9110 allows a server to:

* one satisfiable range, ``If-Range`` absent or equal to the current ETag:
  ``206`` with that slice and ``Content-Range: bytes first-last/length``;
* an unsatisfiable range (starts at or past the end, or ``bytes=-0``):
  ``416`` with ``Content-Range: bytes */length``;
* anything else — no ``Range``, another unit, a malformed or multi-range
  header, or an ``If-Range`` that does not match (a weak or other ETag, or
  any date: the emulator sends no ``Last-Modified``, so no date can match) —
  the whole file with ``200``. Ignoring what it does not support is what
  RFC 9110 lets a server do, and what a client must be ready for anyway.

The ETag is a hash of the bytes, so it is strong (equal bytes, equal tag),
the same in every emulator process, and changes when the file does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .exceptions import RangeNotSatisfiable

__all__ = ["ByteRange", "etag_of", "select_range"]

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)
_MAX_DIGITS = 18  # past this a position is beyond any file; int() of thousands of digits would even fail


def etag_of(content: bytes) -> str:
    """The strong entity tag of ``content``: quoted, 32 hex digits of its SHA-256."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class ByteRange:
    """The bytes ``first`` to ``last`` (inclusive) of a ``length``-byte file."""

    first: int
    last: int
    length: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.length}"


def _position(digits: str) -> int:
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def select_range(range_header: str | None, if_range: str | None, etag: str, length: int) -> ByteRange | None:
    """The range to answer with 206, or ``None`` for the whole file; :class:`RangeNotSatisfiable` for 416.

    Only a single ``bytes`` range is honoured; see the module docstring for
    what is ignored.
    """
    if range_header is None or (if_range is not None and if_range.strip() != etag):
        return None
    match = _RANGE.match(range_header)
    if match is None:
        return None  # another unit, several ranges, or not a range at all
    first_text, last_text = match[1], match[2]
    if not first_text:
        if not last_text:
            return None  # "bytes=-" is malformed
        suffix = _position(last_text)
        if suffix == 0:
            raise RangeNotSatisfiable(length)
        return ByteRange(max(0, length - suffix), length - 1, length)
    first = _position(first_text)
    last = _position(last_text) if last_text else None
    if last is not None and last < first:
        return None  # an invalid range-spec is ignored, not refused
    if first >= length:
        raise RangeNotSatisfiable(length)
    return ByteRange(first, length - 1 if last is None else min(last, length - 1), length)
