"""Request ids, a log line and Prometheus figures per request; `/healthz`, `/readyz`, `/metrics`."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import internal_error_response, problem_response
from shared.i18n import _
from shared.logs import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

logger = logging.getLogger("spn.request")

REQUESTS = Counter(
    "spn_http_requests_total",
    "HTTP requests answered, by service, method, route template and status.",
    ["service", "method", "route", "status"],
)
LATENCY = Histogram(
    "spn_http_request_duration_seconds",
    "Time to answer an HTTP request, by service, method and route template.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

ReadinessCheck = Callable[[], Awaitable[None]]


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


HEALTH_PATH = "/healthz"
_ALIVE_BODY = b'{"status":"ok"}'
_ALIVE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_ALIVE_BODY)).encode()),
]


async def _alive(scope: Scope, receive: Receive, send: Send) -> None:
    """`GET /healthz`, answered before routing: probes come every few seconds from every
    orchestrator and balancer, and the whole stack under this middleware cost four times what
    the answer does. The route below stays, for the OpenAPI."""
    await send({"type": "http.response.start", "status": 200, "headers": list(_ALIVE_HEADERS)})
    await send({"type": "http.response.body", "body": _ALIVE_BODY})


class RequestContextMiddleware:
    """Outermost middleware: request id in and out, timing, the 500 answer for the unexpected."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self._metrics: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def _observe(self, method: str, route: str, status: int, elapsed: float) -> None:
        # The labelled children looked up once per (method, route, status), not per request.
        children = self._metrics.get((method, route, str(status)))
        if children is None:
            children = (
                REQUESTS.labels(self.service, method, route, str(status)),
                LATENCY.labels(self.service, method, route),
            )
            self._metrics[(method, route, str(status))] = children
        children[0].inc()
        children[1].observe(elapsed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        health = scope["path"] == HEALTH_PATH and scope["method"] in ("GET", "HEAD")
        try:
            await (_alive if health else self.app)(scope, receive, send_with_id)
        except Exception:
            logger.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if response_started:
                raise
            await internal_error_response(scope["path"])(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = HEALTH_PATH if health else _route_template(scope)
            self._observe(scope["method"], route, status, elapsed)
            logger.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
            )
            request_id_var.reset(token)


def health_router(readiness: ReadinessCheck | None) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The service can serve: its database answers")
    async def readyz(request: Request) -> Any:
        if readiness is not None:
            try:
                await readiness()
            except Exception as exc:
                logger.warning("not ready: %s", exc.__class__.__name__)
                return problem_response(
                    503,
                    _("Not ready"),
                    _("The service's database does not answer."),
                    slug="not-ready",
                    request=request,
                )
        return {"status": "ready"}

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def install_observability(app: FastAPI, service: str, readiness: ReadinessCheck | None) -> None:
    app.include_router(health_router(readiness))
    app.add_middleware(RequestContextMiddleware, service=service)
