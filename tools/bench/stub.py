"""The loopback stub that the client benchmarks call: ``python -m tools.bench.stub PORT WORKBOOK_BYTES``.

It answers ``GET export-result`` like the service: for :data:`RUNNING` the
JSON status of a running export, for :data:`READY` a workbook of the given
size. It is a plain threaded socket server with canned answers, not an ASGI
app, so that its own cost per request (tens of microseconds) is small next to
the clients being compared: a slow stub would add the same time to every
variant and hide their differences. It checks only that the request carries
an AK/SK ``Authorization`` header, so a variant that skipped signing fails
rather than looks fast.
"""

from __future__ import annotations

import os
import socketserver
import sys

PROJECT = "0833a5737480d53b2f25c010dc1a7b88"
WORKSPACE = "bench-workspace"
ACCESS_KEY = "BENCHACCESSKEY000001"
SECRET_KEY = "bench-secret-key-not-a-secret"  # noqa: S105 - a loopback stub's made-up key
RUNNING = "bench-running"
READY = "bench-ready"
PATH = f"/v2/{PROJECT}/design/export-result"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_BODY = b'{"data": {"status": "importing", "group": null, "rate": "40"}}'
CHUNK = 1024 * 1024


def _answer(status: str, content_type: str, body: bytes, extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    return head.encode("ascii") + body


STATUS_ANSWER = _answer("200 OK", "application/json;charset=UTF-8", STATUS_BODY, f"X-Request-Id: {'0' * 32}\r\n")
UNSIGNED_ANSWER = _answer(
    "401 Unauthorized", "application/json", b'{"error_code": "APIG.0301", "error_msg": "unsigned"}'
)
UNKNOWN_ANSWER = _answer("400 Bad Request", "application/json", b'{"error_code": "EMU.0404", "error_msg": "unknown"}')


class StubHandler(socketserver.StreamRequestHandler):
    """Answers the requests of one keep-alive connection in turn."""

    workbook_bytes = 0
    block = b""

    def handle(self) -> None:
        while True:
            request_line = self.rfile.readline(65537)
            if not request_line:
                return
            signed = False
            while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
                signed = signed or line.lower().startswith(b"authorization: sdk-hmac-sha256 ")
            target = request_line.split(b" ")[1] if request_line.count(b" ") >= 2 else b""
            if not signed:
                self.wfile.write(UNSIGNED_ANSWER)
            elif target.startswith(PATH.encode()) and f"uuid={READY}".encode() in target:
                self._send_workbook()
            elif target.startswith(PATH.encode()) and f"uuid={RUNNING}".encode() in target:
                self.wfile.write(STATUS_ANSWER)
            else:
                self.wfile.write(UNKNOWN_ANSWER)

    def _send_workbook(self) -> None:
        size = self.workbook_bytes
        disposition = 'Content-Disposition: attachment; filename="bench.xlsx"\r\n'
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {XLSX}\r\nContent-Length: {size}\r\n{disposition}\r\n"
        self.wfile.write(head.encode("ascii"))
        sent = 0
        while sent < size:
            piece = self.block[: min(CHUNK, size - sent)]
            self.wfile.write(piece)
            sent += len(piece)


class StubServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(port: int, workbook_bytes: int) -> None:
    """Serve on 127.0.0.1:``port`` until terminated."""
    StubHandler.workbook_bytes = workbook_bytes
    StubHandler.block = os.urandom(CHUNK)
    with StubServer(("127.0.0.1", port), StubHandler) as stub:
        stub.serve_forever()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
