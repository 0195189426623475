"""Resuming a broken download where it stopped: the decisions of ``Range`` and ``If-Range`` (sans-I/O).

A transfer cut short has already saved bytes; asking for the whole file
again would waste them, and on a bad line would never finish. So the next
attempt asks for the rest (``Range: bytes=N-``) with the file's validator
(``If-Range``: its strong ``ETag``, else its ``Last-Modified``), as
huggingface_hub and the S3 transfer manager do. Without a validator nothing
is resumed: a bare ``Range`` would be answered from whatever version the
server has by then, and its bytes appended to another version's (curl and
wget append them all the same; RFC 9110 gives ``If-Range`` to avoid exactly
that). The answer decides (RFC 9110):

* ``206`` whose ``Content-Range`` starts at ``N``, for the same file: its
  bytes are appended;
* ``200``: the server ignored the range (the live service may) or the file
  changed: the saved bytes are dropped and the body written from the start;
* ``416``: the saved bytes cannot be continued: they are dropped and the
  whole file asked for again;
* a ``206`` that starts elsewhere or carries another validator (a server
  that ignored ``If-Range``) is not used: the bytes are dropped and the
  attempt counts as failed.

The complete file is checked against the full length, from ``Content-Range``
or else the ``Content-Length`` of the first whole answer. An attempt that
saved more bytes than it started with made progress and does not count
against ``RetryPolicy.max_download_attempts`` (the deadline still bounds it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from .answers import content_length
from .errors import DownloadError, TruncatedDownload

__all__ = ["ContentRange", "Start", "Transfer", "full_length", "parse_content_range"]

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ContentRange:
    """A ``Content-Range: bytes first-last/total`` value (``total`` ``None`` for ``*``)."""

    first: int
    last: int
    total: int | None


def parse_content_range(value: str | None) -> ContentRange | None:
    """The byte range of a 206 answer, or ``None`` when absent or malformed."""
    match = _CONTENT_RANGE.match(value or "")
    if match is None:
        return None
    first, last, total = int(match[1]), int(match[2]), match[3]
    parsed = ContentRange(first, last, None if total == "*" else int(total))
    if last < first or (parsed.total is not None and last >= parsed.total):
        return None
    return parsed


def full_length(headers: Mapping[str, str]) -> int | None:
    """The whole file's length: the total of ``Content-Range`` (a 206), else ``Content-Length``."""
    span = parse_content_range(headers.get("content-range"))
    if span is not None:
        return span.total
    return content_length(headers)


class Start(Enum):
    """How to use a file answer: write it from the start of the file, or append it to the saved bytes."""

    OVER = "over"
    APPEND = "append"


def _identity_coded(headers: Mapping[str, str]) -> bool:
    return headers.get("content-encoding", "identity").strip().lower() in ("", "identity")


def _validator(headers: Mapping[str, str]) -> str | None:
    """The answer's validator usable in ``If-Range``: a strong ``ETag``, else ``Last-Modified``.

    A weak ETag (``W/"..."``) promises equivalent content, not identical
    bytes, so RFC 9110 forbids it in ``If-Range``.
    """
    etag = headers.get("etag", "").strip()
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("last-modified", "").strip() or None


class Transfer:
    """What has been saved of one export's file across attempts, and what to ask for next."""

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        self.saved = 0
        """Bytes of the file in the temporary file (the offset to resume from)."""
        self.total: int | None = None
        """The full length of the file, when an answer announced it."""
        self.resumed_bytes = 0
        """Bytes that resuming did not have to fetch again (for reports)."""
        self._validator: str | None = None
        """What ``If-Range`` names: ``None`` when the saved bytes cannot be continued (none, or no validator)."""
        self._identity = False
        self._saved_before = 0
        self._wire_expected: int | None = None

    def request_headers(self) -> dict[str, str]:
        """``Range`` (and ``If-Range``) for the next attempt when saved bytes can be continued, else nothing."""
        if self.saved == 0 or self._validator is None:
            return {}
        return {"Range": f"bytes={self.saved}-", "If-Range": self._validator}

    def begin(self, status_code: int, headers: Mapping[str, str]) -> Start:
        """Decide how to use a file answer (200 or 206); raises :class:`DownloadError` for an unusable 206."""
        self._saved_before = self.saved
        if status_code == 206:
            return self._begin_partial(headers)
        self.drop()
        self._identity = _identity_coded(headers)
        self._validator = _validator(headers) if self._identity else None
        self._wire_expected = content_length(headers)
        self.total = self._wire_expected if self._identity else None
        return Start.OVER

    def _begin_partial(self, headers: Mapping[str, str]) -> Start:
        span = parse_content_range(headers.get("content-range"))
        validator = _validator(headers)
        reason = None
        if self._validator is None or self.saved == 0 or span is None:
            reason = "a partial answer that was not asked for"
        elif span.first != self.saved:
            reason = f"a partial answer from byte {span.first}, not {self.saved}"
        elif validator is not None and validator != self._validator:
            reason = "a partial answer of a different file (validator changed)"
        elif span.total is not None and self.total is not None and span.total != self.total:
            reason = f"a partial answer of a file of {span.total} bytes, not {self.total}"
        elif not _identity_coded(headers):
            reason = "a partial answer with a content coding"
        if reason is not None or span is None:
            self.drop()
            raise DownloadError(self.uuid, reason or "an unusable partial answer")
        if span.total is not None:
            self.total = span.total
        self._wire_expected = span.last - span.first + 1
        self.resumed_bytes += self.saved
        return Start.APPEND

    def drop(self) -> None:
        """Forget the saved bytes (the caller truncates the file): the next attempt asks for the whole file."""
        self.saved = 0
        self._validator = None

    def received(self, size: int) -> None:
        """Count ``size`` bytes written to the file."""
        self.saved += size

    def progressed(self) -> bool:
        """Whether the current attempt saved more of the file than there was before it."""
        return self.saved > self._saved_before

    def finish(self, wire_bytes: int) -> None:
        """Check the file once an answer's body ended; raise :class:`TruncatedDownload` unless it is complete.

        ``wire_bytes`` counts this answer's bytes as they came over the wire
        (before any content decoding): with a content coding that is all
        that can be checked, against the answer's ``Content-Length``.
        """
        if not self._identity:
            if self._wire_expected is not None and wire_bytes != self._wire_expected:
                self.drop()
                raise TruncatedDownload(self.uuid, expected=self._wire_expected, received=wire_bytes)
            return
        expected = self.total
        if expected is None:
            return
        if self.saved > expected:
            received = self.saved
            self.drop()  # more than the whole file: these bytes are not the file
            raise TruncatedDownload(self.uuid, expected=expected, received=received)
        if self.saved < expected:
            raise TruncatedDownload(self.uuid, expected=expected, received=self.saved)
