"""The edge: every `/v1/...` request is checked once (token, rate limit) and, unless the gateway
answers it itself, streamed to the backend that owns it and its answer streamed back.

Plain ASGI, inside the request context (request id, metrics, language): bodies are passed on
chunk by chunk both ways, never held whole (a CSV import, an export, an event stream).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
from fastapi.routing import iter_route_contexts
from multidict import CIMultiDict
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from yarl import URL

from services.gateway.backends import Backend
from services.gateway.config import GatewaySettings
from services.gateway.messages import _
from services.gateway.ownership import OwnershipTable, SpecWatcher
from services.gateway.ratelimit import RateLimits
from shared.auth import TokenVerifier
from shared.errors import AppError, Unauthorized, problem_response
from shared.http import UpstreamUnavailable
from shared.i18n import _ as _shared
from shared.logs import request_id_var

logger = logging.getLogger("spn.gateway")

# Headers of one connection, not of the message (RFC 9110 7.6.1), and those the servers on
# each side write themselves.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
NOT_FORWARDED = HOP_BY_HOP | {b"x-request-id", b"x-forwarded-for", b"content-length"}
NOT_RETURNED = HOP_BY_HOP | {b"x-request-id", b"date", b"server"}
SMALL_BODY = 1 << 16
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Edge:
    """What the edge middleware needs, built in the app's lifespan."""

    settings: GatewaySettings
    backends: dict[str, Backend]
    table: OwnershipTable
    limits: RateLimits
    verifier: TokenVerifier
    specs: SpecWatcher | None = None


class TooManyRequests(AppError):
    status, title, slug = 429, _("Too many requests"), "too-many-requests"


class UnknownOwner(UpstreamUnavailable):
    slug = "owner-unknown"


async def _answer(error: AppError, scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        error.status,
        error.title,
        error.message,
        slug=error.slug,
        headers=error.headers or None,
        instance=scope["path"],
        **error.extra,
    )
    await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value  # type: ignore[no-any-return]
    return None


class EdgeMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        edge: Edge = scope["app"].state.edge
        try:
            client = await self._who(edge, scope)
            path: str = scope["path"]
            if path.startswith("/v1/views/"):
                route_class = "view"
            else:
                route_class = "read" if scope["method"] in READS else "write"
            wait = await edge.limits.wait(route_class, client)
            if wait is not None:
                raise TooManyRequests(
                    _(
                        "You sent too many requests of this kind; try again in {seconds} s.",
                        seconds=round(wait),
                    ),
                    headers={"Retry-After": str(round(wait))},
                )
            owner = edge.table.owner(path)
            if owner is None and not edge.table.complete and edge.specs and not _is_own(scope):
                # A backend that was down may be up now: ask it rather than refuse.
                await edge.specs.read_missing(wait=2.0)
                owner = edge.table.owner(path)
            if owner is None:
                if not edge.table.complete and not _is_own(scope):
                    missing = ", ".join(n for n, b in edge.backends.items() if b.spec is None)
                    raise UnknownOwner(
                        _(
                            "The gateway does not know yet which service answers {path}: "
                            "{services} did not publish its API yet.",
                            path=path,
                            services=missing,
                        ),
                        headers={"Retry-After": "1"},
                    )
                await self.app(scope, receive, send)
                return
            backend = edge.backends[owner]
            backend.refuse_when_open()
        except AppError as error:
            await _answer(error, scope, receive, send)
            return
        await proxy(backend, edge.settings.deadline_seconds, scope, receive, send)

    async def _who(self, edge: Edge, scope: Scope) -> str:
        """The rate limit's key: the token's subject, else the address. A token that is sent
        is checked as the services check it, and a bad one never goes further."""
        authorization = _header(scope, b"authorization")
        if authorization is not None:
            scheme, _space, token = authorization.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise Unauthorized(_shared("The Authorization header must be `Bearer <token>`."))
            principal = await edge.verifier.verify(token.strip())
            return "sub:" + principal.subject
        client = scope.get("client")
        return "ip:" + (client[0] if client else "unknown")


