"""A backend for the gateway's tests, run as a real process (`uvicorn tests.trial_backend:app`):
it publishes its OpenAPI like a service, and answers slowly, in a stream, with a 5xx or with
what it received, on demand."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

PATHS = ("/v1/trials/echo", "/v1/trials/slow", "/v1/trials/stream", "/v1/trials/events",
         "/v1/trials/fail", "/v1/trials/{trial_id}")  # fmt: skip
SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "trials", "version": "1"},
    "paths": {path: {"get": {"operationId": "trial" + str(i), "responses": {}}}
              for i, path in enumerate(PATHS)},
}  # fmt: skip


async def spec(request: Request) -> Response:
    return JSONResponse(SPEC)


async def ready(request: Request) -> Response:
    return JSONResponse({"status": "ready"})


async def echo(request: Request) -> Response:
    """What arrived: headers, and when each chunk of the body came (a stream comes in parts)."""
    started = time.monotonic()
    arrivals, digest, size = [], hashlib.sha256(), 0
    async for chunk in request.stream():
        if chunk:
            arrivals.append(round(time.monotonic() - started, 3))
            digest.update(chunk)
            size += len(chunk)
    body = {
        "method": request.method,
        "path": request.url.path,
        "query": request.url.query,
        "headers": dict(request.headers.items()),
        "size": size,
        "sha256": digest.hexdigest(),
        "arrivals": arrivals,
    }
    headers = {"ETag": '"v7"', "Location": "/v1/trials/7", "Retry-After": "3"}
    status = int(request.query_params.get("status", "200"))
    return JSONResponse(body, status_code=status, headers=headers)


async def slow(request: Request) -> Response:
    await asyncio.sleep(float(request.query_params.get("seconds", "5")))
    return JSONResponse({"slow": True})


async def stream(request: Request) -> Response:
    """A large answer in parts, the last one long after the first."""

    async def parts() -> AsyncIterator[bytes]:
        for _ in range(int(request.query_params.get("parts", "3"))):
            yield b"x" * 65536
            await asyncio.sleep(float(request.query_params.get("gap", "0.5")))
        yield b"end"

    return StreamingResponse(parts(), media_type="application/json")


async def events(request: Request) -> Response:
    """Server-sent events, numbered after Last-Event-ID."""
    first = int(request.headers.get("last-event-id", "0")) + 1

    async def feed() -> AsyncIterator[bytes]:
        for number in range(first, first + 3):
            yield f"id: {number}\ndata: {json.dumps({'n': number})}\n\n".encode()
            await asyncio.sleep(0.5)

    return StreamingResponse(feed(), media_type="text/event-stream")


async def fail(request: Request) -> Response:
    return JSONResponse({"failed": True}, status_code=500)


app = Starlette(
    routes=[
        Route("/openapi.json", spec),
        Route("/readyz", ready),
        Route("/v1/trials/echo", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/v1/trials/slow", slow),
        Route("/v1/trials/stream", stream),
        Route("/v1/trials/events", events),
        Route("/v1/trials/fail", fail),
    ]
)
