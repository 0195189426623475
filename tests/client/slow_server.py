"""A real HTTP server on 127.0.0.1 that starts exports at once and serves the workbook slowly.

It sends the workbook one byte every ``interval`` seconds (every read returns
in time, so per-read timeouts never fire), and with ``stall_after`` stops
after that many bytes and sends nothing more; ``silent`` never answers a
GET. Per-read timeouts cannot end either early: only an overall deadline
can. The server runs in a background thread, one thread per connection,
and is shut down by the context manager.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .client_fakes import UUID, XLSX

WORKBOOK = b"PK\x03\x04" + bytes(200)


class _Handler(BaseHTTPRequestHandler):
    server: SlowServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: nothing on stderr."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({"data": {"uuid": UUID}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.server.silent:
            self.server.closing.wait(60)
            return
        self.send_response(200)
        self.send_header("Content-Type", XLSX)
        self.send_header("Content-Length", str(len(WORKBOOK)))
        self.end_headers()
        sent = 0
        with contextlib.suppress(OSError):  # the client hangs up at its deadline
            for byte in WORKBOOK:
                if self.server.closing.is_set():
                    return
                if self.server.stall_after is not None and sent >= self.server.stall_after:
                    self.server.closing.wait(60)
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                sent += 1
                time.sleep(self.server.interval)


class SlowServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, interval: float, stall_after: int | None, silent: bool) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stall_after = stall_after
        self.silent = silent
        self.interval = interval
        self.closing = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@contextlib.contextmanager
def slow_server(interval: float = 1.0, stall_after: int | None = None, silent: bool = False) -> Iterator[SlowServer]:
    """A :class:`SlowServer` serving in a background thread for the ``with`` block (``silent``: never answers a GET)."""
    server = SlowServer(interval, stall_after, silent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