def _is_own(scope: Scope) -> bool:
    """A path of the gateway's own routes (its views and status)."""
    routes = iter_route_contexts(scope["app"].routes)
    return any(route.path_regex.match(scope["path"]) for route in routes)


def _forwarded_headers(scope: Scope) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict()
    forwarded_for = None
    for key, value in scope["headers"]:
        if key == b"x-forwarded-for":
            forwarded_for = value.decode("latin-1")
        elif key not in NOT_FORWARDED:
            headers.add(key.decode("latin-1"), value.decode("latin-1"))
    client = scope.get("client")
    address = client[0] if client else None
    # uvicorn already took the client's address from a trusted proxy's X-Forwarded-For.
    if address and (forwarded_for is None or forwarded_for.rsplit(",", 1)[-1].strip() != address):
        forwarded_for = f"{forwarded_for}, {address}" if forwarded_for else address
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    headers["X-Forwarded-Proto"] = scope.get("scheme", "http")
    request_id = request_id_var.get()
    if request_id:
        headers["X-Request-ID"] = request_id
    headers["X-SPN-Caller"] = "gateway"
    return headers


async def _request_body(receive: Receive, done: asyncio.Event) -> AsyncIterator[bytes]:
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        more = message.get("more_body", False)
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
    done.set()


async def _small_body(receive: Receive) -> bytes:
    chunks = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


async def proxy(
    backend: Backend, deadline: float, scope: Scope, receive: Receive, send: Send
) -> None:
    headers = _forwarded_headers(scope)
    length = _header(scope, b"content-length")
    chunked = _header(scope, b"transfer-encoding") is not None
    body_read = asyncio.Event()
    data: Any = None
    if length is not None and length.isdigit() and int(length) <= SMALL_BODY:
        data = await _small_body(receive)
        body_read.set()
    elif length is not None or chunked:
        # Streamed to the backend as it comes (chunked); the length, when known, is kept.
        if length is not None:
            headers["Content-Length"] = length.decode("latin-1")
        data = _request_body(receive, body_read)
    else:
        body_read.set()
    query = scope.get("query_string", b"")
    target = backend.url + scope.get("raw_path", scope["path"].encode()).decode("latin-1")
    if query:
        target += "?" + query.decode("latin-1")
    started = time.perf_counter()
    try:
        async with asyncio.timeout(deadline):
            response = await backend.session.request(
                scope["method"],
                URL(target, encoded=True),
                headers=headers,
                data=data,
                allow_redirects=False,
            )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        backend.failed()
        await _answer(backend.unavailable(exc, deadline), scope, receive, send)
        return
    try:
        busy = response.status == 503 and "Retry-After" in response.headers
        backend.answered(response.status, started, busy=busy)
        answer_headers = [
            (key.lower(), value)
            for key, value in response.raw_headers
            if key.lower() not in NOT_RETURNED
        ]
        start = {
            "type": "http.response.start",
            "status": response.status,
            "headers": answer_headers,
        }
        content_length = response.headers.get("Content-Length")
        if content_length is not None and int(content_length) <= SMALL_BODY:
            body = await response.read()
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        await send(start)
        await _stream(response, receive, send, watch=body_read.is_set())
    finally:
        response.release()


async def _stream(
    response: aiohttp.ClientResponse, receive: Receive, send: Send, *, watch: bool
) -> None:
    """Pass the body on as it comes; stop reading the backend when the caller goes away."""

    async def pump() -> None:
        async for chunk in response.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def gone() -> None:
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                return

    if not watch:
        await pump()
        return
    tasks = [asyncio.create_task(pump()), asyncio.create_task(gone())]
    try:
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        if task is tasks[0] and not task.cancelled() and task.exception() is not None:
            logger.warning("stream from the backend broke off: %r", task.exception())
