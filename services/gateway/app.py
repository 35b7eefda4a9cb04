from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from services.gateway import views
from services.gateway.backends import Backend, BackendStatus, Circuit
from services.gateway.config import GatewaySettings
from services.gateway.edge import Edge, EdgeMiddleware
from services.gateway.openapi import merge
from services.gateway.ownership import OwnershipTable, SpecWatcher
from services.gateway.ratelimit import RateLimits
from shared.app import create_service_app

router = APIRouter(prefix="/v1", tags=["status"])

# Headers a browser app may read from answers of another origin.
EXPOSED = ["ETag", "Location", "Retry-After", "X-Request-ID", "Idempotent-Replayed",
           "Content-Language", views.PARTIAL_HEADER]  # fmt: skip


class SystemStatus(BaseModel):
    status: Literal["ok", "degraded"]
    services: dict[str, BackendStatus]


@router.get("/status", summary="Whether each backend service is up, and its circuit")
async def system_status(request: Request) -> SystemStatus:
    import asyncio

    settings: GatewaySettings = request.app.state.settings
    edge: Edge = request.app.state.edge
    names = list(edge.backends)
    found = await asyncio.gather(
        *(edge.backends[n].status(settings.status_deadline_seconds) for n in names)
    )
    services = dict(zip(names, found, strict=True))
    healthy = all(s.status == "up" for s in services.values())
    return SystemStatus(status="ok" if healthy else "degraded", services=services)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    merged: dict[str, Any] = {}

    async def open_backends(app: FastAPI) -> None:
        own = (str(route.path) for route in iter_route_contexts(app.routes))
        table = OwnershipTable(path for path in own if path.startswith("/v1/"))
        backends: dict[str, Backend] = {}
        watcher: SpecWatcher

        def closed(name: str) -> Any:
            return lambda: watcher.refresh(name)

        for name, url in settings.backends().items():
            circuit = Circuit(
                name,
                failures=settings.circuit_failures,
                cool_off=settings.circuit_cool_off_seconds,
                on_close=closed(name),
            )
            backends[name] = Backend(name, url, circuit=circuit, deadline=settings.deadline_seconds)
        app.state.edge = Edge(
            settings=settings,
            backends=backends,
            table=table,
            limits=RateLimits(settings),
            verifier=app.state.token_verifier,
        )
        watcher = SpecWatcher(
            backends, table, retry_seconds=settings.spec_retry_seconds, on_change=merged.clear
        )
        app.state.spec_watcher = app.state.edge.specs = watcher
        await watcher.start()

    async def close_backends(app: FastAPI) -> None:
        await app.state.spec_watcher.stop()
        for backend in app.state.edge.backends.values():
            await backend.aclose()

    app = create_service_app(
        settings=settings,
        title="SPN",
        description=(
            "The one front door of SPN for mobile apps and municipal systems: every API of the "
            "registry, the councils and the grants at one origin, and views composed from "
            "all of them."
        ),
        routers=[router, views.router],
        on_startup=[open_backends],
        on_shutdown=[close_backends],
        edge=[
            (CORSMiddleware, {
                "allow_origins": settings.allowed_origins(),
                "allow_methods": ["*"],
                "allow_headers": ["*"],
                "expose_headers": EXPOSED,
                "max_age": 600,
            }),
            # Starlette's gzip leaves event streams alone and compresses other streams as
            # they pass, chunk by chunk.
            (GZipMiddleware, {"minimum_size": 1024}),
            (EdgeMiddleware, {}),
        ],
    )  # fmt: skip
    own_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        """The gateway's own operations and every backend's, merged again when a backend's
        OpenAPI is read anew."""
        if not merged:
            edge: Edge | None = getattr(app.state, "edge", None)
            specs = {n: b.spec for n, b in edge.backends.items()} if edge else {}
            merged.update(merge(own_openapi(), specs))
        return merged

    app.openapi = openapi  # type: ignore[method-assign]
    return app
