"""The baseline server: ``python -m tools.bench.bare_app PORT CONTENT_TYPE BODY``.

A bare Starlette app that answers the status poll with the given bytes and
nothing else (no auth, no validation, no state), run by uvicorn exactly as
``python -m dataarts_emulator`` runs the emulator. It is what the emulator's
requests per second are held against: the cost of the framework alone.
"""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def create_bare_app(content_type: str, body: bytes) -> Starlette:
    async def export_result(_request: Request) -> Response:
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route("/v2/{project_id}/design/export-result", export_result)])


if __name__ == "__main__":
    app = create_bare_app(sys.argv[2], sys.argv[3].encode())
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", lifespan="off")
