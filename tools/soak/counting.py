"""What the client did on the wire during a soak: requests, failed attempts, resumed bytes.

The lib does not report its retries (it hides them, which is its job), so
the soak counts them underneath it, in an httpx transport wrapper: every
answer that is retryable (429, 5xx), every request that failed in transport
(reset, timeout) and every body that broke mid-transfer is an attempt the
lib had to repeat or resume; every ``206`` answered to ``Range: bytes=N-``
saved ``N`` bytes from being fetched again.
"""

from __future__ import annotations

import re
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import cast

import httpx

_RETRYABLE = frozenset({429, 500, 502, 503, 504})
_RANGE_START = re.compile(r"^\s*bytes=(\d+)-\s*$")


@dataclass
class Counters:
    """Totals over every request of a run; thread-safe."""

    requests: int = 0
    failed_attempts: int = 0
    resumes: int = 0
    resumed_bytes: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, requests: int = 0, failed: int = 0, resumes: int = 0, resumed_bytes: int = 0) -> None:
        with self._lock:
            self.requests += requests
            self.failed_attempts += failed
            self.resumes += resumes
            self.resumed_bytes += resumed_bytes

    def answered(self, request: httpx.Request, response: httpx.Response) -> None:
        """Count one answer (its body is counted by the stream wrappers)."""
        resumed = 0
        match = _RANGE_START.match(request.headers.get("range", ""))
        if match is not None and response.status_code == 206:
            resumed = int(match[1])
        self.add(
            requests=1,
            failed=int(response.status_code in _RETRYABLE),
            resumes=int(resumed > 0),
            resumed_bytes=resumed,
        )


class _Body(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, counters: Counters) -> None:
        self._inner, self._counters = inner, counters

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._inner
        except httpx.TransportError:
            self._counters.add(failed=1)
            raise

    def close(self) -> None:
        self._inner.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, counters: Counters) -> None:
        self._inner, self._counters = inner, counters

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except httpx.TransportError:
            self._counters.add(failed=1)
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()


class CountingTransport(httpx.BaseTransport):
    """Passes every request to ``inner`` and counts it in ``counters``."""

    def __init__(self, inner: httpx.BaseTransport, counters: Counters) -> None:
        self._inner, self.counters = inner, counters

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self._inner.handle_request(request)
        except httpx.TransportError:
            self.counters.add(requests=1, failed=1)
            raise
        self.counters.answered(request, response)
        response.stream = _Body(cast(httpx.SyncByteStream, response.stream), self.counters)
        return response

    def close(self) -> None:
        self._inner.close()


class AsyncCountingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`CountingTransport`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, counters: Counters) -> None:
        self._inner, self.counters = inner, counters

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._inner.handle_async_request(request)
        except httpx.TransportError:
            self.counters.add(requests=1, failed=1)
            raise
        self.counters.answered(request, response)
        response.stream = _AsyncBody(cast(httpx.AsyncByteStream, response.stream), self.counters)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
